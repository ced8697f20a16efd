"""The only module that talks HTTP to GitLab: REST v4 through python-gitlab's `http_request`.

Every request goes through one loop that counts it, honours rate limits through the shared
policy (`collectors.http_policy`) and retries 5xx and network errors with the collect
context's timer. python-gitlab's own retries are off (`max_retries=0`, no transient retries,
rate limits not obeyed) because they sleep with `time.sleep` and are not counted. Lists follow
`Link: rel="next"` (offset or keyset pages alike) and, where GitLab sends only `X-Next-Page`,
that page number. One `gitlab.Gitlab` per worker thread: its requests session is not shared.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from http import HTTPStatus
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import gitlab
import requests

from collectors.http_policy import PageTrail, RateGate, Refusal, retry_after
from scanner.contract import RequestCounter, Timer

USER_AGENT = "pecm-gitlab-collector"
PER_PAGE = 100
RETRY_BACKOFF_SECONDS = 0.25  # doubled on each retry of a 5xx or network error
RESOURCE = "api"  # GitLab has one budget per user (and per IP) for the whole API

_NEXT_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


class ApiError(Exception):
    """A request GitLab refused or that kept failing. `status` is None for network errors."""

    def __init__(self, status: int | None, message: str, path: str) -> None:
        super().__init__(f"{path}: HTTP {status}: {message}" if status else f"{path}: {message}")
        self.status = status
        self.message = message
        self.path = path

    def reason(self) -> str:
        return f"HTTP {self.status}: {self.message}" if self.status else self.message

    def reason_with(self, permission: str) -> str:
        """The reason, naming `permission` where it could be the cause: a 403, or a 404, which
        GitLab also answers for what the token may not see."""
        if self.status == 403:
            return f"{self.reason()} — {permission}"
        if self.status == 404:
            return f"{self.reason()} — it does not exist, or {permission}"
        return self.reason()


class RateLimited(ApiError):
    """The rate limit is exhausted and resets too far ahead to wait for."""

    def __init__(self, resets_at: datetime, path: str) -> None:
        super().__init__(None, f"rate limit exhausted; resets at {resets_at:%H:%M} UTC", path)


class TokenRefused(Exception):
    """GitLab answered 401: the token is wrong, expired or revoked."""


@dataclass(frozen=True)
class Answer:
    status: int
    data: Any
    next_url: str | None = None


@dataclass(frozen=True)
class _Raw:
    status: int
    headers: Mapping[str, str]
    body: bytes


class GitLabClient:
    """REST v4 for one token. Thread-safe: each thread gets its own python-gitlab client."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        counter: RequestCounter,
        timeout: int,
        max_retries: int,
        max_rate_limit_wait: float,
        rate_limit_wait_budget: float,
        timer: Timer,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._counter = counter
        self._timeout = timeout
        self._max_retries = max_retries
        self._timer = timer
        self._gate = RateGate(timer, max_wait=max_rate_limit_wait, wait_budget=rate_limit_wait_budget)
        self._local = threading.local()
        self._opened: list[gitlab.Gitlab] = []
        self._opened_lock = threading.Lock()

    def get(self, family: str, path: str, params: Mapping[str, Any] | None = None) -> Answer:
        """GET a JSON resource (path under /api/v4, or a next-page URL); ApiError for any status >= 400."""
        url = _with_query(path, params)
        raw = self._send(family, url)
        data = _json(raw, url)
        if raw.status >= 400:
            raise ApiError(raw.status, _message(data) or _phrase(raw.status), _path_only(url))
        return Answer(raw.status, data, _next_url(raw.headers, url))

    def pages(self, family: str, path: str, params: Mapping[str, Any] | None = None) -> Iterator[Any]:
        """Every item of a paginated list, 100 per page, never reading a page twice."""
        first = _with_query(path, {**(params or {}), "per_page": PER_PAGE})
        answer = self.get(family, first)
        trail = PageTrail(first)
        while True:
            if not isinstance(answer.data, list):
                raise ApiError(answer.status, "expected a list in the answer", _path_only(path))
            yield from answer.data
            if answer.next_url is None:
                return
            problem = trail.problem(answer.next_url)
            if problem is not None:
                raise ApiError(None, f"pagination stopped: {problem}", _path_only(answer.next_url))
            answer = self.get(family, answer.next_url)

    def raw_file(self, family: str, project_id: int, path: str, ref: str) -> bytes:
        """One file's bytes (`/repository/files/:path/raw`)."""
        url = _with_query(f"/projects/{project_id}/repository/files/{quote(path, safe='')}/raw", {"ref": ref})
        raw = self._send(family, url)
        if raw.status >= 400:
            raise ApiError(raw.status, _message(_json(raw, url)) or _phrase(raw.status), _path_only(url))
        return raw.body

    def close(self) -> None:
        with self._opened_lock:
            for opened in self._opened:
                opened.session.close()
            self._opened.clear()

    # --- the request loop -----------------------------------------------------------------

    def _send(self, family: str, url: str) -> _Raw:
        path = _path_only(url)
        failures = 0
        while True:
            closed_until = self._gate.before(RESOURCE)
            if closed_until is not None:
                raise RateLimited(datetime.fromtimestamp(closed_until, tz=timezone.utc), path)
            try:
                raw = self._request(url)
            except (requests.RequestException, OSError):
                self._counter.add(family, sent=1)
                if failures < self._max_retries:
                    self._timer.sleep(RETRY_BACKOFF_SECONDS * 2**failures)
                    failures += 1
                    continue
                raise ApiError(None, f"network error after {failures + 1} attempts: cannot reach the GitLab API", path) from None
            limited = raw.status == 429
            self._counter.add(family, sent=1, charged=0 if limited else 1)
            self._gate.observe(RESOURCE, _budget_headers(raw.headers))
            if limited:
                self._gate.refused(RESOURCE, _refusal(raw.headers))
                continue
            self._gate.succeeded(RESOURCE)
            if raw.status >= 500 and failures < self._max_retries:
                self._timer.sleep(retry_after(raw.headers) or RETRY_BACKOFF_SECONDS * 2**failures)
                failures += 1
                continue
            if raw.status == 401:
                raise TokenRefused(f"401 {_message(_json(raw, path)) or 'Unauthorized'}")
            return raw

    def _request(self, url: str) -> _Raw:
        client = self._thread_client()
        self._local.last = None
        try:
            response = client.http_request(
                "get", url, obey_rate_limit=False, retry_transient_errors=False, max_retries=0
            )
        except gitlab.exceptions.GitlabError:
            response = self._local.last  # the refused answer, kept by the session hook
            if response is None:
                raise
        return _Raw(response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.content)

    def _thread_client(self) -> gitlab.Gitlab:
        client: gitlab.Gitlab | None = getattr(self._local, "client", None)
        if client is None:
            session = requests.Session()
            # python-gitlab raises on a refusal without its headers; the hook keeps the answer so
            # that Retry-After and the rate-limit headers can be read.
            session.hooks["response"].append(self._keep)
            client = gitlab.Gitlab(
                url=self.base_url,
                private_token=self._token,
                timeout=self._timeout,
                session=session,
                user_agent=USER_AGENT,
                per_page=PER_PAGE,
                retry_transient_errors=False,
                keep_base_url=True,  # next-page links from a proxy's view of the host still go to base_url
            )
            self._local.client = client
            with self._opened_lock:
                self._opened.append(client)
        return client

    def _keep(self, response: requests.Response, *_args: Any, **_kwargs: Any) -> None:
        self._local.last = response


