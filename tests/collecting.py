"""Run any collector the way the pipeline does, and hold it to the collector contract.

Shared by every collector's tests, so that each is checked the same way: each subject
announced once and before its evidence, exactly one record of every provided kind of the
subject's kind, a reason exactly when a record is not observed, progress once per subject,
and problems in one line with a hint.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from scanner.contract import CollectContext, Limits, RealTimer, RequestCounter, Timer
from scanner.kinds import KINDS, KindRegistry
from scanner.model import Evidence, EvidenceStatus, Problem, Subject

REGISTRY = KindRegistry(KINDS)


@dataclass
class CollectedScan:
    subjects: list[Subject] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    progress: list[str] = field(default_factory=list)
    unreached: dict[str, str] = field(default_factory=dict)  # subject kind -> why (CollectContext.cut_short)
    requests: RequestCounter = field(default_factory=RequestCounter)

    @property
    def ids(self) -> list[str]:
        return [subject.id for subject in self.subjects]

    def subject(self, subject_id: str) -> Subject:
        return next(subject for subject in self.subjects if subject.id == subject_id)

    def of(self, subject_id: str, kind: str) -> Evidence:
        (found,) = [item for item in self.evidence if item.subject == subject_id and item.kind == kind]
        return found

    def data(self, subject_id: str, kind: str) -> dict[str, Any]:
        record = self.of(subject_id, kind)
        assert record.status is EvidenceStatus.OBSERVED, record
        return record.data

    def statuses(self) -> set[EvidenceStatus]:
        return {item.status for item in self.evidence}

    def messages(self, subject_id: str | None = None) -> list[str]:
        return [p.message for p in self.problems if subject_id is None or p.subject == subject_id]


def context_for(
    collector: Any,
    config: BaseModel,
    scan: CollectedScan,
    *,
    clock: Callable[[], datetime],
    secrets: Mapping[str, str] | None = None,
    limits: Limits | None = None,
    base_dir: Path = Path("."),
    cache_dir: Path | None = None,
    timer: Timer | None = None,
    internal_sources: tuple[str, ...] = (),
) -> CollectContext:
    """A context built like the pipeline's, recording into `scan`."""
    known = dict(secrets or {})
    return CollectContext(
        collector=collector.name,
        collector_version=collector.version,
        config=config,
        kinds=REGISTRY,
        clock=clock,
        logger=logging.getLogger(f"test.{collector.name}"),
        limits=limits or Limits(),
        base_dir=base_dir,
        cache_dir=cache_dir,
        secret=lambda name: known.get(name) or None,
        progress=scan.progress.append,
        report_problem=scan.problems.append,
        report_unreached=scan.unreached.setdefault,
        requests=scan.requests,
        timer=timer or RealTimer(),
        internal_sources=internal_sources,
    )


def collect_with(collector: Any, config: BaseModel, **context: Any) -> CollectedScan:
    """Collect (context options as in `context_for`) and assert the contract on the way."""
    scan = CollectedScan()
    for item in collector.collect(context_for(collector, config, scan, **context)):
        if isinstance(item, Subject):
            assert item.id not in scan.ids, f"subject announced twice: {item.id}"
            scan.subjects.append(item)
        else:
            assert item.subject in scan.ids, f"evidence before its subject: {item}"
            scan.evidence.append(item)
    check_contract(scan, collector.provides)
    return scan


def check_contract(scan: CollectedScan, provides: frozenset[str]) -> None:
    for subject in scan.subjects:
        expected = sorted(kind for kind in provides if REGISTRY[kind].subject_kind == subject.kind)
        kinds = sorted(item.kind for item in scan.evidence if item.subject == subject.id)
        assert kinds == expected, subject.id
    assert sorted(scan.progress) == sorted(scan.ids)
    for item in scan.evidence:
        assert (item.status is EvidenceStatus.OBSERVED) == (item.reason is None), item
    for problem in scan.problems:
        assert "\n" not in problem.message and problem.hint, problem
