"""mapping.py on payloads shaped like GitHub's documented REST and GraphQL answers."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from collectors.detect import RepoFile
from collectors.github import mapping
from collectors.people import Mailmap, people
from scanner.kinds import KINDS, KindRegistry
from scanner.kinds.git_host import (
    UNTOLD_APPROVAL_SETTINGS,
    UNTOLD_DIRECTORY_LINKS,
    UNTOLD_GROUP_APPROVAL_SETTINGS,
    UNTOLD_PUSH_RULES,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
KINDS_REGISTRY = KindRegistry(KINDS)


def fits(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The data validates against the kind's model, unchanged."""
    assert KINDS_REGISTRY.validate_data(kind, data) == data
    return data


# --- listing -------------------------------------------------------------------------------

LISTED_ITEM = {  # GET /orgs/{org}/repos item (minimal-repository), trimmed to the fields read
    "id": 1296269,
    "name": "Hello-World",
    "full_name": "octocat/Hello-World",
    "owner": {"login": "octocat", "id": 1, "type": "Organization"},
    "html_url": "https://github.com/octocat/Hello-World",
    "fork": False,
    "default_branch": "master",
    "topics": ["octocat", "atom"],
    "archived": False,
    "has_issues": True,
    "has_discussions": False,
    "pushed_at": "2011-01-26T19:06:43Z",
    "size": 108,
    "security_and_analysis": {
        "advanced_security": {"status": "enabled"},
        "secret_scanning": {"status": "enabled"},
        "secret_scanning_push_protection": {"status": "disabled"},
        "dependabot_security_updates": {"status": "enabled"},
    },
}


def test_a_listed_repository_keeps_what_the_collector_reads() -> None:
    repo = mapping.listed(LISTED_ITEM, "ignored")
    assert (repo.owner, repo.name, repo.full_name) == ("octocat", "Hello-World", "octocat/Hello-World")
    assert repo.default_branch == "master" and repo.topics == ("octocat", "atom") and repo.size_kb == 108
    assert repo.security_and_analysis is not None and not repo.archived and not repo.fork


# --- trees ------------------------------------------------------------------------------------

TREE: dict[str, Any] = {  # GET /repos/{o}/{r}/git/trees/{sha}?recursive=1
    "sha": "9fb037999f264ba9a7fc6274d15fa3ae2ab98312",
    "tree": [
        {"path": "file.rb", "mode": "100644", "type": "blob", "size": 30, "sha": "44b4fc6d56897b048c772eb4087f854f46256132"},
        {"path": "subdir", "mode": "040000", "type": "tree", "sha": "f484d249c660418515fb01c2b9662073663c242e"},
        {"path": "subdir/exec_file", "mode": "100755", "type": "blob", "size": 75, "sha": "45b983be36b73c0788dc9cbcb76cbb80fc7bb057"},
        {"path": "link", "mode": "120000", "type": "blob", "size": 7, "sha": "1b2c3d"},
        {"path": "vendor/lib", "mode": "160000", "type": "commit", "sha": "7e1f0d"},
    ],
    "truncated": False,
}


def test_tree_entries_list_files_and_skip_links_and_submodules() -> None:
    listing = mapping.tree_entries(TREE["tree"])
    assert listing.files == [RepoFile("file.rb", 30), RepoFile("subdir/exec_file", 75)]
    assert listing.skipped == 2
    assert listing.subtrees == [("subdir", "f484d249c660418515fb01c2b9662073663c242e")]
    assert mapping.tree_entries(TREE["tree"][:1], "deep/").files == [RepoFile("deep/file.rb", 30)]


# --- GraphQL metadata -----------------------------------------------------------------------------


def _commit(date: str, login: str | None, email: str) -> dict[str, Any]:
    return {"committedDate": date, "author": {"email": email, "name": "X", "user": {"login": login} if login else None}}


COMMITS = [
    _commit("2026-06-01T10:00:00Z", "Alice", "alice@acme.test"),
    _commit("2026-05-31T10:00:00Z", "alice", "alice@home.test"),  # same person, another email
    _commit("2026-05-20T10:00:00Z", "bob", "bob@acme.test"),
    _commit("2026-05-02T10:00:00Z", None, "contractor@example.com"),
    _commit("2026-05-01T10:00:00Z", "dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com"),
]
META = {
    "nameWithOwner": "acme/svc",
    "isTemplate": False,
    "templateRepository": {"nameWithOwner": "acme/service-template", "owner": {"login": "acme"}},
    "hasIssuesEnabled": True,
    "hasDiscussionsEnabled": True,
    "hasVulnerabilityAlertsEnabled": True,
    "defaultBranchRef": {
        "name": "main",
        "target": {
            "oid": "c0ffee" + "0" * 34,
            "committedDate": "2026-06-01T10:00:00Z",
            "history": {"totalCount": 5, "pageInfo": {"hasNextPage": False, "endCursor": None}, "nodes": COMMITS},
        },
    },
}


