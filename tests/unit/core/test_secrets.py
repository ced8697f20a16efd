import logging

from scanner.secrets import REDACTED, RedactingFilter, SecretStore


def test_handed_out_secrets_are_redacted_from_logs(caplog) -> None:
    store = SecretStore({"GH_TOKEN": "ghp_abc123", "OTHER": "visible-not-handed-out"})
    assert store.get("GH_TOKEN") == "ghp_abc123"
    assert store.get("MISSING") is None
    logger = logging.getLogger("test.secrets")
    caplog.set_level(logging.WARNING, logger="test.secrets")
    handler_filter = RedactingFilter(store)
    caplog.handler.addFilter(handler_filter)
    try:
        logger.warning("request with %s failed", "ghp_abc123")
        try:
            raise RuntimeError("token ghp_abc123 refused")
        except RuntimeError:
            logger.exception("boom")
    finally:
        caplog.handler.removeFilter(handler_filter)
    assert "ghp_abc123" not in caplog.text
    assert REDACTED in caplog.text
    assert store.redact("x visible-not-handed-out") == "x visible-not-handed-out"


def test_a_traceback_formatted_by_another_handler_first_is_still_redacted() -> None:
    store = SecretStore({"GH_TOKEN": "ghp_abc123"})
    store.get("GH_TOKEN")
    try:
        raise RuntimeError("token ghp_abc123 refused")
    except RuntimeError:
        record = logging.getLogger("t").makeRecord("t", logging.ERROR, __file__, 1, "boom", None, __import__("sys").exc_info())
    logging.Formatter().format(record)  # caches the unredacted traceback in record.exc_text
    RedactingFilter(store).filter(record)
    assert "ghp_abc123" not in logging.Formatter().format(record)
