"""One thread's HTTP requests, sent on urllib3 as requests would send them, without its per-call work.

`requests` wraps every call in work an API client does not use: it prepares the request (the URL
parsed and re-quoted, headers merged, cookies), asks the environment for proxies and a CA bundle,
parses the URL three more times to pick a connection pool, builds a `Response` with a cookie jar
and reads the body in 10 KB chunks. Here what depends only on the origin is worked out once per
origin, and each request is one `urlopen` on the pool requests would have picked: the proxy
requests' own `select_proxy` chooses from the environment (through the proxy manager its
`HTTPAdapter` makes), TLS verified with REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE or certifi's bundle.
Failures are raised as the `requests` exceptions its adapter and `Response` raise for them, so a
caller catches, retries and names them as before.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.utils import DEFAULT_CA_BUNDLE_PATH, get_environ_proxies, prepend_scheme_if_needed, select_proxy, urldefragauth
from urllib3 import BaseHTTPResponse, PoolManager, Retry, Timeout
from urllib3 import exceptions as failed

DOWNLOAD_CHUNK = 1 << 16
_NO_RETRIES = Retry(0, read=False)  # the caller's loop retries; as requests' adapter sends


@dataclass(frozen=True)
class _Route:
    """How requests to one origin go: the pool manager (direct or a proxy's) and the pool's TLS settings."""

    manager: PoolManager
    scheme: str
    host: str | None
    port: int | None
    pool_kwargs: dict[str, Any]
    whole_url: bool  # plain HTTP through a proxy: the request line names the whole URL


class Reply:
    """An answer whose body is read once, with `body` or `body_at_most`; closing it (or leaving its
    `with` block) returns the connection to its pool."""

    def __init__(self, response: BaseHTTPResponse) -> None:
        self._response = response
        self._consumed = False
        self.status = response.status
        # Lower-case names; a repeated header's values joined with ", ", as requests' headers show them.
        self.headers = {name.lower(): value for name, value in response.headers.itermerged()}

    def body(self) -> bytes:
        with _reading():
            data = self._response.read(decode_content=True)
        self._consumed = True
        return data

    def body_at_most(self, max_bytes: int) -> bytes | None:
        """The body, or None as soon as it proves larger than `max_bytes` (the rest is not read)."""
        chunks: list[bytes] = []
        size = 0
        with _reading():
            for chunk in self._response.stream(DOWNLOAD_CHUNK, decode_content=True):
                size += len(chunk)
                if size > max_bytes:
                    return None
                chunks.append(chunk)
        self._consumed = True
        return b"".join(chunks)

    def close(self) -> None:
        if not self._consumed:
            self._response.close()
        self._response.release_conn()

    def __enter__(self) -> Reply:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, trace: TracebackType | None) -> None:
        self.close()


class Transport:
    """One thread's connections (urllib3 is driven directly; requests' adapter owns the pools and
    proxy managers). Not shared between threads, as a requests session is not."""

    def __init__(self, headers: Mapping[str, str], timeout: float) -> None:
        self._headers = dict(headers)  # sent with every request, under the call's own
        self._timeout = Timeout(connect=timeout, read=timeout)
        self._adapter = HTTPAdapter()
        self._routes: dict[tuple[str, str], _Route] = {}

    def send(self, verb: str, url: str, headers: Mapping[str, str], body: bytes | None = None) -> Reply:
        """Send one request, redirects not followed; read its body from the `Reply`."""
        parts = urlsplit(url)
        route = self._route(parts.scheme, parts.netloc, url)
        target = urldefragauth(url) if route.whole_url else (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        sent = _merged(self._headers, headers)
        with _sending():
            pool = route.manager.connection_from_host(route.host, route.port, route.scheme, pool_kwargs=route.pool_kwargs)
            response = pool.urlopen(
                verb, target, body=body, headers=sent, redirect=False, assert_same_host=False, preload_content=False,
                decode_content=False, retries=_NO_RETRIES, timeout=self._timeout, chunked=False,
            )
        return Reply(response)

    def close(self) -> None:
        self._adapter.close()

    def _route(self, scheme: str, netloc: str, url: str) -> _Route:
        """The route to `url`'s origin, asked of the environment once (it does not change during a scan)."""
        key = (scheme.lower(), netloc)
        found = self._routes.get(key)
        if found is None:
            found = self._routes[key] = self._new_route(url)
        return found

    def _new_route(self, url: str) -> _Route:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        proxy = select_proxy(url, get_environ_proxies(url))
        manager: PoolManager = self._adapter.poolmanager
        if proxy:
            manager = self._adapter.proxy_manager_for(prepend_scheme_if_needed(proxy, "http"))
        pool_kwargs: dict[str, Any] = {"cert_reqs": "CERT_NONE"}
        if scheme == "https":
            bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or DEFAULT_CA_BUNDLE_PATH
            if not os.path.exists(bundle):
                raise OSError(f"Could not find a suitable TLS CA certificate bundle, invalid path: {bundle}")
            pool_kwargs = {"cert_reqs": "CERT_REQUIRED", "ca_cert_dir" if os.path.isdir(bundle) else "ca_certs": bundle}
        whole_url = bool(proxy) and scheme != "https" and not urlsplit(str(proxy)).scheme.lower().startswith("socks")
        return _Route(manager, scheme, parts.hostname, parts.port, pool_kwargs, whole_url)


def _merged(defaults: Mapping[str, str], headers: Mapping[str, str]) -> dict[str, str]:
    """`headers` over `defaults`, names compared without case (as a requests session merges them)."""
    if not headers:
        return dict(defaults)
    given = {name.lower() for name in headers}
    merged = {name: value for name, value in defaults.items() if name.lower() not in given}
    merged.update(headers)
    return merged


@contextmanager
def _sending() -> Iterator[None]:
    """urllib3's failures to send or to read an answer's head, raised as requests' adapter raises them."""
    try:
        yield
    except failed.MaxRetryError as error:
        reason = error.reason
        if isinstance(reason, failed.ConnectTimeoutError) and not isinstance(reason, failed.NewConnectionError):
            raise requests.ConnectTimeout(error) from error
        if isinstance(reason, failed.ResponseError):
            raise requests.exceptions.RetryError(error) from error
        if isinstance(reason, failed.ProxyError):
            raise requests.exceptions.ProxyError(error) from error
        if isinstance(reason, failed.SSLError):
            raise requests.exceptions.SSLError(error) from error
        raise requests.ConnectionError(error) from error
    except (failed.ProtocolError, OSError, failed.ClosedPoolError) as error:
        raise requests.ConnectionError(error) from error
    except failed.ProxyError as error:
        raise requests.exceptions.ProxyError(error) from error
    except failed.SSLError as error:
        raise requests.exceptions.SSLError(error) from error
    except failed.ReadTimeoutError as error:
        raise requests.ReadTimeout(error) from error
    except failed.InvalidHeader as error:
        raise requests.exceptions.InvalidHeader(error) from error


@contextmanager
def _reading() -> Iterator[None]:
    """urllib3's failures to read a body, raised as requests' `Response` raises them."""
    try:
        yield
    except failed.ProtocolError as error:
        raise requests.exceptions.ChunkedEncodingError(error) from error
    except failed.DecodeError as error:
        raise requests.exceptions.ContentDecodingError(error) from error
    except failed.ReadTimeoutError as error:
        raise requests.ConnectionError(error) from error
    except failed.SSLError as error:
        raise requests.exceptions.SSLError(error) from error
