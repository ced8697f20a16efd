"""The shared HTTP client shell (collectors/http_client.py) over real HTTP to a fake built on the kit.

The host here is the thinnest possible: plain requests on the shell's session, JSON errors
`{"message": ...}`, GitLab-style budget header names. All waits are virtual (the fake's clock).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from collectors.githost.cache import CachedAnswer
from collectors.http_answers import ApiError, RawAnswer
from collectors.http_client import Call, HttpClient, RateLimited, ShellOptions, TokenRefused, next_link
from scanner.contract import RequestCounter
from scanner.model import RequestCount
from tests.fakes.http.clock import FakeClock
from tests.fakes.http.exchange import Request, Response, json_response
from tests.fakes.http.exchanges import Exchange, Exchanges
from tests.fakes.http.faults import Faults
from tests.fakes.http.routes import Route, RouteTable
from tests.fakes.http.transport import HttpServer
from tests.fakes.virtual_time import VirtualTimer

START = 1_800_000_000.0


class _Errors:
    def error(self, request: Request, status: int, reason: str | None, html: bool) -> Response:
        return json_response({"message": reason or "failed"}, status)

    def rate_limited(self, request: Request, status: int) -> Response:
        return json_response({"message": "slow down"}, status)


class _Fake:
    """Three lists and a revalidated resource: `/items` (three pages), `/loop` (its next page is
    itself), `/thing` (ETag "v1", 304 when asked with it)."""

    def __init__(self) -> None:
        self.clock = FakeClock(start=START)
        self.faults = Faults(_Errors())
        self.exchanges = Exchanges()
        self.routes = RouteTable([Route("GET", "/items", "items", self._items), Route("GET", "/loop", "loop", self._loop),
                                  Route("GET", "/thing", "thing", self._thing)])
        self.server = HttpServer(self._handle, name="shell-fake")

    def _handle(self, request: Request) -> Response | None:
        found = self.routes.match(request.method, request.path)
        intercepted = self.faults.intercept(request)
        if intercepted.dropped:
            response = None
        elif intercepted.response is not None:
            response = intercepted.response
        else:
            response = found[0].handler(request) if found else json_response({"message": "Not Found"}, 404)
        self.exchanges.record(Exchange(request, found[0].name if found else "unrouted",
                                       response.status if response else 0, self.clock.time()))
        return response

    def _items(self, request: Request) -> Response:
        page = int(request.query.get("page", "1"))
        headers = {"Link": f'<{self.server.url}/items?per_page=100&page={page + 1}>; rel="next"'} if page < 3 else {}
        return json_response([page], headers=headers)

    def _loop(self, request: Request) -> Response:
        return json_response([1], headers={"Link": f'<{self.server.url}/loop?per_page=100>; rel="next"'})

    def _thing(self, request: Request) -> Response:
        if request.headers.get("if-none-match") == '"v1"':
            return Response(304, headers={"ETag": '"v1"'})
        return json_response({"version": 1}, headers={"ETag": '"v1"'})


class _Host(HttpClient):
    """A host that sends with the shell's `exchange` and names its budget headers as GitLab does."""

    user_agent = "pecm-test"
    resource = "api"
    remaining_header = "ratelimit-remaining"
    reset_header = "ratelimit-reset"
    uncharged_statuses = frozenset({304})
    resource_labels = {"api": "Test"}

    def _transmit(self, call: Call) -> RawAnswer:
        url = call.url if "://" in call.url else self.base_url + call.url
        with self.exchange(call.verb, url, call.headers) as reply:
            return RawAnswer(reply.status, reply.headers, reply.body())

    def _message(self, data: Any) -> str:
        return str(data["message"]) if isinstance(data, dict) and isinstance(data.get("message"), str) else ""


class _Store:
    def __init__(self) -> None:
        self.saved: dict[str, CachedAnswer] = {}

    def load(self, url: str) -> CachedAnswer | None:
        return self.saved.get(url)

    def save(self, url: str, answer: CachedAnswer) -> None:
        self.saved[url] = answer


@pytest.fixture(scope="module")
def started() -> Iterator[_Fake]:
    fake = _Fake()
    with fake.server.running():
        yield fake


@pytest.fixture
def fake(started: _Fake) -> Iterator[_Fake]:
    started.faults.clear()
    started.exchanges.clear()
    started.clock.reset()
    yield started


def _client(fake: _Fake, *, max_retries: int = 2, store: _Store | None = None) -> tuple[_Host, RequestCounter, VirtualTimer]:
    counter, timer = RequestCounter(), fake.clock.timer()
    client = _Host(fake.server.url, counter=counter, timeout=5, max_retries=max_retries, max_rate_limit_wait=60,
                   rate_limit_wait_budget=120, timer=timer, conditional=store)
    return client, counter, timer


def test_a_5xx_is_retried_with_doubling_back_off_and_every_attempt_counted(fake: _Fake) -> None:
    fake.faults.error("/thing", 502, times=2)
    client, counter, timer = _client(fake)

    assert client.get("things", "/thing").data == {"version": 1}
    assert timer.slept == [0.25, 0.5]
    assert counter.snapshot() == {"things": RequestCount(sent=3, charged=3)}
    client.close()