def test_activity_counts_commits_weeks_and_authors_by_email() -> None:
    data = fits("vcs.activity", mapping.activity(META, COMMITS, NOW, 90))
    assert data == {
        "window_days": 90,
        "head_commit": "c0ffee" + "0" * 34,
        "last_commit_at": "2026-06-01T10:00:00+00:00",
        "commits": 5,
        "active_weeks": 3,  # this week (2), two weeks ago, four weeks ago (the bot's commit aside)
        "authors": 4,  # dependabot is no author
        "docs_commits": None,  # which commits touched documentation: a request per commit, not read
        "docs_active_weeks": None,
    }


def test_activity_leaves_bots_out_of_authors_and_weeks() -> None:
    bots_only = [
        _commit("2026-06-01T10:00:00Z", "renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com"),
        _commit("2026-05-20T10:00:00Z", None, "ci-robot@acme.test"),  # a configured pattern
        _commit("2026-05-02T10:00:00Z", "alice", "alice@acme.test"),
    ]
    data = mapping.activity(META, bots_only, NOW, 90, people(Mailmap(), ["ci-robot@*"]))
    assert (data["commits"], data["authors"], data["active_weeks"]) == (5, 1, 1)
    without_pattern = mapping.activity(META, bots_only, NOW, 90)
    assert (without_pattern["authors"], without_pattern["active_weeks"]) == (2, 2)


def test_the_repository_mailmap_joins_addresses_without_an_account() -> None:
    aliases = [
        _commit("2026-06-01T10:00:00Z", None, "carol@acme.test"),
        _commit("2026-05-20T10:00:00Z", None, "carol@home.test"),
    ]
    joined = people(Mailmap("Carol <carol@acme.test> <carol@home.test>\n"))
    assert mapping.activity(META, aliases, NOW, 90, joined)["authors"] == 1
    assert mapping.activity(META, aliases, NOW, 90)["authors"] == 2
    assert mapping.contributions(aliases, 90, None, joined)["contributors"] == 1


def test_an_empty_repository_has_no_activity() -> None:
    data = fits("vcs.activity", mapping.activity({**META, "defaultBranchRef": None}, [], NOW, 30))
    assert data == {"window_days": 30, "head_commit": None, "last_commit_at": None, "commits": 0, "active_weeks": 0, "authors": 0,
                    "docs_commits": None, "docs_active_weeks": None}


def test_contributions_count_people_by_login_and_leave_bots_out() -> None:
    data = fits("vcs.contributions", mapping.contributions(COMMITS, 90, frozenset({"alice"})))
    assert data == {"window_days": 90, "contributors": 3, "outside_platform_team": 2, "outside_share": 0.6667}
    unknown_team = fits("vcs.contributions", mapping.contributions(COMMITS, 90, None))
    assert unknown_team["outside_platform_team"] is None and unknown_team["contributors"] == 3


def test_template_links_know_the_organization_of_the_template() -> None:
    assert fits("vcs.template", mapping.template_link(META, "ACME")) == {
        "is_template": False,
        "created_from": "acme/service-template",
        "created_from_organization": True,
    }
    outside = {**META, "templateRepository": {"nameWithOwner": "other/tpl", "owner": {"login": "other"}}}
    assert mapping.template_link(outside, "acme")["created_from_organization"] is False
    assert mapping.template_link({"isTemplate": True, "templateRepository": None}, "acme") == {
        "is_template": True, "created_from": None, "created_from_organization": False}


def test_feedback_prefers_graphql_and_falls_back_to_the_listing() -> None:
    repo = mapping.listed(LISTED_ITEM, "octocat")
    assert fits("collaboration.feedback", mapping.feedback(repo, META)) == {"issues_enabled": True, "discussions_enabled": True}
    assert mapping.feedback(repo, None) == {"issues_enabled": True, "discussions_enabled": False}


