"""Repository metadata through GraphQL, a batch of repositories per query.

One query answers, for up to `graphql_batch_size` repositories: template links, issues and
discussions, vulnerability alerts, the default branch's head and its history in the window,
deployments, classic branch protection. Histories and deployment lists longer than a page
are continued in follow-up queries, again batched across repositories.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from collectors.github.client import ApiError, GitHubClient, GraphQLAnswer
from collectors.github.graphql import (
    OPTIONAL_PARTS,
    RepoRef,
    deployment_pages_query,
    history_pages_query,
    repositories_query,
)
from collectors.github.mapping import head

log = logging.getLogger(__name__)

GRAPHQL = "graphql"
MAX_PAGES = 10  # per repository and list: 1,000 commits or deployments in the window is plenty to measure


@dataclass
class RepoMetadata:
    data: dict[str, Any]
    commits: list[dict[str, Any]] = field(default_factory=list)  # history nodes in the window, all pages
    deployments: list[dict[str, Any]] = field(default_factory=list)  # newest first, back to the window start
    denied: dict[str, str] = field(default_factory=dict)  # optional part -> why GitHub did not show it
    # "history" / "deployments" -> why a later page could not be read: those lists are incomplete
    incomplete: dict[str, str] = field(default_factory=dict)


class DeniedParts:
    """Optional parts the token turned out not to see; later batches stop asking for them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reasons: dict[str, str] = {}

    def add(self, part: str, reason: str) -> None:
        with self._lock:
            self._reasons.setdefault(part, reason)

    def snapshot(self) -> dict[str, str]:
        with self._lock:
            return dict(self._reasons)


def fetch_batch(
    client: GitHubClient,
    repos: Sequence[RepoRef],
    since: datetime,
    until: datetime,
    denied: DeniedParts,
    environments: Sequence[str] = (),
) -> dict[RepoRef, RepoMetadata | ApiError]:
    """Metadata of each repository, or the error that kept GitHub from giving it; `environments`:
    the environment names whose protection to ask for."""
    window = {"since": _timestamp(since), "until": _timestamp(until)}
    for _attempt in range(len(OPTIONAL_PARTS) + 1):
        without = denied.snapshot()
        query, variables = repositories_query(repos, frozenset(without), environments)
        answer = client.graphql(GRAPHQL, query, {**variables, **window})
        newly_denied = _denied_parts(answer, without)
        for part, reason in newly_denied.items():
            denied.add(part, reason)
        # A denied non-null field blanks its whole repository: ask again without it.
        if not newly_denied or not any(answer.data.get(f"r{index}") is None for index in range(len(repos))):
            break
    results: dict[RepoRef, RepoMetadata | ApiError] = {}
    reasons = denied.snapshot()
    for index, repo in enumerate(repos):
        data = answer.data.get(f"r{index}")
        if isinstance(data, dict):
            results[repo] = RepoMetadata(data, denied=dict(reasons))
        else:
            results[repo] = ApiError(None, _alias_error(answer, f"r{index}") or "GitHub returned no metadata", "/graphql")
    _continue_histories(client, results, window)
    _continue_deployments(client, results, since)
    return results


def _continue_histories(
    client: GitHubClient, results: dict[RepoRef, RepoMetadata | ApiError], window: Mapping[str, str]
) -> None:
    pending: dict[RepoRef, tuple[str, str]] = {}  # repo -> (head oid, cursor)
    for repo, meta in results.items():
        if isinstance(meta, RepoMetadata) and (target := head(meta.data)) is not None:
            history = target.get("history") or {}
            meta.commits.extend(history.get("nodes") or ())
            cursor = _next_cursor(history)
            if cursor:
                pending[repo] = (str(target["oid"]), cursor)
    for _page in range(MAX_PAGES - 1):
        if not pending:
            return
        asked = pending
        query, variables = history_pages_query([(repo, *asked[repo]) for repo in asked])
        try:
            answer = client.graphql(GRAPHQL, query, {**variables, **window})
        except ApiError as exc:  # costs these repositories their history, not the batch its metadata
            _mark_incomplete(results, asked, "history", exc)
            return
        pending = {}
        for index, (repo, (oid, _cursor)) in enumerate(asked.items()):
            meta = results[repo]
            history = ((answer.data.get(f"r{index}") or {}).get("object") or {}).get("history") or {}
            if isinstance(meta, RepoMetadata):
                meta.commits.extend(history.get("nodes") or ())
                cursor = _next_cursor(history)
                if cursor:
                    pending[repo] = (oid, cursor)
    for repo in pending:
        log.debug("%s/%s: history beyond %d pages not read", repo.owner, repo.name, MAX_PAGES)


def _continue_deployments(client: GitHubClient, results: dict[RepoRef, RepoMetadata | ApiError], since: datetime) -> None:
    pending: dict[RepoRef, str] = {}
    for repo, meta in results.items():
        if isinstance(meta, RepoMetadata):
            connection = meta.data.get("deployments") or {}
            meta.deployments.extend(connection.get("nodes") or ())
            cursor = _next_cursor(connection)
            if cursor and _reaches_back(meta.deployments, since):
                pending[repo] = cursor
    for _page in range(MAX_PAGES - 1):
        if not pending:
            return
        asked = pending
        query, variables = deployment_pages_query(list(asked.items()))
        try:
            answer = client.graphql(GRAPHQL, query, variables)
        except ApiError as exc:
            _mark_incomplete(results, asked, "deployments", exc)
            return
        pending = {}
        for index, repo in enumerate(asked):
            meta = results[repo]
            connection = (answer.data.get(f"r{index}") or {}).get("deployments") or {}
            if isinstance(meta, RepoMetadata):
                meta.deployments.extend(connection.get("nodes") or ())
                cursor = _next_cursor(connection)
                if cursor and _reaches_back(meta.deployments, since):
                    pending[repo] = cursor


def _mark_incomplete(
    results: Mapping[RepoRef, RepoMetadata | ApiError], repos: Iterable[RepoRef], part: str, exc: ApiError
) -> None:
    for repo in repos:
        meta = results[repo]
        if isinstance(meta, RepoMetadata):
            meta.incomplete[part] = f"a later page of its {part} could not be read: {exc.reason()}"


def _reaches_back(deployments: Sequence[Mapping[str, Any]], since: datetime) -> bool:
    """The oldest deployment read so far is still inside the window: older ones may be too."""
    oldest = deployments[-1].get("createdAt") if deployments else None
    return isinstance(oldest, str) and oldest > _timestamp(since)


def _next_cursor(connection: Mapping[str, Any]) -> str | None:
    info = connection.get("pageInfo") or {}
    return str(info["endCursor"]) if info.get("hasNextPage") and info.get("endCursor") else None


def _denied_parts(answer: GraphQLAnswer, already: Mapping[str, str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for error in answer.errors:
        path = error.get("path") or []
        if len(path) >= 2 and path[1] in OPTIONAL_PARTS and path[1] not in already:
            kind = error.get("type") or (error.get("extensions") or {}).get("code") or "error"
            found.setdefault(str(path[1]), f"GitHub GraphQL {kind}: {error.get('message', '')}".strip())
    return found


def _alias_error(answer: GraphQLAnswer, alias: str) -> str | None:
    for error in answer.errors:
        if (error.get("path") or [None])[0] == alias:
            kind = error.get("type") or "error"
            return f"GitHub GraphQL {kind}: {error.get('message', '')}"
    return None


def _timestamp(moment: datetime) -> str:
    return (moment - timedelta(microseconds=moment.microsecond)).isoformat().replace("+00:00", "Z")
