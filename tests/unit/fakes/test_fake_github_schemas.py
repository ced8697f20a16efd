"""Every REST payload the fake serves validates against githubkit's models of GitHub's OpenAPI description."""

from __future__ import annotations

import warnings
from typing import Any, Union

import pytest
from github import Github
from pydantic import TypeAdapter, ValidationError

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from githubkit_schemas.latest import models

from tests.fakes.github import FakeGitHub
from tests.fakes.github.routes import ROUTES as SERVED
from tests.fakes.github.routes import match

_RULE_MODELS = tuple(getattr(models, name) for name in dir(models) if name.startswith("RepositoryRuleDetailedOneof"))
RuleDetailed = Union[_RULE_MODELS]  # type: ignore[valid-type]  # noqa: UP007  (built at run time)

# (path, model, is a list); {ruleset} and {deployment} are filled from the sample state
ROUTES: list[tuple[str, Any, bool]] = [
    ("/orgs/acme", models.OrganizationFull, False),
    ("/users/alice", models.PublicUser, False),
    ("/orgs/acme/repos", models.MinimalRepository, True),
    ("/users/acme/repos", models.MinimalRepository, True),
    ("/repos/acme/svc-payments", models.FullRepository, False),
    ("/repos/acme/svc-payments/topics", models.Topic, False),
    ("/repos/acme/svc-payments/git/trees/main?recursive=1", models.GitTree, False),
    ("/repos/acme/svc-payments/contents/README.md", models.ContentFile, False),
    ("/repos/acme/svc-payments/contents/.github", models.ContentDirectoryItems, True),
    ("/repos/acme/svc-payments/branches", models.ShortBranch, True),
    ("/repos/acme/svc-payments/branches/main", models.BranchWithProtection, False),
    ("/repos/acme/svc-payments/branches/main/protection", models.BranchProtection, False),
    ("/repos/acme/svc-payments/branches/main/protection/required_status_checks", models.StatusCheckPolicy, False),
    ("/repos/acme/svc-payments/rules/branches/main", RuleDetailed, True),
    ("/repos/acme/svc-payments/rulesets", models.RepositoryRuleset, True),
    ("/repos/acme/svc-payments/rulesets/{ruleset}", models.RepositoryRuleset, False),
    ("/orgs/acme/rulesets", models.RepositoryRuleset, True),
    ("/orgs/acme/rulesets/{ruleset}", models.RepositoryRuleset, False),
    ("/repos/acme/svc-payments/deployments", models.Deployment, True),
    ("/repos/acme/svc-payments/deployments/{deployment}/statuses", models.DeploymentStatus, True),
    ("/repos/acme/svc-payments/environments", models.ReposOwnerRepoEnvironmentsGetResponse200, False),
    ("/repos/acme/svc-payments/actions/runs", models.ReposOwnerRepoActionsRunsGetResponse200, False),
    ("/repos/acme/svc-payments/commits", models.Commit, True),
    ("/repos/acme/svc-payments/commits/main", models.Commit, False),
    ("/orgs/acme/teams", models.Team, True),
    ("/orgs/acme/teams/platform/members", models.SimpleUser, True),
    ("/orgs/acme/teams/platform/repos", models.MinimalRepository, True),
    ("/orgs/acme/members", models.SimpleUser, True),
    ("/rate_limit", models.RateLimitOverview, False),
    ("/orgs/acme/properties/schema", models.CustomProperty, True),
    ("/orgs/acme/properties/values", models.OrgRepoCustomPropertyValues, True),
    ("/orgs/acme/code-security/configurations", models.CodeSecurityConfiguration, True),
    ("/orgs/acme/code-security/configurations/{configuration}/repositories", models.CodeSecurityConfigurationRepositories, True),
    ("/repos/acme/docs-fork/code-scanning/default-setup", models.CodeScanningDefaultSetup, False),
    ("/orgs/acme/actions/permissions", models.ActionsOrganizationPermissions, False),
    ("/orgs/acme/actions/permissions/selected-actions", models.SelectedActions, False),
    ("/orgs/acme/actions/permissions/workflow", models.ActionsGetDefaultWorkflowPermissions, False),
    ("/repos/acme/platform-templates/pages", models.Page, False),
]


def _errors(error: ValidationError) -> str:
    return "\n".join(f"{'.'.join(map(str, e['loc']))}: {e['type']} ({e['msg']})" for e in error.errors())


@pytest.mark.parametrize(("path", "model", "many"), ROUTES, ids=[route[0] for route in ROUTES])
def test_payload_matches_githubs_schema(fake_github: FakeGitHub, gh: Github, path: str, model: Any, many: bool) -> None:
    path = path.format(
        ruleset=fake_github.org.rulesets[0].id,
        deployment=fake_github.org.repo("svc-payments").deployments[0].id,
        configuration=fake_github.org.code_security_configurations[0].id,
    )
    _, payload = gh.requester.requestJsonAndCheck("GET", path)
    assert payload, f"{path} answered an empty payload; the check would prove nothing"
    try:
        TypeAdapter(list[model] if many else model).validate_python(payload)
    except ValidationError as error:
        pytest.fail(f"{path} does not match {getattr(model, '__name__', model)}:\n{_errors(error)}")


def test_every_rest_route_is_checked() -> None:
    served = {route.template for route in SERVED if route.method == "GET" and route.auth == "token"}
    checked = set()
    for path, _, _ in ROUTES:
        found = match("GET", path.split("?")[0])
        assert found is not None, path
        checked.add(found[0].template)
    # the tarball answers a redirect (checked in the REST tests); contents without a path lists the root
    unchecked = {
        "/repos/{owner}/{repo}/tarball",
        "/repos/{owner}/{repo}/tarball/{ref+}",
        "/repos/{owner}/{repo}/contents",
    }
    assert served - checked == unchecked
