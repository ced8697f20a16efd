"""The routes of the fake GitLab: turns a `Request` into a `Response` from an `Instance`.

Offset pages carry GitLab's headers (`Link` with first/prev/next/last, `X-Page`,
`X-Per-Page`, `X-Next-Page`, `X-Total`, `X-Total-Pages`); keyset pages carry only
`Link: rel="next"`. Keyset is served where GitLab serves it (here: repository trees) and
refused with 405 elsewhere. Errors have GitLab's shapes: `{"message": "404 Project Not Found"}`,
`{"error": "..."}` for the 405.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from tests.fakes.http.archive import git_archive
from tests.fakes.http.exchange import Request, Response, json_response
from tests.fakes.http.routes import Route, RouteTable

from . import graphql, payloads
from .model import Group, Instance, Project

API = "/api/v4"
GRAPHQL = "/api/graphql"
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
KEYSET_REFUSED = "Keyset pagination is not yet available for this type of request"


class GitLabError(Exception):
    def __init__(self, status: int, message: str, key: str = "message") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.key = key

    def response(self) -> Response:
        return json_response({self.key: self.message}, self.status)


def not_found(what: str) -> GitLabError:
    return GitLabError(404, f"404 {what} Not Found")


def forbidden() -> GitLabError:
    return GitLabError(403, "403 Forbidden")


Handler = Callable[[Instance, str, Request, dict[str, str]], Response]


def handle(instance: Instance, base: str, request: Request) -> Response:
    """Answer one request; `base` is the instance's URL as the client reached it."""
    if request.path == GRAPHQL and request.method == "POST":
        if request.headers.get("private-token") not in instance.tokens:
            return json_response({"errors": [{"message": "Invalid token"}]}, 401)
        return graphql.answer(instance, request)
    if not request.path.startswith(API + "/"):
        # A wrong base URL reaches GitLab's web UI: an HTML page, not the API.
        return Response(404, b"<!DOCTYPE html><html><body>404 Page Not Found</body></html>", {"Content-Type": "text/html"})
    if request.headers.get("private-token") not in instance.tokens:
        return json_response({"message": "401 Unauthorized"}, 401)
    found = ROUTES.match(request.method, request.path)
    if found is None:
        return json_response({"error": "404 Not Found"}, 404)
    route, params = found
    try:
        return route.handler(instance, base, request, params)
    except GitLabError as exc:
        return exc.response()


# --- groups --------------------------------------------------------------------------------


def _group(instance: Instance, base: str, request: Request, params: dict[str, str]) -> Response:
    group = instance.group(params["group"])
    if group is None:
        raise not_found("Group")
    return json_response(payloads.group(base, group))


def _group_members(instance: Instance, base: str, request: Request, params: dict[str, str]) -> Response:
    group = instance.group(params["group"])
    if group is None:
        raise not_found("Group")
    items = [payloads.member(index, name, level) for index, (name, level) in enumerate(group.members)]
    return _offset_page(base, request, items)


def _group_protected_branches(instance: Instance, base: str, request: Request, params: dict[str, str]) -> Response:
    group = instance.group(params["group"])
    if group is None:
        raise not_found("Group")
    if instance.tier == "free":
        raise forbidden()
    return _offset_page(base, request, group.protected_branches)


def _descendant_groups(instance: Instance, base: str, request: Request, params: dict[str, str]) -> Response:
    group = instance.group(params["group"])
    if group is None:
        raise not_found("Group")
    below = [item for item in instance.descendants(group) if item is not group]
    return _offset_page(base, request, [payloads.group(base, item) for item in sorted(below, key=lambda item: item.id)])


