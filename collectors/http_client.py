"""The shell of every Git host's HTTP client: one counted request loop under the shared policy.

What GitHub and GitLab share lives here: a requests session per worker thread (sessions are not
safe to share), the base URL and timeout, and the loop every request goes through — it waits
while the source's `RateGate` is paused, counts each request on the wire (and whether the
host's rate limit charged it), retries 5xx and network errors with back-off, honours
`Retry-After`, and turns a 401 into `TokenRefused` — plus JSON GETs (with ETag revalidation
when a `ConditionalStore` is given) and page loops that never read a page twice nor past
`MAX_PAGES`. Time comes from the collect context's `Timer`, never `time.sleep`.

The sessions read the environment's proxy and CA bundle settings once per origin (`_Session`),
and `exchange` sends one request on urllib3 as requests would (`collectors.http_transport`),
without what requests redoes around every call; at four requests per repository, that work was
a large part of a scan's CPU.

A host's client subclasses `HttpClient` and supplies only what is its own: how a request is
sent (its client library, auth, headers), how its error bodies read, which answers are rate
limits, the names of its rate-limit headers, and how its lists name the next page where a Link
header's `rel="next"` does not say it all.
"""

from __future__ import annotations

import logging
import os
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict
from urllib.parse import urlsplit

import requests
from requests.sessions import merge_setting
from requests.utils import get_environ_proxies

from collectors.githost.cache import CachedAnswer, ConditionalStore
from collectors.http_answers import ApiError, RawAnswer, json_body, path_only, status_phrase, with_query
from collectors.http_policy import PageTrail, RateGate, Refusal, retry_after
from collectors.http_transport import Reply, Transport
from collectors.per_thread import PerThread
from scanner.contract import RequestCounter, Timer

if TYPE_CHECKING:
    from typing_extensions import NotRequired, Unpack

log = logging.getLogger(__name__)

PER_PAGE = 100
RETRY_BACKOFF_SECONDS = 0.25  # doubled on each retry of a 5xx or network error
RATE_LIMIT_PHRASE = "rate limit exhausted"  # in every RateLimited reason

# The budget header names the shared policy reads (`RateGate.observe`).
_REMAINING = "x-ratelimit-remaining"
_RESET = "x-ratelimit-reset"


def next_link(headers: Mapping[str, str]) -> str | None:
    """The target of an answer's `Link: <...>; rel="next"` (RFC 8288: quoted or not, among other
    links and parameters, `rel` naming one relation or several)."""
    for link in requests.utils.parse_header_links(headers.get("link", "")):
        if "next" in str(link.get("rel", "")).split() and link.get("url"):
            return str(link["url"])
    return None


class RateLimited(ApiError):
    """The rate limit is exhausted and resets too far ahead to wait for."""

    def __init__(self, resource: str, resets_at: datetime, path: str, label: str = "") -> None:
        self.resource = resource
        self.resets_at = resets_at
        message = f"{RATE_LIMIT_PHRASE}; resets at {resets_at:%H:%M} UTC"
        super().__init__(None, f"{label} {message}" if label else message, path)


class TokenRefused(Exception):
    """The host answered 401: the credentials are bad, expired or revoked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Answer:
    status: int
    data: Any
    next_url: str | None = None


class ShellOptions(TypedDict):
    """What the shell is made with besides the base URL; a host's client passes them on as they are."""

    counter: RequestCounter
    timeout: int
    max_retries: int
    max_rate_limit_wait: float
    rate_limit_wait_budget: float
    timer: Timer
    conditional: NotRequired[ConditionalStore | None]


@dataclass(frozen=True)
class Call:
    """One request, as the loop sends it (again, on a retry)."""

    resource: str  # the rate-limit budget it draws on
    url: str  # a path under the base URL, or a next-page URL as the host gave it
    headers: Mapping[str, str] = field(default_factory=dict)
    verb: str = "GET"
    body: Any = None
    max_bytes: int | None = None  # a download: read no more than one byte past this


@dataclass(frozen=True)
class _Surroundings:
    """What the environment says about requests to one origin."""

    proxies: Mapping[str, str]  # HTTP(S)_PROXY / ALL_PROXY, or none when NO_PROXY covers the origin
    ca_bundle: str | None  # REQUESTS_CA_BUNDLE, else CURL_CA_BUNDLE


