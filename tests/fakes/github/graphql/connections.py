"""Relay connections over plain lists: opaque cursors, first/after/last/before, pageInfo."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import Any

from graphql import GraphQLError


def _cursor(index: int) -> str:
    return base64.b64encode(f"cursor:v2:{index}".encode()).decode()


def _index(cursor: str) -> int:
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        prefix, _, number = text.rpartition(":")
        if prefix == "cursor:v2":
            return int(number)
    except (ValueError, UnicodeDecodeError):
        pass
    raise GraphQLError(f"`{cursor}` does not appear to be a valid cursor.")


def connection(
    items: Sequence[Any],
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    edge: Callable[[Any], dict[str, Any]] = lambda _: {},
) -> dict[str, Any]:
    """A connection object in GitHub's shape; `edge(item)` adds per-edge fields such as `role`."""
    start = _index(after) + 1 if after else 0
    end = min(_index(before), len(items)) if before else len(items)
    window = list(enumerate(items))[start:end]
    if first is not None:
        window = window[:first]
    if last is not None:
        window = window[-last:] if last else []
    edges = [{"cursor": _cursor(index), "node": item, **edge(item)} for index, item in window]
    return {
        "totalCount": len(items),
        "nodes": [item for _, item in window],
        "edges": edges,
        "pageInfo": {
            "hasNextPage": bool(window) and window[-1][0] < end - 1,
            "hasPreviousPage": bool(window) and window[0][0] > start,
            "startCursor": edges[0]["cursor"] if edges else None,
            "endCursor": edges[-1]["cursor"] if edges else None,
        },
    }