def _group_projects(instance: Instance, base: str, request: Request, params: dict[str, str]) -> Response:
    group = instance.group(params["group"])
    if group is None:
        raise not_found("Group")
    if request.query.get("pagination") == "keyset":
        raise GitLabError(405, KEYSET_REFUSED, key="error")
    within = instance.descendants(group) if _true(request.query.get("include_subgroups")) else [group]
    ids = {item.id for item in within}
    projects = [item for item in instance.projects if item.namespace.id in ids]
    archived = request.query.get("archived")
    if archived is not None:
        projects = [item for item in projects if item.archived == _true(archived)]
    projects.sort(key=lambda item: item.id)
    statistics = _true(request.query.get("statistics"))
    return _offset_page(base, request, [payloads.project(base, instance, item, statistics) for item in projects])


# --- projects ------------------------------------------------------------------------------


def _project_of(instance: Instance, params: dict[str, str]) -> Project:
    project = instance.project(params["project"])
    if project is None:
        raise not_found("Project")
    return project


def _tree(instance: Instance, base: str, request: Request, params: dict[str, str]) -> Response:
    project = _project_of(instance, params)
    ref = request.query.get("ref") or project.default_branch
    if project.default_branch is None or ref != project.default_branch:
        raise not_found("Tree")
    recursive = _true(request.query.get("recursive"))
    folders = sorted({path.rsplit("/", 1)[0] for path in project.files if "/" in path})
    entries = [payloads.tree_folder(folder) for folder in folders] + [payloads.tree_entry(path) for path in sorted(project.files)]
    if not recursive:
        entries = [entry for entry in entries if "/" not in entry["path"]]
    entries.sort(key=lambda entry: entry["path"])
    if request.query.get("pagination") == "keyset":
        if not instance.keyset_tree:
            raise GitLabError(405, KEYSET_REFUSED, key="error")
        return _keyset_page(base, request, entries, key="path", token="page_token")
    return _offset_page(base, request, entries)


def _raw_file(instance: Instance, base: str, request: Request, params: dict[str, str]) -> Response:
    project = _project_of(instance, params)
    ref = request.query.get("ref", project.default_branch)
    if project.default_branch is None or (ref != project.default_branch and ref not in project.tags):
        raise not_found("File")
    content = project.files.get(params["file"])
    if content is None:
        raise not_found("File")
    return Response(200, content, {"Content-Type": "text/plain; charset=utf-8", "X-Gitlab-Commit-Id": project.head_commit})


def _latest_release(instance: Instance, base: str, request: Request, params: dict[str, str]) -> Response:
    """`/projects/:id/releases/permalink/latest`: the latest release (404 without one)."""
    project = _project_of(instance, params)
    if not project.releases:
        raise GitLabError(404, "404 Not Found")
    return json_response(payloads.release(base, project, project.releases[-1]))


_ARCHIVES: dict[tuple[int, str, str, int], bytes] = {}  # memo: building the tarball of a large project costs the fake
_MAX_ARCHIVES = 2000


def archive_of(project: Project, ref: str) -> bytes:
    """The project's tarball at `ref`, built once while its files and head are unchanged (the
    benchmark builds them all before it measures: a real GitLab builds them on its own CPU)."""
    key = (project.id, ref, project.head_commit, hash(frozenset(project.files.items())))
    data = _ARCHIVES.get(key)
    if data is None:
        top = f"{project.path}-{ref}-{project.head_commit}"
        data = git_archive(project.files, top, project.head_commit, _instant(project.last_activity_at))
        if len(_ARCHIVES) >= _MAX_ARCHIVES:
            _ARCHIVES.pop(next(iter(_ARCHIVES)))
        _ARCHIVES[key] = data
    return data


def _archive(instance: Instance, base: str, request: Request, params: dict[str, str]) -> Response:
    """`/projects/:id/repository/archive.tar.gz?sha=`: the tree at the ref as `git archive` writes it,
    one top folder named `<project>-<ref>-<commit>`; 404 for a ref the project does not have."""
    project = _project_of(instance, params)
    ref = request.query.get("sha") or project.default_branch
    if project.default_branch is None or ref not in (project.default_branch, project.head_commit):
        raise not_found("Tree")
    return Response(200, archive_of(project, ref), {"Content-Type": "application/octet-stream",
                                "Content-Disposition": f'attachment; filename="{project.path}-{ref}.tar.gz"'})


