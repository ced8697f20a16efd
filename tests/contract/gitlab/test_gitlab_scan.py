"""The GitLab collector end to end against the fake GitLab: what it sees of groups and projects."""

from __future__ import annotations

import os
import re
from pathlib import Path

from scanner.kinds.git_host import UNTOLD_DIRECTORY_LINKS
from scanner.model import EvidenceStatus
from tests.contract.gitlab.scanning import run_gitlab
from tests.fakes.gitlab.model import DEVELOPER, MAINTAINER, ProtectedBranch
from tests.fakes.gitlab.server import FakeGitLab

PROJECTS = ("acme/platform/ci-templates", "acme/apps/svc-a", "acme/apps/svc-b", "acme/apps/empty")  # those scanned


def test_subgroup_projects_are_scanned_and_archived_and_forked_ones_left_out(fake_gitlab: FakeGitLab) -> None:
    scan = run_gitlab(fake_gitlab)
    assert scan.ids == [
        "gitlab:acme",
        "gitlab:acme/platform/ci-templates",
        "gitlab:acme/apps/svc-a",
        "gitlab:acme/apps/svc-b",
        "gitlab:acme/apps/empty",
    ]
    assert scan.subject("gitlab:acme/apps/svc-a").parent == "gitlab:acme"
    assert scan.subject("gitlab:acme/apps/svc-a").files_url == f"{fake_gitlab.url}/acme/apps/svc-a/-/blob/main/"
    assert scan.problems == [] and scan.unreached == {}


def test_filters_as_configured(fake_gitlab: FakeGitLab) -> None:
    everything = run_gitlab(fake_gitlab, include_archived=True, include_forks=True)
    assert {"gitlab:acme/apps/old", "gitlab:acme/apps/svc-a-fork"} <= set(everything.ids)
    assert run_gitlab(fake_gitlab, include=["apps/*"], exclude=["empty"]).ids == [
        "gitlab:acme", "gitlab:acme/apps/svc-a", "gitlab:acme/apps/svc-b",
    ]
    assert run_gitlab(fake_gitlab, topics=["platform"]).ids == ["gitlab:acme", "gitlab:acme/platform/ci-templates"]


def test_files_are_detected_as_in_a_checkout(fake_gitlab: FakeGitLab) -> None:
    scan = run_gitlab(fake_gitlab)
    svc_a = "gitlab:acme/apps/svc-a"
    assert scan.data(svc_a, "ci.pipelines")["systems"] == ["gitlab_ci"]
    assert scan.data(svc_a, "ci.reusable_used")["refs"] == [
        "acme/platform/ci-templates/templates/build.yml@v1", "template:Security/SAST.gitlab-ci.yml",
    ]
    assert scan.data(svc_a, "ownership.codeowners")["paths"] == [".gitlab/CODEOWNERS"]
    assert scan.data(svc_a, "iac.usage")["tools"] == ["terraform"]
    assert scan.of(svc_a, "iac.usage").locators == ("infra/main.tf",)
    assert scan.data("gitlab:acme/platform/ci-templates", "ownership.codeowners")["present"] is True
    # only the files detection needs are read: none of svc-b's 150 sources
    assert fake_gitlab.count(r"/projects/102/repository/files/") == 0
    assert scan.data("gitlab:acme/apps/svc-b", "repo.inventory") == {"files": 151, "files_read": 0, "skipped": 0}


def test_a_tree_is_read_in_keyset_pages_of_100(fake_gitlab: FakeGitLab) -> None:
    run_gitlab(fake_gitlab, archive_max_megabytes=0)  # no archive: the tree and files
    trees = [r for r in fake_gitlab.requests if r.path.endswith("/projects/102/repository/tree")]
    assert [r.query.get("pagination") for r in trees] == ["keyset", "keyset"]
    assert trees[0].query["per_page"] == "100" and "page_token" in trees[1].query


