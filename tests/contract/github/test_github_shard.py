"""A sharded GitHub scan examines only its shard's repositories: no requests for the others."""

from __future__ import annotations

from dataclasses import replace

import pytest

from collectors.github import GitHubCollector
from scanner.model import Evidence, EvidenceStatus, Subject
from scanner.shard import Shard
from tests.collecting import check_contract
from tests.contract.github.orgs import many_repositories
from tests.contract.github.scanning import Scan, context, run_github
from tests.fakes.github.fixtures import fake_github_fixture
from tests.fakes.github.server import FakeGitHub

REPOSITORIES = 12
shard_github = fake_github_fixture(lambda: many_repositories(REPOSITORIES))


def _scan_shard(fake: FakeGitHub, shard: Shard) -> tuple[Scan, int]:
    """The shard's scan and the Git Trees requests it sent (one per repository examined)."""
    trees_before = fake.stats.by_family["git/trees"]
    scan = Scan()
    ctx = replace(context(fake, scan), shard=shard)
    for item in GitHubCollector().collect(ctx):
        if isinstance(item, Subject):
            scan.subjects.append(item)
        else:
            scan.evidence.append(item)
    check_contract(scan, GitHubCollector.provides)
    return scan, fake.stats.by_family["git/trees"] - trees_before


@pytest.mark.parametrize("count", [2, 3])
def test_each_shard_examines_only_its_repositories(shard_github: FakeGitHub, count: int) -> None:
    everything = run_github(shard_github)
    repositories = [s.id for s in everything.subjects if s.kind == "repository"]
    assert len(repositories) == REPOSITORIES

    seen: list[str] = []
    for index in range(count):
        shard = Shard(index, count)
        scan, trees = _scan_shard(shard_github, shard)
        mine = [s.id for s in scan.subjects if s.kind == "repository"]
        assert mine == [subject_id for subject_id in repositories if shard.includes(subject_id)]
        assert trees == len(mine)  # the other shards' repositories cost no request
        assert ("github:acme" in scan.ids) == shard.includes("github:acme")
        seen.extend(scan.ids)
    assert sorted(seen) == sorted(everything.ids)  # every subject in exactly one shard


def test_a_shard_does_not_guess_reusable_ci_consumers_it_cannot_see(shard_github: FakeGitHub) -> None:
    scan, _trees = _scan_shard(shard_github, Shard(0, 2))
    consumers = [e for e in scan.evidence if e.kind == "ci.reusable_consumers"]
    assert consumers and all(e.status is EvidenceStatus.UNAVAILABLE for e in consumers)
    assert all("sharded scan" in (e.reason or "") for e in consumers)


def test_shards_together_observe_what_one_scan_observes(shard_github: FakeGitHub) -> None:
    everything = run_github(shard_github)
    shards = [_scan_shard(shard_github, Shard(index, 3))[0] for index in range(3)]

    def observations(evidence: list[Evidence]) -> list[Evidence]:  # all but what needs every shard
        across = ("ci.reusable_consumers", "repo.cross_references")
        return sorted((e for e in evidence if e.kind not in across), key=lambda e: (e.subject, e.kind))

    found = sorted((s for scan in shards for s in scan.subjects), key=lambda s: s.id)
    assert found == sorted(everything.subjects, key=lambda s: s.id)
    assert observations([e for scan in shards for e in scan.evidence]) == observations(everything.evidence)


def test_merging_the_shards_recomputes_reusable_ci_consumers(shard_github: FakeGitHub) -> None:
    provider, *consumers_of_it = shard_github.org.repos[:4]
    provider.files[".github/workflows/build.yml"] = b"on:\n  workflow_call:\njobs:\n  b:\n    runs-on: x\n"
    for repo in consumers_of_it:
        uses = f"jobs:\n  b:\n    uses: {shard_github.org.login}/{provider.name}/.github/workflows/build.yml@v1\n"
        repo.files[".github/workflows/ci.yml"] = ("on: push\n" + uses).encode()
    everything = run_github(shard_github)
    shards = [_scan_shard(shard_github, Shard(index, 3))[0] for index in range(3)]
    subjects = [s for scan in shards for s in scan.subjects]
    evidence = [e for scan in shards for e in scan.evidence]
    recomputed = {(e.subject, e.kind): e for e in GitHubCollector.recompute(subjects, evidence)}
    merged = [recomputed.get((e.subject, e.kind), e) for e in evidence]

    def consumers(records: list[Evidence]) -> list[tuple[str, str, object]]:
        return sorted((e.subject, e.status.value, e.data.get("consumers")) for e in records if e.kind == "ci.reusable_consumers")

    assert consumers(merged) == consumers(everything.evidence)
    assert (f"github:{shard_github.org.login}/{provider.name}", "observed", 3) in consumers(merged)

    def cross(records: list[Evidence]) -> list[tuple[str, str, object]]:
        return sorted((e.subject, e.status.value, e.data.get("consumed_by")) for e in records if e.kind == "repo.cross_references")

    assert cross(merged) == cross(everything.evidence)
    names = sorted(f"{shard_github.org.login}/{repo.name}" for repo in consumers_of_it)
    assert (f"github:{shard_github.org.login}/{provider.name}", "observed", names) in cross(merged)
