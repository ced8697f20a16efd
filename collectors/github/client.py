"""The only module that talks HTTP to GitHub: REST and GraphQL through PyGithub's requester.

Every request goes through one loop that counts it, honours rate limits and retries 5xx and
network errors. PyGithub's own retries are off (`retry=None`) so that each request on the
wire is counted once and the rate-limit policy is the shared one (`collectors.http_policy`):
wait when the reset is near, else stop cleanly. A PyGithub `Github` is not thread-safe, so
each worker thread gets its own.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import requests
from github import Auth, Github, GithubException
from github.GithubObject import GithubObject

from collectors.githost.cache import CachedAnswer, ConditionalStore
from collectors.http_answers import ApiError as ApiError
from collectors.http_answers import RawAnswer, json_body, path_only, status_phrase, with_query
from collectors.http_policy import PageTrail, RateGate, Refusal, retry_after
from collectors.per_thread import PerThread
from scanner.contract import RequestCounter, Timer

log = logging.getLogger(__name__)

T = TypeVar("T", bound=GithubObject)

USER_AGENT = "pecm-github-collector"
PER_PAGE = 100
RETRY_BACKOFF_SECONDS = 0.25  # doubled on each retry of a 5xx or network error
RAW_MEDIA_TYPE = "application/vnd.github.raw+json"
API_VERSION = "2022-11-28"  # the REST version whose shapes mapping.py reads

RATE_LIMIT_PHRASE = "rate limit exhausted"  # in every RateLimited reason

_SSO_URL = re.compile(r"url=(\S+)")


class RateLimited(ApiError):
    """The rate limit is exhausted and resets too far ahead to wait for."""

    def __init__(self, resource: str, resets_at: datetime, path: str) -> None:
        self.resource = resource
        self.resets_at = resets_at
        message = f"{RATE_LIMIT_PHRASE}; resets at {resets_at:%H:%M} UTC"
        if resource == "graphql":
            message = f"GraphQL {message}"
        super().__init__(None, message, path)


class TokenRefused(Exception):
    """GitHub answered 401: the credentials are bad, expired or revoked."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Answer:
    status: int
    data: Any
    next_url: str | None = None


@dataclass(frozen=True)
class GraphQLAnswer:
    data: dict[str, Any]
    errors: list[dict[str, Any]]


