"""Organization and repository settings in GitHub's REST shapes: custom properties, code-security
configurations and default setup, Actions permissions, Pages."""

from __future__ import annotations

from typing import Any

from ..model import (
    EPOCH,
    ActionsPermissions,
    CodeSecurityConfiguration,
    CustomProperty,
    Organization,
    Pages,
    Repository,
)
from .links import Links, iso

EPOCH_ISO = iso(EPOCH)


def property_schema(links: Links, org: Organization, entry: CustomProperty) -> dict[str, Any]:
    """One item of `GET /orgs/{org}/properties/schema` (custom-property)."""
    return {
        "property_name": entry.name,
        "url": f"{links.base}/orgs/{org.login}/properties/schema/{entry.name}",
        "source_type": "organization",
        "value_type": entry.value_type,
        "required": entry.required,
        "default_value": entry.default_value,
        "description": entry.description,
        "allowed_values": entry.allowed_values,
        "values_editable_by": "org_actors",
    }


def property_values(org: Organization, repo: Repository) -> dict[str, Any]:
    """One item of `GET /orgs/{org}/properties/values` (org-repo-custom-property-values)."""
    return {
        "repository_id": repo.id,
        "repository_name": repo.name,
        "repository_full_name": f"{org.login}/{repo.name}",
        "properties": [{"property_name": name, "value": value} for name, value in repo.custom_properties.items()],
    }


def code_security_configuration(links: Links, org: Organization, entry: CodeSecurityConfiguration) -> dict[str, Any]:
    """One item of `GET /orgs/{org}/code-security/configurations` (code-security-configuration)."""
    return {
        "id": entry.id,
        "name": entry.name,
        "target_type": "organization",
        "description": f"{entry.name} configuration",
        "advanced_security": "enabled",
        "dependency_graph": "enabled",
        "dependency_graph_autosubmit_action": "not_set",
        "dependabot_alerts": "enabled",
        "dependabot_security_updates": "not_set",
        "code_scanning_default_setup": entry.code_scanning_default_setup,
        "secret_scanning": "enabled",
        "secret_scanning_push_protection": "enabled",
        "private_vulnerability_reporting": "not_set",
        "enforcement": "enforced",
        "url": f"{links.base}/orgs/{org.login}/code-security/configurations/{entry.id}",
        "html_url": links.html(f"/organizations/{org.login}/settings/security_products/configurations/edit/{entry.id}"),
        "created_at": EPOCH_ISO,
        "updated_at": EPOCH_ISO,
    }


def attached_repository(repository: dict[str, Any]) -> dict[str, Any]:
    """One item of `GET /orgs/{org}/code-security/configurations/{id}/repositories`."""
    return {"status": "attached", "repository": repository}


def default_setup(repo: Repository) -> dict[str, Any]:
    """`GET /repos/{owner}/{repo}/code-scanning/default-setup` (code-scanning-default-setup)."""
    configured = repo.code_scanning_default_setup
    return {
        "state": "configured" if configured else "not-configured",
        "languages": ["python"] if configured else [],
        "runner_type": "standard" if configured else None,
        "runner_label": None,
        "query_suite": "default",
        "updated_at": EPOCH_ISO if configured else None,
        "schedule": "weekly" if configured else None,
    }


def actions_permissions(links: Links, org: Organization, entry: ActionsPermissions) -> dict[str, Any]:
    """`GET /orgs/{org}/actions/permissions` (actions-organization-permissions)."""
    payload: dict[str, Any] = {"enabled_repositories": entry.enabled_repositories, "allowed_actions": entry.allowed_actions}
    if entry.enabled_repositories == "selected":
        payload["selected_repositories_url"] = f"{links.base}/orgs/{org.login}/actions/permissions/repositories"
    if entry.allowed_actions == "selected":
        payload["selected_actions_url"] = f"{links.base}/orgs/{org.login}/actions/permissions/selected-actions"
    return payload


def selected_actions(entry: ActionsPermissions) -> dict[str, Any]:
    """`GET /orgs/{org}/actions/permissions/selected-actions` (selected-actions)."""
    return {
        "github_owned_allowed": entry.github_owned_allowed,
        "verified_allowed": entry.verified_allowed,
        "patterns_allowed": list(entry.patterns_allowed),
    }


def workflow_permissions(entry: ActionsPermissions) -> dict[str, Any]:
    """`GET /orgs/{org}/actions/permissions/workflow` (actions-get-default-workflow-permissions)."""
    return {
        "default_workflow_permissions": entry.default_workflow_permissions,
        "can_approve_pull_request_reviews": entry.can_approve_pull_request_reviews,
    }


def pages(links: Links, owner: str, repo: Repository, entry: Pages) -> dict[str, Any]:
    """`GET /repos/{owner}/{repo}/pages` (page)."""
    site = f"https://{entry.cname}/" if entry.cname else f"https://{owner.lower()}.github.io/{repo.name}/"
    return {
        "url": links.repo_api(owner, repo.name, "/pages"),
        "status": "built",
        "cname": entry.cname,
        "custom_404": False,
        "html_url": site,
        "build_type": entry.build_type,
        "source": {"branch": repo.default_branch, "path": "/"} if entry.build_type == "legacy" else None,
        "public": entry.public,
        "https_certificate": None,
        "https_enforced": entry.https_enforced,
        "protected_domain_state": None,
        "pending_domain_unverified_at": None,
    }
