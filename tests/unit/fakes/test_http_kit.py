"""The shared fake kit (tests/fakes/http/): transport, faults, exchanges, clock and routes, over real HTTP."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.fakes.http.clock import FakeClock
from tests.fakes.http.exchange import Request, Response, json_response
from tests.fakes.http.exchanges import Exchange, Exchanges
from tests.fakes.http.faults import Faults
from tests.fakes.http.routes import Route, RouteTable
from tests.fakes.http.transport import HttpServer


class _Errors:
    def error(self, request: Request, status: int, reason: str | None, html: bool) -> Response:
        return json_response({"error": reason or "failed", "status": status}, status)

    def rate_limited(self, request: Request, status: int) -> Response:
        return json_response({"error": "slow down"}, status)


class _Echo:
    """The smallest fake: one route, the kit's faults, exchange log and clock."""

    routes = RouteTable([Route("GET", "/items/{name}", "item", "item")])

    def __init__(self, tls: bool = False) -> None:
        self.clock = FakeClock(start=1000.0)
        self.faults = Faults(_Errors())
        self.exchanges = Exchanges()
        self.server = HttpServer(self._handle, name="echo", tls=tls)

    def _handle(self, request: Request) -> Response | None:
        found = self.routes.match(request.method, request.path)
        intercepted = self.faults.intercept(request)
        response = None if intercepted.dropped else intercepted.response or json_response({"path": request.path})
        self.exchanges.record(Exchange(request, found[0].name if found else "unrouted", response.status if response else 0,
                                       self.clock.time()))
        return response


@pytest.fixture
def echo() -> Iterator[_Echo]:
    fake = _Echo()
    with fake.server.running():
        yield fake
        fake.faults.clear()


def test_faults_on_one_path_are_served_in_order_then_the_route_answers(echo: _Echo) -> None:
    echo.faults.rate_limit("/items/*", retry_after=7)
    echo.faults.error("/items/*", 503, reason="busy", times=1)
    echo.faults.drop("/items/*", times=1)
    session = requests.Session()
    first = session.get(f"{echo.server.url}/items/a", timeout=5)
    assert (first.status_code, first.headers["Retry-After"], first.json()) == (429, "7", {"error": "slow down"})
    second = session.get(f"{echo.server.url}/items/a", timeout=5)
    assert (second.status_code, second.json()["error"]) == (503, "busy")
    with pytest.raises(requests.ConnectionError):
        session.get(f"{echo.server.url}/items/a", timeout=5)
    assert session.get(f"{echo.server.url}/items/a", timeout=5).json() == {"path": "/items/a"}
    assert [exchange.status for exchange in echo.exchanges.all()] == [429, 503, 0, 200]
    assert echo.exchanges.per_route() == {"item": 4}


def test_a_rate_limit_without_retry_after_sends_none(echo: _Echo) -> None:
    echo.faults.rate_limit(retry_after=None)
    answer = requests.get(f"{echo.server.url}/items/a", timeout=5)
    assert answer.status_code == 429 and "Retry-After" not in answer.headers


def test_a_slow_answer_outlives_the_client_timeout_and_clear_releases_it(echo: _Echo) -> None:
    echo.faults.delay("/items/slow", seconds=120)
    with pytest.raises(requests.Timeout):
        requests.get(f"{echo.server.url}/items/slow", timeout=0.2)
    released = threading.Thread(target=echo.faults.clear)
    released.start()
    released.join()
    echo.server.wait_idle()  # the held answer was let go, not served after 120 s
    assert [exchange.request.path for exchange in echo.exchanges.all()] == ["/items/slow"]


def test_tls_with_a_throwaway_ca(tmp_path: Path) -> None:
    fake = _Echo(tls=True)
    with fake.server.running():
        ca = fake.server.write_ca(tmp_path / "ca.pem")
        assert fake.server.url.startswith("https://127.0.0.1:")
        assert requests.get(f"{fake.server.url}/items/x", verify=str(ca), timeout=5).json() == {"path": "/items/x"}
        with pytest.raises(requests.exceptions.SSLError):
            requests.get(f"{fake.server.url}/items/x", timeout=5)  # not trusted without the CA


def test_a_client_that_stalls_its_tls_handshake_holds_up_no_other_connection(tmp_path: Path) -> None:
    """A real server makes handshakes side by side: one made while accepting held every other
    connection of a client's pool behind it."""
    fake = _Echo(tls=True)
    with fake.server.running():
        ca = fake.server.write_ca(tmp_path / "ca.pem")
        port = int(fake.server.url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)):  # connected, and never says hello
            answer = requests.get(f"{fake.server.url}/items/x", verify=str(ca), timeout=3)
        assert answer.json() == {"path": "/items/x"}


def test_a_plain_server_has_no_ca() -> None:
    with pytest.raises(RuntimeError, match="plain http"):
        _Echo().server.ca_pem  # noqa: B018


def test_a_standing_clock_moves_only_when_a_virtual_timer_sleeps() -> None:
    clock = FakeClock(start=1000.0)
    timer = clock.timer()
    assert timer.time() == 1000.0
    timer.sleep(7)
    assert (clock.time(), clock.advanced, timer.slept) == (1007.0, 7, [7])
    clock.reset()
    assert clock.time() == 1000.0


def test_route_templates_match_literally_and_by_segment() -> None:
    table = RouteTable([
        Route("GET", "/dl/{repo}/legacy.tar.gz/{ref+}", "download", 1),
        Route("GET", "/repos/{owner}/{repo}", "repo", 2),
    ])
    assert table.match("GET", "/dl/svc/legacy.tar.gz/release/1.0") == (table.routes[0], {"repo": "svc", "ref": "release/1.0"})
    assert table.match("GET", "/dl/svc/legacyXtarXgz/main") is None  # a dot is a dot
    assert table.match("GET", "/repos/acme/a%2Fb/") == (table.routes[1], {"owner": "acme", "repo": "a/b"})
    assert table.match("POST", "/repos/acme/a") is None
    assert RouteTable([Route("GET", "/subscriptions", "subs", 0)], ignore_case=True).match("GET", "/Subscriptions/") is not None
