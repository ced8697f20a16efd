"""Run the real LocalCollector on real folders, with a fixed clock and captured problems."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from collectors.local import LocalCollector, LocalConfig
from scanner.contract import CollectContext, Limits
from scanner.kinds import KINDS, KindRegistry
from scanner.model import Evidence, EvidenceStatus, Problem, Subject

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


@dataclass
class Scan:
    subjects: list[Subject] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    progress: list[str] = field(default_factory=list)

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

    def messages(self, subject_id: str | None = None) -> list[str]:
        return [p.message for p in self.problems if subject_id is None or p.subject == subject_id]


ScanRunner = Callable[..., Scan]


def run_local(*paths: Path, limits: Limits | None = None, base_dir: Path = Path("."), **options: Any) -> Scan:
    """Collect from `paths` and check the output keeps the collector contract."""
    scan = Scan()
    ctx = CollectContext(
        collector="local",
        collector_version=LocalCollector.version,
        config=LocalConfig(paths=list(paths), **options),
        kinds=KindRegistry(KINDS),
        clock=lambda: NOW,
        logger=logging.getLogger("test.local"),
        limits=limits or Limits(),
        base_dir=base_dir,
        report_problem=scan.problems.append,
        progress=scan.progress.append,
    )
    for item in LocalCollector().collect(ctx):
        if isinstance(item, Subject):
            scan.subjects.append(item)
        else:
            assert item.subject in scan.ids, f"evidence before its subject: {item}"
            scan.evidence.append(item)
    _check_contract(scan)
    return scan


def _check_contract(scan: Scan) -> None:
    """Each subject once, exactly one record per provided kind, progress once per subject."""
    assert len(set(scan.ids)) == len(scan.ids)
    for subject in scan.subjects:
        kinds = sorted(item.kind for item in scan.evidence if item.subject == subject.id)
        assert kinds == sorted(LocalCollector.provides), subject.id
    assert scan.progress == scan.ids
    for problem in scan.problems:
        assert "\n" not in problem.message and problem.hint, problem


@pytest.fixture(scope="session")
def scan_local() -> ScanRunner:
    return run_local


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture(scope="session")
def finishes() -> Callable[[Callable[[], Any], Path], Any]:
    """Run work that must never open `fifo`: an open would block until a writer appears, so
    after a generous wait the test opens the writer end itself, to unblock it, and fails."""

    def run(work: Callable[[], Any], fifo: Path) -> Any:
        outcome: dict[str, Any] = {}
        thread = threading.Thread(target=lambda: outcome.update(value=work()), daemon=True)
        thread.start()
        thread.join(10)
        if thread.is_alive():
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            thread.join(10)
            pytest.fail(f"{fifo.name} was opened and blocked")
        return outcome["value"]

    return run
