"""What a route handler gets: the request, its path parameters, the state and the caller's token."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.http.clock import FakeClock

from .exchange import ApiError, Request, Response, not_found, paginate
from .model import Organization, Repository, Token, User, World, stable_id
from .payloads.accounts import simple_user
from .payloads.links import Links
from .payloads.repos import Owner
from .ratelimit import Budget


@dataclass
class Settings:
    tree_entry_limit: int = 100_000  # recursive trees with more entries come back truncated
    rate_limit_status: int = 403  # GitHub answers an exhausted primary limit with 403 or 429


@dataclass
class Call:
    request: Request
    params: dict[str, str]
    world: World
    links: Links
    settings: Settings
    clock: FakeClock
    token: Token | None
    budgets: dict[str, Budget] = field(default_factory=dict)  # the caller's budgets before this request
    charge_graphql: Callable[[int], Budget | None] = lambda _points: None  # charges points; None: not enough left

    def org(self) -> Organization:
        org = self.world.org(self.params["org"])
        if org is None:
            raise not_found()
        return org

    def account(self, login: str) -> Organization | User:
        account = self.world.org(login) or self.world.user(login)
        if account is None:
            raise not_found()
        return account

    def repo(self) -> tuple[Owner, Repository]:
        account = self.account(self.params["owner"])
        repo = self.world.repo(account.login, self.params["repo"])
        if repo is None:
            raise not_found()
        return Owner.of(account), repo

    def owner_org(self, owner: Owner) -> Organization | None:
        return self.world.org(owner.login) if owner.type == "Organization" else None

    def person(self, login: str) -> dict[str, Any]:
        """A SimpleUser for a login; unknown logins get a stable synthetic id."""
        user = self.world.user(login)
        return simple_user(self.links, login, user.id if user else stable_id(login))

    def is_repo_admin(self) -> bool:
        return self.token is not None and self.token.repo_admin

    def require_org_admin(self) -> None:
        if self.token is None or not self.token.org_admin:
            raise ApiError(
                403,
                "You need admin access to the organization before this endpoint can be used.",
                "https://docs.github.com/rest/orgs/rules",
            )

    def page(self, items: Sequence[Any], list_key: str | None = None) -> Response:
        return paginate(self.links.base, self.request, items, list_key=list_key)
