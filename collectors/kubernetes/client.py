"""The only module that talks HTTP to a cluster: GETs (and the POST of a SelfSubjectRulesReview,
which reads the caller's own permissions) through the official client's ApiClient.

Lists are read as raw JSON (`_preload_content=False` semantics: `call_api` returns the bytes)
and parsed here, so one object with a missing or unexpected field never loses a whole list to
the typed models' validation. orjson parses them: the 2.8 MB of a 5,000-workload cluster cost
19.7 ms of CPU with the standard library's json and 11.1 ms with orjson (the heap frozen as a
scan's is; 61 ms and 17 ms without), most of the difference in cycle collections.

The client's own retries are off (`retries=False`, no client-go retries): every request on the
wire is counted once, 429 answers wait through the shared `RateGate`, 5xx and network errors
are retried here with back-off in the context's time.
"""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import orjson
import urllib3
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

from collectors.http_answers import ApiError as ApiError
from collectors.http_answers import RawAnswer
from collectors.http_policy import RateGate, Refusal, retry_after
from scanner.contract import RequestCounter, Timer

RETRY_BACKOFF_SECONDS = 0.25  # doubled on each retry of a 5xx or network error
_RESOURCE = "api"  # API Priority and Fairness throttles a client as a whole, not per endpoint
_MAX_PAGES = 10_000
JSON = "application/json"
# The server sends only each object's metadata (no spec, no status): how workloads are read.
METADATA_ONLY = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"


class CredentialsRefused(ApiError):
    """HTTP 401: the token or certificate is wrong, expired or revoked."""


class ServerUntrusted(ApiError):
    """The TLS handshake failed: the server's certificate is not signed by the CA the context names."""


class ClusterClient:
    """Requests to one cluster, counted into `family` of the scan's request counter."""

    def __init__(
        self,
        api: ApiClient,
        *,
        counter: RequestCounter,
        family: str,
        timer: Timer,
        timeout: int,
        max_retries: int,
        wait_budget: float,
        page_size: int,
    ) -> None:
        self._api = api
        self._counter = counter
        self._family = family
        self._timer = timer
        self._timeout = timeout
        self._max_retries = max_retries
        self._page_size = page_size
        # A 429's Retry-After is short (APF says 1 s): wait for it, within the budget.
        self._gate = RateGate(timer, max_wait=wait_budget, wait_budget=wait_budget)

    def get(self, path: str, query: dict[str, str] | None = None, accept: str = JSON) -> Any:
        """The JSON answer of a GET; ApiError for any status >= 400."""
        return self._json(path, self._send("GET", path, query or {}, accept))

    def create(self, path: str, body: dict[str, Any]) -> Any:
        """The JSON answer of a POST: only reviews of the collector's own access, which change nothing."""
        return self._json(path, self._send("POST", path, {}, JSON, body))

    def _json(self, path: str, raw: RawAnswer) -> Any:
        if raw.status >= 400:
            raise _refused(raw, path)
        return _loads(raw.body, raw.status, path)

    def pages(self, path: str, accept: str, on_page: Callable[[Page], None]) -> None:
        """Every page of a list (`limit` / `continue`), never in a loop, each handed to `on_page`
        as it comes, objects not parsed yet (`list_objects` parses them): the next page's token is
        read from the list's metadata alone, which the API server writes before the items, so the
        next page is asked before this one's objects are parsed."""
        seen: set[str] = set()
        token = ""
        for _ in range(_MAX_PAGES):
            query = {"limit": str(self._page_size)}
            if token:
                query["continue"] = token
            raw = self._send("GET", path, query, accept)
            if raw.status >= 400:
                raise _refused(raw, path)
            page: Page = raw.body
            head = _list_head(raw.body)
            if head is None:  # the metadata is not before the items: the whole page is parsed for it
                page = _list(_loads(raw.body, raw.status, path), path)
                head = page
            metadata = head.get("metadata")
            token = str(metadata.get("continue") or "") if type(metadata) is dict else ""
            on_page(page)
            if not token:
                return
            if token in seen:
                raise ApiError(None, "pagination stopped: the server repeated a continue token", path)
            seen.add(token)
        raise ApiError(None, f"pagination stopped: more than {_MAX_PAGES} pages", path)

    def close(self) -> None:
        self._api.close()

    def _send(self, method: str, path: str, query: dict[str, str], accept: str, body: dict[str, Any] | None = None) -> RawAnswer:
        failures = 0
        while True:
            if self._gate.before(_RESOURCE) is not None:
                raise ApiError(429, "the API server kept throttling (429) past the wait budget", path)
            try:
                raw = self._call(method, path, query, accept, body)
            except (urllib3.exceptions.HTTPError, OSError, ApiException) as exc:
                self._counter.add(self._family, sent=1)
                if failures < self._max_retries:
                    self._timer.sleep(RETRY_BACKOFF_SECONDS * 2**failures)
                    failures += 1
                    continue
                # The exception's text may carry the server URL with credentials in a proxy URL: name its type only.
                error = ServerUntrusted if isinstance(exc, ApiException) else ApiError  # the client wraps TLS failures as status 0
                raise error(None, f"network error after {failures + 1} attempts: {_network_error(exc)}", path) from None
            self._counter.add(self._family, sent=1)
            if raw.status == 429:
                self._gate.refused(_RESOURCE, Refusal(primary=False, retry_after=retry_after(raw.headers), reset=None))
                continue
            self._gate.succeeded(_RESOURCE)
            if raw.status >= 500 and failures < self._max_retries:
                self._timer.sleep(retry_after(raw.headers) or RETRY_BACKOFF_SECONDS * 2**failures)
                failures += 1
                continue
            if raw.status == 401:
                raise CredentialsRefused(401, _status_message(raw) or "Unauthorized", path)
            return raw

    def _call(self, method: str, path: str, query: dict[str, str], accept: str, body: dict[str, Any] | None) -> RawAnswer:
        headers = {"Accept": accept} if body is None else {"Accept": accept, "Content-Type": JSON}
        verb, url, sent_headers, sent_body, post = self._api.param_serialize(
            method=method,
            resource_path=path,
            query_params=list(query.items()),
            header_params=headers,
            body=body,
            auth_settings=["BearerToken"],
        )
        response = self._api.call_api(verb, url, sent_headers, sent_body, post, _request_timeout=self._timeout)
        try:
            data = response.read()
        finally:
            response.response.release_conn()
        return RawAnswer(response.status, {k.lower(): v for k, v in response.headers.items()}, data or b"")


