"""pytest fixtures for the fake cluster, and kubeconfig files pointing at it.

One server per test session (started on first use), reset to `sample_cluster()` before every test.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.fakes.session_fixture import session_fake_fixture

from .cluster import ClusterState
from .samples import sample_cluster
from .server import FakeKubernetes


def fake_kubernetes_fixture(state: Callable[[], ClusterState] = sample_cluster) -> Any:
    """A function-scoped pytest fixture yielding a reset `FakeKubernetes` shared across the session."""
    return session_fake_fixture(lambda: FakeKubernetes(state).start())


fake_kubernetes = fake_kubernetes_fixture()


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
