"""What every GraphQL object carries: the state, links, the token and per-query caches."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLError

from ..gitobjects import GitObjects, build_objects
from ..model import (
    Organization,
    Repository,
    Token,
    User,
    World,
    stable_id,
)
from ..payloads.links import Links


class NotFound(GraphQLError):
    """Answered as GitHub does: the field is null and the error carries "type": "NOT_FOUND"."""


class Forbidden(GraphQLError):
    """Answered as GitHub does: the field is null and the error carries "type": "FORBIDDEN"."""


@dataclass
class GqlContext:
    world: World
    links: Links
    token: Token
    rate: dict[str, Any]  # the RateLimit object for this query
    extra_errors: list[dict[str, Any]] = field(default_factory=list)  # errors not raised by a resolver
    _objects: dict[int, GitObjects] = field(default_factory=dict)

    def objects(self, repo: Repository) -> GitObjects:
        if repo.id not in self._objects:  # one tree build per repository per query
            self._objects[repo.id] = build_objects(repo.files)
        return self._objects[repo.id]

    def account(self, login: str) -> Organization | User | None:
        return self.world.org(login) or self.world.user(login)

    def owner_of(self, repo: Repository) -> Organization | User:
        for account in self.world.accounts():
            if any(candidate is repo for candidate in account.repos):
                return account
        raise GraphQLError(f"repository {repo.name} has no owner in the fake's state")

    def person(self, login: str) -> User:
        return self.world.user(login) or User(login, id=stable_id(login))
