"""Git objects: Commit (with its history), Tree, TreeEntry and Blob."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from graphql import GraphQLError

from ..gitobjects import TreeEntry
from ..model import Commit
from ..payloads.links import iso, node_id
from . import accounts, context, repositories
from .connections import connection


def _is_binary(content: bytes) -> bool:
    if b"\x00" in content:
        return True
    try:
        content.decode()
    except UnicodeDecodeError:
        return True
    return False


class _GitObject:
    def __init__(self, ctx: context.GqlContext, repository: repositories.RepositoryNode, oid: str) -> None:
        self.ctx, self.repository, self.oid = ctx, repository, oid
        self.abbreviated_oid = oid[:7]
        self.id = node_id(type(self).typename, int(oid[:12], 16))  # type: ignore[attr-defined]
        self.commit_resource_path = f"{repository.resource_path}/commit/{oid}"
        self.commit_url = ctx.links.html(self.commit_resource_path)


class CommitNode(_GitObject):
    typename: ClassVar[str] = "Commit"

    def __init__(self, ctx: context.GqlContext, repository: repositories.RepositoryNode, oid: str) -> None:
        super().__init__(ctx, repository, oid)
        repo = repository.repo
        index = next((i for i, commit in enumerate(repo.commits) if commit.sha == oid), None)
        self.commit = repo.commits[index] if index is not None else Commit(sha=oid, date=repo.pushed_at)
        self._history = repo.commits[index:] if index is not None else [self.commit]
        self.message = self.commit.message
        self.message_headline = self.commit.message.splitlines()[0] if self.commit.message else ""
        self.committed_date = self.authored_date = iso(self.commit.date)
        self.additions = self.deletions = 0
        self.url = self.commit_url

    def _actor(self) -> dict[str, Any]:
        login = self.commit.author_login
        return {
            "name": self.commit.author_name,
            "email": self.commit.author_email,
            "date": iso(self.commit.date),
            "avatarUrl": self.ctx.links.avatar(0),
            "user": accounts.UserNode(self.ctx, self.ctx.person(login)) if login else None,
        }

    def author(self) -> dict[str, Any]:
        return self._actor()

    def committer(self) -> dict[str, Any]:
        return self._actor()

    def tree(self) -> TreeNode:
        return TreeNode(self.ctx, self.repository, self.ctx.objects(self.repository.repo).root)

    def history(
        self,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        since: str | None = None,
        until: str | None = None,
        author: dict[str, Any] | None = None,
        path: str | None = None,
    ) -> dict[str, Any]:
        low, high = _timestamp(since), _timestamp(until)
        emails = set((author or {}).get("emails") or [])
        author_id = (author or {}).get("id")
        chosen = [
            commit
            for commit in self._history
            if (low is None or commit.date >= low)
            and (high is None or commit.date <= high)
            and (not emails or commit.author_email in emails)
            and (
                author_id is None
                or (
                    commit.author_login is not None
                    and node_id("User", self.ctx.person(commit.author_login).id) == author_id
                )
            )
        ]
        return connection([CommitNode(self.ctx, self.repository, c.sha) for c in chosen], first, after, last, before)


def _timestamp(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise GraphQLError(f"Argument value '{value}' is not a valid GitTimestamp") from None


class TreeNode(_GitObject):
    typename: ClassVar[str] = "Tree"

    def entries(self) -> list[TreeEntryNode]:
        objects = self.ctx.objects(self.repository.repo)
        prefix = next((p + "/" for p, e in objects.walk(objects.root) if e.sha == self.oid), "")
        return [
            TreeEntryNode(self.ctx, self.repository, entry, prefix + entry.name) for entry in objects.trees[self.oid]
        ]


class TreeEntryNode:
    def __init__(
        self, ctx: context.GqlContext, repository: repositories.RepositoryNode, entry: TreeEntry, path: str
    ) -> None:
        self.ctx, self.repository, self.entry = ctx, repository, entry
        self.name, self.path, self.oid, self.type_ = entry.name, path, entry.sha, entry.type
        self.mode = int(entry.mode, 8)
        self.size = entry.size or 0
        self.extension = f".{entry.name.rsplit('.', 1)[1]}" if "." in entry.name and entry.type == "blob" else None
        self.is_generated = False

    def object_(self) -> TreeNode | BlobNode:
        node_class = TreeNode if self.entry.type == "tree" else BlobNode
        return node_class(self.ctx, self.repository, self.entry.sha)


class BlobNode(_GitObject):
    typename: ClassVar[str] = "Blob"

    def __init__(self, ctx: context.GqlContext, repository: repositories.RepositoryNode, oid: str) -> None:
        super().__init__(ctx, repository, oid)
        content = ctx.objects(repository.repo).blobs[oid]
        self.byte_size = len(content)
        self.is_binary = _is_binary(content)
        self.is_truncated = False
        self.text = None if self.is_binary else content.decode()
