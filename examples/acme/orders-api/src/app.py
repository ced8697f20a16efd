"""Orders API (placeholder for the example organization)."""


def health() -> dict[str, str]:
    return {"status": "ok"}
