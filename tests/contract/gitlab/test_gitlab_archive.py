"""One archive per project instead of the tree's pages and a request per file: the same evidence
for fewer requests, and the tree again wherever an archive is not to be had."""

from __future__ import annotations

from typing import Any

from scanner.contract import Limits
from tests.collecting import CollectedScan
from tests.contract.gitlab.scanning import run_gitlab, timer_of
from tests.fakes.gitlab.server import FakeGitLab

ARCHIVES = r"^/projects/\d+/repository/archive\.tar\.gz$"
TREES_AND_FILES = r"^/projects/\d+/repository/(tree|files/)"


def _evidence(scan: CollectedScan) -> list[dict[str, Any]]:
    return [item.model_dump(exclude={"observed_at"}) for item in scan.evidence]


def test_one_archive_per_project_gives_the_evidence_the_tree_and_files_gave(fake_gitlab: FakeGitLab) -> None:
    by_tree = run_gitlab(fake_gitlab, archive_max_megabytes=0)  # no project is small enough: tree and files
    assert fake_gitlab.count(ARCHIVES) == 0 and fake_gitlab.count(TREES_AND_FILES) > 5
    fake_gitlab.exchanges.clear()
    by_archive = run_gitlab(fake_gitlab)
    assert _evidence(by_archive) == _evidence(by_tree)
    # ci-templates, svc-a and svc-b (151 files: two tree pages) — the empty project has nothing to fetch
    assert fake_gitlab.count(ARCHIVES) == 3 and fake_gitlab.count(TREES_AND_FILES) == 0
    (listing,) = [r for r in fake_gitlab.requests if r.path.endswith("/groups/10/projects")]
    assert listing.query["statistics"] == "true"  # the repository's size decides


def test_archives_refused_by_their_own_limit_leave_the_rest_of_the_api_alone(fake_gitlab: FakeGitLab) -> None:
    """GitLab limits archives apart (5 a minute per project; across projects on GitLab.com): a 429
    there is not the API's budget, so nobody waits; the projects are listed from the tree instead."""
    expected = _evidence(run_gitlab(fake_gitlab, archive_max_megabytes=0))
    fake_gitlab.exchanges.clear()
    fake_gitlab.fail(ARCHIVES, 429, headers={"Retry-After": "60", "RateLimit-Remaining": "1500"}, times=10)
    timer = timer_of(fake_gitlab)
    scan = run_gitlab(fake_gitlab, timer=timer, limits=Limits(max_workers=1))
    assert _evidence(scan) == expected and scan.problems == []
    assert timer.slept == []
    assert fake_gitlab.count(ARCHIVES) == 1  # refused once, then not asked again during its Retry-After
    assert fake_gitlab.count(r"^/projects/\d+/repository/tree$") == 4  # svc-b's two pages, ci-templates, svc-a


def test_a_broken_archive_is_read_from_the_tree_instead(fake_gitlab: FakeGitLab) -> None:
    expected = _evidence(run_gitlab(fake_gitlab, archive_max_megabytes=0))
    fake_gitlab.exchanges.clear()
    fake_gitlab.fail(r"^/projects/101/repository/archive\.tar\.gz$", 200, body=["not", "a", "tarball"])
    assert _evidence(run_gitlab(fake_gitlab)) == expected
    assert fake_gitlab.count(r"^/projects/101/repository/tree$") == 1
