"""The Kubernetes collector in the contract suite: the real kubernetes client against the fake
cluster (sample_cluster), through a kubeconfig with one context."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from collectors.kubernetes.collector import KubernetesCollector
from collectors.kubernetes.config import KubernetesConfig
from tests.collecting import CollectedScan, collect_with
from tests.contract.harness import Read, Target
from tests.contract.kubernetes.scanning import NOW
from tests.fakes.kubernetes.cluster import Account
from tests.fakes.kubernetes.fixtures import write_kubeconfig
from tests.fakes.kubernetes.samples import READER
from tests.fakes.kubernetes.server import FakeKubernetes
from tests.fakes.virtual_time import VirtualTimer

CANARY = "canary-kubernetes-token-91c2"


class _Server:
    """Where a kubeconfig points: a URL and the CA it presents."""

    def __init__(self, url: str, ca_pem: bytes) -> None:
        self.url = url
        self._ca = ca_pem

    def ca_data(self) -> str:
        return base64.b64encode(self._ca).decode()


class KubernetesHarness:
    name = "kubernetes"
    served = True  # reached over HTTP: the fault points apply

    def target(self, request: pytest.FixtureRequest, tmp_path: Path) -> Target:
        fake: FakeKubernetes = request.getfixturevalue("fake_kubernetes")
        fake.state.accounts[CANARY] = Account(READER)

        def scan(
            *, secret: str | None = None, timer: VirtualTimer | None = None, base_url: str | None = None,
            ca_pem: bytes | None = None, **options: Any,
        ) -> CollectedScan:
            server: Any = fake if base_url is None else _Server(base_url, ca_pem or b"")
            write_kubeconfig(tmp_path / "kubeconfig", server, {"prod": secret or CANARY})
            config = KubernetesConfig.model_validate({"kubeconfig": "kubeconfig", **options})
            return collect_with(KubernetesCollector(), config, clock=lambda: NOW, base_dir=tmp_path,
                                timer=timer or fake.clock.timer())

        return Target(
            scan=scan,
            secret=CANARY,
            fake=fake,
            read=Read("/apis/rbac.authorization.k8s.io/v1/clusterroles", "kubernetes:prod", "access.admin_grants"),
            tls=True,
        )
