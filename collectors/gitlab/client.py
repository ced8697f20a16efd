"""The only module that talks HTTP to GitLab: REST v4 through python-gitlab's `http_request`.

Every request goes through one loop that counts it, honours rate limits through the shared
policy (`collectors.http_policy`) and retries 5xx and network errors with the collect
context's timer. python-gitlab's own retries are off (`max_retries=0`, no transient retries,
rate limits not obeyed) because they sleep with `time.sleep` and are not counted. Lists follow
`Link: rel="next"` (offset or keyset pages alike) and, where GitLab sends only `X-Next-Page`,
that page number. One `gitlab.Gitlab` per worker thread: its requests session is not shared.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

import gitlab
import requests

from collectors.http_answers import ApiError as ApiError
from collectors.http_answers import RawAnswer, json_body, path_only, status_phrase, with_query
from collectors.http_policy import PageTrail, RateGate, Refusal, retry_after
from collectors.per_thread import PerThread
from scanner.contract import RequestCounter, Timer

USER_AGENT = "pecm-gitlab-collector"
PER_PAGE = 100
RETRY_BACKOFF_SECONDS = 0.25  # doubled on each retry of a 5xx or network error
RESOURCE = "api"  # GitLab has one budget per user (and per IP) for the whole API

_NEXT_LINK = re.compile(r'<([^>]+)>\s*;\s*rel="next"')


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
        self._local = threading.local()  # the last answer each thread's session saw
        self._clients = PerThread(self._new_client, lambda client: client.session.close())

    def get(self, family: str, path: str, params: Mapping[str, Any] | None = None) -> Answer:
        """GET a JSON resource (path under /api/v4, or a next-page URL); ApiError for any status >= 400."""
        url = with_query(path, params)
        raw = self._send(family, url)
        data = json_body(raw, url)
        if raw.status >= 400:
            raise ApiError(raw.status, _message(data) or status_phrase(raw.status), path_only(url))
        return Answer(raw.status, data, _next_url(raw.headers, url))

    def pages(self, family: str, path: str, params: Mapping[str, Any] | None = None) -> Iterator[Any]:
        """Every item of a paginated list, 100 per page, never reading a page twice."""
        first = with_query(path, {**(params or {}), "per_page": PER_PAGE})
        answer = self.get(family, first)
        trail = PageTrail(first)
        while True:
            if not isinstance(answer.data, list):
                raise ApiError(answer.status, "expected a list in the answer", path_only(path))
            yield from answer.data
            if answer.next_url is None:
                return
            problem = trail.problem(answer.next_url)
            if problem is not None:
                raise ApiError(None, f"pagination stopped: {problem}", path_only(answer.next_url))
            answer = self.get(family, answer.next_url)

    def raw_file(self, family: str, project_id: int, path: str, ref: str) -> bytes:
        """One file's bytes (`/repository/files/:path/raw`)."""
        url = with_query(f"/projects/{project_id}/repository/files/{quote(path, safe='')}/raw", {"ref": ref})
        raw = self._send(family, url)
        if raw.status >= 400:
            raise ApiError(raw.status, _message(json_body(raw, url)) or status_phrase(raw.status), path_only(url))
        return raw.body

    def close(self) -> None:
        self._clients.close()

    # --- the request loop -----------------------------------------------------------------

    def _send(self, family: str, url: str) -> RawAnswer:
        path = path_only(url)
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
                raise TokenRefused(f"401 {_message(json_body(raw, path)) or 'Unauthorized'}")
            return raw

    def _request(self, url: str) -> RawAnswer:
        client = self._clients.get()
        self._local.last = None
        try:
            response = client.http_request(
                "get", url, obey_rate_limit=False, retry_transient_errors=False, max_retries=0
            )
        except gitlab.exceptions.GitlabError:
            response = self._local.last  # the refused answer, kept by the session hook
            if response is None:
                raise
        return RawAnswer(response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.content)

    def _new_client(self) -> gitlab.Gitlab:
        session = requests.Session()
        # python-gitlab raises on a refusal without its headers; the hook keeps the answer so
        # that Retry-After and the rate-limit headers can be read.
        session.hooks["response"].append(self._keep)
        return gitlab.Gitlab(
            url=self.base_url,
            private_token=self._token,
            timeout=self._timeout,
            session=session,
            user_agent=USER_AGENT,
            per_page=PER_PAGE,
            retry_transient_errors=False,
            keep_base_url=True,  # next-page links from a proxy's view of the host still go to base_url
        )

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


def _message(data: Any) -> str:
    """GitLab's error text: `message` (a string or a field -> errors map) or `error`, with its
    `error_description` where the token was refused (expired, revoked, lacking a scope)."""
    if not isinstance(data, dict):
        return ""
    for key in ("message", "error"):
        value = data.get(key)
        if isinstance(value, str):
            described = data.get("error_description")
            return f"{value}: {described}" if isinstance(described, str) and described else value
        if isinstance(value, dict):
            return "; ".join(f"{field} {errors}" for field, errors in value.items())
    return ""


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


