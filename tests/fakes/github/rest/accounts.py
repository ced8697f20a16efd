"""Organizations, users, their repository lists, members and teams."""

from __future__ import annotations

from ..context import Call
from ..exchange import ApiError, Response, json_response, not_found
from ..model import Organization, Repository, Team
from ..payloads import accounts, repos
from ..payloads.repos import Owner

_SORT_KEYS = {
    "created": lambda repo: repo.created_at,
    "updated": lambda repo: repo.pushed_at,
    "pushed": lambda repo: repo.pushed_at,
    "full_name": lambda repo: repo.name.lower(),
}
_ORG_TYPES = {
    "all": lambda repo: True,
    "public": lambda repo: repo.visibility == "public",
    "private": lambda repo: repo.visibility != "public",
    "forks": lambda repo: repo.fork,
    "sources": lambda repo: not repo.fork,
    "member": lambda repo: True,
    "owner": lambda repo: True,
}


def get_org(call: Call) -> Response:
    return json_response(accounts.organization_full(call.links, call.org()))


def get_user(call: Call) -> Response:
    login = call.params["user"]
    org = call.world.org(login)
    if org is not None:  # GitHub answers /users/{org} with the organization as a user-shaped account
        return json_response(accounts.organization_full(call.links, org))
    user = call.world.user(login)
    if user is None:
        raise not_found()
    return json_response(accounts.public_user(call.links, user))


def _sorted_repos(call: Call, candidates: list[Repository], default_sort: str) -> list[Repository]:
    kind = call.request.query.get("type", "all")
    sort = call.request.query.get("sort", default_sort)
    if kind not in _ORG_TYPES or sort not in _SORT_KEYS:
        raise ApiError(422, "Validation Failed", "https://docs.github.com/rest/repos/repos")
    direction = call.request.query.get("direction", "asc" if sort == "full_name" else "desc")
    chosen = [repo for repo in candidates if _ORG_TYPES[kind](repo)]
    return sorted(chosen, key=_SORT_KEYS[sort], reverse=direction == "desc")


def _repo_list(call: Call, owner: Owner, candidates: list[Repository], default_sort: str) -> Response:
    chosen = _sorted_repos(call, candidates, default_sort)
    admin = call.is_repo_admin()
    return call.page([repos.repository(call.links, owner, repo, admin=admin) for repo in chosen])


def list_org_repos(call: Call) -> Response:
    org = call.org()
    return _repo_list(call, Owner.of(org), org.repos, "created")


def list_user_repos(call: Call) -> Response:
    account = call.account(call.params["user"])
    return _repo_list(call, Owner.of(account), account.repos, "full_name")


def list_members(call: Call) -> Response:
    org = call.org()
    role = call.request.query.get("role", "all")
    if role not in ("all", "admin", "member"):
        raise ApiError(422, "Validation Failed", "https://docs.github.com/rest/orgs/members")
    chosen = [user for user in org.members if role == "all" or (user.login in org.owners) == (role == "admin")]
    return call.page([accounts.user_summary(call.links, user) for user in chosen])


def _team(call: Call, org: Organization) -> Team:
    team = org.team(call.params["slug"])
    if team is None or call.token is None or not team.visible_to(call.token):
        raise not_found()
    return team


def list_teams(call: Call) -> Response:
    org = call.org()
    visible = [team for team in org.teams if call.token is not None and team.visible_to(call.token)]
    return call.page([accounts.team(call.links, org, team) for team in visible])


def list_team_members(call: Call) -> Response:
    org = call.org()
    team = _team(call, org)
    role = call.request.query.get("role", "all")
    logins = list(dict.fromkeys([*team.maintainers, *team.members]))
    chosen = [login for login in logins if role == "all" or (login in team.maintainers) == (role == "maintainer")]
    return call.page([call.person(login) for login in chosen])


def list_team_repos(call: Call) -> Response:
    org = call.org()
    team = _team(call, org)
    owner = Owner.of(org)
    items = []
    for name, permission in team.repos.items():
        repo = org.repo(name)
        if repo is None:
            continue
        payload = repos.repository(call.links, owner, repo, admin=permission == "admin")
        levels = ["pull", "triage", "push", "maintain", "admin"]
        payload["permissions"] = {level: levels.index(level) <= levels.index(permission) for level in levels}
        payload["role_name"] = {"pull": "read", "push": "write"}.get(permission, permission)
        items.append(payload)
    return call.page(items)
