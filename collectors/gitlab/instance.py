"""How references name the scanned GitLab instance: by its `server_fqdn` as GitLab builds it —
the host, the port where it is not the scheme's, and the path of an instance served under one
(`example.com/gitlab`) — which `$CI_SERVER_FQDN` holds; `$CI_SERVER_HOST` is the host alone."""

from __future__ import annotations

from urllib.parse import urlsplit

_DEFAULT_PORTS = {"https": 443, "http": 80}


def server_fqdn(base_url: str) -> str:
    """`example.com/gitlab` for https://example.com/gitlab, lower case."""
    parts = urlsplit(base_url)
    host = (parts.hostname or "").lower()
    port = f":{parts.port}" if parts.port and parts.port != _DEFAULT_PORTS.get(parts.scheme) else ""
    return f"{host}{port}{parts.path.rstrip('/')}".lower()


def component_prefixes(base_url: str) -> tuple[str, ...]:
    """How a CI/CD component of this instance starts, lower case. GitLab takes as its own the
    components under its server_fqdn, so `$CI_SERVER_HOST` names them only where the instance
    has neither port nor path."""
    fqdn = server_fqdn(base_url)
    found = ("$ci_server_fqdn/", f"{fqdn}/")
    return (*found, "$ci_server_host/") if fqdn == (urlsplit(base_url).hostname or "").lower() else found
