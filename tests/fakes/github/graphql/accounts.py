"""Organization, User and Team objects."""

from __future__ import annotations

from typing import Any, ClassVar

from ..model import (
    Organization,
    Repository,
    Team,
    User,
)
from ..payloads.links import iso, node_id
from . import context
from . import (
    repositories as repository_nodes,  # aliased: `repositories` is also a field name
)
from .connections import connection

_TEAM_PERMISSIONS = {"pull": "READ", "triage": "TRIAGE", "push": "WRITE", "maintain": "MAINTAIN", "admin": "ADMIN"}


def account_node(ctx: context.GqlContext, account: Organization | User) -> OrganizationNode | UserNode:
    return OrganizationNode(ctx, account) if isinstance(account, Organization) else UserNode(ctx, account)


def _filter_repos(
    repos: list[Repository],
    is_archived: bool | None,
    is_fork: bool | None,
    privacy: str | None,
    visibility: str | None,
    has_issues_enabled: bool | None,
    order_by: dict[str, str] | None,
) -> list[Repository]:
    chosen = [
        repo
        for repo in repos
        if (is_archived is None or repo.archived == is_archived)
        and (is_fork is None or repo.fork == is_fork)
        and (privacy is None or (repo.visibility == "public") == (privacy == "PUBLIC"))
        and (visibility is None or repo.visibility.upper() == visibility)
        and (has_issues_enabled is None or repo.has_issues == has_issues_enabled)
    ]
    if order_by:
        keys = {
            "CREATED_AT": lambda r: r.created_at,
            "NAME": lambda r: r.name.lower(),
            "PUSHED_AT": lambda r: r.pushed_at,
            "UPDATED_AT": lambda r: r.pushed_at,
            "STARGAZERS": lambda r: 0,
        }
        chosen.sort(key=keys[order_by["field"]], reverse=order_by["direction"] == "DESC")
    return chosen


class _Account:
    """Fields Organization and User share (Actor and RepositoryOwner)."""

    account: Organization | User

    def __init__(self, ctx: context.GqlContext, account: Organization | User) -> None:
        self.ctx = ctx
        self.account = account
        self.login = account.login
        self.name = account.name
        self.database_id = account.id
        self.created_at = iso(account.created_at)
        self.updated_at = iso(account.created_at)
        self.resource_path = f"/{account.login}"
        self.url = ctx.links.html(self.resource_path)

    def avatar_url(self, size: int | None = None) -> str:
        return self.ctx.links.avatar(self.account.id)

    def repositories(
        self,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        is_archived: bool | None = None,
        is_fork: bool | None = None,
        privacy: str | None = None,
        visibility: str | None = None,
        has_issues_enabled: bool | None = None,
        order_by: dict[str, str] | None = None,
        **_affiliations: Any,
    ) -> dict[str, Any]:
        # affiliation filters select among a viewer's repositories; an account's own list ignores them
        chosen = _filter_repos(
            self.account.repos, is_archived, is_fork, privacy, visibility, has_issues_enabled, order_by
        )
        result = connection(
            [repository_nodes.RepositoryNode(self.ctx, repo) for repo in chosen], first, after, last, before
        )
        result["totalDiskUsage"] = sum(len(c) for repo in chosen for c in repo.files.values()) // 1024
        return result

    def repository(self, name: str, follow_renames: bool = True) -> repository_nodes.RepositoryNode | None:
        repo = self.ctx.world.repo(self.account.login, name)
        return repository_nodes.RepositoryNode(self.ctx, repo) if repo else None


