"""`FakeGitHub`: the server's lifecycle and the handles tests use (state, counters, faults, clock)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tests.fakes.http.clock import FakeClock
from tests.fakes.http.exchange import Request, Response
from tests.fakes.http.transport import HttpServer

from .api import Api
from .context import Settings
from .faults import GitHubFaults
from .model import DEFAULT_TOKEN, Organization, World
from .payloads.links import Links
from .ratelimit import RateLimiter
from .samples import sample_org
from .stats import Stats

StateFactory = Callable[[], "Organization | World"]


def _as_world(state: Organization | World) -> World:
    return state if isinstance(state, World) else World(orgs=[state])


class FakeGitHub:
    """A fake GitHub on 127.0.0.1; `state` builds the Organization or World it serves (again on reset)."""

    token = DEFAULT_TOKEN

    def __init__(self, state: StateFactory = sample_org) -> None:
        self._state = state
        self._server = HttpServer(self._api_handle, name="fake-github", server_header="GitHub.com")
        self.url = self._server.url
        self.graphql_url = f"{self.url}/graphql"
        self.clock = FakeClock()
        self.stats = Stats()
        self.exchanges = self.stats  # every fake's exchange log, by that name
        self.faults = GitHubFaults()
        self.settings = Settings()
        self._limiter = RateLimiter(self.clock)
        self._api = Api(
            _as_world(state()), Links(self.url), self.settings, self.clock, self.stats, self.faults, self._limiter
        )

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
        self.faults.clear()  # releases delayed answers
        self._server.wait_idle()
        self._api.world = _as_world(self._state())
        self.stats.clear()
        self._limiter.clear()
        self.clock.reset()
        fresh = Settings()
        self.settings.tree_entry_limit = fresh.tree_entry_limit
        self.settings.rate_limit_status = fresh.rate_limit_status

    def start(self) -> FakeGitHub:
        self._server.start()
        return self

    def stop(self) -> None:
        self.faults.clear()
        self._server.stop()

    @contextmanager
    def running(self) -> Iterator[FakeGitHub]:
        self.start()
        try:
            yield self
        finally:
            self.stop()

    def _api_handle(self, request: Request) -> Response | None:
        return self._api.handle(request)