def test_an_instance_refusing_keyset_trees_is_read_in_offset_pages(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.instance.keyset_tree = False  # before GitLab 17.1: 405 for pagination=keyset
    scan = run_gitlab(fake_gitlab, archive_max_megabytes=0)
    assert scan.data("gitlab:acme/apps/svc-b", "repo.inventory")["files"] == 151
    offset = [r.query.get("page") for r in fake_gitlab.requests
              if r.path.endswith("/projects/102/repository/tree") and "pagination" not in r.query]
    assert offset == [None, "2"]


def test_an_empty_repository_has_no_files_and_costs_no_tree_request(fake_gitlab: FakeGitLab) -> None:
    scan = run_gitlab(fake_gitlab)
    assert scan.data("gitlab:acme/apps/empty", "repo.inventory")["files"] == 0
    assert fake_gitlab.count(r"/projects/105/repository") == 0


def test_branch_protection_on_the_free_tier_leaves_paid_settings_unknown(fake_gitlab: FakeGitLab) -> None:
    scan = run_gitlab(fake_gitlab)
    templates = scan.data("gitlab:acme/platform/ci-templates", "vcs.branch_protection")
    assert templates["enabled"] is True and templates["via"] == ["branch_protection"]
    assert templates["required_reviews"] is None and templates["code_owner_reviews"] is None  # Premium features
    assert templates["required_checks"] == ["pipeline"]
    # svc-b protects only release/*: its default branch is not protected
    assert scan.data("gitlab:acme/apps/svc-b", "vcs.branch_protection")["enabled"] is False


def test_branch_protection_on_premium_reads_approvals_and_code_owners(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.instance.tier = "premium"
    for project in fake_gitlab.instance.projects:  # committers may not approve: the other settings are worth asking
        project.approvals["merge_requests_disable_committers_approval"] = True
    scan = run_gitlab(fake_gitlab)
    templates = scan.data("gitlab:acme/platform/ci-templates", "vcs.branch_protection")
    assert templates["required_reviews"] == 2 and templates["code_owner_reviews"] is True
    assert scan.data("gitlab:acme/apps/svc-a", "vcs.branch_protection")["required_reviews"] == 1
    # the required count is listed with the project; the approval settings are asked of protected default branches only
    assert fake_gitlab.count(r"/approvals$") == 2


def test_a_wildcard_protection_covers_the_default_branch(fake_gitlab: FakeGitLab) -> None:
    svc_b = fake_gitlab.instance.project("acme/apps/svc-b")
    assert svc_b is not None
    svc_b.protected_branches = [ProtectedBranch("ma*")]
    assert run_gitlab(fake_gitlab).data("gitlab:acme/apps/svc-b", "vcs.branch_protection")["enabled"] is True


def test_group_access_and_group_protections_by_tier(fake_gitlab: FakeGitLab) -> None:
    free = run_gitlab(fake_gitlab)
    assert free.data("gitlab:acme", "org.access") == {
        "owners": 1, "members": 3, "two_factor_required": True, **UNTOLD_DIRECTORY_LINKS,
    }
    rulesets = free.of("gitlab:acme", "org.rulesets")
    assert rulesets.status is EvidenceStatus.UNSUPPORTED and "Premium" in (rulesets.reason or "")

    fake_gitlab.instance.tier = "premium"
    group = fake_gitlab.instance.group("acme")
    assert group is not None
    group.protected_branches = [
        {"id": 1, "name": "main", "push_access_levels": [], "merge_access_levels": [], "allow_force_push": False,
         "code_owner_approval_required": True},
        {"id": 2, "name": "release/*", "push_access_levels": [], "merge_access_levels": [], "allow_force_push": False,
         "code_owner_approval_required": False},
    ]
    premium = run_gitlab(fake_gitlab)
    assert premium.data("gitlab:acme", "org.rulesets") == {
        "rulesets": 2, "active_on_default_branch": 1, "require_reviews": True, "require_status_checks": False,
        # the group's approval settings are shown to its Owners only
        "author_can_approve": None, "committers_can_approve": None, "approval_rules_overridable": None,
        "stale_approvals_dismissed": None, "approval_settings_locked": None,
    }


def test_access_through_groups_against_direct_members(fake_gitlab: FakeGitLab) -> None:
    instance = fake_gitlab.instance
    svc_a, svc_b = instance.project("acme/apps/svc-a"), instance.project("acme/apps/svc-b")
    apps = instance.group("acme/apps")
    assert svc_a is not None and svc_b is not None and apps is not None
    svc_a.shared_with = [("acme/platform", DEVELOPER, None), ("acme/sre", MAINTAINER, "2026-09-30")]
    svc_a.members = [("frank", DEVELOPER, "2026-06-30"), ("gina", MAINTAINER, None), ("project_101_bot_9f8e", MAINTAINER, None)]
    svc_b.members = [("hugo", DEVELOPER, "2026-01-31")]  # expired in January: still listed, no longer counted as expiring
    apps.members = [("ivan", DEVELOPER)]  # acme/apps grants its projects to a team
    scan = run_gitlab(fake_gitlab)
    # two shares and the acme/apps subgroup against two people (the access token's bot is no person)
    assert scan.data("gitlab:acme/apps/svc-a", "vcs.access") == {
        "team_grants": 3, "direct_collaborators": 2, "team_grant_share": 0.6, "expiring_grants": 2,
    }
    assert scan.data("gitlab:acme/apps/svc-b", "vcs.access") == {
        "team_grants": 1, "direct_collaborators": 1, "team_grant_share": 0.5, "expiring_grants": 0,
    }
    # the platform subgroup's members reach ci-templates; nobody is granted it directly
    assert scan.data("gitlab:acme/platform/ci-templates", "vcs.access")["team_grant_share"] == 1.0
    # direct members come with the GraphQL batch; each subgroup's members once whatever its number of projects
    assert fake_gitlab.count(r"^/projects/\d+/members$") == 0
    assert fake_gitlab.count(r"^/groups/acme%2Fapps/members$") == 1
    batched = {project: scan.data(f"gitlab:{project}", "vcs.access") for project in PROJECTS}
    # over REST (the instance refuses the query), the same evidence, a request per project
    fake_gitlab.exchanges.clear()
    fake_gitlab.fail(r"^/api/graphql$", 404, message="404 Not Found")
    over_rest = run_gitlab(fake_gitlab)
    assert {project: over_rest.data(f"gitlab:{project}", "vcs.access") for project in PROJECTS} == batched
    assert fake_gitlab.count(r"^/projects/\d+/members$") == 4


def test_a_project_with_more_members_than_a_page_reads_them_over_rest(fake_gitlab: FakeGitLab) -> None:
    svc_a = fake_gitlab.instance.project("acme/apps/svc-a")
    assert svc_a is not None
    svc_a.members = [(f"dev{n}", DEVELOPER, "2026-12-31" if n % 2 else None) for n in range(150)]
    scan = run_gitlab(fake_gitlab)
    assert scan.data("gitlab:acme/apps/svc-a", "vcs.access")["direct_collaborators"] == 150
    assert scan.data("gitlab:acme/apps/svc-a", "vcs.access")["expiring_grants"] == 75
    assert fake_gitlab.count(r"^/projects/\d+/members$") == 2  # svc-a's alone, in two pages of 100


def test_project_members_refused_leave_access_unknown(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.fail(r"^/api/graphql$", 404, message="404 Not Found")  # members over REST
    fake_gitlab.fail(r"^/projects/101/members$", 403, message="403 Forbidden")
    scan = run_gitlab(fake_gitlab)
    record = scan.of("gitlab:acme/apps/svc-a", "vcs.access")
    assert record.status is EvidenceStatus.UNAVAILABLE and "Reporter role" in (record.reason or "")
    assert scan.of("gitlab:acme/apps/svc-b", "vcs.access").status is EvidenceStatus.OBSERVED


def test_production_deployments_of_the_window_give_the_dora_inputs(fake_gitlab: FakeGitLab) -> None:
    scan = run_gitlab(fake_gitlab)
    assert scan.data("gitlab:acme/apps/svc-a", "delivery.deployments") == {
        "window_days": 90,
        "derived_from": "deployments",
        "events": 3,  # the review app and the deployment before the window left out
        "failed": 1,
        "per_week": 0.2333,
        "change_failure_rate": 0.3333,
        "lead_time_hours_median": 15.0,  # 4 h and 26 h from commit to first successful deployment
        "time_to_restore_hours_median": 24.0,
        "environments": ["live-eu"],  # tiered production by GitLab, whatever its name
    }
    assert scan.data("gitlab:acme/apps/svc-b", "delivery.deployments")["derived_from"] == "none"
    (asked,) = [r for r in fake_gitlab.requests if r.path.endswith("/projects/101/deployments")]
    assert asked.query["updated_after"] == "2026-03-01T12:00:00+00:00" and asked.query["per_page"] == "100"


def test_an_unchanged_rescan_costs_no_tree_or_file_request(fake_gitlab: FakeGitLab, tmp_path: Path) -> None:
    first = run_gitlab(fake_gitlab, cache_dir=tmp_path)
    assert fake_gitlab.count(r"/repository/(tree|files|archive)") > 0
    fake_gitlab.exchanges.clear()
    again = run_gitlab(fake_gitlab, cache_dir=tmp_path)
    assert fake_gitlab.count(r"/repository/(tree|files|archive)") == 0
    assert [item.model_dump(exclude={"observed_at"}) for item in again.evidence] == [
        item.model_dump(exclude={"observed_at"}) for item in first.evidence
    ]
    svc_a = fake_gitlab.instance.project("acme/apps/svc-a")
    assert svc_a is not None
    svc_a.last_activity_at = "2026-05-30T09:00:00.000Z"  # a push: that project's files are read again
    svc_a.files[".gitlab-ci.yml"] = b"build:\n  script: [make]\n"
    fake_gitlab.exchanges.clear()
    pushed = run_gitlab(fake_gitlab, cache_dir=tmp_path)
    assert {r.path.split("/")[4] for r in fake_gitlab.requests if re.search("/repository/(tree|files|archive)", r.path)} == {"101"}
    assert pushed.data("gitlab:acme/apps/svc-a", "ci.reusable_used")["present"] is False


def test_an_unreadable_file_is_a_problem_of_its_project_only(fake_gitlab: FakeGitLab) -> None:
    svc_a = fake_gitlab.instance.project("acme/apps/svc-a")
    assert svc_a is not None
    svc_a.files[".gitlab-ci.yml"] = b"include: [unclosed\n"
    scan = run_gitlab(fake_gitlab)
    (message,) = scan.messages("gitlab:acme/apps/svc-a")
    assert message.startswith("acme/apps/svc-a: .gitlab-ci.yml: malformed YAML")
    assert scan.data("gitlab:acme/apps/svc-a", "iac.usage")["present"] is True
    # what that file decides is unknown, not "no pipeline"
    pipelines = scan.of("gitlab:acme/apps/svc-a", "ci.pipelines")
    assert pipelines.status is EvidenceStatus.UNAVAILABLE and ".gitlab-ci.yml could not be used" in (pipelines.reason or "")


def test_subgroups_are_the_teams_and_the_platform_subgroups_projects_are_tagged(fake_gitlab: FakeGitLab) -> None:
    scan = run_gitlab(fake_gitlab)
    assert scan.data("gitlab:acme", "org.teams") == {
        "teams": 2,
        "platform_team": "acme/platform",
        "platform_team_members": 2,
        "platform_team_repositories": ["acme/platform/ci-templates"],
    }
    assert scan.subject("gitlab:acme/platform/ci-templates").tags == ("platform",)
    assert scan.subject("gitlab:acme/apps/svc-a").tags == ()
    none = run_gitlab(fake_gitlab, platform_team="infra*")
    assert none.data("gitlab:acme", "org.teams")["platform_team"] is None
    assert none.subject("gitlab:acme/platform/ci-templates").tags == ()


def test_activity_of_the_default_branch_over_the_window(fake_gitlab: FakeGitLab) -> None:
    scan = run_gitlab(fake_gitlab)
    assert scan.data("gitlab:acme/platform/ci-templates", "vcs.activity") == {
        "window_days": 90,
        "head_commit": "1" * 40,
        "last_commit_at": "2026-05-28T09:00:00+00:00",
        "commits": 3,
        "active_weeks": 2,
        "authors": 2,
        "docs_commits": None,  # which commits touched documentation: a request per commit, not read
        "docs_active_weeks": None,
    }
    assert scan.data("gitlab:acme/apps/empty", "vcs.activity")["commits"] == 0
    assert fake_gitlab.count(r"^/projects/105/repository/commits$") == 0
    (asked,) = [r for r in fake_gitlab.requests if r.path.endswith("/projects/100/repository/commits")]
    assert asked.query == {"ref_name": "main", "since": "2026-03-01T12:00:00+00:00", "per_page": "100"}


def test_platform_projects_count_merge_request_authors_outside_the_platform_team(fake_gitlab: FakeGitLab) -> None:
    scan = run_gitlab(fake_gitlab)
    # merged in the window: dave (platform), bob twice, carol; a bot, a closed one and an old one left out
    assert scan.data("gitlab:acme/platform/ci-templates", "vcs.contributions") == {
        "window_days": 90, "contributors": 3, "outside_platform_team": 2, "outside_share": 0.6667,
    }
    # elsewhere, commit authors are emails: who is outside the team is unknown, and no request is made
    assert scan.data("gitlab:acme/apps/svc-a", "vcs.contributions")["outside_platform_team"] is None
    assert fake_gitlab.count(r"/merge_requests$") == 1


def test_cache_entries_unused_for_cache_max_age_days_are_pruned(fake_gitlab: FakeGitLab, tmp_path: Path) -> None:
    run_gitlab(fake_gitlab, cache_dir=tmp_path)
    (kept, *_) = sorted((tmp_path / "gitlab").rglob("*.json"))
    stale = kept.with_name("0" * 40 + ".json")  # a project no longer scanned
    stale.write_text(kept.read_text(encoding="utf-8"), encoding="utf-8")
    old = fake_gitlab.clock.time() - 31 * 86400
    os.utime(stale, (old, old))
    run_gitlab(fake_gitlab, cache_dir=tmp_path, cache_max_age_days=30)
    assert not stale.exists() and kept.exists()