def _protected_branches(instance: Instance, base: str, request: Request, params: dict[str, str]) -> Response:
    project = _project_of(instance, params)
    items = [payloads.protected_branch(index + 1, branch, instance.tier) for index, branch in enumerate(project.protected_branches)]
    return _offset_page(base, request, items)


def _commits(instance: Instance, base: str, request: Request, params: dict[str, str]) -> Response:
    project = _project_of(instance, params)
    if project.default_branch is None or request.query.get("ref_name", project.default_branch) != project.default_branch:
        raise not_found("Branch")
    since = request.query.get("since")
    chosen = [entry for entry in project.commits if since is None or _instant(entry.committed_date) >= _instant(since)]
    chosen.sort(key=lambda entry: _instant(entry.committed_date), reverse=True)  # newest first, as GitLab
    return _offset_page(base, request, [payloads.commit(base, project, entry) for entry in chosen])


def _merge_requests(instance: Instance, base: str, request: Request, params: dict[str, str]) -> Response:
    project = _project_of(instance, params)
    items = [payloads.merge_request(base, project, index, entry) for index, entry in enumerate(project.merge_requests)]
    state = request.query.get("state", "all")
    if state != "all":
        items = [item for item in items if item["state"] == state]
    after = request.query.get("updated_after")
    if after is not None:
        items = [item for item in items if _instant(item["updated_at"]) > _instant(after)]
    items.sort(key=lambda item: _instant(item["created_at"]), reverse=True)  # GitLab's default: created_at desc
    return _offset_page(base, request, items)


def _deployments(instance: Instance, base: str, request: Request, params: dict[str, str]) -> Response:
    project = _project_of(instance, params)
    items = [payloads.deployment(base, project, index, deploy) for index, deploy in enumerate(project.deployments)]
    after = request.query.get("updated_after")
    if after is not None:
        if request.query.get("order_by") != "updated_at":  # as GitLab: the filter needs that order
            raise GitLabError(400, "updated_after requires order_by=updated_at", key="error")
        items = [item for item in items if _instant(item["updated_at"]) > _instant(after)]
    items.sort(key=lambda item: (_instant(item["updated_at"]), item["id"]), reverse=request.query.get("sort") == "desc")
    return _offset_page(base, request, items)


def _approval_rules(instance: Instance, base: str, request: Request, params: dict[str, str]) -> Response:
    project = _project_of(instance, params)
    if instance.tier == "free":  # a licensed feature: GitLab refuses it on the Free tier
        raise forbidden()
    items = [payloads.approval_rule(index + 1, rule, project) for index, rule in enumerate(project.approval_rules)]
    return _offset_page(base, request, items)


def _push_rule(instance: Instance, base: str, request: Request, params: dict[str, str]) -> Response:
    """As GitLab's ProjectPushRule API: the Maintainer role is checked first (403), then the
    licence (404 where push rules are not available); no rule set is `null`."""
    project = _project_of(instance, params)
    if not instance.administers(str(request.headers.get("private-token") or "")):
        raise forbidden()
    if instance.tier == "free":
        raise GitLabError(404, "404 Not Found")
    return json_response(None if project.push_rule is None else payloads.push_rule(project, project.push_rule))


def _project_approvals(instance: Instance, base: str, request: Request, params: dict[str, str]) -> Response:
    project = _project_of(instance, params)
    if instance.tier == "free":  # a licensed feature
        raise forbidden()
    return json_response(payloads.project_approvals(project))


