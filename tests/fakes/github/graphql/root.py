"""The Query type: lookups by login, name and global node id, and the rate limit."""

from __future__ import annotations

from typing import Any

from ..model import User
from ..payloads.links import parse_node_id
from . import accounts, context, deployments, repositories


class QueryRoot:
    def __init__(self, ctx: context.GqlContext) -> None:
        self.ctx = ctx

    def organization(self, login: str) -> accounts.OrganizationNode:
        org = self.ctx.world.org(login)
        if org is None:
            raise context.NotFound(f"Could not resolve to an Organization with the login of '{login}'.")
        return accounts.OrganizationNode(self.ctx, org)

    def repository(self, owner: str, name: str, follow_renames: bool = True) -> repositories.RepositoryNode:
        repo = self.ctx.world.repo(owner, name)
        if repo is None:
            raise context.NotFound(f"Could not resolve to a Repository with the name '{owner}/{name}'.")
        return repositories.RepositoryNode(self.ctx, repo)

    def repository_owner(self, login: str) -> accounts.OrganizationNode | accounts.UserNode | None:
        account = self.ctx.account(login)
        return accounts.account_node(self.ctx, account) if account else None

    def user(self, login: str) -> accounts.UserNode:
        user = self.ctx.world.user(login)
        if user is None:
            raise context.NotFound(f"Could not resolve to a User with the login of '{login}'.")
        return accounts.UserNode(self.ctx, user)

    def viewer(self) -> accounts.UserNode:
        return accounts.UserNode(self.ctx, self.ctx.person(self.ctx.token.login))

    def node(self, id: str) -> Any:
        found = find_node(self.ctx, id)
        if found is None:
            raise context.NotFound(f"Could not resolve to a node with the global id of '{id}'")
        return found

    def nodes(self, ids: list[str]) -> list[Any]:
        found = []
        for index, value in enumerate(ids):
            node = find_node(self.ctx, value)
            if node is None:
                self.ctx.extra_errors.append(
                    {
                        "type": "NOT_FOUND",
                        "path": ["nodes", index],
                        "message": f"Could not resolve to a node with the global id of '{value}'",
                    }
                )
            found.append(node)
        return found

    def rate_limit(self, dry_run: bool = False) -> dict[str, Any]:
        return self.ctx.rate


def find_node(ctx: context.GqlContext, value: str) -> Any:
    parsed = parse_node_id(value)
    if parsed is None:
        return None
    kind, number = parsed
    for org in ctx.world.orgs:
        if kind == "Organization" and org.id == number:
            return accounts.OrganizationNode(ctx, org)
        if kind == "Team":
            team = next((t for t in org.teams if t.id == number), None)
            if team:
                return accounts.TeamNode(ctx, org, team)
    for account in ctx.world.accounts():
        if kind == "User" and isinstance(account, User) and account.id == number:
            return accounts.UserNode(ctx, account)
        for repo in account.repos:
            if kind == "Repository" and repo.id == number:
                return repositories.RepositoryNode(ctx, repo)
            deployment = next((d for d in repo.deployments if d.id == number), None)
            if kind == "Deployment" and deployment:
                return deployments.DeploymentNode(ctx, repo, deployment)
    return None
