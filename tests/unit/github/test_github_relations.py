"""collectors/github/relations.py: the records that need every repository of an account, made
from what each repository's records said as they went by."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timezone

from collectors.base import Gap
from collectors.cross_subject import ORIGINS
from collectors.githost.cache import FileEvidence
from collectors.githost.files import no_files
from collectors.github import GitHubCollector, GitHubConfig
from collectors.github.relations import AccountRelations
from scanner.contract import CollectContext
from scanner.model import Evidence, EvidenceStatus, Subject
from tests.collecting import CollectedScan, context_for

NOW = datetime(2026, 5, 30, tzinfo=timezone.utc)
WORKFLOW = "acme/platform-ci/.github/workflows/build.yml@v1"


def _context() -> CollectContext:
    config = GitHubConfig.model_validate({"organizations": ["acme"]})
    return context_for(GitHubCollector(), config, CollectedScan(), clock=lambda: NOW)


def _subject(name: str) -> Subject:
    return Subject(id=f"github:acme/{name}", kind="repository", name=f"acme/{name}", source="github", parent="github:acme")


def _files(uses: tuple[str, ...] = (), provides: bool = False) -> FileEvidence:
    files = no_files("main@1")
    signals = dict(files.signals)
    signals["ci.reusable_used"] = {**signals["ci.reusable_used"], "refs": list(uses)}
    signals["ci.reusable_provided"] = {**signals["ci.reusable_provided"], "present": provides}
    return replace(files, signals=signals)


def _note(
    relations: AccountRelations, ctx: CollectContext, name: str, files: FileEvidence | Gap, origins: bool = False
) -> list[Evidence]:
    """The repository's records through `relations`: an activity record stands for them, and
    its references.origins when `origins` (observed, as the file records make it)."""
    subject = _subject(name)
    records = [ctx.unavailable("vcs.activity", subject, "not asked")]
    if origins and isinstance(files, FileEvidence):
        records.append(ctx.observed(ORIGINS, subject, files.signals[ORIGINS]))
    passed = list(relations.repository(f"acme/{name}", subject, iter(records), files))
    assert passed == records  # passed on as they are
    return passed


def _by_subject(records: Iterator[Evidence], kind: str) -> dict[str, Evidence]:
    return {item.subject: item for item in records if item.kind == kind}


def test_consumers_are_counted_once_every_repository_is_known() -> None:
    ctx = _context()
    relations = AccountRelations(ctx, "acme")
    _note(relations, ctx, "platform-ci", _files(provides=True))
    _note(relations, ctx, "svc-a", _files(uses=(WORKFLOW,)))
    records = list(relations.records())
    consumers = _by_subject(iter(records), "ci.reusable_consumers")
    assert consumers["github:acme/platform-ci"].data == {"consumers": 1, "repositories": ["acme/svc-a"]}
    assert consumers["github:acme/svc-a"].data == {"consumers": 0, "repositories": []}
    assert [item.kind for item in records] == ["ci.reusable_consumers"] * 2 + ["repo.cross_references"] * 2


def test_a_repository_not_read_leaves_the_consumers_of_reusable_ci_unknown() -> None:
    ctx = _context()
    relations = AccountRelations(ctx, "acme")
    _note(relations, ctx, "platform-ci", _files(provides=True))
    _note(relations, ctx, "svc-a", _files())
    _note(relations, ctx, "svc-b", Gap("HTTP 502", failure=True))  # it may use platform-ci's workflows
    consumers = _by_subject(relations.records(), "ci.reusable_consumers")
    unknown = consumers["github:acme/platform-ci"]
    assert unknown.status is EvidenceStatus.UNAVAILABLE and unknown.reason is not None and "not every repository" in unknown.reason
    assert consumers["github:acme/svc-a"].data["consumers"] == 0  # it offers no reusable CI: nobody can use it


def test_cross_references_need_every_repository_s_origins() -> None:
    ctx = _context()
    relations = AccountRelations(ctx, "acme")
    _note(relations, ctx, "svc-a", _files(), origins=True)
    _note(relations, ctx, "svc-b", _files(), origins=True)
    cross = _by_subject(relations.records(), "repo.cross_references")
    assert {item.status for item in cross.values()} == {EvidenceStatus.OBSERVED}

    relations = AccountRelations(ctx, "acme")
    _note(relations, ctx, "svc-a", _files(), origins=True)
    _note(relations, ctx, "svc-b", _files())  # its origins not observed: what it takes from svc-a is unknown
    cross = _by_subject(relations.records(), "repo.cross_references")
    assert cross["github:acme/svc-a"].status is EvidenceStatus.UNAVAILABLE
