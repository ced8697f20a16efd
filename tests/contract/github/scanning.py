"""Run the real GitHubCollector (real PyGithub) against the fake GitHub on 127.0.0.1."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from collectors.github import GitHubCollector, GitHubConfig
from scanner.contract import CollectContext, Limits, RequestCounter
from scanner.kinds import KINDS, KindRegistry
from scanner.model import Evidence, EvidenceStatus, Problem, Subject
from tests.fakes.github.server import FakeGitHub

NOW = datetime(2026, 5, 30, 12, 0, tzinfo=timezone.utc)  # the sample organization's "now"
REGISTRY = KindRegistry(KINDS)


@dataclass
class Scan:
    subjects: list[Subject] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    progress: list[str] = field(default_factory=list)
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

    def messages(self) -> list[str]:
        return [problem.message for problem in self.problems]


def context(
    fake: FakeGitHub,
    scan: Scan,
    *,
    token: str | None = None,
    cache_dir: Path | None = None,
    limits: Limits | None = None,
    base_dir: Path = Path("."),
    **options: Any,
) -> CollectContext:
    settings = {"organizations": ["acme"], "base_url": fake.url, "max_retries": 2, **options}
    secrets = {"GITHUB_TOKEN": fake.token if token is None else token}
    return CollectContext(
        collector="github",
        collector_version=GitHubCollector.version,
        config=GitHubConfig.model_validate(settings),
        kinds=REGISTRY,
        clock=lambda: NOW,
        logger=logging.getLogger("test.github"),
        limits=limits or Limits(),
        base_dir=base_dir,
        cache_dir=cache_dir,
        secret=lambda name: secrets.get(name) or None,
        progress=scan.progress.append,
        report_problem=scan.problems.append,
        requests=scan.requests,
    )


def run_github(fake: FakeGitHub, **options: Any) -> Scan:
    """Collect and check the output keeps the collector contract."""
    scan = Scan()
    for item in GitHubCollector().collect(context(fake, scan, **options)):
        if isinstance(item, Subject):
            assert item.id not in scan.ids, f"subject announced twice: {item.id}"
            scan.subjects.append(item)
        else:
            assert item.subject in scan.ids, f"evidence before its subject: {item}"
            scan.evidence.append(item)
    check_contract(scan)
    return scan


def check_contract(scan: Scan) -> None:
    """Declared kinds only, exactly one record per kind of the subject's kind, progress once each."""
    for subject in scan.subjects:
        expected = sorted(kind for kind in GitHubCollector.provides if REGISTRY[kind].subject_kind == subject.kind)
        kinds = sorted(item.kind for item in scan.evidence if item.subject == subject.id)
        assert kinds == expected, subject.id
    assert sorted(scan.progress) == sorted(scan.ids)
    for item in scan.evidence:
        assert (item.status is EvidenceStatus.OBSERVED) == (item.reason is None), item
    for problem in scan.problems:
        assert "\n" not in problem.message and problem.hint, problem


ScanRunner = Callable[..., Scan]
