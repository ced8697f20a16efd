"""`FakeGitHub`: the server's lifecycle and the handles tests use (state, counters, faults, clock)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from .api import Api
from .clock import FakeClock
from .context import Settings
from .exchange import Request, Response
from .faults import Faults
from .model import DEFAULT_TOKEN, Organization, World
from .payloads.links import Links
from .ratelimit import RateLimiter
from .samples import sample_org
from .stats import Stats
from .transport import make_server

StateFactory = Callable[[], "Organization | World"]


def _as_world(state: Organization | World) -> World:
    return state if isinstance(state, World) else World(orgs=[state])


class FakeGitHub:
    """A fake GitHub on 127.0.0.1; `state` builds the Organization or World it serves (again on reset)."""

    token = DEFAULT_TOKEN

    def __init__(self, state: StateFactory = sample_org) -> None:
        self._state = state
        self._server = make_server(self._handle)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self.graphql_url = f"{self.url}/graphql"
        self.clock = FakeClock()
        self.stats = Stats()
        self.faults = Faults()
        self.settings = Settings()
        self._limiter = RateLimiter(self.clock)
        self._api = Api(
            _as_world(state()), Links(self.url), self.settings, self.clock, self.stats, self.faults, self._limiter
        )
        self._thread: threading.Thread | None = None
        self._handling = 0  # requests being answered (a delay fault may outlive the client's timeout)
        self._quiet = threading.Condition()

    @property
    def world(self) -> World:
        return self._api.world

    @property
    def org(self) -> Organization:
        return self.world.orgs[0]

    def reset(self) -> None:
        """Fresh state from the factory; counters, faults, rate-limit windows, clock and settings back to new.

        Waits for requests still being answered (a delayed answer the client gave up on), so that a
        test never sees the previous test's requests in its counters."""
        with self._quiet:
            self._quiet.wait_for(lambda: self._handling == 0, timeout=30)
        self._api.world = _as_world(self._state())
        self.stats.clear()
        self.faults.clear()
        self._limiter.clear()
        self.clock.reset()
        fresh = Settings()
        self.settings.tree_entry_limit = fresh.tree_entry_limit
        self.settings.rate_limit_status = fresh.rate_limit_status

    def start(self) -> FakeGitHub:
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-github", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()

    @contextmanager
    def running(self) -> Iterator[FakeGitHub]:
        self.start()
        try:
            yield self
        finally:
            self.stop()

    def _handle(self, request: Request) -> Response | None:
        with self._quiet:
            self._handling += 1
        try:
            return self._api.handle(request)
        finally:
            with self._quiet:
                self._handling -= 1
                self._quiet.notify_all()
