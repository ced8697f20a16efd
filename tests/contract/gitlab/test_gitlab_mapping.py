"""collectors.gitlab.mapping on GitLab-shaped payloads: no server needed."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from collectors.gitlab import mapping
from scanner.kinds.git_host import UNTOLD_DIRECTORY_LINKS, UNTOLD_GROUP_APPROVAL_SETTINGS


def _project(**fields: object) -> mapping.Listed:
    data = {"id": 7, "path_with_namespace": "acme/apps/svc", "default_branch": "main", "archived": False,
            "topics": ["go"], "web_url": "https://gitlab.example/acme/apps/svc", "empty_repo": False, **fields}
    return mapping.listed(data, "acme")


def test_a_listed_project_knows_its_path_below_the_group() -> None:
    project = _project(forked_from_project={"id": 1})
    assert (project.name, project.relative_path, project.fork, project.topics) == ("svc", "apps/svc", True, ("go",))
    assert _project(default_branch=None).empty is True


def test_the_exact_protection_wins_over_a_wildcard() -> None:
    exact = {"name": "main", "allow_force_push": False}
    wildcard = {"name": "m*", "allow_force_push": True}
    assert mapping.protection_of("main", [wildcard, exact]) is exact
    assert mapping.protection_of("master", [wildcard, exact]) is wildcard
    assert mapping.protection_of("dev", [wildcard, exact]) is None


def test_free_tier_protection_leaves_reviews_unknown_not_zero() -> None:
    protected = [{"name": "main", "push_access_levels": [{"access_level": 40}]}]
    data = mapping.branch_protection(_project(only_allow_merge_if_pipeline_succeeds=True), protected)
    assert data["enabled"] is True and data["required_reviews"] is None and data["code_owner_reviews"] is None
    assert data["required_checks"] == ["pipeline"]


def test_premium_protection_reads_approvals_and_code_owners() -> None:
    protected = [{"name": "main", "code_owner_approval_required": True}]
    data = mapping.branch_protection(_project(approvals_before_merge=2), protected)
    assert (data["required_reviews"], data["code_owner_reviews"]) == (2, True)


def test_group_access_counts_owners() -> None:
    members = [{"access_level": 50}, {"access_level": 40}, {"access_level": 30}]
    assert mapping.organization_access({"require_two_factor_authentication": False}, members) == {
        "owners": 1, "members": 3, "two_factor_required": False, **UNTOLD_DIRECTORY_LINKS,
    }


def test_group_protections_bind_the_groups_default_branch() -> None:
    protected: list[dict[str, Any]] = [{"name": "trunk", "code_owner_approval_required": True}, {"name": "main"}]
    assert mapping.group_rulesets({"default_branch": "trunk"}, protected) == {
        "rulesets": 2, "active_on_default_branch": 1, "require_reviews": True, "require_status_checks": False,
        **UNTOLD_GROUP_APPROVAL_SETTINGS,  # the group's approval settings are read on their own
    }
    assert mapping.group_rulesets({"default_branch": None}, protected)["require_reviews"] is False


def test_deployments_count_production_by_tier_or_name_else_all() -> None:
    now = datetime(2026, 5, 30, tzinfo=timezone.utc)

    def deployment(name: str, tier: str, status: str = "success") -> dict[str, object]:
        return {"created_at": "2026-05-20T10:00:00Z", "status": status, "sha": "a" * 40,
                "environment": {"name": name, "tier": tier}, "deployable": {"commit": {}}}

    mixed = [deployment("eu", "production"), deployment("prod-us", "other", "failed"), deployment("staging", "staging")]
    data = mapping.deployments(mixed, now, 90, ["prod-*"])
    assert (data["events"], data["failed"], data["environments"]) == (2, 1, ["eu", "prod-us"])
    assert mapping.deployments([deployment("staging", "staging", "canceled")], now, 90, ["prod-*"])["change_failure_rate"] is None
    assert mapping.deployments([], now, 90, [])["derived_from"] == "none"


def test_the_shallowest_matching_subgroup_is_the_platform_team() -> None:
    subgroups = [{"id": 3, "full_path": "acme/teams/platform-eu"}, {"id": 2, "full_path": "acme/platform"},
                 {"id": 4, "full_path": "acme/apps"}]
    assert mapping.platform_group(subgroups, "acme", "platform*") == {"id": 2, "full_path": "acme/platform"}
    assert mapping.platform_group(subgroups, "acme", "teams/platform*") == {"id": 3, "full_path": "acme/teams/platform-eu"}
    assert mapping.platform_group(subgroups, "acme", "infra") is None


def test_contributions_leave_bots_out_and_outside_unknown_without_a_team() -> None:
    authors = ["Dave", "bob", "project_7_bot_abc", "renovate[bot]", ""]
    assert mapping.contributions(authors, 30, frozenset({"dave"})) == {
        "window_days": 30, "contributors": 2, "outside_platform_team": 1, "outside_share": 0.5,
    }
    assert mapping.contributions(authors, 30, None)["outside_share"] is None