class OrganizationNode(_Account):
    typename: ClassVar[str] = "Organization"
    account: Organization

    def __init__(self, ctx: context.GqlContext, org: Organization) -> None:
        super().__init__(ctx, org)
        self.org = org
        self.id = node_id("Organization", org.id)
        self.description = org.description
        self.email = None
        self.requires_two_factor_authentication = org.two_factor_requirement_enabled
        self.viewer_can_administer = ctx.token.org_admin
        self.viewer_is_a_member = True

    def members_with_role(
        self, first: int | None = None, after: str | None = None, last: int | None = None, before: str | None = None
    ) -> dict[str, Any]:
        def edge(node: UserNode) -> dict[str, Any]:
            return {
                "role": "ADMIN" if node.login in self.org.owners else "MEMBER",
                "hasTwoFactorEnabled": True if self.org.two_factor_requirement_enabled else None,
            }

        return connection([UserNode(self.ctx, user) for user in self.org.members], first, after, last, before, edge)

    def teams(
        self,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        query: str | None = None,
        user_logins: list[str] | None = None,
        **_filters: Any,
    ) -> dict[str, Any]:
        chosen = [
            team
            for team in self.org.teams
            if team.visible_to(self.ctx.token)
            and (query is None or query.lower() in (team.name or team.slug).lower())
            and (not user_logins or set(user_logins) & {*team.members, *team.maintainers})
        ]
        return connection([TeamNode(self.ctx, self.org, team) for team in chosen], first, after, last, before)

    def team(self, slug: str) -> TeamNode | None:
        team = self.org.team(slug)
        return TeamNode(self.ctx, self.org, team) if team and team.visible_to(self.ctx.token) else None

    def rulesets(
        self,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        include_parents: bool = True,
        targets: list[str] | None = None,
    ) -> dict[str, Any]:
        chosen = [r for r in self.org.rulesets if not targets or r.target.upper() in targets]
        return connection(
            [repository_nodes.RulesetNode(self.ctx, r, self.org, None) for r in chosen], first, after, last, before
        )

    def ruleset(self, database_id: int, include_parents: bool = True) -> repository_nodes.RulesetNode | None:
        found = next((r for r in self.org.rulesets if r.id == database_id), None)
        return repository_nodes.RulesetNode(self.ctx, found, self.org, None) if found else None


class UserNode(_Account):
    typename: ClassVar[str] = "User"
    account: User

    def __init__(self, ctx: context.GqlContext, user: User) -> None:
        super().__init__(ctx, user)
        self.id = node_id("User", user.id)
        self.email = user.email or ""


class TeamNode:
    typename: ClassVar[str] = "Team"

    def __init__(self, ctx: context.GqlContext, org: Organization, team: Team) -> None:
        self.ctx, self.org, self.team = ctx, org, team
        self.id = node_id("Team", team.id)
        self.database_id = team.id
        self.name = team.name or team.slug
        self.slug = team.slug
        self.description = team.description
        self.privacy = "SECRET" if team.privacy == "secret" else "VISIBLE"
        self.url = ctx.links.html(f"/orgs/{org.login}/teams/{team.slug}")

    def organization(self) -> OrganizationNode:
        return OrganizationNode(self.ctx, self.org)

    def members(
        self,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        role: str | None = None,
        query: str | None = None,
        membership: str = "ALL",
    ) -> dict[str, Any]:
        logins = list(dict.fromkeys([*self.team.maintainers, *self.team.members]))
        chosen = [
            login
            for login in logins
            if (role is None or (login in self.team.maintainers) == (role == "MAINTAINER"))
            and (query is None or query.lower() in login.lower())
        ]

        def edge(node: UserNode) -> dict[str, Any]:
            return {"role": "MAINTAINER" if node.login in self.team.maintainers else "MEMBER"}

        return connection(
            [UserNode(self.ctx, self.ctx.person(login)) for login in chosen], first, after, last, before, edge
        )

    def repositories(
        self,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        query: str | None = None,
    ) -> dict[str, Any]:
        chosen = [
            (self.org.repo(name), permission)
            for name, permission in self.team.repos.items()
            if query is None or query.lower() in name.lower()
        ]
        nodes = [repository_nodes.RepositoryNode(self.ctx, repo) for repo, _ in chosen if repo is not None]
        permissions = {repo.name: permission for repo, permission in chosen if repo is not None}
        return connection(
            nodes,
            first,
            after,
            last,
            before,
            lambda node: {"permission": _TEAM_PERMISSIONS[permissions[node.repo.name]]},
        )
