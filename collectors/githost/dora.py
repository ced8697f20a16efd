"""DORA inputs from a Git host's deliveries (deployments or deploy runs), the same arithmetic for
every host so that their figures mean the same. Pure: no I/O, no clock."""

from __future__ import annotations

import fnmatch
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from collectors.shares import share


@dataclass(frozen=True)
class Delivery:
    """A deployment or a deploy run, as the DORA figures need it."""

    at: datetime
    track: str  # environment or workflow: a failure is restored by the next success on the same track
    succeeded: bool | None  # None: not finished, or an outcome that is neither
    commit: str | None
    committed_at: datetime | None


def dora(
    window_days: int, derived_from: str, deliveries: Sequence[Delivery], environments: Sequence[str] = ()
) -> dict[str, Any]:
    """delivery.deployments data: frequency, change-failure rate, lead time and time to restore."""
    ordered = sorted(deliveries, key=lambda delivery: delivery.at)
    failed = sum(delivery.succeeded is False for delivery in ordered)
    finished = sum(delivery.succeeded is not None for delivery in ordered)
    first_success: dict[str, float] = {}  # commit -> hours to its first success
    broken_since: dict[str, datetime] = {}
    restores: list[float] = []
    for delivery in ordered:
        if delivery.succeeded is False:
            broken_since.setdefault(delivery.track, delivery.at)
        elif delivery.succeeded:
            if delivery.commit and delivery.committed_at is not None and delivery.commit not in first_success:
                first_success[delivery.commit] = _hours(delivery.at - delivery.committed_at)
            if delivery.track in broken_since:
                restores.append(_hours(delivery.at - broken_since.pop(delivery.track)))
    lead_times = [hours for hours in first_success.values() if hours >= 0]  # negative: clock skew, not lead time
    return {
        "window_days": window_days,
        "derived_from": derived_from,
        "events": len(ordered),
        "failed": failed,
        "per_week": round(len(ordered) / (window_days / 7), 4),
        "change_failure_rate": share(failed, finished),
        "lead_time_hours_median": median(lead_times),
        "time_to_restore_hours_median": median(restores),
        "environments": list(environments),
    }


def is_production(environment: str, patterns: Sequence[str]) -> bool:
    """Whether an environment name matches one of the production patterns (fnmatch, any case)."""
    lowered = environment.lower()
    return any(fnmatch.fnmatchcase(lowered, pattern.lower()) for pattern in patterns)


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time with its zone, as Git hosts send them; None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def median(values: Sequence[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


def _hours(span: timedelta) -> float:
    return span.total_seconds() / 3600
