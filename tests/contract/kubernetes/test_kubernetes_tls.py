"""TLS to the cluster: one context per client, loaded when the client is made, shared by the
connections of its pool, and exactly as strict as urllib3's own (the CA, the server's name)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

from collectors.kubernetes.config import KubernetesConfig
from collectors.kubernetes.credentials import clusters
from scanner.model import EvidenceStatus
from tests.contract.kubernetes.scanning import run_kubernetes
from tests.fakes.kubernetes.fixtures import write_kubeconfig
from tests.fakes.kubernetes.samples import READER_TOKEN
from tests.fakes.kubernetes.server import FakeKubernetes

LISTS = ("/api/v1/namespaces", "/apis/apps/v1/deployments", "/apis/networking.k8s.io/v1/networkpolicies", "/api/v1/limitranges")


def test_the_connections_of_a_client_share_the_ca_loaded_when_it_was_made(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "config", fake_kubernetes, {"prod": READER_TOKEN})
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    cluster = document["clusters"][0]["cluster"]
    del cluster["certificate-authority-data"]
    cluster["certificate-authority"] = "ca.pem"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    fake_kubernetes.write_ca(tmp_path / "ca.pem")
    (connect,) = clusters(KubernetesConfig(kubeconfig=Path("config")), tmp_path)
    api = connect.connect()
    (tmp_path / "ca.pem").unlink()  # connections made from now on cannot read it again
    fake_kubernetes.state.rendezvous = len(LISTS)  # every list answered only once all are in, each on a connection of its own
    fake_kubernetes.reset(fake_kubernetes.state)

    def status(path: str) -> int:
        answer = api.call_api("GET", f"{fake_kubernetes.url}{path}", header_params={"Authorization": f"Bearer {READER_TOKEN}"})
        return int(answer.status)

    try:
        with ThreadPoolExecutor(len(LISTS)) as pool:
            assert list(pool.map(status, LISTS)) == [200] * len(LISTS)
    finally:
        api.close()
    assert fake_kubernetes.most_in_flight == len(LISTS)


def test_a_server_whose_certificate_does_not_name_it_is_untrusted(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    # The fake's certificate names 127.0.0.1 only, signed by the CA the kubeconfig trusts.
    named = fake_kubernetes.url.replace("127.0.0.1", "localhost")
    write_kubeconfig(tmp_path / "kubeconfig", fake_kubernetes, {"prod": READER_TOKEN}, servers={"prod": named})
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig", max_retries=0)
    (problem,) = [p for p in scan.problems if p.subject == "kubernetes:prod"]
    assert "TLS handshake failed" in problem.message
    assert scan.of("kubernetes:prod", "policy.admission").status is EvidenceStatus.UNAVAILABLE
    assert fake_kubernetes.requests == []


def test_the_name_a_context_gives_for_tls_is_the_one_checked(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "kubeconfig", fake_kubernetes, {"prod": READER_TOKEN},
                            servers={"prod": fake_kubernetes.url.replace("127.0.0.1", "localhost")})
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["clusters"][0]["cluster"]["tls-server-name"] = "127.0.0.1"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig", max_retries=0)
    assert not scan.problems
    assert scan.of("kubernetes:prod", "policy.admission").status is EvidenceStatus.OBSERVED
