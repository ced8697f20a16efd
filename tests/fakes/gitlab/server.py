"""The fake GitLab as a server on 127.0.0.1: state, injected faults and the exchange log.

Faults (the kit's) are served in order before the route answers: a status with GitLab's error
body and headers (429 with `Retry-After`, 500), a fixed odd page, or a dropped connection.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from tests.fakes.http.clock import FakeClock
from tests.fakes.http.exchange import Request, Response, json_response
from tests.fakes.http.exchanges import Exchange, Exchanges
from tests.fakes.http.faults import Faults
from tests.fakes.http.transport import HttpServer

from .api import API, GRAPHQL, ROUTES, handle
from .model import Instance


class GitLabErrors:
    def error(self, request: Request, status: int, reason: str | None, html: bool) -> Response:
        if html:
            return Response(status, b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", {"Content-Type": "text/html"})
        return json_response({"message": reason or str(status)}, status)

    def rate_limited(self, request: Request, status: int) -> Response:
        return json_response({"message": "Retry later"}, status)


class FakeGitLab:
    """`prefix`: the path the instance is served under (a self-managed GitLab under a relative URL,
    `https://example.com/gitlab`); requests outside it reach the web server, not GitLab. The
    exchange log keeps the paths below it, as GitLab's routes see them."""

    def __init__(self, state: Callable[[], Instance], prefix: str = "") -> None:
        self._state = state
        self._prefix = prefix.rstrip("/")
        self.instance = state()
        self.clock = FakeClock()
        self.exchanges = Exchanges()
        self.faults = Faults(GitLabErrors())
        self._server = HttpServer(self._handle, name="fake-gitlab")
        self.url = self._server.url + self._prefix

    @property
    def token(self) -> str:
        return min(self.instance.tokens)

    @property
    def requests(self) -> list[Request]:
        return [exchange.request for exchange in self.exchanges.all()]

    def start(self) -> FakeGitLab:
        self._server.start()
        return self

    def stop(self) -> None:
        self.faults.clear()
        self._server.stop()

    def reset(self) -> None:
        self.faults.clear()
        self._server.wait_idle()
        self.instance = self._state()
        self.exchanges.clear()
        self.clock.reset()

    def fail(
        self, path_pattern: str, status: int | None, *, message: str = "", headers: dict[str, str] | None = None,
        times: int = 1, body: Any = None,
    ) -> None:
        """Answer the next `times` requests whose API path matches the regex with `status` (None: drop
        the connection) and GitLab's error body, or `body` (a misbehaving page: a list with odd headers)."""
        pattern = re.compile(path_pattern)

        def matches(path: str) -> bool:
            return pattern.search(path.removeprefix(API)) is not None

        if status is None:
            self.faults.drop(matches, times=times)
        elif body is not None:
            self.faults.respond(matches, json_response(body, status, headers), times=times)
        else:
            self.faults.error(matches, status, reason=message or None, headers=headers, times=times)

    def count(self, path_pattern: str = ".*") -> int:
        """Requests whose API path matches the pattern."""
        pattern = re.compile(path_pattern)
        return sum(1 for request in self.requests if pattern.search(request.path.removeprefix(API)))

    def paths(self) -> Counter[str]:
        return Counter(request.path.removeprefix(API) for request in self.requests)

    def _handle(self, request: Request) -> Response | None:
        arrived = self.clock.time()
        if self._prefix:
            if not request.path.startswith(self._prefix + "/"):
                return Response(404, b"<!DOCTYPE html><html><body>404 Not Found</body></html>", {"Content-Type": "text/html"})
            request = replace(request, path=request.path.removeprefix(self._prefix))
        found = ROUTES.match(request.method, request.path)
        route = found[0].name if found else "graphql" if request.path == GRAPHQL else "unrouted"
        intercepted = self.faults.intercept(request)
        response = None if intercepted.dropped else intercepted.response or handle(self.instance, self.url, request)
        self.exchanges.record(Exchange(request, route, response.status if response else 0, arrived))
        return response