# A page of a list as `ClusterClient.pages` hands it: its bytes, or the list object when it had to be parsed whole.
Page = bytes | dict[str, Any]
_ITEMS = b',"items":'


def list_objects(page: Page, path: str) -> list[dict[str, Any]]:
    """The objects of a page of the list at `path` (those that are JSON objects); ApiError when
    the page is not a list object."""
    listed = page if isinstance(page, dict) else _list(_loads(page, 200, path), path)
    return [item for item in listed["items"] if type(item) is dict]


def _list_head(body: bytes) -> dict[str, Any] | None:
    """The fields of a list before its items (kind, apiVersion, metadata), parsed without the
    items; None unless the first `"items"` key is the list's own, after its metadata (the prefix
    up to it, closed, is then a whole JSON object: no string or deeper object can contain that
    cut). Without the metadata before it, the page's continue token may come after the items."""
    at = body.find(_ITEMS)
    if at < 0:
        return None
    try:
        head = orjson.loads(body[:at] + b"}")
    except orjson.JSONDecodeError:
        return None
    return head if type(head) is dict and "metadata" in head else None


def _loads(body: bytes, status: int, path: str) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise ApiError(status, "the answer is not JSON", path) from None


def _list(page: Any, path: str) -> dict[str, Any]:
    if type(page) is not dict or type(page.get("items")) is not list:
        raise ApiError(200, "expected a list object with items", path)
    return page


def _network_error(exc: Exception) -> str:
    if isinstance(exc, ApiException):  # the client wraps TLS failures as status 0
        return "TLS handshake failed (is the cluster's CA right?)"
    return type(exc).__name__


def _status_message(raw: RawAnswer) -> str:
    """The `message` of a Kubernetes Status answer, if the body is one."""
    try:
        data = orjson.loads(raw.body)
    except orjson.JSONDecodeError:
        return ""
    return str(data["message"]) if isinstance(data, dict) and isinstance(data.get("message"), str) else ""


def _refused(raw: RawAnswer, path: str) -> ApiError:
    try:
        phrase = HTTPStatus(raw.status).phrase
    except ValueError:
        phrase = "no message"
    return ApiError(raw.status, _status_message(raw) or phrase, path)