def test_security_settings_read_the_listing_and_vulnerability_alerts() -> None:
    repo = mapping.listed(LISTED_ITEM, "octocat")
    settings = mapping.security_settings(repo, META)
    assert settings is not None and fits("vcs.security_settings", settings) == {
        "secret_scanning": True,
        "push_protection": False,
        "dependency_alerts": True,
        "dependency_security_updates": True,
        **UNTOLD_PUSH_RULES,  # GitLab's push rules: GitHub has none
    }
    hidden = mapping.listed({**LISTED_ITEM, "security_and_analysis": None}, "octocat")
    assert mapping.security_settings(hidden, None) is None
    assert mapping.security_settings(hidden, {"hasVulnerabilityAlertsEnabled": False}) == {
        "secret_scanning": None, "push_protection": None, "dependency_alerts": False, "dependency_security_updates": None,
        **UNTOLD_PUSH_RULES}


def _deployment(created: str, state: str | None, environment: str = "production", committed: str | None = None) -> dict[str, Any]:
    return {
        "createdAt": created,
        "environment": environment,
        "commit": {"oid": f"sha-{committed}", "committedDate": committed} if committed else None,
        "latestStatus": {"state": state, "createdAt": created} if state else None,
    }


def test_deployments_give_dora_inputs_over_the_window() -> None:
    nodes = [  # newest first, as GitHub orders them
        _deployment("2026-05-30T12:00:00Z", "SUCCESS", committed="2026-05-30T10:00:00Z"),
        _deployment("2026-05-29T12:00:00Z", "FAILURE"),
        _deployment("2026-05-28T12:00:00Z", "INACTIVE", committed="2026-05-27T12:00:00Z"),
        _deployment("2026-05-27T12:00:00Z", "SUCCESS", "staging", committed="2026-05-27T11:00:00Z"),
        _deployment("2026-05-26T12:00:00Z", "IN_PROGRESS"),
        _deployment("2026-01-01T12:00:00Z", "SUCCESS"),  # before the window
    ]
    data = fits("delivery.deployments", mapping.deployments(nodes, NOW, 28, True))
    assert data == {
        "window_days": 28,
        "derived_from": "deployments",
        "events": 5,
        "failed": 1,
        "per_week": 1.25,
        "change_failure_rate": 0.25,
        "lead_time_hours_median": 2.0,  # 2 h, 24 h and 1 h
        "time_to_restore_hours_median": 24.0,  # the failure on the 29th, fixed on the 30th
        "environments": ["production", "staging"],  # no production pattern given: every environment counts
    }


def test_dora_counts_production_environments_only_where_there_are_some() -> None:
    nodes = [
        _deployment("2026-05-30T12:00:00Z", "SUCCESS", "Production"),
        *(_deployment(f"2026-05-2{day}T12:00:00Z", "FAILURE", f"preview-pr-{day}") for day in range(1, 9)),
        _deployment("2026-05-20T12:00:00Z", "SUCCESS", "prod-eu"),
    ]
    patterns = ["production", "prod-*"]
    data = mapping.deployments(nodes, NOW, 28, True, patterns)
    assert (data["events"], data["failed"], data["environments"]) == (2, 0, ["Production", "prod-eu"])
    previews_only = mapping.deployments(nodes[1:9], NOW, 28, True, patterns)
    assert previews_only["events"] == 8  # nothing named like production: all count, and the report says which


def test_lead_time_counts_each_commit_once_and_never_negative() -> None:
    nodes = [
        _deployment("2026-05-30T12:00:00Z", "SUCCESS", committed="2026-05-20T12:00:00Z"),  # a redeployment
        _deployment("2026-05-21T12:00:00Z", "SUCCESS", committed="2026-05-20T12:00:00Z"),
        _deployment("2026-05-25T12:00:00Z", "SUCCESS", committed="2026-05-26T12:00:00Z"),  # skewed clock
    ]
    assert mapping.deployments(nodes, NOW, 28, True)["lead_time_hours_median"] == 24.0


def test_no_deployments_ever_is_none_derived() -> None:
    data = fits("delivery.deployments", mapping.deployments([], NOW, 90, False))
    assert data["derived_from"] == "none" and data["events"] == 0 and data["change_failure_rate"] is None


# --- branch protection -------------------------------------------------------------------------------