class _Session(requests.Session):
    """A requests session that asks the environment about an origin once, not on every request.

    `requests.Session` looks up proxies (HTTPS_PROXY, NO_PROXY, ...) and the CA bundle
    (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE) for every request, walking the whole environment
    several times. The answers depend only on the origin (scheme, host, port) and on the
    environment, which does not change during a scan: they are kept per origin and merged with
    the request's and the session's settings exactly as `Session.merge_environment_settings` does.
    """

    def __init__(self) -> None:
        super().__init__()
        self._surroundings: dict[tuple[str, str | None, int | None, str | None], _Surroundings] = {}

    def merge_environment_settings(
        self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> dict[str, Any]:
        if not self.trust_env:
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        no_proxy = proxies.get("no_proxy") if proxies is not None else None
        found = self._around(str(url), no_proxy)
        if proxies is not None:
            for scheme, proxy in found.proxies.items():
                proxies.setdefault(scheme, proxy)
        if verify is True or verify is None:
            verify = found.ca_bundle or verify
        return {
            "proxies": merge_setting(proxies, self.proxies),
            "stream": merge_setting(stream, self.stream),
            "verify": merge_setting(verify, self.verify),
            "cert": merge_setting(cert, self.cert),
        }

    def _around(self, url: str, no_proxy: str | None) -> _Surroundings:
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname, parts.port, no_proxy)
        found = self._surroundings.get(key)
        if found is None:
            environ = os.environ
            found = _Surroundings(
                get_environ_proxies(url, no_proxy=no_proxy),
                environ.get("REQUESTS_CA_BUNDLE") or environ.get("CURL_CA_BUNDLE"),
            )
            self._surroundings[key] = found
        return found


