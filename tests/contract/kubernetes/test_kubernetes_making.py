"""Evidence made while a cluster's lists are read: what the thread reading them is told, and that
what it makes so is the evidence made from the whole lists at once."""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import pytest
from kubernetes.client import ApiClient

from collectors.base import Findings, Found, Gap
from collectors.kubernetes import evidence, namespaces
from collectors.kubernetes.access import REVIEW_PATH
from collectors.kubernetes.client import METADATA_ONLY, ClusterClient, Page, list_objects
from collectors.kubernetes.collector import KubernetesCollector
from collectors.kubernetes.config import KubernetesConfig
from collectors.kubernetes.credentials import clusters
from collectors.kubernetes.making import Making, Missing
from collectors.kubernetes.reads import ClusterReads, Pending, read_cluster
from collectors.kubernetes.resources import COMPOSITE_DEFINITIONS, CONSTRAINTS, DEPLOYMENTS, NAMESPACES, READ, Resource
from scanner.contract import RequestCounter
from scanner.model import Evidence, Subject
from tests.collecting import CollectedScan, context_for
from tests.contract.kubernetes.scanning import NOW
from tests.fakes.http.exchange import Response
from tests.fakes.kubernetes.cluster import ClusterState, Fault
from tests.fakes.kubernetes.fixtures import write_kubeconfig
from tests.fakes.kubernetes.samples import READER_TOKEN, sample_cluster
from tests.fakes.kubernetes.server import FakeKubernetes


def _client(fake: FakeKubernetes, tmp_path: Path, api: ApiClient | None = None) -> ClusterClient:
    return ClusterClient(api or _connect(fake, tmp_path), counter=RequestCounter(), family="kubernetes:prod",
                         timer=fake.clock.timer(), timeout=10, max_retries=0, wait_budget=0, page_size=2)


def _connect(fake: FakeKubernetes, tmp_path: Path) -> ApiClient:
    write_kubeconfig(tmp_path / "kubeconfig", fake, {"prod": READER_TOKEN})
    (cluster,) = clusters(KubernetesConfig(kubeconfig=Path("kubeconfig")), tmp_path)
    return cluster.connect()


class _Recorded:
    """A Progress that keeps what it is told."""

    def __init__(self) -> None:
        self.pages: dict[Resource, list[list[dict[str, Any]]]] = {}
        self.views: list[ClusterReads] = []

    def page(self, resource: Resource, items: list[dict[str, Any]]) -> None:
        assert not any(resource in view.reads for view in self.views), "a page after its list was settled"
        self.pages.setdefault(resource, []).append(items)

    def settled(self, found: ClusterReads) -> None:
        self.views.append(found)

    def takes(self, resource: Resource) -> bool:
        return False  # every list kept whole


