"""Building real inputs for the rules engine's tests: bundles from plain data, packs as data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from rules.loader import RuleSet
from scanner.kinds import KINDS, KindRegistry
from scanner.model import Evidence, EvidenceBundle, EvidenceStatus, SourceRun, Subject

# What the conftest's `bundle_of` and `ruleset_of` fixtures give (annotations for the tests).
BundleMaker = Callable[..., EvidenceBundle]
RuleSetMaker = Callable[..., RuleSet]

SAMPLE_PACK = Path(__file__).parent / "packs" / "sample"
T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
T1 = datetime(2026, 1, 1, 0, 5, tzinfo=timezone.utc)
MODEL = {
    "stages": ["initial", "repeatable", "defined", "managed", "optimizing"],
    "capabilities": [{"id": "governance", "title": "Governance"}, {"id": "provisioning", "title": "Provisioning"}],
}


def build_bundle(
    subjects: list[dict[str, Any]],
    sources: dict[str, list[str]] | None = None,
    kinds: KindRegistry | None = None,
) -> EvidenceBundle:
    """A bundle from plain data.

    subjects: `{name, kind?, tags?, source?, evidence: {kind: data | "unavailable" | "unsupported"}}`;
    the default source is "test". sources: what each source provides; by default "test"
    provides every kind that appears in the evidence.
    """
    registry = kinds or KindRegistry(KINDS)
    built_subjects, records = [], []
    for entry in subjects:
        source = entry.get("source", "test")
        subject = Subject(
            id=f"{source}:{entry['name']}",
            kind=entry.get("kind", "repository"),
            name=entry["name"],
            source=source,
            tags=tuple(entry.get("tags", ())),
        )
        built_subjects.append(subject)
        for kind, data in entry.get("evidence", {}).items():
            common = dict(kind=kind, subject=subject.id, collector=source, collector_version="1", observed_at=T0)
            if isinstance(data, str):
                records.append(Evidence(**common, status=EvidenceStatus(data), reason=f"{data}: test"))
            else:
                records.append(
                    Evidence(
                        **common,
                        status=EvidenceStatus.OBSERVED,
                        data=registry.validate_data(kind, data),
                        locators=(f"{entry['name']}/{kind}",),
                    )
                )
    if sources is None:
        sources = {"test": sorted({record.kind for record in records})}
    runs = tuple(
        SourceRun(collector=name, version="1", provides=tuple(provides), status="ok", started_at=T0, finished_at=T1)
        for name, provides in sources.items()
    )
    return EvidenceBundle(
        pecm_version="test", created_at=T1, sources=runs, subjects=tuple(built_subjects), evidence=tuple(records)
    )


def single_file_pack(capabilities: list[dict[str, Any]], params: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": "t", "version": "1", "model": MODEL, "params": params or {}, "capabilities": capabilities}


def rule_doc(rule_id: str, stage: str, when: dict[str, Any], needs: list[str]) -> dict[str, Any]:
    return {
        "id": rule_id,
        "stage": stage,
        "title": f"Title of {rule_id}",
        "needs": needs,
        "when": when,
        "remediation": f"Fix {rule_id}.",
    }


def capability_doc(
    capability: str,
    metrics: dict[str, Any] | None = None,
    rules: list[dict[str, Any]] | None = None,
    not_inferable: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "capability": capability,
        "metrics": metrics or {},
        "rules": rules or [],
        "not_inferable": not_inferable or [],
    }


def present(kind: str, value: bool = True) -> dict[str, Any]:
    return {"kind": kind, "field": "present", "op": "eq", "value": value}
