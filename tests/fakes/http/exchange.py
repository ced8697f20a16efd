"""One request and one answer, as every fake sees them, independent of the HTTP server."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # without the query, as sent (not unquoted)
    query: dict[str, str]  # a repeated parameter keeps its last value
    headers: dict[str, str]  # names lower-cased
    body: bytes = b""

    @property
    def query_string(self) -> str:
        return urlencode(self.query)


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    cost: int = 0  # points a metered API (GitHub's GraphQL) charges for this answer


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    # Compact, as the services answer: indented JSON takes json's pure-Python encoder, which made
    # the fakes' own CPU time a third of a benchmark's response times.
    body = json.dumps(data, separators=(",", ":")).encode()
    return Response(status, body, {"Content-Type": "application/json; charset=utf-8", **(headers or {})})