CLASSIC = [  # GraphQL branchProtectionRules nodes
    {"pattern": "main", "requiresApprovingReviews": True, "requiredApprovingReviewCount": 2,
     "requiresCodeOwnerReviews": True, "requiresStatusChecks": True, "requiredStatusCheckContexts": ["build", "checkov"]},
    {"pattern": "release/*", "requiresApprovingReviews": True, "requiredApprovingReviewCount": 5,
     "requiresCodeOwnerReviews": False, "requiresStatusChecks": False, "requiredStatusCheckContexts": []},
]
EFFECTIVE_RULES = [  # GET /repos/{o}/{r}/rules/branches/{branch}
    {"type": "deletion", "ruleset_source_type": "Repository", "ruleset_source": "acme/svc", "ruleset_id": 42},
    {"type": "pull_request", "ruleset_source_type": "Organization", "ruleset_source": "acme", "ruleset_id": 7,
     "parameters": {"dismiss_stale_reviews_on_push": False, "require_code_owner_review": False,
                    "require_last_push_approval": False, "required_approving_review_count": 3,
                    "required_review_thread_resolution": False}},
    {"type": "required_status_checks", "ruleset_source_type": "Organization", "ruleset_source": "acme", "ruleset_id": 7,
     "parameters": {"required_status_checks": [{"context": "test", "integration_id": 1}],
                    "strict_required_status_checks_policy": False}},
]


def test_branch_protection_merges_classic_rules_and_rulesets() -> None:
    data = fits("vcs.branch_protection", mapping.branch_protection("main", CLASSIC, EFFECTIVE_RULES))
    assert data == {
        "enabled": True,
        "required_reviews": 3,
        "code_owner_reviews": True,
        "required_checks": ["build", "checkov", "test"],
        "policy_checks_required": True,
        "via": ["branch_protection", "organization_ruleset", "repository_ruleset"],
        "required_scans": [],
        "required_workflows": [],
        "required_deployments": [],
        **UNTOLD_APPROVAL_SETTINGS,  # GitLab's approval settings: not read on GitHub
    }


def test_rules_that_mandate_scans_workflows_and_deployments_are_recorded() -> None:
    rules = [  # GET /repos/{o}/{r}/rules/branches/{b}, as GitHub answers rule types beyond reviews and checks
        {"type": "code_scanning", "ruleset_source_type": "Organization",
         "parameters": {"code_scanning_tools": [{"tool": "CodeQL", "alerts_threshold": "errors",
                                                 "security_alerts_threshold": "high_or_higher"}]}},
        {"type": "workflows", "ruleset_source_type": "Organization",
         "parameters": {"workflows": [{"path": ".github/workflows/policy.yml", "repository_id": 7, "ref": "main"}]}},
        {"type": "required_deployments", "parameters": {"required_deployment_environments": ["staging"]}},
    ]
    data = fits("vcs.branch_protection", mapping.branch_protection("main", [], rules))
    assert (data["required_scans"], data["required_workflows"], data["required_deployments"]) == (
        ["CodeQL"], [".github/workflows/policy.yml"], ["staging"])
    assert data["policy_checks_required"] is True  # a code-scanning rule blocks merges on its findings
    assert data["required_checks"] == [] and data["required_reviews"] == 0


def test_an_unprotected_branch_and_a_pattern_that_does_not_match() -> None:
    data = fits("vcs.branch_protection", mapping.branch_protection("develop", CLASSIC, []))
    assert data["enabled"] is False and data["via"] == [] and data["required_reviews"] == 0
    assert mapping.branch_protection("release/2", CLASSIC, [])["required_reviews"] == 5


def test_the_protected_flag_speaks_for_readers_without_admin_rights() -> None:
    branch = {  # GET /repos/{o}/{r}/branches/{b}
        "name": "main", "protected": True,
        "protection": {"enabled": True, "required_status_checks": {"enforcement_level": "non_admins",
                                                                   "contexts": ["ci/tfsec", "build"]}},
    }
    assert fits("vcs.branch_protection", mapping.protected_flag(branch)) == {
        "enabled": True, "required_checks": ["build", "ci/tfsec"], "policy_checks_required": True,
        "via": ["branch_protection"], "required_reviews": None, "code_owner_reviews": None,  # hidden: unknown
        "required_scans": [], "required_workflows": [], "required_deployments": [], **UNTOLD_APPROVAL_SETTINGS}
    unprotected = mapping.protected_flag({"name": "main", "protected": False})
    assert (unprotected["enabled"], unprotected["required_reviews"], unprotected["code_owner_reviews"]) == (False, 0, False)


def test_without_classic_rules_what_rulesets_do_not_require_is_unknown() -> None:
    rules = [{"type": "required_status_checks", "ruleset_source_type": "Organization",
              "parameters": {"required_status_checks": [{"context": "build"}]}}]
    data = fits("vcs.branch_protection", mapping.branch_protection("main", None, rules))
    assert (data["enabled"], data["required_reviews"], data["code_owner_reviews"]) == (True, None, None)
    assert data["required_checks"] == ["build"] and data["policy_checks_required"] is None


# --- the organization ----------------------------------------------------------------------------------