class HttpClient(ABC):
    """One credential's requests to one host. Thread-safe: each thread gets its own session."""

    user_agent: ClassVar[str]
    resource: ClassVar[str]  # the rate-limit budget REST requests draw on
    json_headers: ClassVar[Mapping[str, str]] = {}  # sent with every JSON GET
    remaining_header: ClassVar[str] = _REMAINING  # the host's names of its budget headers
    reset_header: ClassVar[str] = _RESET
    uncharged_statuses: ClassVar[frozenset[int]] = frozenset()  # answers the rate limit does not charge
    resource_labels: ClassVar[Mapping[str, str]] = {}  # how a RateLimited reason names a resource

    def __init__(self, base_url: str, **options: Unpack[ShellOptions]) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = options["timeout"]
        self._counter = options["counter"]
        self._max_retries = options["max_retries"]
        self._timer = options["timer"]
        self._conditional = options.get("conditional")
        self._gate = RateGate(self._timer, max_wait=options["max_rate_limit_wait"], wait_budget=options["rate_limit_wait_budget"])
        self._sessions = PerThread(self._new_session, requests.Session.close)
        self._transports = PerThread(self._new_transport, Transport.close)

    # --- what a host supplies -----------------------------------------------------------

    @abstractmethod
    def _transmit(self, call: Call) -> RawAnswer:
        """Send `call` once; network errors raise (requests' or OSError)."""

    @abstractmethod
    def _message(self, data: Any) -> str:
        """The host's error text in an answer's JSON body; "" when it has none."""

    def _next_url(self, headers: Mapping[str, str], url: str) -> str | None:
        """The next page of the list `url` is a page of, from the answer's headers: its Link
        header's `rel="next"`; a host whose lists also say it otherwise extends this."""
        return next_link(headers)

    def _rate_limited(self, raw: RawAnswer, call: Call) -> bool:
        return raw.status == 429

    def _refused(self, raw: RawAnswer, data: Any, url: str) -> ApiError:
        """The error for an answer >= 400: the host's message, else the status's phrase (an HTML
        page from a proxy or a 5xx says nothing useful)."""
        return ApiError(raw.status, self._message(data) or status_phrase(raw.status), path_only(url))

    def _network_error(self, exc: Exception) -> str:
        """What a request that kept failing on the network says (never the exception's text,
        which may carry a URL with credentials)."""
        return type(exc).__name__

    def _new_session(self) -> requests.Session:
        session = _Session()
        session.headers["User-Agent"] = self.user_agent
        return session

    def _new_transport(self) -> Transport:
        return Transport({**requests.utils.default_headers(), "User-Agent": self.user_agent}, self.timeout)

    # --- requests -------------------------------------------------------------------------

    def session(self) -> requests.Session:
        """The calling thread's session (a host whose client library sends on a requests session)."""
        return self._sessions.get()

    def get(
        self, family: str, path: str, params: Mapping[str, Any] | None = None, *, conditional: bool = False
    ) -> Answer:
        """GET a JSON resource; raise ApiError for any status >= 400. `conditional`: revalidate a
        stored answer with its ETag (a 304 costs no rate limit), when the client has a store."""
        url = with_query(path, params)
        store = self._conditional if conditional else None
        cached = store.load(url) if store is not None else None
        headers = dict(self.json_headers)
        if cached is not None:
            headers["If-None-Match"] = cached.etag
        raw = self._send(family, Call(self.resource, url, headers))
        if raw.status == 304 and cached is not None:
            return Answer(200, cached.data, cached.next_url)
        data = json_body(raw, url)
        if raw.status >= 400:
            raise self._refused(raw, data, url)
        next_url = self._next_url(raw.headers, url)
        etag = raw.headers.get("etag")
        if store is not None and etag:
            store.save(url, CachedAnswer(etag, data, next_url))
        return Answer(raw.status, data, next_url)

    def pages(
        self,
        family: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        conditional: bool = False,
        list_key: str | None = None,
        max_pages: int | None = None,
    ) -> Iterator[Any]:
        """Every item of a paginated list, `PER_PAGE` a page, never reading a page twice.
        `list_key`: the list is that member of an object answer (`{"total_count", "workflow_runs": [...]}`);
        `max_pages`: stop there without error, when that many pages are enough to measure."""
        first = with_query(path, {**(params or {}), "per_page": PER_PAGE})
        answer = self.get(family, first, conditional=conditional)
        trail = PageTrail(first)
        page = 1
        while True:
            items = answer.data.get(list_key) if list_key is not None and isinstance(answer.data, dict) else answer.data
            if not isinstance(items, list):
                # A malformed answer is a failure to read, not a refusal: no status to blame.
                raise ApiError(None, f"expected a list{f' of {list_key}' if list_key else ''} in the answer", path_only(path))
            yield from items
            if answer.next_url is None:
                return
            if max_pages is not None and page >= max_pages:
                log.debug("%s: pages beyond %d not read", path_only(path), max_pages)
                return
            problem = trail.problem(answer.next_url)
            if problem is not None:
                raise ApiError(None, f"pagination stopped: {problem}", path_only(answer.next_url))
            answer = self.get(family, answer.next_url, conditional=conditional)
            page += 1

    def exchange(self, verb: str, url: str, headers: Mapping[str, str], body: bytes | None = None) -> Reply:
        """Send one request from the calling thread and return its answer, body unread, redirects
        not followed: the session's headers under `headers`, the environment's proxies and CA
        bundle as requests applies them (see `collectors.http_transport`). Nothing else of
        `Session.request`'s work, of no use to an API client: no cookie sent or kept, no .netrc
        credentials (which would replace the token in `headers`), no redirect target worked out
        in advance, no response hook."""
        return self._transports.get().send(verb, url, headers, body)

    def content(self, family: str, call: Call) -> bytes:
        """The body of a non-JSON answer (a file's bytes); ApiError for any status >= 400."""
        raw = self._send(family, call)
        if raw.status >= 400:
            raise self._refused(raw, json_body(raw, call.url), call.url)
        return raw.body

    def close(self) -> None:
        self._sessions.close()
        self._transports.close()

    # --- the request loop -----------------------------------------------------------------

    def _send(self, family: str, call: Call) -> RawAnswer:
        """Send `call` until it is answered: waits out rate limits (or raises RateLimited when
        the wait is too long or past the budget), retries 5xx and network errors `max_retries`
        times, raises TokenRefused on 401. Every request sent is counted under `family`."""
        path = path_only(call.url)
        failures = 0
        while True:
            closed_until = self._gate.before(call.resource)
            if closed_until is not None:
                resets_at = datetime.fromtimestamp(closed_until, tz=timezone.utc)
                raise RateLimited(call.resource, resets_at, path, self.resource_labels.get(call.resource, ""))
            try:
                raw = self._transmit(call)
            except (requests.RequestException, OSError) as exc:
                self._counter.add(family, sent=1)
                if failures < self._max_retries:
                    self.back_off(failures)
                    failures += 1
                    continue
                raise ApiError(None, f"network error after {failures + 1} attempts: {self._network_error(exc)}", path) from None
            limited = self._rate_limited(raw, call)
            charged = not limited and raw.status not in self.uncharged_statuses
            self._counter.add(family, sent=1, charged=1 if charged else 0)
            self._gate.observe(call.resource, self._budget(raw.headers))
            if limited:
                self._gate.refused(call.resource, self._refusal(raw.headers))
                continue
            self._gate.succeeded(call.resource)
            if raw.status >= 500 and failures < self._max_retries:
                self.back_off(failures, raw.headers)
                failures += 1
                continue
            if raw.status == 401:
                said = self._message(json_body(raw, path)) or "Unauthorized"
                raise TokenRefused(said if said.startswith("401") else f"401 {said}")  # GitLab says "401 Unauthorized"
            return raw

    def back_off(self, failures: int, headers: Mapping[str, str] | None = None) -> None:
        """Wait before retry number `failures` + 1: the answer's Retry-After, else a doubling back-off."""
        wait = retry_after(headers) if headers is not None else None
        self._timer.sleep(wait or RETRY_BACKOFF_SECONDS * 2**failures)

    def _budget(self, headers: Mapping[str, str]) -> Mapping[str, str]:
        """The host's budget headers under the names the shared policy reads."""
        names = {self.remaining_header: _REMAINING, self.reset_header: _RESET}
        return {ours: headers[theirs] for theirs, ours in names.items() if theirs in headers}

    def _refusal(self, headers: Mapping[str, str]) -> Refusal:
        reset = headers.get(self.reset_header)
        return Refusal(
            primary=headers.get(self.remaining_header) == "0",
            retry_after=retry_after(headers),
            reset=float(reset) if reset is not None and reset.isdigit() else None,
        )
