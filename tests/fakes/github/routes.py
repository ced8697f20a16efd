"""The route table: method + path template -> handler, counter family, authentication and budget."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from tests.fakes.http import routes

from .context import Call
from .exchange import Response
from .graphql.endpoint import graphql
from .rest import accounts, activity, app, git, meta, repos, settings

Auth = Literal["token", "app", "none"]


@dataclass(frozen=True)
class Route(routes.Route[Callable[[Call], Response]]):
    """A route whose name is its counter family."""

    auth: Auth = "token"  # "app": the handler checks an App JWT; "none": public download hosts
    resource: str | None = "core"  # the budget a request is charged to; None: not charged

    @property
    def family(self) -> str:
        return self.name


_REPO = "/repos/{owner}/{repo}"

ROUTES: tuple[Route, ...] = (
    Route("GET", "/rate_limit", "rate_limit", meta.rate_limit, resource=None),
    Route("GET", "/orgs/{org}", "orgs", accounts.get_org),
    Route("GET", "/orgs/{org}/repos", "repos", accounts.list_org_repos),
    Route("GET", "/orgs/{org}/members", "members", accounts.list_members),
    Route("GET", "/orgs/{org}/teams", "teams", accounts.list_teams),
    Route("GET", "/orgs/{org}/teams/{slug}/members", "teams", accounts.list_team_members),
    Route("GET", "/orgs/{org}/teams/{slug}/repos", "teams", accounts.list_team_repos),
    Route("GET", "/orgs/{org}/rulesets", "rulesets", repos.list_org_rulesets),
    Route("GET", "/orgs/{org}/rulesets/{id}", "rulesets", repos.get_org_ruleset),
    Route("GET", "/orgs/{org}/properties/schema", "properties", settings.get_property_schema),
    Route("GET", "/orgs/{org}/properties/values", "properties", settings.list_property_values),
    Route("GET", "/orgs/{org}/code-security/configurations", "code-security", settings.list_code_security_configurations),
    Route(
        "GET",
        "/orgs/{org}/code-security/configurations/{id}/repositories",
        "code-security",
        settings.list_configuration_repositories,
    ),
    Route("GET", "/orgs/{org}/actions/permissions", "actions/permissions", settings.get_actions_permissions),
    Route("GET", "/orgs/{org}/actions/permissions/selected-actions", "actions/permissions", settings.get_selected_actions),
    Route("GET", "/orgs/{org}/actions/permissions/workflow", "actions/permissions", settings.get_workflow_permissions),
    Route("GET", "/orgs/{org}/installation", "app", app.get_org_installation, auth="app", resource=None),
    Route(
        "POST", "/app/installations/{id}/access_tokens", "app", app.create_installation_token, auth="app", resource=None
    ),
    Route("GET", "/users/{user}", "users", accounts.get_user),
    Route("GET", "/users/{user}/repos", "repos", accounts.list_user_repos),
    Route("GET", _REPO, "repos", repos.get_repo),
    Route("GET", f"{_REPO}/topics", "repos", repos.get_topics),
    Route("GET", f"{_REPO}/git/trees/{{sha+}}", "git/trees", git.get_tree),
    Route("GET", f"{_REPO}/contents", "contents", git.get_contents),
    Route("GET", f"{_REPO}/contents/{{path+}}", "contents", git.get_contents),
    Route("GET", f"{_REPO}/tarball", "tarball", git.get_tarball),
    Route("GET", f"{_REPO}/tarball/{{ref+}}", "tarball", git.get_tarball),
    Route("GET", f"{_REPO}/branches", "branches", repos.list_branches),
    Route(
        "GET",
        f"{_REPO}/branches/{{branch+}}/protection/required_status_checks",
        "protection",
        repos.get_required_status_checks,
    ),
    Route("GET", f"{_REPO}/branches/{{branch+}}/protection", "protection", repos.get_protection),
    Route("GET", f"{_REPO}/branches/{{branch+}}", "branches", repos.get_branch),
    Route("GET", f"{_REPO}/rules/branches/{{branch+}}", "rules", repos.get_branch_rules),
    Route("GET", f"{_REPO}/rulesets", "rulesets", repos.list_repo_rulesets),
    Route("GET", f"{_REPO}/rulesets/{{id}}", "rulesets", repos.get_repo_ruleset),
    Route("GET", f"{_REPO}/deployments", "deployments", activity.list_deployments),
    Route("GET", f"{_REPO}/deployments/{{id}}/statuses", "deployments", activity.list_deployment_statuses),
    Route("GET", f"{_REPO}/environments", "environments", activity.list_environments),
    Route("GET", f"{_REPO}/actions/runs", "actions/runs", activity.list_workflow_runs),
    Route("GET", f"{_REPO}/code-scanning/default-setup", "code-scanning", settings.get_default_setup),
    Route("GET", f"{_REPO}/pages", "pages", settings.get_pages),
    Route("GET", f"{_REPO}/commits", "commits", git.list_commits),
    Route("GET", f"{_REPO}/commits/{{ref}}", "commits", git.get_commit),
    Route("POST", "/graphql", "graphql", graphql, resource="graphql"),
    Route(
        "GET",
        "/_codeload/{owner}/{repo}/legacy.tar.gz/{ref+}",
        "codeload",
        git.download_tarball,
        auth="none",
        resource=None,
    ),
    Route("GET", "/_raw/{owner}/{repo}/{ref}/{path+}", "raw", git.download_raw, auth="none", resource=None),
)


_TABLE = routes.RouteTable(ROUTES)


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    return _TABLE.match(method, path)
