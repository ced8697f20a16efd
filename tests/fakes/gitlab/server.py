"""The fake GitLab as a server on 127.0.0.1: state, injected faults and request statistics.

Faults are queued per path pattern and served in order before the route answers: a status
with headers (429 with `Retry-After`, 500), or None for a dropped connection.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fakes.github.clock import FakeClock
from tests.fakes.github.exchange import Request, Response, json_response
from tests.fakes.github.transport import make_server

from .api import API, handle
from .model import Instance


@dataclass
class _Fault:
    pattern: re.Pattern[str]
    response: Response | None  # None: drop the connection


class FakeGitLab:
    def __init__(self, state: Callable[[], Instance]) -> None:
        self._state = state
        self.instance = state()
        self.clock = FakeClock()
        self.requests: list[Request] = []
        self._faults: list[_Fault] = []
        self._lock = threading.Lock()
        self._server = make_server(self._handle)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"  # the transport binds loopback only

    @property
    def token(self) -> str:
        return min(self.instance.tokens)

    def start(self) -> FakeGitLab:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reset(self) -> None:
        with self._lock:
            self.instance = self._state()
            self.requests.clear()
            self._faults.clear()
            self.clock.reset()

    def fail(
        self, path_pattern: str, status: int | None, *, message: str = "", headers: dict[str, str] | None = None,
        times: int = 1, body: Any = None,
    ) -> None:
        """Answer the next `times` requests whose API path matches with `status` (None: drop the
        connection) and GitLab's error body, or `body` (a misbehaving page: a list with odd headers)."""
        payload = body if body is not None else {"message": message or f"{status}"}
        response = None if status is None else json_response(payload, status, headers)
        with self._lock:
            self._faults.extend(_Fault(re.compile(path_pattern), response) for _ in range(times))

    def count(self, path_pattern: str = ".*") -> int:
        """Requests whose API path matches the pattern."""
        pattern = re.compile(path_pattern)
        with self._lock:
            return sum(1 for request in self.requests if pattern.search(request.path.removeprefix(API)))

    def paths(self) -> Counter[str]:
        with self._lock:
            return Counter(request.path.removeprefix(API) for request in self.requests)

    def _handle(self, request: Request) -> Response | None:
        with self._lock:
            self.requests.append(request)
            api_path = request.path.removeprefix(API)
            for fault in self._faults:
                if fault.pattern.search(api_path):
                    self._faults.remove(fault)
                    return fault.response
        return handle(self.instance, self.url, request)
