"""The only module that talks HTTP to GitLab: REST v4 through python-gitlab's `http_request`.

Every request goes through the shared shell's loop (`collectors.http_client`): counted,
rate-limit aware, 5xx and network errors retried on the collect context's timer. python-gitlab's
own retries are off (`max_retries=0`, no transient retries, rate limits not obeyed) because they
sleep with `time.sleep` and are not counted. What is GitLab's own is here: its `RateLimit-*`
header names, its error bodies, and lists that follow `Link: rel="next"` (offset or keyset pages
alike) or, where GitLab sends only `X-Next-Page`, that page number. One `gitlab.Gitlab` per
worker thread, on the shell's session of that thread.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import gitlab
import requests

from collectors.http_answers import ApiError as ApiError
from collectors.http_answers import RawAnswer, json_body, status_phrase, with_query
from collectors.http_client import PER_PAGE, Call, HttpClient, ShellOptions
from collectors.http_client import Answer as Answer
from collectors.http_client import RateLimited as RateLimited
from collectors.http_client import TokenRefused as TokenRefused
from collectors.http_policy import retry_after
from collectors.per_thread import PerThread

if TYPE_CHECKING:
    from typing_extensions import Unpack

USER_AGENT = "pecm-gitlab-collector"
RESOURCE = "api"  # GitLab has one budget per user (and per IP) for the whole API

GRAPHQL_PATH = "/api/graphql"
ARCHIVE_PAUSE_SECONDS = 60.0  # archives refused without Retry-After: GitLab's archive limit counts per minute
_TOO_LARGE = RawAnswer(413, {}, b"")  # an archive past its byte limit, left unread


class GitLabClient(HttpClient):
    """REST v4 for one token. Thread-safe: each thread gets its own python-gitlab client."""

    user_agent = USER_AGENT
    resource = RESOURCE
    remaining_header = "ratelimit-remaining"
    reset_header = "ratelimit-reset"
    uncharged_statuses = frozenset({429})  # the archives' own limit: answered, not charged

    def __init__(self, base_url: str, token: str, *, in_flight: int | None = None, **options: Unpack[ShellOptions]) -> None:
        """`in_flight`: at most that many requests at once, whatever the number of threads asking."""
        super().__init__(base_url, **options)
        self._token = token
        self._in_flight = threading.BoundedSemaphore(in_flight) if in_flight else None
        self._local = threading.local()  # the last answer each thread's session saw
        # Its session is the shell's, closed by the shell.
        self._clients = PerThread(self._new_client, lambda _client: None)
        self._archives_paused_until = 0.0  # epoch seconds: GitLab refused archives until then

    def raw_file(self, family: str, project: int | str, path: str, ref: str | None) -> bytes:
        """One file's bytes (`/repository/files/:path/raw`) of a project by id or full path, at
        `ref` (None: its default branch)."""
        project_id = quote(project, safe="") if isinstance(project, str) else project
        url = with_query(f"/projects/{project_id}/repository/files/{quote(path, safe='')}/raw", {"ref": ref} if ref else None)
        return self.content(family, Call(RESOURCE, url))

    def archive(self, family: str, project_id: int, ref: str, max_bytes: int) -> bytes | None:
        """The gzipped tarball of `ref` (`/repository/archive.tar.gz`), or None when it is larger
        than `max_bytes` or GitLab's own limit on archives refused it (5 a minute per project, and
        on GitLab.com a cap across projects): that limit pauses archives only, for its Retry-After,
        and the caller lists and reads files one by one meanwhile."""
        if self._timer.time() < self._archives_paused_until:
            return None
        url = with_query(f"/projects/{project_id}/repository/archive.tar.gz", {"sha": ref})
        raw = self._send(family, Call(RESOURCE, url, max_bytes=max_bytes))
        if raw is _TOO_LARGE:
            return None
        if raw.status == 429:
            self._archives_paused_until = self._timer.time() + (retry_after(raw.headers) or ARCHIVE_PAUSE_SECONDS)
            return None
        if raw.status >= 400:
            raise self._refused(raw, json_body(raw, url), url)
        return raw.body

    def graphql(self, family: str, query: str, variables: Mapping[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """POST one query to `/api/graphql`: its `data`, and its `errors` (each with `message` and,
        for a field the token may not read, which comes back null, its `path`). ApiError when nothing came back."""
        url = f"{self.base_url}/api/graphql"
        raw = self._send(family, Call(RESOURCE, url, verb="POST", body={"query": query, "variables": dict(variables)}))
        payload = json_body(raw, url)
        if raw.status >= 400:
            raise ApiError(raw.status, _message(payload) or _graphql_errors(payload) or status_phrase(raw.status), GRAPHQL_PATH)
        data = payload.get("data") if isinstance(payload, dict) else None
        if not isinstance(data, dict):
            raise ApiError(raw.status, _graphql_errors(payload) or "the GraphQL answer holds no data", GRAPHQL_PATH)
        return data, [error for error in payload.get("errors") or () if isinstance(error, dict)]

    # --- GitLab's part of the shell -----------------------------------------------------

    def _transmit(self, call: Call) -> RawAnswer:
        if self._in_flight is None:
            return self._exchange(call)
        with self._in_flight:
            return self._exchange(call)

    def _exchange(self, call: Call) -> RawAnswer:
        client = self._clients.get()
        self._local.last = None
        try:
            response = client.http_request(
                call.verb.lower(), call.url, post_data=call.body, obey_rate_limit=False, retry_transient_errors=False,
                max_retries=0, streamed=call.max_bytes is not None,
            )
        except gitlab.exceptions.GitlabError:
            response = self._local.last  # the refused answer, kept by the session hook
            if response is None:
                raise
        headers = {k.lower(): v for k, v in response.headers.items()}
        if call.max_bytes is None or response.status_code >= 400:
            return RawAnswer(response.status_code, headers, response.content)
        with response:
            content = _bounded(response, call.max_bytes)
        return _TOO_LARGE if content is None else RawAnswer(response.status_code, headers, content)

    def _rate_limited(self, raw: RawAnswer, call: Call) -> bool:
        """A 429 on an archive is the archives' own limit unless the API's budget is spent too:
        returned to `archive`, which pauses archives alone."""
        if call.max_bytes is not None and raw.headers.get(self.remaining_header) != "0":
            return False
        return raw.status == 429

    def _message(self, data: Any) -> str:
        return _message(data)

    def _next_url(self, headers: Mapping[str, str], url: str) -> str | None:
        return super()._next_url(headers, url) or _next_page(headers, url)

    def _network_error(self, exc: Exception) -> str:
        return "cannot reach the GitLab API"

    def _new_session(self) -> requests.Session:
        session = super()._new_session()
        # python-gitlab raises on a refusal without its headers; the hook keeps the answer so
        # that Retry-After and the rate-limit headers can be read.
        session.hooks["response"].append(self._keep)
        return session

    def _new_client(self) -> gitlab.Gitlab:
        return gitlab.Gitlab(
            url=self.base_url,
            private_token=self._token,
            timeout=self.timeout,
            session=self.session(),
            user_agent=USER_AGENT,
            per_page=PER_PAGE,
            retry_transient_errors=False,
            keep_base_url=True,  # next-page links from a proxy's view of the host still go to base_url
        )

    def _keep(self, response: requests.Response, *_args: Any, **_kwargs: Any) -> None:
        self._local.last = response


def _bounded(response: requests.Response, max_bytes: int) -> bytes | None:
    """The body; None as soon as it is known to be larger than `max_bytes`."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        return None
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_content(chunk_size=1 << 16):
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            return None
    return b"".join(chunks)


def _graphql_errors(payload: Any) -> str:
    """The first messages of a GraphQL answer's `errors`, joined."""
    errors = payload.get("errors") if isinstance(payload, dict) else None
    return "; ".join(str(error.get("message")) for error in (errors or [])[:3] if isinstance(error, dict))


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


def _next_page(headers: Mapping[str, str], url: str) -> str | None:
    """`url` at the answer's `X-Next-Page` number, for lists that send it without a Link header."""
    page = headers.get("x-next-page", "")
    if not page.isdigit():
        return None
    base, _, query = url.partition("?")
    kept = [part for part in query.split("&") if part and not part.startswith("page=")]
    return f"{base}?{'&'.join([*kept, f'page={page}'])}"


