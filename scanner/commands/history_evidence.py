"""The history store as evidence: `history.dora_series`, whether DORA inputs were recorded in
the earlier scans of this scope, added to a scan's bundle by the commands that scan.

The rules engine judges evidence only, so what the store says of earlier scans becomes one
record about the scanned scope: an organization subject of a `history` source that provides
nothing else. Without a configured store there is no such source, and the rule reading it is
not applicable (the default pack makes it the key rule of measurement managed, so the stage
cannot be proven without history). A store that has no earlier scan of this scope, or that
cannot be read, makes the record unavailable: a first scan shows no habit either way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from scanner.commands.store import open_store
from scanner.errors import UserError
from scanner.model import Evidence, EvidenceBundle, EvidenceStatus, SourceRun, Subject
from scanner.scope import ScanScope
from scanner.version import VERSION

KIND = "history.dora_series"
SOURCE = "history"
#: The rule whose passing, in an earlier scan, says its DORA inputs were recorded.
DORA_RULE = "measurement.dora_inputs_recorded"
NO_EARLIER_SCAN = (
    "no earlier scan of this scope is recorded: whether DORA figures are tracked across scans shows from the next scans"
)


def with_dora_history(bundle: EvidenceBundle, store_url: str | None, scope: ScanScope, now: datetime) -> EvidenceBundle:
    """`bundle` plus the history source, its subject and its record; unchanged without a store."""
    if store_url is None:
        return bundle
    subject = Subject(
        id=f"{SOURCE}:{scope.organization or scope.key}",
        kind="organization",
        name=scope.organization or f"scope {scope.key}",
        source=SOURCE,
    )
    status, data, reason = _series(store_url, scope)
    record = Evidence(
        kind=KIND, subject=subject.id, status=status, data=data, reason=reason,
        collector=SOURCE, collector_version=VERSION, observed_at=now,
    )
    run = SourceRun(
        collector=SOURCE, version=VERSION, provides=(KIND,), status="ok", subjects=1, evidence=1, started_at=now, finished_at=now
    )
    return bundle.model_copy(
        update={
            "sources": (*bundle.sources, run),
            "subjects": (*bundle.subjects, subject),
            "evidence": (*bundle.evidence, record),
        }
    )


def recorded_outcomes(store_url: str, scope: ScanScope, rule_id: str) -> list[tuple[datetime, str | None]]:
    """One rule's outcome in each recorded scan of `scope`, newest first. A store that does not
    exist yet is not created (a UserError says so): reading must leave nothing behind."""
    with open_store(store_url, create=False) as store:
        return store.rule_outcomes(rule_id, scope)


def _series(store_url: str, scope: ScanScope) -> tuple[EvidenceStatus, dict[str, Any], str | None]:
    """The record's status, data and, when not observed, why."""
    try:
        outcomes = recorded_outcomes(store_url, scope, DORA_RULE)
    except UserError as exc:
        return EvidenceStatus.UNAVAILABLE, {}, f"no earlier scan could be read from the history store: {exc.message}"
    if not outcomes:
        return EvidenceStatus.UNAVAILABLE, {}, NO_EARLIER_SCAN
    from scanner.kinds.delivery import DoraSeries  # a deferred family: only a scan with a history store

    tracked = [started for started, outcome in outcomes if outcome == "pass"]
    series = DoraSeries(
        earlier_scans=len(outcomes),
        tracked_scans=len(tracked),
        first_tracked_at=min(tracked).isoformat() if tracked else None,
    )
    return EvidenceStatus.OBSERVED, series.model_dump(mode="json"), None