class GitHubClient:
    """REST and GraphQL for one credential. Thread-safe: each thread gets its own PyGithub client."""

    def __init__(
        self,
        base_url: str,
        auth: Auth.Auth,
        *,
        counter: RequestCounter,
        timeout: int,
        max_retries: int,
        max_rate_limit_wait: float,
        rate_limit_wait_budget: float,
        timer: Timer,
        conditional: ConditionalStore | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._auth = auth
        self._counter = counter
        self._timeout = timeout
        self._max_retries = max_retries
        self._conditional = conditional
        self._timer = timer
        self._gate = RateGate(timer, max_wait=max_rate_limit_wait, wait_budget=rate_limit_wait_budget)
        self._githubs = PerThread(self._new_github, Github.close)
        self._sessions = PerThread(self._new_session, requests.Session.close)
        api = urlsplit(self.base_url)
        self._api_origin = (api.scheme, api.hostname, api.port)

    # --- REST -------------------------------------------------------------------------

    def get(
        self, family: str, path: str, params: Mapping[str, Any] | None = None, *, conditional: bool = False
    ) -> Answer:
        """GET a JSON resource; raise ApiError for any status >= 400."""
        url = with_query(path, params)
        cached = self._conditional.load(url) if conditional and self._conditional else None
        headers = {"Accept": "application/vnd.github+json"}
        if cached is not None:
            headers["If-None-Match"] = cached.etag
        raw = self._send(family, "core", "GET", url, headers, None)
        if raw.status == 304 and cached is not None:
            return Answer(200, cached.data, cached.next_url)
        data = json_body(raw, url)
        if raw.status >= 400:
            raise _refused(raw, data, url)
        next_url = _next_link(raw.headers)
        etag = raw.headers.get("etag")
        if conditional and self._conditional is not None and etag:
            self._conditional.save(url, CachedAnswer(etag, data, next_url))
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
        """Every item of a paginated list, following `Link: rel="next"` (never in a loop).
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
            self.check_next(trail, answer.next_url)
            answer = self.get(family, answer.next_url, conditional=conditional)
            page += 1

    def typed(self, kind: type[T], payload: dict[str, Any]) -> T:
        """A REST payload as PyGithub's typed object: complete as given, so reading it sends nothing."""
        return self._githubs.get().create_from_raw_data(kind, payload)

    @staticmethod
    def check_next(trail: PageTrail, next_url: str) -> None:
        """Raise ApiError when `next_url` must not be followed (a page read before, too many pages)."""
        problem = trail.problem(next_url)
        if problem is not None:
            raise ApiError(None, f"pagination stopped: {problem}", path_only(next_url))

    def raw_file(self, family: str, owner: str, repo: str, path: str, ref: str) -> bytes:
        """One file's bytes through the contents API (raw media type: no base64, no JSON)."""
        url = with_query(f"/repos/{owner}/{repo}/contents/{_quote_path(path)}", {"ref": ref})
        raw = self._send(family, "core", "GET", url, {"Accept": RAW_MEDIA_TYPE}, None, binary=True)
        if raw.status >= 400:
            raise _refused(raw, json_body(raw, url), url)
        return raw.body

    def archive(self, family: str, owner: str, repo: str, ref: str, max_bytes: int) -> bytes | None:
        """The gzipped tarball of `ref`, or None when it is larger than `max_bytes`.

        GitHub answers with a redirect to a download host; only the redirect is an API request.
        """
        url = f"/repos/{owner}/{repo}/tarball/{ref}"
        raw = self._send(family, "core", "GET", url, {"Accept": "application/vnd.github+json"}, None)
        location = raw.headers.get("location")
        if raw.status not in (301, 302, 303, 307) or not location:
            raise _refused(raw, json_body(raw, url), url) if raw.status >= 400 else ApiError(raw.status, "no redirect", url)
        return self._download(f"{family}_download", location, max_bytes)

    # --- GraphQL ------------------------------------------------------------------------

    def graphql(self, family: str, query: str, variables: Mapping[str, Any] | None = None) -> GraphQLAnswer:
        """POST one query. Partial answers are normal (a field the token may not see): `errors`
        comes back with whatever `data` GitHub could give; only a wholly failed query raises."""
        body = {"query": query, "variables": dict(variables or {})}
        path = "/graphql"
        raw = self._send(family, "graphql", "POST", path, {"Accept": "application/json"}, body, graphql=True)
        payload = json_body(raw, path)
        if raw.status >= 400:
            raise _refused(raw, payload, path)
        if not isinstance(payload, dict):
            raise ApiError(raw.status, "the GraphQL answer is not a JSON object", path)
        data: dict[str, Any] = payload["data"] if isinstance(payload.get("data"), dict) else {}
        errors = [error for error in payload.get("errors") or [] if isinstance(error, dict)]
        if not data and errors:
            raise ApiError(raw.status, "; ".join(str(error.get("message")) for error in errors[:3]), path)
        cost = data.get("rateLimit", {}).get("cost") if isinstance(data.get("rateLimit"), dict) else None
        self._counter.add(family, sent=0, cost=int(cost) if isinstance(cost, (int, float)) else 1)
        return GraphQLAnswer(data, errors)

    def close(self) -> None:
        self._githubs.close()
        self._sessions.close()

    # --- the request loop -----------------------------------------------------------------

    def _send(
        self,
        family: str,
        resource: str,
        verb: str,
        url: str,
        headers: dict[str, str],
        body: Any,
        *,
        binary: bool = False,
        graphql: bool = False,
    ) -> RawAnswer:
        path = path_only(url)
        headers = {**headers, "X-GitHub-Api-Version": API_VERSION}
        failures = 0
        while True:
            closed_until = self._gate.before(resource)
            if closed_until is not None:
                raise RateLimited(resource, _utc(closed_until), path)
            try:
                if binary:
                    raw = self._session_get(url, headers)
                else:
                    raw = self._pygithub(verb, self._graphql_url() if graphql else url, headers, body)
            except (requests.RequestException, OSError) as exc:
                self._counter.add(family, sent=1)
                if failures < self._max_retries:
                    self._timer.sleep(RETRY_BACKOFF_SECONDS * 2**failures)
                    failures += 1
                    continue
                raise ApiError(None, f"network error after {failures + 1} attempts: {type(exc).__name__}", path) from None
            limited = _is_rate_limited(raw) or (graphql and _graphql_rate_limited(raw))
            # GitHub charges neither a 304 nor a request it refused for the rate limit.
            self._counter.add(family, sent=1, charged=0 if raw.status == 304 or limited else 1)
            self._gate.observe(resource, raw.headers)
            if limited:
                self._gate.refused(resource, _refusal(raw))
                continue
            self._gate.succeeded(resource)
            if raw.status >= 500 and failures < self._max_retries:
                self._timer.sleep(retry_after(raw.headers) or RETRY_BACKOFF_SECONDS * 2**failures)
                failures += 1
                continue
            if raw.status == 401:
                raise TokenRefused(f"{raw.status} {_message(json_body(raw, path)) or 'Unauthorized'}")
            return raw

    def _graphql_url(self) -> str:
        return self._githubs.get().requester.graphql_url

    def _pygithub(self, verb: str, url: str, headers: dict[str, str], body: Any) -> RawAnswer:
        requester = self._githubs.get().requester
        try:
            status, response_headers, text = requester.requestJson(verb, url, headers=dict(headers), input=body)
        except GithubException as exc:  # minting a GitHub App installation token failed
            if exc.status == 401:
                raise TokenRefused(f"401 {exc.message or 'Bad credentials'}") from None
            raise ApiError(exc.status, f"GitHub App authentication failed: {exc.message}", "/app/installations") from None
        lowered = {key.lower(): str(value) for key, value in response_headers.items()}
        return RawAnswer(status, lowered, text.encode("utf-8") if isinstance(text, str) else b"")

    def _new_github(self) -> Github:
        return Github(
            base_url=self.base_url,
            auth=self._auth,
            timeout=self._timeout,
            user_agent=USER_AGENT,
            per_page=PER_PAGE,
            retry=None,  # ours: counted, bounded, rate-limit aware
            seconds_between_requests=None,
            seconds_between_writes=None,
            lazy=True,  # never a lazy-completion request behind our back
        )

    @staticmethod
    def _new_session() -> requests.Session:
        session = requests.Session()
        session.headers["User-Agent"] = USER_AGENT
        return session

    def _session_get(self, url: str, headers: dict[str, str]) -> RawAnswer:
        absolute = url if "://" in url else self.base_url + url
        send = dict(headers)
        self._auth.authentication(send)
        response = self._sessions.get().get(absolute, headers=send, timeout=self._timeout, allow_redirects=False)
        with response:
            return RawAnswer(response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.content)

    def _download(self, family: str, location: str, max_bytes: int) -> bytes | None:
        """Follow an archive redirect. The download host is not the API: not charged, and it gets
        the credentials only when it is the API's own host."""
        target = urlsplit(location if "://" in location else self.base_url + location)
        headers: dict[str, str] = {}
        if (target.scheme, target.hostname, target.port) == self._api_origin:
            self._auth.authentication(headers)
        failures = 0
        while True:
            try:
                self._counter.add(family, sent=1)
                return self._stream(target.geturl(), headers, max_bytes)
            except (requests.RequestException, OSError) as exc:
                if failures >= self._max_retries:
                    raise ApiError(None, f"archive download failed: {type(exc).__name__}", target.path) from None
                self._timer.sleep(RETRY_BACKOFF_SECONDS * 2**failures)
                failures += 1

    def _stream(self, url: str, headers: dict[str, str], max_bytes: int) -> bytes | None:
        session = self._sessions.get()
        with session.get(url, headers=headers, timeout=self._timeout, stream=True, allow_redirects=True) as response:
            if response.status_code >= 500:
                raise requests.HTTPError(f"HTTP {response.status_code}")
            if response.status_code >= 400:
                raise ApiError(response.status_code, "archive download refused", urlsplit(url).path)
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_content(chunk_size=65536):
                size += len(chunk)
                if size > max_bytes:
                    return None
                chunks.append(chunk)
            return b"".join(chunks)


def _is_rate_limited(raw: RawAnswer) -> bool:
    if raw.status == 429:
        return True
    if raw.status != 403:
        return False
    if raw.headers.get("x-ratelimit-remaining") == "0" or "retry-after" in raw.headers:
        return True
    return "rate limit" in _message(json_body(raw, "")).lower()


def _graphql_rate_limited(raw: RawAnswer) -> bool:
    """GitHub answers an exhausted GraphQL budget with 200 and a RATE_LIMITED error."""
    if raw.status != 200 or b"RATE_LIMITED" not in raw.body:
        return False
    payload = json_body(raw, "/graphql")
    errors = payload.get("errors") if isinstance(payload, dict) else None
    return any(isinstance(error, dict) and error.get("type") == "RATE_LIMITED" for error in errors or ())


def _refusal(raw: RawAnswer) -> Refusal:
    reset = raw.headers.get("x-ratelimit-reset")
    return Refusal(
        primary=raw.headers.get("x-ratelimit-remaining") == "0",
        retry_after=retry_after(raw.headers),
        reset=float(reset) if reset is not None and reset.isdigit() else None,
    )


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=timezone.utc)


def _message(data: Any) -> str:
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return str(data["message"])
    return ""


def _refused(raw: RawAnswer, data: Any, url: str) -> ApiError:
    """The error for an answer >= 400: GitHub's message, else the status's phrase (an HTML page
    from a proxy or a 5xx says nothing useful), and the SSO page when SAML refused the token."""
    message = _message(data) or status_phrase(raw.status)
    sso = raw.headers.get("x-github-sso", "")
    sso_url = None
    if raw.status == 403 and sso.startswith("required"):
        found = _SSO_URL.search(sso)
        sso_url = urlsplit(found.group(1))._replace(query="").geturl() if found else "the organization's SSO page"
    return ApiError(raw.status, message, path_only(url), sso_url)


def _next_link(headers: Mapping[str, str]) -> str | None:
    links = requests.utils.parse_header_links(headers.get("link", ""))
    return next((str(link["url"]) for link in links if link.get("rel") == "next" and link.get("url")), None)


def _quote_path(path: str) -> str:
    return quote(path, safe="/")


