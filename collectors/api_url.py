"""The address of an API a token is sent to: checked the same way for every Git host."""

from __future__ import annotations

import ipaddress
from urllib.parse import SplitResult, urlsplit


def checked_api_url(value: str, allow_insecure_http: bool, example: str) -> SplitResult:
    """`value` split, once known to be an http(s) URL without query or fragment that does not
    send a token in clear (plain http:// only to this machine, unless explicitly allowed).
    Raises ValueError naming `example` as a good address."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"must be an http(s) URL such as {example}")
    if parts.scheme == "http" and not allow_insecure_http and not _is_loopback(parts.hostname):
        raise ValueError(
            "plain http:// would send the token in clear: use https://, "
            "or set allow_insecure_http: true on a network you trust"
        )
    if parts.query or parts.fragment:
        raise ValueError("must not carry a query or fragment")
    return parts


def _is_loopback(host: str) -> bool:
    """This machine: localhost, 127.0.0.0/8 or ::1 (a test server, a local proxy)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name
        return False
