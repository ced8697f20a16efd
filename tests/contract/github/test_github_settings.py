"""The settings a maturity verdict needs: custom properties, environments and their protection,
code scanning's default setup, CODEOWNERS errors, Pages, the Actions policy and workflow
templates. Each read at its cost, each unknown (with the permission to grant) when the token
cannot see it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.contract.github.scanning import NOW, ScanRunner
from tests.fakes.github.fixtures import fake_github_fixture
from tests.fakes.github.model import (
    DEFAULT_TOKEN,
    ActionsPermissions,
    CodeSecurityConfiguration,
    CustomProperty,
    Deployment,
    Environment,
    Organization,
    Pages,
    Repository,
    Team,
    Token,
    User,
    World,
)
from tests.fakes.github.server import FakeGitHub

REVIEWS = "required_reviewers"


def settings_org() -> Organization:
    previews = [Environment(f"pr-{number}") for number in range(1, 7)]
    return Organization(
        "acme",
        members=[User("alice"), User("bob")],
        owners={"alice"},
        teams=[Team("platform", members=["alice"])],
        custom_properties=[CustomProperty("owner", required=True), CustomProperty("tier", value_type="single_select", allowed_values=["1", "2"])],
        code_security_configurations=[
            CodeSecurityConfiguration("strict", repositories=["svc-a"]),
            CodeSecurityConfiguration("inherit", code_scanning_default_setup="not_set", repositories=["svc-c"]),
        ],
        actions_permissions=ActionsPermissions(
            allowed_actions="selected", verified_allowed=True, patterns_allowed=["acme/*", "docker/*"],
            default_workflow_permissions="write",
        ),
        repos=[
            Repository(
                "svc-a",
                files={".github/CODEOWNERS": b"# owners\n* @acme/platform @bob\n/infra/ @acme/ghosts\n", "a.py": b"print(1)\n"},
                custom_properties={"owner": "payments", "tier": "1"},
                environments=[
                    Environment("production", required_reviewers=["alice"], wait_timer_minutes=10),
                    Environment("staging", wait_timer_minutes=5, branch_policy="protected_branches"),
                ],
            ),
            Repository(
                "svc-b",
                visibility="public",
                files={"CODEOWNERS": b"* @acme/platform\n", "index.md": b"# b\n"},
                environments=[*previews, Environment("production"), Environment("prod-eu", branch_policy="custom_branch_policies")],
                deployments=[Deployment("prod-eu", created_at=NOW - timedelta(days=2))],
                pages=Pages(build_type="legacy"),
                code_scanning_default_setup=True,
            ),
            Repository("svc-c", files={"c.py": b"print(3)\n"}),
            Repository(
                ".github",
                files={
                    "workflow-templates/deploy.yml": b"on: [push]\n",
                    "workflow-templates/deploy.properties.json": b'{"name": "Deploy"}\n',
                    "workflow-templates/ci.yaml": b"on: [push]\n",
                    "profile/README.md": b"# acme\n",
                },
            ),
        ],
    )


settings_github = fake_github_fixture(settings_org)
restricted_github = fake_github_fixture(
    lambda: World(
        orgs=[settings_org()],
        tokens=[Token(DEFAULT_TOKEN, repo_admin=False, org_admin=False, actions_read=False, custom_properties_read=False)],
    )
)


def test_each_setting_is_read_at_its_cost(settings_github: FakeGitHub, scan_github: ScanRunner) -> None:
    scan = scan_github(settings_github)
    assert scan.problems == []
    assert scan.data("github:acme", "org.property_schema") == {"properties": ["owner", "tier"], "required": ["owner"]}
    assert scan.data("github:acme/svc-a", "repo.properties") == {"values": {"owner": "payments", "tier": "1"}, "required_missing": []}
    assert scan.data("github:acme/svc-c", "repo.properties") == {"values": {}, "required_missing": ["owner"]}
    assert scan.data("github:acme", "org.ci_policy") == {
        "enabled_for": "all", "allowed_actions": "selected", "github_owned_allowed": True, "verified_allowed": True,
        "patterns_allowed": 2, "default_token_permissions": "write", "token_can_approve_reviews": False}
    assert scan.data("github:acme", "org.ci_templates") == {"templates": 2, "names": ["ci", "deploy"], "repository": "acme/.github"}

    # the batch asks for environments named production, prod or live: svc-a's production, not its staging
    assert scan.data("github:acme/svc-a", "delivery.environments") == {
        "production": ["production"], REVIEWS: ["production"], "wait_timer": ["production"], "branch_policy": [],
        "protected": True}
    # svc-b deployed to prod-eu, which only a wildcard (prod-*) names: all of its environments over REST
    assert scan.data("github:acme/svc-b", "delivery.environments") == {
        "production": ["prod-eu", "production"], REVIEWS: [], "wait_timer": [], "branch_policy": ["prod-eu"],
        "protected": False}
    assert [entry.path for entry in settings_github.stats.for_family("environments")] == ["/repos/acme/svc-b/environments"]
    assert scan.data("github:acme/svc-c", "delivery.environments") == {
        "production": [], REVIEWS: [], "wait_timer": [], "branch_policy": [], "protected": None}

    assert scan.data("github:acme/svc-a", "vcs.code_scanning") == {
        "default_setup": True, "available": True, "via": "configuration", "configuration": "strict"}
    assert scan.data("github:acme/svc-b", "vcs.code_scanning") == {
        "default_setup": True, "available": True, "via": "repository", "configuration": None}
    # private, no GitHub Code Security, its configuration leaves default setup alone: it cannot run, no request asked
    assert scan.data("github:acme/svc-c", "vcs.code_scanning")["available"] is False
    assert [entry.path for entry in settings_github.stats.for_family("code-scanning")] == [
        "/repos/acme/svc-b/code-scanning/default-setup"]

    assert scan.data("github:acme/svc-a", "vcs.codeowners_check") == {
        "checked": True, "errors": 1, "error_kinds": ["Unknown owner"], "locations": [".github/CODEOWNERS:3"]}
    assert scan.data("github:acme/svc-b", "vcs.codeowners_check")["errors"] == 0
    assert scan.data("github:acme/svc-c", "vcs.codeowners_check") == {
        "checked": False, "errors": 0, "error_kinds": [], "locations": []}

    assert scan.data("github:acme/svc-b", "vcs.pages") == {
        "enabled": True, "url": "https://acme.github.io/svc-b/", "build": "legacy", "public": True}
    assert scan.data("github:acme/svc-a", "vcs.pages")["enabled"] is False
    assert settings_github.stats.by_family["pages"] == 1  # only the repository that has Pages


def test_an_unchanged_rescan_pays_nothing_for_the_settings(
    settings_github: FakeGitHub, scan_github: ScanRunner, tmp_path: Path
) -> None:
    first = scan_github(settings_github, cache_dir=tmp_path)
    settings_github.stats.clear()
    second = scan_github(settings_github, cache_dir=tmp_path)
    for family in ("properties", "actions/permissions", "code-security", "code-scanning", "pages", "environments", "contents"):
        assert {entry.status for entry in settings_github.stats.for_family(family)} <= {304}, family
    assert [e.data for e in second.evidence if e.kind.startswith(("org.c", "repo.p", "vcs.pages"))] == [
        e.data for e in first.evidence if e.kind.startswith(("org.c", "repo.p", "vcs.pages"))]


def test_what_the_token_cannot_see_is_unknown_with_the_permission_named(
    restricted_github: FakeGitHub, scan_github: ScanRunner
) -> None:
    scan = scan_github(restricted_github)
    assert "Custom properties: read" in (scan.of("github:acme", "org.property_schema").reason or "")
    assert "Custom properties: read" in (scan.of("github:acme/svc-a", "repo.properties").reason or "")
    assert "Administration: read on the organization" in (scan.of("github:acme", "org.ci_policy").reason or "")
    # a configuration would decide svc-a, but the token may not read configurations; nor administer the repository
    reason = scan.of("github:acme/svc-a", "vcs.code_scanning").reason or ""
    assert "Administration: write on the organization" in reason and "Administration: read on the repository" in reason
    assert "Actions: read" in (scan.of("github:acme/svc-b", "delivery.environments").reason or "")
    assert restricted_github.stats.by_family["code-scanning"] == 0  # not asked: it would be refused
    # what any reader sees is still observed
    assert scan.data("github:acme/svc-a", "vcs.codeowners_check")["errors"] == 1
    assert scan.data("github:acme/svc-b", "vcs.pages")["enabled"] is True
    assert scan.data("github:acme", "org.ci_templates")["templates"] == 2
    assert any("org.ci_policy unavailable" in message for message in scan.messages())
