"""pytest fixtures for the fake cluster, and kubeconfig files pointing at it.

One server per test session (started on first use), reset to `sample_cluster()` before every test.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from .samples import sample_cluster
from .server import FakeKubernetes

_started: list[FakeKubernetes] = []


@pytest.fixture
def fake_kubernetes(request: pytest.FixtureRequest) -> Iterator[FakeKubernetes]:
    if not _started:
        fake = FakeKubernetes().start()
        request.config.add_cleanup(fake.stop)
        _started.append(fake)
    fake = _started[0]
    fake.reset(sample_cluster())
    yield fake


def write_kubeconfig(path: Path, fake: FakeKubernetes, users: dict[str, str], servers: dict[str, str] | None = None) -> Path:
    """A kubeconfig with one context per entry of `users` (context name -> bearer token), each on
    the fake (or on `servers[context]`), trusting the fake's CA; the first is the current one."""
    servers = servers or {}
    config: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Config",
        "current-context": next(iter(users)),
        "clusters": [
            {"name": name, "cluster": {"server": servers.get(name, fake.url), "certificate-authority-data": fake.ca_data()}}
            for name in users
        ],
        "users": [{"name": name, "user": {"token": token}} for name, token in users.items()],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name}} for name in users],
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path