def _group_approval_setting(instance: Instance, base: str, request: Request, params: dict[str, str]) -> Response:
    """Shown to the group's Owners only (403 otherwise), on Premium and Ultimate (404 on Free)."""
    group = instance.group(params["group"])
    if group is None:
        raise not_found("Group")
    if request.headers.get("private-token") not in instance.owner_tokens:
        raise forbidden()
    if instance.tier == "free":
        raise GitLabError(404, "404 Not Found")
    return json_response(payloads.group_approval_setting(group))


def _saml_group_links(instance: Instance, base: str, request: Request, params: dict[str, str]) -> Response:
    """As GitLab's SamlGroupLinks API: `unauthorized!` (401) unless the user may administer the
    group's SAML links: an Owner, on Premium and up, with SAML group sync set up. A subgroup is
    answered alike: its Owners include the top-level group's, and SAML group sync is the
    top-level group's (`saml_group_sync_available?` asks the root ancestor)."""
    group = _directory_group(instance, params)
    if request.headers.get("private-token") not in instance.owner_tokens or instance.tier == "free" \
            or not instance.saml_group_sync:
        raise GitLabError(401, "401 Unauthorized")
    return _offset_page(base, request, [payloads.saml_group_link(*link) for link in group.saml_links])


def _ldap_group_links(instance: Instance, base: str, request: Request, params: dict[str, str]) -> Response:
    """As GitLab's LdapGroupLinks API: 403 below Owner (`authorize! :admin_group`), 404 with its
    own message for a group without links; a subgroup alike (its Owners include the top-level group's)."""
    group = _directory_group(instance, params)
    if request.headers.get("private-token") not in instance.owner_tokens:
        raise forbidden()
    if not group.ldap_links:
        raise GitLabError(404, "No linked LDAP groups found")
    return _offset_page(base, request, [payloads.ldap_group_link(*link) for link in group.ldap_links])


def _directory_group(instance: Instance, params: dict[str, str]) -> Group:
    if not instance.directory_link_routes:  # no such route: GitLab's router answers
        raise GitLabError(404, "404 Not Found", key="error")
    group = instance.group(params["group"])
    if group is None:
        raise not_found("Group")
    return group


def _project_members(instance: Instance, base: str, request: Request, params: dict[str, str]) -> Response:
    """Direct members only (`/members/all` would add the inherited ones)."""
    project = _project_of(instance, params)
    items = [payloads.project_member(index, *member) for index, member in enumerate(project.members)]
    return _offset_page(base, request, items)


DORA_METRICS = ("deployment_frequency", "lead_time_for_changes", "time_to_restore_service", "change_failure_rate")


def _dora_metrics(instance: Instance, base: str, request: Request, params: dict[str, str]) -> Response:
    """`/projects/:id/dora/metrics` (Ultimate): one metric over the range; interval=all is one bucket."""
    return _dora_answer(instance, request, _project_of(instance, params).dora)


def _group_dora_metrics(instance: Instance, base: str, request: Request, params: dict[str, str]) -> Response:
    """`/groups/:id/dora/metrics` (Ultimate): the same over every project of the group and its subgroups."""
    group = instance.group(params["group"])
    if group is None:
        raise not_found("Group")
    return _dora_answer(instance, request, group.dora)


def _dora_answer(instance: Instance, request: Request, values: dict[str, float | None]) -> Response:
    if instance.tier != "ultimate":
        raise GitLabError(403, "You do not have permission to access dora metrics.")
    metric = request.query.get("metric")
    if metric not in DORA_METRICS:
        raise GitLabError(400, "metric does not have a valid value", key="error")
    if request.query.get("interval", "daily") != "all":
        raise GitLabError(400, "the fake serves interval=all only", key="error")
    for name in ("start_date", "end_date"):
        if name in request.query:
            _instant(request.query[name])
    return json_response([{"date": None, "value": values.get(metric)}])


