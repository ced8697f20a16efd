"""What the collector learns once per account: who it is, its teams, members, rulesets, repositories.

Every list is a conditional request, so a re-scan of an unchanged organization pays nothing
for it. Each piece fails on its own: a token that may not list members still lists repositories.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from collectors.github import mapping
from collectors.github.client import ApiError, GitHubClient
from collectors.github.graphql import OWNER_QUERY
from collectors.github.mapping import Listed

T = TypeVar("T")

REPOS = "repos"
TEAMS = "teams"
MEMBERS = "members"
RULESETS = "rulesets"
ACCOUNT = "graphql"

# What a token needs for each piece (fine-grained permission names; classic tokens: read:org).
MEMBERS_PERMISSION = "the token needs Members: read on the organization"
RULESETS_PERMISSION = "the token needs Administration: read on the organization"


@dataclass(frozen=True)
class Account:
    login: str
    is_organization: bool
    url: str | None
    two_factor_required: bool | None
    members: int | None
    viewer_is_owner: bool = False  # an organization owner sees every team, secret ones too


@dataclass(frozen=True)
class OrganizationFacts:
    """Each piece is its evidence data, or the reason it could not be seen."""

    teams: dict[str, Any] | str
    access: dict[str, Any] | str
    rulesets: dict[str, Any] | str
    platform_members: frozenset[str] | None = None  # logins, lower case; None: no platform team known
    platform_repositories: dict[str, str] = field(default_factory=dict)  # repo name (lower) -> team role
    team_slugs: tuple[str, ...] | str = ()  # every team the token sees, or why they could not be listed


def find_account(client: GitHubClient, login: str) -> Account | None:
    """The organization or user named `login`; None when GitHub knows no such account."""
    answer = client.graphql(ACCOUNT, OWNER_QUERY, {"login": login})
    owner = answer.data.get("repositoryOwner")
    if not isinstance(owner, dict):
        return None
    members = (owner.get("membersWithRole") or {}).get("totalCount")
    two_factor = owner.get("requiresTwoFactorAuthentication")
    return Account(
        login=str(owner.get("login") or login),
        is_organization=owner.get("__typename") == "Organization",
        url=owner.get("url"),
        two_factor_required=two_factor if isinstance(two_factor, bool) else None,
        members=int(members) if isinstance(members, int) else None,
        viewer_is_owner=owner.get("viewerCanAdminister") is True,
    )


def organization_facts(client: GitHubClient, account: Account, platform_pattern: str) -> OrganizationFacts:
    listed = _attempt(lambda: list(client.pages(TEAMS, f"/orgs/{account.login}/teams", conditional=True)), MEMBERS_PERMISSION)
    teams, members, repositories = _teams(client, account.login, platform_pattern, listed)
    return OrganizationFacts(
        teams=teams,
        access=_access(client, account),
        rulesets=_rulesets(client, account.login),
        platform_members=members,
        platform_repositories=repositories,
        team_slugs=listed if isinstance(listed, str) else tuple(str(team["slug"]) for team in listed),
    )


def list_repositories(client: GitHubClient, account: Account) -> list[Listed]:
    if account.is_organization:
        path, params = f"/orgs/{account.login}/repos", {"type": "all", "sort": "full_name"}
    else:
        path, params = f"/users/{account.login}/repos", {"type": "owner", "sort": "full_name"}
    return [mapping.listed(item, account.login) for item in client.pages(REPOS, path, params, conditional=True)]


def _teams(
    client: GitHubClient, login: str, pattern: str, teams: list[dict[str, Any]] | str
) -> tuple[dict[str, Any] | str, frozenset[str] | None, dict[str, str]]:
    """org.teams (or why not), the platform team's members and its role on each repository."""
    if isinstance(teams, str):
        return teams, None, {}
    platform = mapping.platform_team(teams, pattern)
    if platform is None:
        return mapping.team_structure(len(teams), None, 0, ()), None, {}
    team = f"/orgs/{login}/teams/{platform['slug']}"
    members = _attempt(lambda: list(client.pages(TEAMS, f"{team}/members", conditional=True)), MEMBERS_PERMISSION)
    repos = _attempt(lambda: list(client.pages(TEAMS, f"{team}/repos", conditional=True)), MEMBERS_PERMISSION)
    if isinstance(members, str) or isinstance(repos, str):
        return f"platform team {platform['slug']!r}: {members if isinstance(members, str) else repos}", None, {}
    roles = {str(item["name"]).lower(): role for item in repos if (role := mapping.team_permission(item)) is not None}
    logins = frozenset(str(user.get("login", "")).lower() for user in members)
    return mapping.team_structure(len(teams), platform, len(logins), (str(item["name"]) for item in repos)), logins, roles


def _access(client: GitHubClient, account: Account) -> dict[str, Any] | str:
    owners = _attempt(
        lambda: sum(1 for _ in client.pages(MEMBERS, f"/orgs/{account.login}/members", {"role": "admin"}, conditional=True)),
        MEMBERS_PERMISSION,
    )
    if isinstance(owners, str):
        return owners
    members = account.members
    if members is None:
        counted = _attempt(
            lambda: sum(1 for _ in client.pages(MEMBERS, f"/orgs/{account.login}/members", conditional=True)),
            MEMBERS_PERMISSION,
        )
        if isinstance(counted, str):
            return counted
        members = counted
    return mapping.organization_access(owners, members, account.two_factor_required)


def _rulesets(client: GitHubClient, login: str) -> dict[str, Any] | str:
    def read() -> dict[str, Any]:
        listed = list(client.pages(RULESETS, f"/orgs/{login}/rulesets", conditional=True))
        details = [client.get(RULESETS, f"/orgs/{login}/rulesets/{item['id']}", conditional=True).data for item in listed]
        return mapping.organization_rulesets(details)

    return _attempt(read, RULESETS_PERMISSION)


def _attempt(read: Callable[[], T], permission: str) -> T | str:
    """The value, or why it could not be read (a refused token propagates)."""
    try:
        return read()
    except ApiError as exc:
        return exc.reason_with(permission)
