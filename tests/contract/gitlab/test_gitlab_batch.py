"""GraphQL for many projects at once: their protected branches (instead of a REST request per
project) and their head commits (a push GitLab's hourly `last_activity_at` does not show yet)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from collectors.gitlab import batch, examinations
from collectors.gitlab.client import ApiError, GitLabClient
from scanner.contract import Limits, RequestCounter
from tests.collecting import CollectedScan
from tests.contract.gitlab.scanning import run_gitlab, timer_of
from tests.fakes.gitlab import complexity
from tests.fakes.gitlab.graphql import _schema
from tests.fakes.gitlab.model import Project, ProtectedBranch
from tests.fakes.gitlab.server import FakeGitLab

REST_PROTECTION = r"^/projects/\d+/protected_branches$"


def _evidence(scan: CollectedScan) -> list[dict[str, Any]]:
    return [item.model_dump(exclude={"observed_at"}) for item in scan.evidence]


def _graphql_count(fake: FakeGitLab) -> int:
    return sum(1 for request in fake.requests if request.path == "/api/graphql")


def test_protected_branches_come_from_one_query_with_the_evidence_rest_gave(fake_gitlab: FakeGitLab) -> None:
    for tier in ("free", "premium"):
        fake_gitlab.instance.tier = tier  # code-owner approval asked only where the tier has it
        fake_gitlab.instance.protectable_field = False  # a GitLab before 16.9
        by_rest = run_gitlab(fake_gitlab)  # a Reporter: GraphQL shows no branch rules, REST per project
        assert fake_gitlab.count(REST_PROTECTION) == 4
        fake_gitlab.exchanges.clear()
        fake_gitlab.instance.protectable_field = True
        fake_gitlab.instance.maintainer_tokens.add(fake_gitlab.token)
        by_graphql = run_gitlab(fake_gitlab)
        assert _evidence(by_graphql) == _evidence(by_rest)
        assert fake_gitlab.count(REST_PROTECTION) == 0 and _graphql_count(fake_gitlab) == 1
        (query,) = [json.loads(r.body) for r in fake_gitlab.requests if r.path == "/api/graphql"]
        assert query["variables"]["ids"] == [f"gid://gitlab/Project/{n}" for n in (100, 101, 102, 105)]
        assert ("codeOwnerApprovalRequired" in query["query"]) is (tier == "premium")
        fake_gitlab.exchanges.clear()
        fake_gitlab.instance.maintainer_tokens.clear()


def test_a_reporter_on_free_knows_a_protected_default_branch_from_protectable_branches(fake_gitlab: FakeGitLab) -> None:
    # Project.protectableBranches (16.9+, read_code: a Reporter reads it): every branch but those a
    # protection names, so a default branch left out is protected; listed, it may still be protected
    # by a wildcard rule, and an empty repository's list is empty: those ask REST
    fake_gitlab.instance.protectable_field = False  # a GitLab before 16.9: the query refused, asked again without
    by_rest = _evidence(run_gitlab(fake_gitlab))
    assert fake_gitlab.count(REST_PROTECTION) == 4 and _graphql_count(fake_gitlab) == 2
    fake_gitlab.exchanges.clear()
    fake_gitlab.instance.protectable_field = True
    by_graphql = _evidence(run_gitlab(fake_gitlab))
    assert by_graphql == by_rest and _graphql_count(fake_gitlab) == 1
    # svc-b's default branch is unprotected, and the empty project has none: asked; svc-a and ci-templates not
    assert fake_gitlab.count(r"^/projects/10[25]/protected_branches$") == 2 and fake_gitlab.count(REST_PROTECTION) == 2


def test_a_default_branch_protected_by_a_wildcard_alone_is_asked_over_rest(fake_gitlab: FakeGitLab) -> None:
    svc_a = fake_gitlab.instance.project("acme/apps/svc-a")
    assert svc_a is not None
    svc_a.protected_branches = [ProtectedBranch("ma*")]  # protectableBranches still lists main
    scan = run_gitlab(fake_gitlab)
    assert fake_gitlab.count(r"^/projects/101/protected_branches$") == 1
    assert scan.data("gitlab:acme/apps/svc-a", "vcs.branch_protection")["enabled"] is True


def test_paid_tiers_ask_no_protectable_branches() -> None:
    # code-owner approval, which a protection holds on Premium and up, is not in the list: REST's stays
    assert "protectableBranches" not in batch.query_text(True, batch.PUSH_RULES, None, True)
    assert "protectableBranches" in batch.query_text(False, batch.PUSH_RULES, None, True)


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


def test_the_batch_query_stays_within_gitlabs_complexity_and_depth_limits() -> None:
    # Counted as GitLab counts (tests/fakes/gitlab/complexity.py). A Premium project node: id 1,
    # repository 1 + tree (lastCommit 10 + sha 1, + the resolver's 1 and Gitaly's 1) 13 = 14,
    # userPermissions 2, branchRules ((nodes 1 + name 1 + branchProtection 3 + approvalRules (a
    # connection without a resolver: 1 + nodes 3 + pageInfo 2) 6) + pageInfo 2 + 1) x 2 = 28,
    # projectMembers ((nodes 1 + expiresAt 1 + user 3) + pageInfo 2 + 1) x 2 = 16; and on paid tiers
    # the policies (first 20: x 1.2, truncated): scanExecutionPolicies ((nodes 1 + enabled 1 + yaml 1)
    # + 1 + Gitaly 1) x 1.2 = 6, pipelineExecutionPolicies (2 + 1 + 1) x 1.2 = 4,
    # complianceFrameworks (2 + 1) x 1.2 = 3, pushRules 1 + its 5 settings = 6 and
    # mergeRequestsDisableCommittersApproval 1: 81, nodes 82; projects (82 + 1) x (1 + 50 x 0.01) = 124.
    # Free has neither codeOwnerApprovalRequired, the approval rules and setting, the policies nor
    # the push rules: 73. Where the DORA API is not refused (Ultimate), dora 1 + metrics (its 3
    # fields + the resolver's 1) 4 = 5 more in a node: (87 + 1) x 1.5 = 132. Depth 7 (projects,
    # nodes, branchRules, nodes, approvalRules, nodes, type).
    dates = ("2026-03-01", "2026-05-30")
    for paid, with_dora, expected in ((True, None, (124, 7)), (False, None, (73, 6)), (True, dates, (132, 7))):
        query = batch.query_text(paid, batch.PUSH_RULES, with_dora)
        assert complexity.measure(_schema(paid), query, {"ids": [], "first": batch.BATCH}) == expected
    # Free with protectableBranches (1, and 1 as it calls Gitaly): (50 + 1) x 1.5 = 76
    free = batch.query_text(False, batch.PUSH_RULES, None, True)
    assert complexity.measure(_schema(False), free, {"ids": [], "first": batch.BATCH}) == (76, 6)
    # GitLab's largest page of projects would fit too
    largest, _depth = complexity.measure(_schema(True), batch.query_text(True, batch.PUSH_RULES, dates),
                                         {"ids": [], "first": complexity.MAX_PAGE_SIZE})
    assert largest == 176 <= complexity.AUTHENTICATED_MAX_COMPLEXITY


def test_a_query_past_gitlabs_limits_is_refused_as_gitlab_refuses_it(fake_gitlab: FakeGitLab) -> None:
    tree = "repository { tree { lastCommit { sha } } }"
    too_complex = "query { projects(first: 100) { nodes { %s } } }" % " ".join(f"r{n}: {tree}" for n in range(9))
    cost, _depth = complexity.measure(_schema(False), too_complex)
    assert cost == (9 * 14 + 1 + 1) * 2 == 256 > complexity.AUTHENTICATED_MAX_COMPLEXITY
    client = GitLabClient(fake_gitlab.url, fake_gitlab.token, counter=RequestCounter(), timeout=10, max_retries=0,
                          max_rate_limit_wait=0, rate_limit_wait_budget=0, timer=timer_of(fake_gitlab))
    try:
        with pytest.raises(ApiError, match=f"Query has complexity of {cost}, which exceeds max complexity of 250"):
            client.graphql("graphql", too_complex, {})
        # the collector's own query, at GitLab's largest page, is answered
        data, errors = client.graphql("graphql", batch.query_text(False), {"ids": ["gid://gitlab/Project/101"], "first": 100})
        assert errors == [] and [node["id"] for node in data["projects"]["nodes"]] == ["gid://gitlab/Project/101"]
    finally:
        client.close()


def _add_projects(fake: FakeGitLab, count: int) -> None:
    apps = fake.instance.group("acme/apps")
    assert apps is not None
    for number in range(count):
        fake.instance.projects.append(Project(1000 + number, apps, f"extra-{number}", files={"README.md": b"# x\n"},
                                              protected_branches=[ProtectedBranch("main")]))


def test_batches_are_asked_in_the_pool_ahead_of_the_projects_that_need_them(fake_gitlab: FakeGitLab) -> None:
    _add_projects(fake_gitlab, 2 * batch.BATCH)  # 104 projects scanned: three batches
    fake_gitlab.instance.maintainer_tokens.add(fake_gitlab.token)  # one who sees the branch rules over GraphQL
    scan = run_gitlab(fake_gitlab)
    order = [request.path for request in fake_gitlab.requests]
    queries = [index for index, path in enumerate(order) if path == "/api/graphql"]
    archives = [index for index, path in enumerate(order) if path.endswith("/repository/archive.tar.gz")]
    # the third batch is asked once the first batch's projects have been read (all but those
    # examined ahead), not before the first project as when every batch was asked first
    held_ahead = 2 * examinations.THREADS_PER_REQUEST * Limits().max_workers
    assert len(queries) == 3 and sum(1 for index in archives if index < queries[2]) >= batch.BATCH - held_ahead
    # every batch answered its projects: none asked its protected branches over REST
    assert fake_gitlab.count(REST_PROTECTION) == 0
    assert scan.data("gitlab:acme/apps/extra-99", "vcs.branch_protection")["enabled"] is True


def test_an_instance_refusing_the_query_is_not_asked_again(fake_gitlab: FakeGitLab) -> None:
    _add_projects(fake_gitlab, 2 * batch.BATCH)
    fake_gitlab.fail(r"^/api/graphql$", 404, message="404 Not Found", times=10)
    scan = run_gitlab(fake_gitlab)
    # the first refusal ends the asking: the third batch is never asked (the second may be, already in flight)
    assert sum(1 for request in fake_gitlab.requests if request.path == "/api/graphql") <= examinations.BATCHES_AHEAD
    assert fake_gitlab.count(REST_PROTECTION) == 2 * batch.BATCH + 4
    assert scan.data("gitlab:acme/apps/extra-99", "vcs.branch_protection")["enabled"] is True