def test_a_5xx_that_keeps_failing_is_an_error_after_max_retries(fake: _Fake) -> None:
    fake.faults.error("/thing", 503, reason="down for maintenance")
    client, counter, _ = _client(fake, max_retries=1)

    with pytest.raises(ApiError) as raised:
        client.get("things", "/thing")
    assert (raised.value.status, raised.value.message, raised.value.path) == (503, "down for maintenance", "/thing")
    assert fake.exchanges.count("thing") == 2 and counter.snapshot()["things"].sent == 2
    client.close()


def test_retry_after_on_a_5xx_is_waited_instead_of_the_back_off(fake: _Fake) -> None:
    fake.faults.error("/thing", 503, times=1, headers={"Retry-After": "7"})
    client, _, timer = _client(fake)

    client.get("things", "/thing")
    assert timer.slept == [7]
    client.close()


def test_a_429_waits_its_retry_after_in_virtual_time_and_is_not_charged(fake: _Fake) -> None:
    fake.faults.rate_limit("/thing", retry_after=30)
    client, counter, timer = _client(fake)

    assert client.get("things", "/thing").data == {"version": 1}
    assert timer.slept == [30]
    [refused, answered] = fake.exchanges.all()
    assert (refused.status, answered.status, answered.at - refused.at) == (429, 200, 30)
    assert counter.snapshot() == {"things": RequestCount(sent=2, charged=1)}
    client.close()


def test_a_spent_budget_under_the_hosts_header_names_waits_for_its_reset(fake: _Fake) -> None:
    reset = int(START) + 20
    fake.faults.respond("/thing", json_response({"version": 0}, headers={"RateLimit-Remaining": "0", "RateLimit-Reset": str(reset)}))
    client, _, timer = _client(fake)

    client.get("things", "/thing")  # answered, but the budget is spent: the next request waits
    client.get("things", "/thing")
    assert timer.slept == [21]  # the reset second still belongs to the old window
    client.close()


def test_a_reset_too_far_ahead_stops_with_rate_limited_and_sends_nothing_more(fake: _Fake) -> None:
    far = int(START) + 3600
    fake.faults.respond("/thing", json_response({"message": "API rate limit exceeded"}, 429,
                                                {"RateLimit-Remaining": "0", "RateLimit-Reset": str(far)}), times=None)
    client, _, timer = _client(fake)

    with pytest.raises(RateLimited) as raised:
        client.get("things", "/thing")
    assert raised.value.reason().startswith("Test rate limit exhausted; resets at ")
    assert raised.value.resource == "api" and raised.value.resets_at.timestamp() == far + 1
    with pytest.raises(RateLimited):
        client.get("things", "/thing")  # the resource stays closed for every request
    assert fake.exchanges.count("thing") == 1 and timer.slept == []
    client.close()


def test_a_dropped_connection_is_retried_then_named_by_its_type_only(fake: _Fake) -> None:
    fake.faults.drop("/thing")
    client, counter, timer = _client(fake, max_retries=1)

    with pytest.raises(ApiError) as raised:
        client.get("things", "/thing")
    assert raised.value.reason() == "network error after 2 attempts: ConnectionError"
    assert timer.slept == [0.25] and counter.snapshot()["things"] == RequestCount(sent=2)
    client.close()


def test_a_401_is_token_refused_with_the_hosts_message(fake: _Fake) -> None:
    fake.faults.error("/thing", 401, reason="Bad credentials")
    client, _, _ = _client(fake)

    with pytest.raises(TokenRefused, match="^401 Bad credentials$"):
        client.get("things", "/thing")
    assert fake.exchanges.count("thing") == 1  # never retried
    client.close()


def test_pages_follow_next_links_to_the_end(fake: _Fake) -> None:
    client, counter, _ = _client(fake)

    assert list(client.pages("items", "/items")) == [1, 2, 3]
    assert [request.query for request in fake.exchanges.requests()] == [
        {"per_page": "100"}, {"per_page": "100", "page": "2"}, {"per_page": "100", "page": "3"}]
    assert counter.snapshot()["items"].sent == 3
    assert list(client.pages("items", "/items", max_pages=2)) == [1, 2]  # enough pages: no error
    client.close()


def test_a_next_link_back_to_a_page_already_read_stops_the_list(fake: _Fake) -> None:
    client, _, _ = _client(fake)

    with pytest.raises(ApiError, match="pagination stopped: the server's next-page link points at a page already read"):
        list(client.pages("loop", "/loop"))
    assert fake.exchanges.count("loop") == 2  # asked by path, then once by the link naming it; not a third time
    client.close()


def test_an_answer_that_is_not_a_list_fails_the_list_without_blaming_a_status(fake: _Fake) -> None:
    client, _, _ = _client(fake)

    with pytest.raises(ApiError) as raised:
        list(client.pages("things", "/thing"))
    assert (raised.value.status, raised.value.message) == (None, "expected a list in the answer")
    client.close()


