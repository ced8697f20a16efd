"""A share as evidence records carry it: part / whole, rounded for rules to compare (the engine
has no arithmetic); None when there is no whole."""

from __future__ import annotations


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