TEAMS = [{"id": 1, "slug": "platform-admins"}, {"id": 2, "slug": "payments"}, {"id": 3, "slug": "platform"}]


def test_the_platform_team_is_the_shortest_matching_slug() -> None:
    assert (mapping.platform_team(TEAMS, "platform*") or {}).get("slug") == "platform"
    assert mapping.platform_team(TEAMS, "sre") is None


def test_team_permission_reads_role_name_or_permissions() -> None:
    assert mapping.team_permission({"role_name": "maintain", "permissions": {"pull": True}}) == "maintain"
    assert mapping.team_permission({"permissions": {"admin": False, "maintain": False, "push": True, "pull": True}}) == "push"
    assert mapping.team_permission({}) is None


def test_team_structure_and_access_fit_their_kinds() -> None:
    teams = fits("org.teams", mapping.team_structure(3, TEAMS[2], 4, ["b", "a"]))
    assert teams == {"teams": 3, "platform_team": "platform", "platform_team_members": 4, "platform_team_repositories": ["a", "b"]}
    assert fits("org.teams", mapping.team_structure(3, None, 0, ["x"]))["platform_team_repositories"] == []
    assert fits("org.access", mapping.organization_access(2, 40, None)) == {
        "owners": 2, "members": 40, "two_factor_required": None, **UNTOLD_DIRECTORY_LINKS,
    }


def _ruleset(enforcement: str, refs: list[str], repos: list[str] | None, rules: list[str], **conditions: Any) -> dict[str, Any]:
    shaped: dict[str, Any] = {"ref_name": {"include": refs, "exclude": []}, **conditions}
    if repos is not None:
        shaped["repository_name"] = {"include": repos, "exclude": [], "protected": False}
    return {"id": 1, "name": "r", "target": "branch", "source_type": "Organization", "source": "acme",
            "enforcement": enforcement, "conditions": shaped, "rules": [{"type": rule} for rule in rules]}


def test_organization_rulesets_count_what_covers_every_default_branch() -> None:
    rulesets = [
        _ruleset("active", ["~DEFAULT_BRANCH"], ["~ALL"], ["pull_request"]),
        _ruleset("evaluate", ["~DEFAULT_BRANCH"], ["~ALL"], ["required_status_checks"]),  # not enforced
        _ruleset("active", ["~ALL"], ["svc-*"], ["required_status_checks"]),  # some repositories only
        _ruleset("active", ["refs/heads/release/*"], ["~ALL"], ["required_status_checks"]),  # not the default branch
        {**_ruleset("active", ["~ALL"], ["~ALL"], ["deletion"]), "target": "tag"},
    ]
    assert fits("org.rulesets", mapping.organization_rulesets(rulesets)) == {
        "rulesets": 5, "active_on_default_branch": 1, "require_reviews": True, "require_status_checks": False,
        **UNTOLD_GROUP_APPROVAL_SETTINGS}


# --- reuse ----------------------------------------------------------------------------------------------


def test_reusable_consumers_are_other_repositories_of_the_organization() -> None:
    used = {
        "acme/svc-a": ["acme/platform-ci/.github/workflows/build.yml@v1", "other/x/.github/workflows/y.yml@main"],
        "acme/svc-b": ["ACME/platform-ci/.github/workflows/deploy.yml@v2"],
        "acme/platform-ci": ["acme/platform-ci/.github/workflows/build.yml@v1"],  # itself: not a consumer
    }
    assert mapping.reusable_consumers(used, "acme") == {"platform-ci": ["acme/svc-a", "acme/svc-b"]}
    assert mapping.reusable_workflow_repository("./.github/workflows/local.yml", "acme") is None


def test_what_an_unread_repository_leaves_unknown_about_consumers() -> None:
    used = {"acme/svc-a": ["acme/platform-ci/.github/workflows/build.yml@v1"]}
    names = ["acme/platform-ci", "acme/templates", "acme/svc-a", "acme/lost"]
    provides = {"acme/platform-ci": True, "acme/templates": True, "acme/svc-a": False}  # acme/lost: files unread

    known = mapping.consumers_by_repository(names, used, "acme", unread=1, provides=provides)

    assert known == {
        "acme/platform-ci": ["acme/svc-a"],  # found: at least this one
        "acme/templates": None,  # offers reusable CI; acme/lost may use it
        "acme/svc-a": [],  # offers none: nobody can consume it
        "acme/lost": None,  # its own files are unknown
    }
    assert mapping.consumers_by_repository(names, used, "acme", unread=0, provides=provides)["acme/templates"] == []