def _budget_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """GitLab's `RateLimit-*` headers under the names the shared policy reads."""
    names = {"ratelimit-remaining": "x-ratelimit-remaining", "ratelimit-reset": "x-ratelimit-reset"}
    return {ours: headers[theirs] for theirs, ours in names.items() if theirs in headers}


def _refusal(headers: Mapping[str, str]) -> Refusal:
    reset = headers.get("ratelimit-reset")
    return Refusal(
        primary=headers.get("ratelimit-remaining") == "0",
        retry_after=retry_after(headers),
        reset=float(reset) if reset is not None and reset.isdigit() else None,
    )


def _json(raw: _Raw, url: str) -> Any:
    if not raw.body:
        return None
    try:
        return json.loads(raw.body)
    except ValueError:
        if raw.status < 400:
            raise ApiError(raw.status, "the answer is not JSON", _path_only(url)) from None
        return None


def _message(data: Any) -> str:
    """GitLab's error text: `message` (a string or a field -> errors map) or `error`."""
    if not isinstance(data, dict):
        return ""
    for key in ("message", "error"):
        value = data.get(key)
        if isinstance(value, str):
            return value
        if isinstance(value, dict):
            return "; ".join(f"{field} {errors}" for field, errors in value.items())
    return ""


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "no message"


def _next_url(headers: Mapping[str, str], url: str) -> str | None:
    """`Link: rel="next"`, else an `X-Next-Page` number (sent alone by some keyset lists)."""
    match = _NEXT_LINK.search(headers.get("link", ""))
    if match:
        return match.group(1)
    page = headers.get("x-next-page", "")
    if not page.isdigit():
        return None
    base, _, query = url.partition("?")
    kept = [part for part in query.split("&") if part and not part.startswith("page=")]
    return f"{base}?{'&'.join([*kept, f'page={page}'])}"


def _with_query(path: str, params: Mapping[str, Any] | None) -> str:
    if not params:
        return path
    separator = "&" if "?" in path else "?"
    return path + separator + urlencode({key: _param(value) for key, value in params.items()})


def _param(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _path_only(url: str) -> str:
    """The URL without scheme, host or query: what error messages show."""
    return urlsplit(url).path or url
