"""Platform repositories from evidence as well as names (issue 13, point 10)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from scanner.model import Evidence, EvidenceStatus, Subject
from scanner.platform_evidence import platform_by_evidence, with_platform_tag

WHEN = datetime(2026, 6, 1, tzinfo=timezone.utc)
TEAMS = ["platform*", "*-platform"]


def record(subject: str, kind: str, data: dict[str, Any], status: EvidenceStatus = EvidenceStatus.OBSERVED) -> Evidence:
    return Evidence(
        kind=kind, subject=subject, status=status, data=data,
        reason=None if status is EvidenceStatus.OBSERVED else "not read",
        collector="local", collector_version="1", observed_at=WHEN,
    )


def test_a_repository_others_consume_is_a_platform_repository() -> None:
    evidence = [
        record("ci", "repo.cross_references", {"applied_by": [], "consumed_by": ["orders"]}),
        record("orders", "repo.cross_references", {"applied_by": ["gitops"], "consumed_by": []}),  # deployed, not consumed
    ]
    assert platform_by_evidence(evidence, TEAMS) == {"ci"}


def test_codeowners_giving_the_whole_repository_to_the_platform_team() -> None:
    evidence = [
        record("infra", "ownership.codeowners", {"owners": ["@acme/platform-team"], "default_owners": ["@acme/platform-team"]}),
        record("cloud", "ownership.codeowners", {"owners": ["@acme/cloud-platform"], "default_owners": ["@acme/cloud-platform"]}),
        # the platform team co-owning one folder of a product repository
        record("orders", "ownership.codeowners", {"owners": ["@acme/orders", "@acme/platform-team"], "default_owners": ["@acme/orders"]}),
        # a user, not a team, whose name matches the pattern
        record("tool", "ownership.codeowners", {"owners": ["@platform-bob"], "default_owners": ["@platform-bob"]}),
        record("lost", "ownership.codeowners", {}, EvidenceStatus.UNAVAILABLE),
    ]
    assert platform_by_evidence(evidence, TEAMS) == {"infra", "cloud"}


def test_tagging_keeps_other_tags_and_leaves_others_alone() -> None:
    subjects = [
        Subject(id="ci", kind="repository", name="ci", source="local", tags=("x",)),
        Subject(id="app", kind="repository", name="app", source="local"),
    ]
    tagged = with_platform_tag(subjects, {"ci"})
    assert [subject.tags for subject in tagged] == [("platform", "x"), ()]
