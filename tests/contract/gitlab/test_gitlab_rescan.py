"""A re-scan of projects unchanged since the last scan (same default branch, last_activity_at and
head commit): no request of their own. History only a push changes is carried exactly; what
changes without a push (deployments, approval rules, push rules) is carried while younger than
settings_max_age_hours, with the time it was read."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.contract.gitlab.scanning import NOW, run_gitlab
from tests.fakes.gitlab.model import ProtectedBranch
from tests.fakes.gitlab.server import FakeGitLab

PROJECT_REQUESTS = r"^/projects/\d+/"
CARRIED = ("delivery.deployments", "vcs.security_settings")


def test_an_unchanged_project_costs_no_request_and_says_how_old_what_it_carries_is(
    fake_gitlab: FakeGitLab, tmp_path: Path
) -> None:
    fake_gitlab.instance.tier = "premium"  # approval rules and push rules are read, and carried
    fake_gitlab.instance.maintainer_tokens.add(fake_gitlab.token)
    first = run_gitlab(fake_gitlab, cache_dir=tmp_path)
    fake_gitlab.exchanges.clear()
    later = NOW + timedelta(hours=2)
    again = run_gitlab(fake_gitlab, cache_dir=tmp_path, now=later)
    assert fake_gitlab.count(PROJECT_REQUESTS) == 0
    assert [e.model_dump(exclude={"observed_at"}) for e in again.evidence] == [
        e.model_dump(exclude={"observed_at"}) for e in first.evidence
    ]
    svc_a = "gitlab:acme/apps/svc-a"
    for kind in (*CARRIED, "vcs.branch_protection"):  # svc-a's approvals come from approval rules: carried
        assert again.of(svc_a, kind).observed_at == NOW, kind
    for kind in ("vcs.activity", "ci.pipelines"):  # exact while the head commit is the same: read now
        assert again.of(svc_a, kind).observed_at == later, kind
    # protected branches themselves are asked every scan (GraphQL): svc-b's is unprotected, nothing carried
    assert again.of("gitlab:acme/apps/svc-b", "vcs.branch_protection").observed_at == later


def test_what_changes_without_a_push_is_read_again_once_older_than_settings_max_age(
    fake_gitlab: FakeGitLab, tmp_path: Path
) -> None:
    fake_gitlab.instance.maintainer_tokens.add(fake_gitlab.token)  # protected branches come over GraphQL
    run_gitlab(fake_gitlab, cache_dir=tmp_path)
    svc_a = fake_gitlab.instance.project("acme/apps/svc-a")
    assert svc_a is not None
    svc_a.deployments = svc_a.deployments[:1]  # redeployments and deletions leave the head commit alone
    fake_gitlab.exchanges.clear()
    carried = run_gitlab(fake_gitlab, cache_dir=tmp_path, now=NOW + timedelta(hours=23))
    assert carried.data("gitlab:acme/apps/svc-a", "delivery.deployments")["events"] == 3  # as read 23 hours ago
    assert fake_gitlab.count(PROJECT_REQUESTS) == 0
    fresh = run_gitlab(fake_gitlab, cache_dir=tmp_path, now=NOW + timedelta(hours=25))
    assert fresh.data("gitlab:acme/apps/svc-a", "delivery.deployments")["events"] == 1
    assert fresh.of("gitlab:acme/apps/svc-a", "delivery.deployments").observed_at == NOW + timedelta(hours=25)
    fake_gitlab.exchanges.clear()
    never = run_gitlab(fake_gitlab, cache_dir=tmp_path, now=NOW + timedelta(hours=26), settings_max_age_hours=0)
    assert never.of("gitlab:acme/apps/svc-a", "delivery.deployments").observed_at == NOW + timedelta(hours=26)
    assert fake_gitlab.count(r"^/projects/\d+/deployments$") == 4


def test_a_reporters_protected_branches_are_carried_while_younger_than_settings_max_age(
    fake_gitlab: FakeGitLab, tmp_path: Path
) -> None:
    # the fake's default token is a Reporter: GraphQL shows it no branch rules (nor, before GitLab 16.9,
    # protectableBranches), REST lists them
    fake_gitlab.instance.protectable_field = False
    run_gitlab(fake_gitlab, cache_dir=tmp_path)
    svc_b = fake_gitlab.instance.project("acme/apps/svc-b")
    assert svc_b is not None and svc_b.default_branch is not None
    svc_b.protected_branches.append(ProtectedBranch(svc_b.default_branch))  # protecting a branch is no push
    fake_gitlab.exchanges.clear()
    carried = run_gitlab(fake_gitlab, cache_dir=tmp_path, now=NOW + timedelta(hours=23))
    assert fake_gitlab.count(PROJECT_REQUESTS) == 0
    record = carried.of("gitlab:acme/apps/svc-b", "vcs.branch_protection")
    assert record.data is not None and record.data["enabled"] is False and record.observed_at == NOW  # as read 23 hours ago
    fresh = run_gitlab(fake_gitlab, cache_dir=tmp_path, now=NOW + timedelta(hours=25))
    record = fresh.of("gitlab:acme/apps/svc-b", "vcs.branch_protection")
    assert record.data is not None and record.data["enabled"] is True and record.observed_at == NOW + timedelta(hours=25)
    assert fake_gitlab.count(r"^/projects/\d+/protected_branches$") == 4


def test_without_head_commits_nothing_is_carried(fake_gitlab: FakeGitLab, tmp_path: Path) -> None:
    """last_activity_at alone would miss a push within its hour."""
    run_gitlab(fake_gitlab, cache_dir=tmp_path)
    fake_gitlab.exchanges.clear()
    fake_gitlab.fail(r"^/api/graphql$", 404, message="404 Not Found")
    run_gitlab(fake_gitlab, cache_dir=tmp_path)
    assert fake_gitlab.count(r"^/projects/\d+/repository/commits$") == 3  # every project with a default branch
    assert fake_gitlab.count(r"^/projects/\d+/deployments$") == 4
