"""Platform repositories from evidence, not only from names: a repository whose assets other
scanned repositories take (repo.cross_references.consumed_by), or whose CODEOWNERS gives the
whole repository to the platform team, is tagged 'platform' like one whose name matches
platform.repositories. The platform team co-owning one folder of a product repository (its
infrastructure, say) does not make it a platform repository."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Sequence

from scanner.model import Evidence, EvidenceStatus, Subject

PLATFORM_TAG = "platform"
PLATFORM_KINDS = ("repo.cross_references", "ownership.codeowners")  # the evidence that can tell


def platform_by_evidence(evidence: Iterable[Evidence], team_patterns: Sequence[str]) -> set[str]:
    """Ids of the subjects the evidence shows to be platform repositories."""
    teams = [pattern.lower() for pattern in team_patterns]
    found: set[str] = set()
    for item in evidence:
        kind = item.kind
        if kind not in PLATFORM_KINDS or item.status is not EvidenceStatus.OBSERVED:
            continue
        if kind == "repo.cross_references" and item.data.get("consumed_by"):
            found.add(item.subject)
        elif kind == "ownership.codeowners" and any(
            _is_team(owner, teams) for owner in item.data.get("default_owners") or ()
        ):
            found.add(item.subject)
    return found


def _is_team(owner: str, teams: Sequence[str]) -> bool:
    """`@org/team` names a team; users and e-mail addresses do not."""
    organization, slash, team = owner.lower().lstrip("@").partition("/")
    return bool(slash and organization and team) and any(fnmatch.fnmatchcase(team, pattern) for pattern in teams)


def with_platform_tag(subjects: Iterable[Subject], ids: set[str]) -> list[Subject]:
    return [
        subject.model_copy(update={"tags": tuple(sorted({*subject.tags, PLATFORM_TAG}))})
        if subject.id in ids and subject.kind == "repository" and PLATFORM_TAG not in subject.tags
        else subject
        for subject in subjects
    ]
