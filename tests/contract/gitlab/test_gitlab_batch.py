"""GraphQL for many projects at once: their protected branches (instead of a REST request per
project) and their head commits (a push GitLab's hourly `last_activity_at` does not show yet)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.collecting import CollectedScan
from tests.contract.gitlab.scanning import run_gitlab
from tests.fakes.gitlab.server import FakeGitLab

REST_PROTECTION = r"^/projects/\d+/protected_branches$"


def _evidence(scan: CollectedScan) -> list[dict[str, Any]]:
    return [item.model_dump(exclude={"observed_at"}) for item in scan.evidence]


def _graphql_count(fake: FakeGitLab) -> int:
    return sum(1 for request in fake.requests if request.path == "/api/graphql")


def test_protected_branches_come_from_one_query_with_the_evidence_rest_gave(fake_gitlab: FakeGitLab) -> None:
    for tier in ("free", "premium"):
        fake_gitlab.instance.tier = tier  # code-owner approval asked only where the tier has it
        fake_gitlab.instance.hide_branch_rules = True  # GraphQL shows none: REST per project, as before
        by_rest = run_gitlab(fake_gitlab)
        assert fake_gitlab.count(REST_PROTECTION) == 4
        fake_gitlab.exchanges.clear()
        fake_gitlab.instance.hide_branch_rules = False
        by_graphql = run_gitlab(fake_gitlab)
        assert _evidence(by_graphql) == _evidence(by_rest)
        assert fake_gitlab.count(REST_PROTECTION) == 0 and _graphql_count(fake_gitlab) == 1
        (query,) = [json.loads(r.body) for r in fake_gitlab.requests if r.path == "/api/graphql"]
        assert query["variables"]["ids"] == [f"gid://gitlab/Project/{n}" for n in (100, 101, 102, 105)]
        assert ("codeOwnerApprovalRequired" in query["query"]) is (tier == "premium")
        fake_gitlab.exchanges.clear()


def test_an_instance_refusing_the_query_is_read_over_rest(fake_gitlab: FakeGitLab) -> None:
    expected = _evidence(run_gitlab(fake_gitlab))
    fake_gitlab.exchanges.clear()
    fake_gitlab.fail(r"^/api/graphql$", 404, message="404 Not Found")  # e.g. a proxy letting only /api/v4 through
    scan = run_gitlab(fake_gitlab)
    assert _evidence(scan) == expected and scan.problems == []
    assert fake_gitlab.count(REST_PROTECTION) == 4


def test_a_push_within_the_hour_is_seen_by_its_head_commit(fake_gitlab: FakeGitLab, tmp_path: Path) -> None:
    run_gitlab(fake_gitlab, cache_dir=tmp_path)
    svc_a = fake_gitlab.instance.project("acme/apps/svc-a")
    assert svc_a is not None
    # GitLab moves last_activity_at at most once an hour: a second push leaves it as it was
    svc_a.head_commit = "a" * 40
    svc_a.files[".gitlab-ci.yml"] = b"build:\n  script: [make]\n"
    fake_gitlab.exchanges.clear()
    again = run_gitlab(fake_gitlab, cache_dir=tmp_path)
    assert again.data("gitlab:acme/apps/svc-a", "ci.reusable_used")["present"] is False
    assert fake_gitlab.count(r"^/projects/\d+/repository/(archive|tree|files)") == 1  # svc-a's archive, nobody else's