ROUTES: RouteTable[Route[Handler]] = RouteTable([
    Route("GET", f"{API}{template}", name, handler)
    for template, name, handler in (
        ("/groups/{group}", "group", _group),
        ("/groups/{group}/members", "group members", _group_members),
        ("/groups/{group}/protected_branches", "group protected branches", _group_protected_branches),
        ("/groups/{group}/projects", "projects", _group_projects),
        ("/groups/{group}/descendant_groups", "subgroups", _descendant_groups),
        ("/groups/{group}/merge_request_approval_setting", "group approval settings", _group_approval_setting),
        ("/groups/{group}/dora/metrics", "group DORA metrics", _group_dora_metrics),
        ("/groups/{group}/saml_group_links", "SAML group links", _saml_group_links),
        ("/groups/{group}/ldap_group_links", "LDAP group links", _ldap_group_links),
        ("/projects/{project}/members", "project members", _project_members),
        ("/projects/{project}/approvals", "approval settings", _project_approvals),
        ("/projects/{project}/repository/tree", "tree", _tree),
        ("/projects/{project}/repository/files/{file}/raw", "raw file", _raw_file),
        ("/projects/{project}/repository/archive.tar.gz", "archive", _archive),
        ("/projects/{project}/releases/permalink/latest", "latest release", _latest_release),
        ("/projects/{project}/protected_branches", "protected branches", _protected_branches),
        ("/projects/{project}/deployments", "deployments", _deployments),
        ("/projects/{project}/repository/commits", "commits", _commits),
        ("/projects/{project}/merge_requests", "merge requests", _merge_requests),
        ("/projects/{project}/approval_rules", "approval rules", _approval_rules),
        ("/projects/{project}/push_rule", "push rule", _push_rule),
        ("/projects/{project}/dora/metrics", "DORA metrics", _dora_metrics),
    )
])


# --- paging --------------------------------------------------------------------------------


def _per_page(request: Request) -> int:
    try:
        return max(1, min(int(request.query.get("per_page", DEFAULT_PER_PAGE)), MAX_PER_PAGE))
    except ValueError:
        return DEFAULT_PER_PAGE


def _offset_page(base: str, request: Request, items: Sequence[Any]) -> Response:
    per_page = _per_page(request)
    try:
        page = max(1, int(request.query.get("page", "1")))
    except ValueError:
        page = 1
    last = max(1, -(-len(items) // per_page))

    def url(number: int) -> str:
        return f"{base}{request.path}?{urlencode({**request.query, 'page': str(number), 'per_page': str(per_page)})}"

    links = [f'<{url(page - 1)}>; rel="prev"'] if page > 1 else []
    links += [f'<{url(page + 1)}>; rel="next"'] if page < last else []
    links += [f'<{url(1)}>; rel="first"', f'<{url(last)}>; rel="last"']
    headers = {
        "Link": ", ".join(links),
        "X-Page": str(page),
        "X-Per-Page": str(per_page),
        "X-Next-Page": str(page + 1) if page < last else "",
        "X-Prev-Page": str(page - 1) if page > 1 else "",
        "X-Total": str(len(items)),
        "X-Total-Pages": str(last),
    }
    return json_response(list(items[(page - 1) * per_page : page * per_page]), headers=headers)


def _keyset_page(base: str, request: Request, items: Sequence[dict[str, Any]], *, key: str, token: str) -> Response:
    per_page = _per_page(request)
    after = request.query.get(token)
    start = 0 if after is None else next((i + 1 for i, item in enumerate(items) if item[key] == after), len(items))
    chunk = list(items[start : start + per_page])
    headers: dict[str, str] = {}
    if start + per_page < len(items):
        query = {**request.query, token: chunk[-1][key], "per_page": str(per_page)}
        headers["Link"] = f'<{base}{request.path}?{urlencode(query)}>; rel="next"'
    return json_response(chunk, headers=headers)


def _instant(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise GitLabError(400, f"invalid date {value!r}", key="error") from None


def _true(value: str | None) -> bool:
    return (value or "").lower() in ("true", "1", "yes")

