"""The only module that talks HTTP to GitHub: REST, GraphQL and file bytes.

Every request goes through the shared shell's loop (`collectors.http_client`): counted,
rate-limit aware, 5xx and network errors retried, and is sent by the shell's `exchange` on the
thread's connections. PyGithub makes a GitHub App's credentials (minting and renewing its
installation tokens) and the typed objects payloads become; it no longer sends: its request path
(a connection object, logging frames and `Session.request` around every call) cost more CPU than
a scan's parsing. It is loaded only when one of those is needed: a token scan never loads it
(importing it is a fifth of a second of CPU). What is GitHub's own is here: its headers, error
bodies and SAML SSO refusals, its 403 rate limits and GraphQL's RATE_LIMITED, a renamed
repository's 301. A PyGithub `Github` is not thread-safe, so each worker thread gets its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import requests

from collectors.http_answers import ApiError as ApiError
from collectors.http_answers import RawAnswer, json_body, path_only, status_phrase, with_query
from collectors.http_client import PER_PAGE as PER_PAGE
from collectors.http_client import RATE_LIMIT_PHRASE as RATE_LIMIT_PHRASE
from collectors.http_client import Answer as Answer
from collectors.http_client import Call, HttpClient, ShellOptions
from collectors.http_client import RateLimited as RateLimited
from collectors.http_client import TokenRefused as TokenRefused
from collectors.per_thread import PerThread

if TYPE_CHECKING:
    from github import Github
    from github.GithubObject import GithubObject
    from typing_extensions import Unpack

T = TypeVar("T", bound="GithubObject")

USER_AGENT = "pecm-github-collector"
RAW_MEDIA_TYPE = "application/vnd.github.raw+json"
API_VERSION = "2022-11-28"  # the REST version whose shapes mapping.py reads
GRAPHQL = "graphql"  # the resource (rate-limit budget) of GraphQL queries
MAX_DOWNLOAD_REDIRECTS = 5
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})  # as requests' `Response.is_redirect`

_SSO_URL = re.compile(r"url=(\S+)")


class Credential(Protocol):
    """What proves who the client is: it adds its Authorization header (PyGithub's `Auth` objects are credentials)."""

    def authentication(self, headers: dict[str, str]) -> None: ...


class TokenAuth:
    """A token's header, as PyGithub's `Auth.Token` makes it: a token scan needs nothing else of PyGithub."""

    def __init__(self, token: str) -> None:
        self._token = token

    def authentication(self, headers: dict[str, str]) -> None:
        headers["Authorization"] = f"token {self._token}"


@dataclass(frozen=True)
class GraphQLAnswer:
    data: dict[str, Any]
    errors: list[dict[str, Any]]


class GitHubClient(HttpClient):
    """REST and GraphQL for one credential. Thread-safe: each thread gets its own PyGithub client."""

    user_agent = USER_AGENT
    resource = "core"
    json_headers: ClassVar[Mapping[str, str]] = {"Accept": "application/vnd.github+json"}
    uncharged_statuses = frozenset({304})  # GitHub does not charge a revalidated answer
    resource_labels: ClassVar[Mapping[str, str]] = {GRAPHQL: "GraphQL"}

    def __init__(self, base_url: str, auth: Credential, **options: Unpack[ShellOptions]) -> None:
        super().__init__(base_url, **options)
        self._auth = auth
        self._githubs: PerThread[Github] = PerThread(self._new_github, lambda github: github.close())
        api = urlsplit(self.base_url)
        self._api_origin = (api.scheme, api.hostname, api.port)
        self._api_root = (api.scheme, api.netloc)
        self._graphql_url = urlunsplit((api.scheme, api.netloc, _graphql_path(api.path), "", ""))

    # --- REST -------------------------------------------------------------------------

    def typed(self, kind: type[T], payload: dict[str, Any]) -> T:
        """A REST payload as PyGithub's typed object: complete as given, so reading it sends nothing."""
        return self._githubs.get().create_from_raw_data(kind, payload)

    def raw_file(self, family: str, owner: str, repo: str, path: str, ref: str) -> bytes:
        """One file's bytes through the contents API (raw media type: no base64, no JSON)."""
        url = with_query(f"/repos/{owner}/{repo}/contents/{_quote_path(path)}", {"ref": ref})
        return self.content(family, Call(self.resource, url, {"Accept": RAW_MEDIA_TYPE}))

    def archive(self, family: str, owner: str, repo: str, ref: str, max_bytes: int) -> bytes | None:
        """The gzipped tarball of `ref`, or None when it is larger than `max_bytes`.

        GitHub answers with a redirect to a download host; only the redirect is an API request.
        """
        url = f"/repos/{owner}/{repo}/tarball/{ref}"
        raw = self._send(family, Call(self.resource, url, self.json_headers))
        location = raw.headers.get("location")
        if raw.status not in (301, 302, 303, 307) or not location:
            raise self._refused(raw, json_body(raw, url), url) if raw.status >= 400 else ApiError(raw.status, "no redirect", url)
        return self._download(f"{family}_download", location, max_bytes)

    # --- GraphQL ------------------------------------------------------------------------

    def graphql(self, family: str, query: str, variables: Mapping[str, Any] | None = None) -> GraphQLAnswer:
        """POST one query. Partial answers are normal (a field the token may not see): `errors`
        comes back with whatever `data` GitHub could give; only a wholly failed query raises."""
        body = {"query": query, "variables": dict(variables or {})}
        path = "/graphql"
        raw = self._send(family, Call(GRAPHQL, path, {"Accept": "application/json"}, "POST", body))
        payload = json_body(raw, path)
        if raw.status >= 400:
            raise self._refused(raw, payload, path)
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
        super().close()

    # --- GitHub's part of the shell -----------------------------------------------------

    def _transmit(self, call: Call) -> RawAnswer:
        headers = {**call.headers, "X-GitHub-Api-Version": API_VERSION}
        self._authenticate(headers)
        body = None
        if call.body is not None:
            headers["Content-Type"] = "application/json"
            body = json.dumps(call.body).encode()
        url = self._graphql_url if call.resource == GRAPHQL else self._api_url(call.url)
        raw = self._answer(call.verb, url, headers, body)
        location = raw.headers.get("location", "")
        if raw.status == 301 and location:  # a renamed repository: followed on the API's own host, as PyGithub did
            if not self._same_origin(location):
                raise ApiError(301, "GitHub redirected the request to another host", path_only(call.url))
            raw = self._answer(call.verb, self._api_url(location), headers, body)
        return raw

    def _message(self, data: Any) -> str:
        return _message(data)

    def _rate_limited(self, raw: RawAnswer, call: Call) -> bool:
        return _is_rate_limited(raw) or (call.resource == GRAPHQL and _graphql_rate_limited(raw))

    def _refused(self, raw: RawAnswer, data: Any, url: str) -> ApiError:
        """GitHub's message, else the status's phrase, and the SSO page when SAML refused the token."""
        message = _message(data) or status_phrase(raw.status)
        sso = raw.headers.get("x-github-sso", "")
        sso_url = None
        if raw.status == 403 and sso.startswith("required"):
            found = _SSO_URL.search(sso)
            sso_url = urlsplit(found.group(1))._replace(query="").geturl() if found else "the organization's SSO page"
        return ApiError(raw.status, message, path_only(url), sso_url)

    def _authenticate(self, headers: dict[str, str]) -> None:
        """Add the credential's Authorization header. A token's is made here; PyGithub's auth
        objects make theirs (a GitHub App's installation token is minted and renewed by them,
        through a `Github` of this thread)."""
        if isinstance(self._auth, TokenAuth):
            self._auth.authentication(headers)
            return
        from github import GithubException  # loaded with the PyGithub credential

        self._githubs.get()  # the auth object needs a requester to mint an installation token
        try:
            self._auth.authentication(headers)
        except GithubException as exc:  # minting a GitHub App installation token failed
            if exc.status == 401:
                raise TokenRefused(f"401 {exc.message or 'Bad credentials'}") from None
            raise ApiError(exc.status, f"GitHub App authentication failed: {exc.message}", "/app/installations") from None

    def _new_github(self) -> Github:
        from github import Auth, Github

        return Github(
            base_url=self.base_url,
            auth=self._auth if isinstance(self._auth, Auth.Auth) else None,  # a token's typed objects send nothing
            timeout=self.timeout,
            user_agent=USER_AGENT,
            per_page=PER_PAGE,
            retry=None,  # ours: counted, bounded, rate-limit aware
            seconds_between_requests=None,
            seconds_between_writes=None,
            lazy=True,  # never a lazy-completion request behind our back
        )

    def _api_url(self, url: str) -> str:
        """A path under the base URL, or a link GitHub gave (a next page, a redirect): sent to the
        API's own origin whatever host the link names, as PyGithub does, so the token goes nowhere else."""
        if url.startswith("/"):
            return self.base_url + url
        parts = urlsplit(url)
        return urlunsplit((*self._api_root, parts.path, parts.query, ""))

    def _same_origin(self, url: str) -> bool:
        target = urlsplit(url if "://" in url else self.base_url + url)
        return (target.scheme, target.hostname, target.port) == self._api_origin

    def _answer(self, verb: str, url: str, headers: Mapping[str, str], body: bytes | None) -> RawAnswer:
        with self.exchange(verb, url, headers, body) as reply:
            return RawAnswer(reply.status, reply.headers, reply.body())

    def _download(self, family: str, location: str, max_bytes: int) -> bytes | None:
        """Follow an archive redirect. The download host is not the API: not charged, and it gets
        the credentials only when it is the API's own host."""
        url = location if "://" in location else self.base_url + location
        failures = 0
        while True:
            try:
                self._counter.add(family, sent=1)
                return self._stream(url, max_bytes)
            except (requests.RequestException, OSError) as exc:
                if failures >= self._max_retries:
                    raise ApiError(None, f"archive download failed: {type(exc).__name__}", urlsplit(url).path) from None
                self.back_off(failures)
                failures += 1

    def _stream(self, url: str, max_bytes: int) -> bytes | None:
        """The download's bytes, following its redirects (a download host may send on to a
        mirror); each host gets the credentials only when it is the API's own."""
        for _ in range(MAX_DOWNLOAD_REDIRECTS + 1):
            headers: dict[str, str] = {}
            if self._same_origin(url):
                self._authenticate(headers)
            with self.exchange("GET", url, headers) as reply:
                location = reply.headers.get("location")
                if reply.status in REDIRECT_STATUSES and location is not None:
                    url = urljoin(url, location)
                    continue
                if reply.status >= 500:
                    raise requests.HTTPError(f"HTTP {reply.status}")
                if reply.status >= 400:
                    raise ApiError(reply.status, "archive download refused", urlsplit(url).path)
                return reply.body_at_most(max_bytes)
        raise requests.TooManyRedirects(f"more than {MAX_DOWNLOAD_REDIRECTS} redirects")


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


def _message(data: Any) -> str:
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return str(data["message"])
    return ""


def _graphql_path(api_path: str) -> str:
    """GraphQL's path beside a REST base path, as PyGithub's `Requester.get_graphql_prefix` has it:
    "" -> /graphql, GitHub Enterprise's /api/v3 -> /api/graphql."""
    return api_path.rstrip("/").removesuffix("/v3") + "/graphql"


def _quote_path(path: str) -> str:
    return quote(path, safe="/")