def test_a_revalidated_answer_comes_from_the_store_and_is_not_charged(fake: _Fake) -> None:
    store = _Store()
    client, counter, _ = _client(fake, store=store)

    first = client.get("things", "/thing", conditional=True)
    again = client.get("things", "/thing", conditional=True)
    assert first.data == again.data == {"version": 1} and again.status == 200
    assert [exchange.status for exchange in fake.exchanges.all()] == [200, 304]
    assert fake.exchanges.requests()[1].headers["if-none-match"] == '"v1"'
    assert counter.snapshot() == {"things": RequestCount(sent=2, charged=1)}
    client.get("things", "/thing")  # not conditional: no validator sent
    assert "if-none-match" not in fake.exchanges.requests()[2].headers
    client.close()


def test_each_thread_has_its_own_session(fake: _Fake) -> None:
    client, _, _ = _client(fake)
    mine = client.session()
    theirs: list[requests.Session] = []
    worker = threading.Thread(target=lambda: theirs.append(client.session()))
    worker.start()
    worker.join()

    assert client.session() is mine and theirs[0] is not mine
    assert mine.headers["User-Agent"] == "pecm-test"
    client.close()


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ('<https://x.test/a?page=2>; rel="next", <https://x.test/a?page=9>; rel="last"', "https://x.test/a?page=2"),
        ('<https://x.test/a?page=1>; rel="prev", <https://x.test/a?page=3>; rel="next"', "https://x.test/a?page=3"),
        ("<https://x.test/a?page=2>; rel=next", "https://x.test/a?page=2"),  # RFC 8288 token form
        ('<https://x.test/a?page=2>; type="application/json"; rel="next"', "https://x.test/a?page=2"),  # other parameters first
        ('<https://x.test/a?page=2>; rel="next last"', "https://x.test/a?page=2"),  # several relations
        ('<https://x.test/a?cursor=eyJpZCI6MTB9&per_page=100>; rel="next"', "https://x.test/a?cursor=eyJpZCI6MTB9&per_page=100"),
        ('<https://x.test/a?page=1>; rel="prev"', None),
        ('<https://x.test/a?page=2>; rel="nextish"', None),
        ("", None),
    ],
)
def test_next_links_are_found_in_any_valid_form(link: str, expected: str | None) -> None:
    assert next_link({"link": link}) == expected
    assert next_link({}) is None


# --- the environment: read once per origin, honoured as requests honours it ------------------

_ENVIRONMENT = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


@pytest.fixture
def bare_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No proxy and no CA bundle in the environment, whatever the machine running the tests sets."""
    for name in _ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    return monkeypatch


@pytest.fixture
def proxy() -> Iterator[list[Request]]:
    """A forward proxy that answers every request itself: the requests it saw."""
    seen: list[Request] = []

    def answer(request: Request) -> Response:
        seen.append(request)
        return json_response({"via": "proxy"})

    server = HttpServer(answer, name="proxy")
    with server.running():
        seen.append(Request("GET", server.url, {}, {}))  # its address, first
        yield seen


def test_the_environments_proxy_carries_every_request_unless_no_proxy_names_the_host(
    fake: _Fake, proxy: list[Request], bare_environment: pytest.MonkeyPatch
) -> None:
    bare_environment.setenv("HTTP_PROXY", proxy[0].path)
    client, _, _ = _client(fake)
    assert client.get("things", "/thing").data == {"via": "proxy"}
    assert client.get("things", "/thing").data == {"via": "proxy"}  # the origin's settings, kept
    assert [request.headers["host"] for request in proxy[1:]] == [fake.server.url.removeprefix("http://")] * 2
    assert not fake.exchanges.all()
    client.close()

    bare_environment.setenv("NO_PROXY", "127.0.0.1")
    client, _, _ = _client(fake)
    assert client.get("things", "/thing").data == {"version": 1}
    assert len(proxy) == 3 and len(fake.exchanges.all()) == 1
    client.close()


def test_the_environments_ca_bundle_is_what_verifies_a_tls_host(tmp_path: Path, bare_environment: pytest.MonkeyPatch) -> None:
    server = HttpServer(lambda request: json_response({"tls": True}), name="tls-host", tls=True)
    with server.running():
        counter, timer = RequestCounter(), FakeClock(start=START).timer()
        options: ShellOptions = {"counter": counter, "timeout": 5, "max_retries": 0, "max_rate_limit_wait": 60,
                                 "rate_limit_wait_budget": 120, "timer": timer}
        untrusting = _Host(server.url, **options)
        with pytest.raises(ApiError, match="SSLError"):
            untrusting.get("tls", "/")
        untrusting.close()

        bare_environment.setenv("REQUESTS_CA_BUNDLE", str(server.write_ca(tmp_path / "ca.pem")))
        trusting = _Host(server.url, **options)
        assert trusting.get("tls", "/").data == {"tls": True}
        trusting.close()
