"""Organization and repository settings: custom properties, code-security configurations and
default setup, Actions permissions, Pages. Refusals in GitHub's shapes: organization settings
need an organization administrator, default setup a repository administrator, and code scanning
of a private repository needs GitHub Advanced Security (a plan feature)."""

from __future__ import annotations

from ..context import Call
from ..exchange import ApiError, Response, json_response, not_found
from ..payloads import repos, settings
from ..payloads.repos import Owner

_PROPERTIES_DOCS = "https://docs.github.com/rest/orgs/custom-properties"
_CODE_SCANNING_DOCS = "https://docs.github.com/rest/code-scanning/code-scanning#get-a-code-scanning-default-setup-configuration"
_PAGES_DOCS = "https://docs.github.com/rest/pages/pages#get-a-apiname-pages-site"
_ADVANCED_SECURITY = ("advanced_security", "code_security")


def _require_properties_read(call: Call) -> None:
    if call.token is not None and not call.token.custom_properties_read:
        raise ApiError(403, f"Resource not accessible by {call.token.kind_in_errors}", _PROPERTIES_DOCS)


def get_property_schema(call: Call) -> Response:
    org = call.org()
    _require_properties_read(call)
    return json_response([settings.property_schema(call.links, org, entry) for entry in org.custom_properties])


def list_property_values(call: Call) -> Response:
    org = call.org()
    _require_properties_read(call)
    return call.page([settings.property_values(org, repo) for repo in org.repos])


def list_code_security_configurations(call: Call) -> Response:
    org = call.org()
    call.require_org_admin()
    return call.page([settings.code_security_configuration(call.links, org, entry) for entry in org.code_security_configurations])


def list_configuration_repositories(call: Call) -> Response:
    org = call.org()
    call.require_org_admin()
    entry = next((c for c in org.code_security_configurations if str(c.id) == call.params["id"]), None)
    if entry is None:
        raise not_found()
    owner = Owner.of(org)
    attached = [repo for name in entry.repositories if (repo := org.repo(name)) is not None]
    return call.page(
        [settings.attached_repository(repos.repository(call.links, owner, repo, admin=call.is_repo_admin())) for repo in attached]
    )


def get_default_setup(call: Call) -> Response:
    _, repo = call.repo()
    if not call.is_repo_admin():
        raise ApiError(403, "Must have admin rights to Repository.", _CODE_SCANNING_DOCS)
    features = repo.security_and_analysis or {}
    if repo.visibility != "public" and not any(features.get(name) == "enabled" for name in _ADVANCED_SECURITY):
        raise ApiError(403, "Advanced Security must be enabled for this repository to use code scanning.", _CODE_SCANNING_DOCS)
    return json_response(settings.default_setup(repo))


def get_actions_permissions(call: Call) -> Response:
    org = call.org()
    call.require_org_admin()
    return json_response(settings.actions_permissions(call.links, org, org.actions_permissions))


def get_selected_actions(call: Call) -> Response:
    org = call.org()
    call.require_org_admin()
    if org.actions_permissions.allowed_actions != "selected":
        raise ApiError(409, "Selected actions are only available when allowed_actions is set to selected", "https://docs.github.com/rest/actions/permissions")
    return json_response(settings.selected_actions(org.actions_permissions))


def get_workflow_permissions(call: Call) -> Response:
    org = call.org()
    call.require_org_admin()
    return json_response(settings.workflow_permissions(org.actions_permissions))


def get_pages(call: Call) -> Response:
    owner, repo = call.repo()
    if repo.pages is None:
        raise ApiError(404, "Not Found", _PAGES_DOCS)
    return json_response(settings.pages(call.links, owner.login, repo, repo.pages))
