"""A route table: method + path template -> handler, with the route's name for statistics."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import unquote

H = TypeVar("H")


@dataclass(frozen=True)
class Route(Generic[H]):
    method: str
    template: str  # "{name}" matches one segment, "{name+}" one or more; a trailing slash is allowed
    name: str  # counted under this name in the fake's statistics
    handler: H
    pattern: re.Pattern[str] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        parts = re.split(r"(\{\w+\+?\})", self.template)
        regex = "".join(_placeholder(part) if part.startswith("{") else re.escape(part) for part in parts)
        object.__setattr__(self, "pattern", re.compile(f"^{regex}/?$"))


def _placeholder(part: str) -> str:
    name = part.strip("{}+")
    return f"(?P<{name}>.+)" if part.endswith("+}") else f"(?P<{name}>[^/]+)"


R = TypeVar("R", bound=Route[Any])


class RouteTable(Generic[R]):
    """Routes tried in order; the first whose method and template match answers."""

    def __init__(self, routes: Sequence[R], *, ignore_case: bool = False) -> None:
        self.routes = tuple(routes)
        self._ignore_case = ignore_case  # services such as ARM match paths in any case

    def match(self, method: str, path: str) -> tuple[R, dict[str, str]] | None:
        wanted = path.lower() if self._ignore_case else path
        for route in self.routes:
            if route.method != method:
                continue
            found = route.pattern.match(wanted)
            if found:
                return route, {key: unquote(value) for key, value in found.groupdict().items()}
        return None
