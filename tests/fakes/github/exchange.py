"""GitHub-shaped errors and Link-header pagination (requests and responses are the kit's)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from tests.fakes.http.exchange import Request, Response, json_response

DOCS = "https://docs.github.com/rest"
MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 30


class ApiError(Exception):
    """An error answer in GitHub's shape: {"message", "documentation_url", "status"}."""

    def __init__(
        self, status: int, message: str, documentation_url: str = DOCS, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.documentation_url = documentation_url
        self.headers = headers or {}

    def response(self) -> Response:
        body = {"message": self.message, "documentation_url": self.documentation_url, "status": str(self.status)}
        return json_response(body, self.status, dict(self.headers))


def not_found() -> ApiError:
    return ApiError(404, "Not Found", f"{DOCS}")


def int_param(request: Request, name: str, default: int) -> int:
    value = request.query.get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ApiError(422, f"Invalid value for '{name}': {value!r}") from None


def paginate(
    base_url: str,
    request: Request,
    items: Sequence[Any],
    extra: dict[str, Any] | None = None,
    list_key: str | None = None,
) -> Response:
    """One page of `items` with GitHub's Link header; `list_key` wraps it as {"total_count", list_key: [...]}."""
    per_page = max(1, min(int_param(request, "per_page", DEFAULT_PER_PAGE), MAX_PER_PAGE))
    page = max(1, int_param(request, "page", 1))
    last = max(1, -(-len(items) // per_page))
    chunk = list(items[(page - 1) * per_page : page * per_page])
    links = []

    def link(number: int, rel: str) -> str:
        query = {**request.query, "per_page": str(per_page), "page": str(number)}
        return f'<{base_url}{request.path}?{urlencode(query)}>; rel="{rel}"'

    if page > 1:
        links += [link(page - 1, "prev"), link(1, "first")]
    if page < last:
        links += [link(page + 1, "next"), link(last, "last")]
    headers = {"Link": ", ".join(links)} if links else {}
    body: Any = {"total_count": len(items), list_key: chunk, **(extra or {})} if list_key else chunk
    return json_response(body, headers=headers)
