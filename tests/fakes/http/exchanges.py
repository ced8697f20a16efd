"""Recorded exchanges and the statistics tests assert on: what was asked, by which route, answered how."""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass

from .exchange import Request


@dataclass(frozen=True)
class Exchange:
    request: Request
    route: str  # the route's name; "unrouted" when no route matched
    status: int  # 0 when the connection was dropped without an answer
    at: float  # the fake's clock when the request arrived


class Exchanges:
    """Every exchange of a fake since its last reset, in arrival order. Thread-safe."""

    def __init__(self) -> None:
        self._log: list[Exchange] = []
        self._lock = threading.Lock()

    def record(self, exchange: Exchange) -> None:
        with self._lock:
            self._log.append(exchange)

    def clear(self) -> None:
        with self._lock:
            self._log.clear()

    def all(self) -> list[Exchange]:
        with self._lock:
            return list(self._log)

    def requests(self) -> list[Request]:
        return [exchange.request for exchange in self.all()]

    def per_route(self) -> Counter[str]:
        """Requests per route name."""
        return Counter(exchange.route for exchange in self.all())

    def count(self, route: str | None = None, path: str | None = None) -> int:
        """Requests to the route named `route` and/or whose path matches the regex `path` (searched)."""
        pattern = re.compile(path) if path is not None else None
        return sum(
            1
            for exchange in self.all()
            if (route is None or exchange.route == route)
            and (pattern is None or pattern.search(exchange.request.path))
        )