def test_pages_are_told_as_they_come_and_each_list_once_it_is_read(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    client = _client(fake_kubernetes, tmp_path)
    recorded = _Recorded()
    try:
        found = read_cluster(client, 4, recorded)
    finally:
        client.close()
    # Every page of deployments (2 objects a page), in order, before the list was settled.
    pages = recorded.pages[DEPLOYMENTS]
    assert len(pages) > 1 and [item for page in pages for item in page] == found.reads[DEPLOYMENTS].items
    first = next(index for index, view in enumerate(recorded.views) if DEPLOYMENTS in view.reads)
    before = recorded.views[first - 1]
    with pytest.raises(Pending):
        before.reads[DEPLOYMENTS]  # noqa: B018  (asking is the test)
    # The lists read by then are there, as they end up.
    assert all(before.reads[resource] is found.reads[resource] for resource in before.reads if resource is not CONSTRAINTS)
    assert recorded.views[-1].reads.keys() == found.reads.keys()
    # The constraints are told only with every constraint kind the templates name; the XRDs with every claim list.
    constraints = next(view for view in recorded.views if CONSTRAINTS in view.reads)
    assert constraints.reads[CONSTRAINTS].items == found.reads[CONSTRAINTS].items
    definitions = next(view for view in recorded.views if COMPOSITE_DEFINITIONS in view.reads)
    assert definitions.claims == found.claims and found.claims


class _NextListFirst(_Recorded):
    """A Progress that, told what is read, waits (5 s at most) for a request of a list not read yet
    to reach the fake."""

    def __init__(self, fake: FakeKubernetes) -> None:
        super().__init__()
        self.fake = fake
        self.asked_meanwhile: list[bool] = []

    def settled(self, found: ClusterReads) -> None:
        super().settled(found)
        if all(resource in found.reads for resource in READ):
            return  # every list is read: no request is left to wait for
        done = {"/api", "/apis", REVIEW_PATH, *(resource.path for resource in found.reads)}
        deadline = time.monotonic() + 5
        while self.fake.requests[-1].path in done and time.monotonic() < deadline:
            time.sleep(0.002)
        self.asked_meanwhile.append(self.fake.requests[-1].path not in done)


def test_a_worker_set_free_takes_the_next_list_before_the_evidence_is_made(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    # One worker: while the evidence a list allows is made, the next list is already asked.
    client = _client(fake_kubernetes, tmp_path)
    progress = _NextListFirst(fake_kubernetes)
    try:
        read_cluster(client, 1, progress)
    finally:
        client.close()
    assert len(progress.asked_meanwhile) > 10 and all(progress.asked_meanwhile)


class _Held(_Recorded):
    """A Progress that holds the thread reading the cluster once the first list is read, until
    every request of `paths` has reached the fake (5 s at most)."""

    def __init__(self, fake: FakeKubernetes, paths: set[str]) -> None:
        super().__init__()
        self.fake, self.paths = fake, paths
        self.all_asked_meanwhile: bool | None = None

    def settled(self, found: ClusterReads) -> None:
        super().settled(found)
        if len(self.views) != 2:  # the first view comes before any list is read
            return
        deadline = time.monotonic() + 5
        while not self.paths <= {seen.path for seen in self.fake.requests} and time.monotonic() < deadline:
            time.sleep(0.002)
        self.all_asked_meanwhile = self.paths <= {seen.path for seen in self.fake.requests}


def _naming_nothing() -> ClusterState:
    """The sample cluster without Gatekeeper and Crossplane: no list names more lists."""
    state = sample_cluster()
    for group in ("templates.gatekeeper.sh", "constraints.gatekeeper.sh", "apiextensions.crossplane.io", "platform.acme.example"):
        state.groups.pop(group, None)
    return state


def test_workers_set_free_take_the_next_lists_while_the_thread_reading_the_cluster_is_busy(
    fake_kubernetes: FakeKubernetes, tmp_path: Path,
) -> None:
    # Held on the first list it is told of, the thread reading the cluster starts no list: every
    # other list is asked meanwhile by the two workers, each taking the next itself.
    fake_kubernetes.reset(_naming_nothing())
    client = _client(fake_kubernetes, tmp_path)
    try:
        whole = read_cluster(client, 2)
        lists = {seen.path for seen in fake_kubernetes.requests}
        fake_kubernetes.reset(_naming_nothing())
        held = _Held(fake_kubernetes, lists)
        found = read_cluster(client, 2, held)
    finally:
        client.close()
    assert held.all_asked_meanwhile
    assert found == whole


def test_what_is_made_while_reading_is_what_the_whole_lists_make(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    client = _client(fake_kubernetes, tmp_path)
    ctx = context_for(KubernetesCollector(), KubernetesConfig(kubeconfig=Path("kubeconfig")), CollectedScan(), clock=lambda: NOW)
    cluster = Subject(id="kubernetes:prod", kind="cluster", name="prod", source="kubernetes")
    making = Making(ctx, cluster)
    fake_kubernetes.state.fail("/api/v1/limitranges", Fault(500), Fault(500))  # a gap in each read: tenancy unavailable
    try:
        found = read_cluster(client, 4, making)
        whole = read_cluster(client, 4)  # no progress: every list kept, tallies made from the whole lists
    finally:
        client.close()
    examined = making.examined(found)
    # The workload lists and what their tallies look up went to the tallies page by page and were not kept; the others were.
    for resource in (*evidence.WORKLOADS.values(), *evidence.LOOKUPS):
        assert found.reads[resource].items == [] and found.reads[resource].taken == len(whole.reads[resource].items)
    assert whole.reads[DEPLOYMENTS].items and found.reads[NAMESPACES] == whole.reads[NAMESPACES]

    def record(kind: str, subject: Subject, found: Found, locators: tuple[str, ...]) -> Evidence | Missing:
        # What the collect's thread made of it: the gap's record too is made while reading, only noted after.
        made = Findings(ctx, "kubernetes").record(kind, subject, found, locators)
        return Missing(found, made) if isinstance(found, Gap) else made

    findings = {kind: make(whole) for kind, make in evidence.CLUSTER.items()}
    assert examined.cluster == {kind: record(kind, cluster, made.found, made.locators) for kind, made in findings.items()}
    assert isinstance(examined.cluster["tenancy.guardrails"], Missing)  # its record made with the others
    per_namespace = {kind: make(whole) for kind, make in namespaces.NAMESPACE.items()}
    tenants = namespaces.tenants(whole)
    assert isinstance(tenants, list) and isinstance(examined.namespaces, list)
    assert [subject.id for subject, _ in examined.namespaces] == [f"kubernetes:prod/{name}" for name in tenants]
    for subject, made in examined.namespaces:
        assert subject.parent == "kubernetes:prod" and made == {
            kind: record(kind, subject, per.of(subject.name), per.locators) for kind, per in per_namespace.items()}
    assert evidence.tallies(whole) == evidence.tallies(found)
    assert evidence.workload_tallies(whole).cost_tools == evidence.workload_tallies(found).cost_tools


def test_the_proxy_of_the_environment_is_read_when_the_client_is_made_not_again_per_request(
    fake_kubernetes: FakeKubernetes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    api = _connect(fake_kubernetes, tmp_path)
    client = _client(fake_kubernetes, tmp_path, api)
    # The kubeconfig loader's hook sets the host again before each request; the host's setter read
    # the environment's proxy variables again, which no request used.
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    try:
        assert client.get("/api")["versions"] == ["v1"]
    finally:
        client.close()
    assert api.configuration.proxy is None  # what the connection pool was made with


@pytest.mark.parametrize(("first", "parsed_whole"), [
    ({"kind": "DeploymentList", "metadata": {"continue": "TOKEN"}, "items": []}, False),  # as the API server writes it
    ({"items": [], "metadata": {"continue": "TOKEN"}}, True),  # the items before the metadata
    ({"kind": "DeploymentList", "items": [], "metadata": {"continue": "TOKEN"}}, True),  # and after the kind
    ({"metadata": {"continue": "TOKEN", "labels": {"a": "b", "items": "no"}}, "items": []}, True),  # an "items" key inside first
])
def test_a_pages_continue_token_is_read_before_its_objects_are_parsed_whatever_the_order_of_its_fields(
    fake_kubernetes: FakeKubernetes, tmp_path: Path, first: dict[str, Any], parsed_whole: bool,
) -> None:
    token = base64.urlsafe_b64encode(json.dumps({"v": "meta.k8s.io/v1", "rv": 4711, "start": 2}).encode()).decode().rstrip("=")
    body = json.dumps(first, separators=(",", ":")).replace("TOKEN", token).encode()
    deployments = "/apis/apps/v1/deployments"
    fake_kubernetes.faults.respond(deployments, Response(200, body, {"Content-Type": "application/json"}))
    client = _client(fake_kubernetes, tmp_path)
    pages: list[Page] = []
    try:
        client.pages(deployments, METADATA_ONLY, pages.append)
    finally:
        client.close()
    # Parsed whole (for its token) only when the list's metadata is not found before its items.
    assert isinstance(pages[0], dict) is parsed_whole
    assert all(isinstance(page, bytes) for page in pages[1:])
    assert [seen.query.get("continue", "") for seen in fake_kubernetes.requests][:2] == ["", token]
    everything = [item for page in pages for item in list_objects(page, deployments)]
    assert len(everything) == len(sample_cluster().objects[("apps", "deployments")]) - 2
