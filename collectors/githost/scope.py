"""What a Git-host scan looks at, for history to tell scans of different targets apart."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit


def host_scope(source: str, base_url: str, default_url: str, targets: Iterable[str]) -> tuple[str, ...]:
    """One entry per target ("github:acme"); on a self-managed instance its host comes first
    ("gitlab:gitlab.example.com/acme"), so that its groups are told apart from the public host's."""
    host = "" if base_url == default_url else f"{urlsplit(base_url).hostname}/"
    return tuple(f"{source}:{host}{target}" for target in targets)
