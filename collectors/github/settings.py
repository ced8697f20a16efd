"""The settings a maturity verdict needs, read at the least request cost.

Once per organization (each a conditional request, free on an unchanged re-scan): its custom
properties (schema, and every repository's values in pages of 100), its Actions policy, its
code-security configurations and the repositories attached to those that decide default
setup, and its workflow templates (one contents listing of its `.github` repository).
Per repository, from its GraphQL batch: its production environment (asked for by name) and its
protection rules, CODEOWNERS errors. Per repository over REST, only with a reason: the
environments of one with several production environments or a deployment to one named by a
wildcard pattern, the Pages site of one that has Pages, and the default setup of code scanning
where no configuration decides it and the token administers the repository.
Each piece is its evidence data, or the reason (with the permission to grant) it is unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import quote

from collectors.base import Found, Gap
from collectors.github import settings_mapping as mapping
from collectors.github.client import PER_PAGE, ApiError, GitHubClient
from collectors.github.mapping import Listed
from collectors.github.metadata import RepoMetadata
from collectors.github.repository import gap

T = TypeVar("T")

PROPERTIES = "properties"
ACTIONS_POLICY = "actions/permissions"
CODE_SECURITY = "code-security"
CODE_SCANNING = "code-scanning"
TEMPLATES = "contents"
ENVIRONMENTS = "environments"
PAGES = "pages"

PROPERTIES_PERMISSION = "the token needs Custom properties: read on the organization (classic: read:org)"
ACTIONS_POLICY_PERMISSION = "the token needs Administration: read on the organization (classic: admin:org)"
CODE_SECURITY_PERMISSION = (
    "the token needs Administration: write on the organization, as an owner or security manager (classic: write:org)"
)
DEFAULT_SETUP_PERMISSION = "the token needs Administration: read on the repository"
ENVIRONMENTS_PERMISSION = "the token needs Actions: read"
CODEOWNERS_PERMISSION = "the token needs Contents: read"
PAGES_PERMISSION = "the token needs Pages: read"
TEMPLATES_PERMISSION = "the token needs Contents: read on the organization's .github repository"
AVAILABILITY_HIDDEN = (
    "GitHub did not show whether code scanning is available on this private repository — "
    "the token needs Administration: read on it (or be a security manager)"
)
USER_REPOSITORY = "a user account's repositories have no custom properties"
_DEFAULT_SETUP_SETTINGS = ("enabled", "disabled")  # "not_set" leaves it to the repository
_ATTACHED = frozenset({"attached", "attaching", "enforced", "updating"})
_CODE_SECURITY_FEATURES = ("advanced_security", "code_security")


Setting = Found  # the setting's evidence data, or why it is not known


@dataclass(frozen=True)
class OrganizationSettings:
    property_schema: dict[str, Any] | Gap
    property_values: dict[str, dict[str, str | list[str]]] | Gap  # repository name (lower) -> values
    ci_policy: dict[str, Any] | Gap
    ci_templates: dict[str, Any] | Gap
    code_scanning: dict[str, dict[str, Any]] | Gap  # repository name (lower) -> what a configuration decides
    production: tuple[str, ...] = ()


@dataclass(frozen=True)
class AccountSettings:
    """What repositories of a user account can know: no organization settings at all."""

    production: tuple[str, ...] = ()


def read_organization(
    client: GitHubClient, login: str, listed: Sequence[Listed], production: Sequence[str]
) -> OrganizationSettings:
    names = {repo.name.lower() for repo in listed}
    properties = f"/orgs/{login}/properties"
    schema = _attempt(
        lambda: mapping.property_schema(list(client.pages(PROPERTIES, f"{properties}/schema", conditional=True))),
        PROPERTIES_PERMISSION,
    )
    values = _attempt(
        lambda: mapping.property_values(client.pages(PROPERTIES, f"{properties}/values", conditional=True)),
        PROPERTIES_PERMISSION,
    )
    return OrganizationSettings(
        property_schema=schema,
        property_values=values,
        ci_policy=_attempt(lambda: _ci_policy(client, login), ACTIONS_POLICY_PERMISSION),
        ci_templates=_attempt(lambda: _ci_templates(client, login, ".github" in names), TEMPLATES_PERMISSION),
        code_scanning=_attempt(lambda: _configured_code_scanning(client, login), CODE_SECURITY_PERMISSION),
        production=tuple(production),
    )


def organization_evidence(settings: OrganizationSettings) -> Iterable[tuple[str, dict[str, Any] | Gap]]:
    yield "org.property_schema", settings.property_schema
    yield "org.ci_policy", settings.ci_policy
    yield "org.ci_templates", settings.ci_templates


def read_repository(
    client: GitHubClient, repo: Listed, meta: RepoMetadata | ApiError, account: OrganizationSettings | AccountSettings
) -> dict[str, Setting]:
    """Each repository setting kind -> its data, or why not. Runs in a worker thread."""
    found: dict[str, Setting] = {
        "repo.properties": _properties(repo, account),
        "vcs.pages": _pages(client, repo),
        "vcs.code_scanning": _code_scanning(client, repo, meta, account),
    }
    if isinstance(meta, RepoMetadata):
        found["delivery.environments"] = _environments(client, repo, meta, account.production)
        found["vcs.codeowners_check"] = (
            Gap(f"{meta.denied['codeowners']} — {CODEOWNERS_PERMISSION}")
            if "codeowners" in meta.denied
            else mapping.codeowners_check(meta.data.get("codeowners"))
        )
    else:
        found["delivery.environments"] = found["vcs.codeowners_check"] = gap(meta)
    return found


# --- the organization ---------------------------------------------------------------------


def _ci_policy(client: GitHubClient, login: str) -> dict[str, Any]:
    base = f"/orgs/{login}/actions/permissions"
    permissions = client.get(ACTIONS_POLICY, base, conditional=True).data
    selected = (
        client.get(ACTIONS_POLICY, f"{base}/selected-actions", conditional=True).data
        if permissions.get("allowed_actions") == "selected"
        else None
    )
    workflow = client.get(ACTIONS_POLICY, f"{base}/workflow", conditional=True).data
    return mapping.ci_policy(permissions, selected, workflow)


def _ci_templates(client: GitHubClient, login: str, has_dot_github: bool) -> dict[str, Any]:
    """Workflow templates live in the organization's `.github` repository; without one (among the
    repositories the token sees) there are none to offer."""
    repository = f"{login}/.github"
    if not has_dot_github:
        return mapping.ci_templates(None, None)
    try:
        items = client.get(TEMPLATES, f"/repos/{repository}/contents/{mapping.WORKFLOW_TEMPLATES}", conditional=True).data
    except ApiError as exc:
        if exc.status == 404 and exc.sso_url is None:  # the repository is listed, so the folder is missing
            return mapping.ci_templates(None, None)
        raise
    return mapping.ci_templates(items if isinstance(items, list) else None, repository)


def _configured_code_scanning(client: GitHubClient, login: str) -> dict[str, dict[str, Any]]:
    """What the organization's code-security configurations decide about default setup, per
    attached repository. Only configurations that set it are followed to their repositories."""
    decided: dict[str, dict[str, Any]] = {}
    for configuration in client.pages(CODE_SECURITY, f"/orgs/{login}/code-security/configurations", conditional=True):
        setting = configuration.get("code_scanning_default_setup")
        if setting not in _DEFAULT_SETUP_SETTINGS:
            continue
        path = f"/orgs/{login}/code-security/configurations/{configuration['id']}/repositories"
        for attached in client.pages(CODE_SECURITY, path, conditional=True):
            repository = attached.get("repository") or {}
            if attached.get("status") in _ATTACHED and repository.get("name"):
                decided[str(repository["name"]).lower()] = mapping.configured_code_scanning(setting, str(configuration.get("name")))
    return decided


# --- one repository -------------------------------------------------------------------------


def _properties(repo: Listed, account: OrganizationSettings | AccountSettings) -> Setting:
    if isinstance(account, AccountSettings):
        return Gap(USER_REPOSITORY, unsupported=True)
    if isinstance(account.property_values, Gap):
        return account.property_values
    required = account.property_schema.get("required", []) if isinstance(account.property_schema, dict) else []
    return mapping.repository_properties(account.property_values.get(repo.name.lower(), {}), required)


def _environments(client: GitHubClient, repo: Listed, meta: RepoMetadata, production: Sequence[str]) -> Setting:
    """The batch asks for the first environment named like production by a literal name. All of
    them are read over REST only with a reason: several have such names, or a deployment in the
    window went to a production environment named by a wildcard pattern (prod-*)."""
    if "environments" in meta.denied:
        return Gap(f"{meta.denied['environments']} — {ENVIRONMENTS_PERMISSION}")
    connection = meta.data.get("environments")
    literal = {name.lower() for name in mapping.literal_names(production)}
    deployed = {
        str(node.get("environment"))
        for node in meta.deployments
        if node.get("environment") and mapping.is_production(str(node["environment"]), production)
    }
    unnamed = any(name.lower() not in literal for name in deployed)  # asked for by no name
    if not isinstance(connection, dict):  # not asked: production_environments names none literally
        if not unnamed:
            return Gap("production_environments has no name without wildcards to ask GitHub for")
    else:
        nodes = [node for node in connection.get("nodes") or () if isinstance(node, dict)]
        total = connection.get("totalCount")
        if isinstance(total, int) and total <= len(nodes) and not unnamed:
            return mapping.environments(mapping.environment_rules(nodes), True, production)
    try:
        answer = client.get(ENVIRONMENTS, f"/repos/{repo.owner}/{repo.name}/environments", {"per_page": PER_PAGE}, conditional=True)
    except ApiError as exc:
        return gap(exc, ENVIRONMENTS_PERMISSION)
    items = answer.data.get("environments") if isinstance(answer.data, dict) else None
    if not isinstance(items, list):
        return Gap("GitHub's environments answer has no environments list", failure=True)
    from github.Environment import Environment  # PyGithub loads only for a repository's environments

    typed = [client.typed(Environment, item) for item in items if isinstance(item, dict)]
    rules = mapping.named_rules((env.name, [rule.type for rule in env.protection_rules or ()]) for env in typed)
    return mapping.environments(rules, answer.next_url is None, production)


def _pages(client: GitHubClient, repo: Listed) -> Setting:
    if not repo.has_pages:
        return mapping.pages(None)
    try:
        answer = client.get(PAGES, f"/repos/{repo.owner}/{repo.name}/pages", conditional=True)
    except ApiError as exc:
        if exc.status == 404 and exc.sso_url is None:  # unpublished since the listing
            return mapping.pages(None)
        return gap(exc, PAGES_PERMISSION)
    return mapping.pages(answer.data if isinstance(answer.data, dict) else None)


def _code_scanning(
    client: GitHubClient, repo: Listed, meta: RepoMetadata | ApiError, account: OrganizationSettings | AccountSettings
) -> Setting:
    """A configuration's decision where one is attached; else the repository's own default setup,
    asked only where the token administers the repository and code scanning is available on it
    (public, or GitHub Code Security enabled on it)."""
    configured = account.code_scanning if isinstance(account, OrganizationSettings) else {}
    if isinstance(configured, dict) and repo.name.lower() in configured:
        return configured[repo.name.lower()]
    if isinstance(meta, RepoMetadata) and meta.data.get("viewerCanAdminister") is False:
        hidden = f"the default setup of code scanning is shown to repository administrators only — {DEFAULT_SETUP_PERMISSION}"
        return Gap(hidden if isinstance(configured, dict) else f"{configured.reason}; {hidden}")
    analysis = repo.security_and_analysis
    if repo.visibility != "public":
        if analysis is None:  # GitHub shows it to administrators; not asking spares a refusal on every re-scan
            return Gap(AVAILABILITY_HIDDEN)
        if not any((analysis.get(name) or {}).get("status") == "enabled" for name in _CODE_SECURITY_FEATURES):
            return mapping.code_scanning_unavailable()  # a plan feature this repository does not have
    try:
        answer = client.get(CODE_SCANNING, f"/repos/{repo.owner}/{quote(repo.name)}/code-scanning/default-setup", conditional=True)
    except ApiError as exc:
        # GitHub refuses an administrator with "Advanced Security must be enabled…": the plan, not a permission.
        if exc.status == 403 and exc.sso_url is None and "must be enabled" in exc.message:
            return mapping.code_scanning_unavailable()
        return gap(exc, DEFAULT_SETUP_PERMISSION)
    return mapping.default_setup(answer.data if isinstance(answer.data, dict) else {})


def _attempt(read: Callable[[], T], permission: str) -> T | Gap:
    """The value, or why it could not be read (a refused token propagates)."""
    try:
        return read()
    except ApiError as exc:
        return gap(exc, permission)
