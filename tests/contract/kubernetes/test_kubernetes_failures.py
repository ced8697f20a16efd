"""What the collector makes of refusals, absent APIs, throttling and broken clusters."""

from __future__ import annotations

import base64
import json
import logging
import socket
from pathlib import Path

import pytest
import trustme
import yaml

from collectors.kubernetes.config import KubernetesConfig
from collectors.kubernetes.credentials import clusters
from scanner.errors import UserError
from scanner.model import EvidenceStatus
from tests.contract.kubernetes.scanning import run_kubernetes
from tests.fakes.http.exchange import Response
from tests.fakes.kubernetes.cluster import KINDS as KINDS_SERVED
from tests.fakes.kubernetes.cluster import Fault
from tests.fakes.kubernetes.fixtures import write_kubeconfig
from tests.fakes.kubernetes.samples import NO_RBAC_TOKEN, READER_TOKEN
from tests.fakes.kubernetes.server import FakeKubernetes

KINDS = ("access.admin_grants", "policy.admission", "tenancy.guardrails", "workloads.coverage", "gitops.reconciliation",
         "observability.coverage", "platform.apis", "cost.allocation")


def _kubeconfig(tmp_path: Path, fake: FakeKubernetes, **users: str) -> Path:
    return write_kubeconfig(tmp_path / "kubeconfig", fake, users or {"prod": READER_TOKEN})


def test_a_list_the_role_does_not_allow_is_not_sent_and_names_the_rbac_rule(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    _kubeconfig(tmp_path, fake_kubernetes, narrow=NO_RBAC_TOKEN)
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig")
    grants = scan.of("kubernetes:narrow", "access.admin_grants")
    assert grants.status is EvidenceStatus.UNAVAILABLE
    assert "SelfSubjectRulesReview" in (grants.reason or "")
    assert 'apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["list"]' in (grants.reason or "")
    # The review said so before listing: no RBAC list was sent, and the review was sent once.
    paths = [seen.path for seen in fake_kubernetes.requests]
    assert not [path for path in paths if "rbac.authorization.k8s.io" in path]
    assert paths.count("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews") == 1
    # what the role may read is still observed
    assert scan.of("kubernetes:narrow", "tenancy.guardrails").status is EvidenceStatus.OBSERVED
    (problem,) = scan.problems  # told once, for the kind and the subjects it cost
    assert problem.message.startswith("kubernetes: access.admin_grants unavailable for 1 subject: not allowed")
    assert all(f'resources: ["{plural}"]' in problem.message for plural in ("clusterrolebindings", "clusterroles", "rolebindings", "roles"))
    assert "deploy/kubernetes/clusterrole.yaml" in (problem.hint or "")


@pytest.mark.parametrize("review", ["incomplete", "forbidden"])
def test_without_a_usable_review_every_list_is_tried_and_a_403_names_the_rule(
    fake_kubernetes: FakeKubernetes, tmp_path: Path, review: str
) -> None:
    fake_kubernetes.state.accounts[NO_RBAC_TOKEN].review = review
    _kubeconfig(tmp_path, fake_kubernetes, narrow=NO_RBAC_TOKEN)
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig")
    grants = scan.of("kubernetes:narrow", "access.admin_grants")
    assert grants.status is EvidenceStatus.UNAVAILABLE and "HTTP 403" in (grants.reason or "")
    assert 'apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["list"]' in (grants.reason or "")
    assert "/apis/rbac.authorization.k8s.io/v1/clusterroles" in {seen.path for seen in fake_kubernetes.requests}
    assert scan.of("kubernetes:narrow", "tenancy.guardrails").status is EvidenceStatus.OBSERVED


def test_rules_a_review_shows_may_still_be_refused_across_namespaces(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    # Rules of a RoleBinding in the reviewed namespace show in the review, but allow no list of
    # every namespace: the list is sent, and its 403 makes the evidence unavailable.
    fake_kubernetes.state.accounts[READER_TOKEN].review = "namespaced"
    _kubeconfig(tmp_path, fake_kubernetes)
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig")
    record = scan.of("kubernetes:prod", "tenancy.guardrails")
    assert record.status is EvidenceStatus.UNAVAILABLE and "HTTP 403" in (record.reason or "")


def test_an_engine_the_cluster_lacks_is_named_not_failed(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    del fake_kubernetes.state.groups["kyverno.io"], fake_kubernetes.state.groups["templates.gatekeeper.sh"]
    _kubeconfig(tmp_path, fake_kubernetes)
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig")
    data = scan.data("kubernetes:prod", "policy.admission")
    assert data["engines"] == ["validating_admission_policy"] and data["not_served"] == ["gatekeeper", "kyverno"]
    assert data["policies"] == 3 and data["enforcing"] == 1
    assert not any("kyverno" in seen.path for seen in fake_kubernetes.requests)  # discovery said so: no list sent


def test_no_admission_engine_served_is_unsupported(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    del fake_kubernetes.state.groups["kyverno.io"], fake_kubernetes.state.groups["templates.gatekeeper.sh"]
    del fake_kubernetes.state.groups["admissionregistration.k8s.io"]
    _kubeconfig(tmp_path, fake_kubernetes)
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig")
    record = scan.of("kubernetes:prod", "policy.admission")
    assert record.status is EvidenceStatus.UNSUPPORTED
    assert "no admission engine" in (record.reason or "")


def test_flux_alone_is_read_and_no_controller_at_all_is_unsupported(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    state = fake_kubernetes.state
    del state.groups["argoproj.io"], state.groups["helm.toolkit.fluxcd.io"]
    _kubeconfig(tmp_path, fake_kubernetes)
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig")
    data = scan.data("kubernetes:prod", "gitops.reconciliation")
    assert (data["controllers"], data["not_served"], data["applications"]) == (["flux"], ["argocd"], 2)
    del state.groups["kustomize.toolkit.fluxcd.io"]
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig")
    record = scan.of("kubernetes:prod", "gitops.reconciliation")
    assert record.status is EvidenceStatus.UNSUPPORTED and "no GitOps controller" in (record.reason or "")


def test_monitoring_without_the_prometheus_operator_and_with_nothing(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    state = fake_kubernetes.state
    del state.groups["monitoring.coreos.com"]
    _kubeconfig(tmp_path, fake_kubernetes)
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig")
    data = scan.data("kubernetes:prod", "observability.coverage")
    assert (data["tools"], data["not_served"], data["monitored"], data["instrumented"]) == (
        ["opentelemetry"], ["prometheus_operator"], 0, 1
    )
    del state.groups["opentelemetry.io"]
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig")
    assert scan.of("kubernetes:prod", "observability.coverage").status is EvidenceStatus.UNSUPPORTED


@pytest.mark.parametrize(("served", "unserved", "reports", "results", "failures"), [
    ("openreports.io", "wgpolicyk8s.io", 2, 4, 1),  # Kyverno 1.15 and later, with OpenReports' CRDs only
    ("wgpolicyk8s.io", "openreports.io", 3, 9, 3),  # before
])
def test_policy_reports_are_read_from_the_group_the_cluster_serves(
    fake_kubernetes: FakeKubernetes, tmp_path: Path, served: str, unserved: str, reports: int, results: int, failures: int
) -> None:
    del fake_kubernetes.state.groups[unserved]
    _kubeconfig(tmp_path, fake_kubernetes)
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig")
    data = scan.data("kubernetes:prod", "policy.admission")
    assert (data["policy_reports"], data["report_results"], data["report_failures"]) == (reports, results, failures)
    asked = {seen.path.split("/")[2] for seen in fake_kubernetes.requests if seen.path.startswith("/apis/")}
    assert served in asked and unserved not in asked  # discovery said which: nothing sent to the other
    assert any(served in locator for locator in scan.of("kubernetes:prod", "policy.admission").locators)


def test_claims_the_role_may_not_list_are_unavailable_naming_the_rule_and_without_crossplane_none_are_held(
    fake_kubernetes: FakeKubernetes, tmp_path: Path
) -> None:
    account = fake_kubernetes.state.accounts[READER_TOKEN]
    account.may_list = {key for key in KINDS_SERVED if key != ("platform.acme.example", "databases")}
    _kubeconfig(tmp_path, fake_kubernetes)
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig")
    record = scan.of("kubernetes:prod/payments", "platform.claims")
    assert record.status is EvidenceStatus.UNAVAILABLE
    assert 'apiGroups: ["platform.acme.example"], resources: ["databases"], verbs: ["list"]' in (record.reason or "")
    assert "/apis/platform.acme.example/v1alpha1/databases" not in {seen.path for seen in fake_kubernetes.requests}
    assert scan.of("kubernetes:prod", "platform.apis").status is EvidenceStatus.OBSERVED  # the XRDs were read
    assert any("platform.claims unavailable for 4 subjects" in message for message in scan.messages())
    del fake_kubernetes.state.groups["apiextensions.crossplane.io"]
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig")
    # No claim API at all: no namespace holds a claim (what the cluster offers is unsupported, not none).
    assert scan.data("kubernetes:prod/payments", "platform.claims") == {"claims": 0, "kinds": []}
    assert scan.of("kubernetes:prod", "platform.apis").status is EvidenceStatus.UNSUPPORTED


def test_a_group_served_without_the_resource_is_unsupported_too(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    # A 1.29 cluster serves admissionregistration.k8s.io/v1 without ValidatingAdmissionPolicy: 404.
    fake_kubernetes.state.unserved.add(("admissionregistration.k8s.io", "validatingadmissionpolicies"))
    _kubeconfig(tmp_path, fake_kubernetes)
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig")
    data = scan.data("kubernetes:prod", "policy.admission")
    assert data["engines"] == ["kyverno", "gatekeeper"] and data["not_served"] == ["validating_admission_policy"]


def test_gatekeeper_alone_is_read_through_its_templates_constraint_kinds(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    state = fake_kubernetes.state
    del state.groups["kyverno.io"], state.groups["admissionregistration.k8s.io"]
    _kubeconfig(tmp_path, fake_kubernetes)
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig")
    data = scan.data("kubernetes:prod", "policy.admission")
    assert (data["engines"], data["policies"], data["enforcing"], data["audit_only"], data["violations"]) == (
        ["gatekeeper"], 3, 1, 2, 3  # ns-must-have-team denies (Gatekeeper's default); dryrun and warn only audit
    )
    constraint_lists = sorted(seen.path for seen in fake_kubernetes.requests if "constraints.gatekeeper.sh" in seen.path)
    assert constraint_lists == ["/apis/constraints.gatekeeper.sh/v1beta1/k8sallowedrepos", "/apis/constraints.gatekeeper.sh/v1beta1/k8srequiredlabels"]


def test_a_constraint_kind_the_role_may_not_list_makes_admission_unavailable(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    account = fake_kubernetes.state.accounts[READER_TOKEN]
    account.may_list = {key for key in KINDS_SERVED if key != ("constraints.gatekeeper.sh", "k8sallowedrepos")}
    _kubeconfig(tmp_path, fake_kubernetes)
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig")
    record = scan.of("kubernetes:prod", "policy.admission")
    assert record.status is EvidenceStatus.UNAVAILABLE
    assert 'apiGroups: ["constraints.gatekeeper.sh"], resources: ["k8sallowedrepos"], verbs: ["list"]' in (record.reason or "")


def test_throttling_and_server_errors_are_waited_out_in_virtual_time(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    fake_kubernetes.state.fail("/api/v1/namespaces", Fault(429, {"Retry-After": "7"}), Fault(503), Fault(None))
    _kubeconfig(tmp_path, fake_kubernetes)
    scan, timer = run_kubernetes(tmp_path, kubeconfig="kubeconfig")
    assert scan.data("kubernetes:prod", "tenancy.guardrails")["namespaces"] == 4
    assert 7 in timer.slept  # Retry-After honoured, through the shared gate
    assert [seen.path for seen in fake_kubernetes.requests].count("/api/v1/namespaces") == 4  # 429, 503, dropped, answer
    assert not scan.problems


def test_a_list_that_keeps_failing_is_unavailable_and_the_rest_is_read(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    fake_kubernetes.state.fail("/api/v1/limitranges", *[Fault(500)] * 4)
    _kubeconfig(tmp_path, fake_kubernetes)
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig", max_retries=3)
    record = scan.of("kubernetes:prod", "tenancy.guardrails")
    assert record.status is EvidenceStatus.UNAVAILABLE and "HTTP 500" in (record.reason or "")
    assert scan.of("kubernetes:prod", "access.admin_grants").status is EvidenceStatus.OBSERVED
    # Told once, for the cluster; its namespaces' guardrails are unavailable with the same reason, not told again.
    (problem,) = scan.problems
    assert problem.subject == "kubernetes:prod" and "requests kept failing (/api/v1/limitranges: HTTP 500" in problem.message
    namespace = scan.of("kubernetes:prod/payments", "tenancy.namespace")
    assert namespace.status is EvidenceStatus.UNAVAILABLE and "HTTP 500" in (namespace.reason or "")


def test_a_refusal_shared_by_clusters_is_told_once_with_how_many_subjects_it_cost(
    fake_kubernetes: FakeKubernetes, tmp_path: Path
) -> None:
    account = fake_kubernetes.state.accounts[NO_RBAC_TOKEN]
    account.may_list = (account.may_list or set()) - {("", "limitranges")}
    _kubeconfig(tmp_path, fake_kubernetes, east=NO_RBAC_TOKEN, west=NO_RBAC_TOKEN)
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig", contexts=["east", "west"])
    messages = sorted(problem.message for problem in scan.problems)
    assert len(messages) == 3, messages
    assert messages[0].startswith("kubernetes: access.admin_grants unavailable for 2 subjects: not allowed")
    assert messages[1].startswith("kubernetes: tenancy.guardrails unavailable for 2 subjects: not allowed")
    # every tenant namespace of both clusters: default, payments, search, sandbox
    assert messages[2].startswith("kubernetes: tenancy.namespace unavailable for 8 subjects: not allowed")
    assert 'resources: ["limitranges"]' in messages[2]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_expired_and_unreachable_clusters_are_unavailable_and_the_others_scanned(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    users = {"prod": READER_TOKEN, "expired": "expired-token-0c41", "down": READER_TOKEN}
    write_kubeconfig(tmp_path / "kubeconfig", fake_kubernetes, users, {"down": f"https://127.0.0.1:{_closed_port()}"})
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig", contexts=list(users), max_retries=1)
    assert [i for i in scan.ids if "/" not in i] == ["kubernetes:prod", "kubernetes:expired", "kubernetes:down"]
    # The namespaces of the clusters not reached are unknown, not absent; prod's are subjects.
    assert set(scan.unreached) == {"namespace"} and "kubernetes:prod/payments" in scan.ids
    assert scan.of("kubernetes:prod", "tenancy.guardrails").status is EvidenceStatus.OBSERVED
    for kind in KINDS:
        expired, down = scan.of("kubernetes:expired", kind), scan.of("kubernetes:down", kind)
        assert expired.status is EvidenceStatus.UNAVAILABLE and "HTTP 401" in (expired.reason or "")
        assert down.status is EvidenceStatus.UNAVAILABLE and "network error" in (down.reason or "")
    assert sorted(p.subject or "" for p in scan.problems) == ["kubernetes:down", "kubernetes:expired"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, "cannot read it"),
        ("contexts: [\n", "YAML syntax error"),
        ("- just\n- a list\n", "not a kubeconfig"),
    ],
)
def test_a_kubeconfig_that_cannot_be_read_is_a_one_line_user_error(tmp_path: Path, text: str | None, expected: str) -> None:
    if text is not None:
        (tmp_path / "kubeconfig").write_text(text, encoding="utf-8")
    with pytest.raises(UserError) as raised:
        run_kubernetes(tmp_path, kubeconfig="kubeconfig")
    assert expected in raised.value.one_line() and "\n" not in raised.value.one_line()


def test_an_unknown_context_is_a_user_error_naming_the_known_ones(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    _kubeconfig(tmp_path, fake_kubernetes)
    with pytest.raises(UserError, match=r"no context named 'staging' \(defined: prod\)"):
        run_kubernetes(tmp_path, kubeconfig="kubeconfig", contexts=["prod", "staging"])
    assert not fake_kubernetes.requests  # stopped before contacting any cluster


def test_in_cluster_service_account(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    (tmp_path / "token").write_text(READER_TOKEN + "\n", encoding="utf-8")  # a trailing newline is stripped
    fake_kubernetes.write_ca(tmp_path / "ca.crt")
    scan, _ = run_kubernetes(tmp_path, in_cluster={"server": fake_kubernetes.url, "token_file": "token", "ca_file": "ca.crt"})
    assert scan.ids[0] == "kubernetes:in-cluster" and "kubernetes:in-cluster/payments" in scan.ids
    assert scan.data("kubernetes:in-cluster", "tenancy.guardrails")["namespaces"] == 4


def test_in_cluster_outside_a_pod_is_that_cluster_unavailable(tmp_path: Path) -> None:
    scan, _ = run_kubernetes(tmp_path, in_cluster={"token_file": "missing-token"})
    record = scan.of("kubernetes:in-cluster", "tenancy.guardrails")
    assert record.status is EvidenceStatus.UNAVAILABLE and "no service-account token" in (record.reason or "")


def test_no_token_ever_leaves_the_collector(fake_kubernetes: FakeKubernetes, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    canary = "canary-secret-9b1e77"
    fake_kubernetes.state.accounts[canary] = fake_kubernetes.state.accounts[NO_RBAC_TOKEN]
    fake_kubernetes.state.fail("/api/v1/namespaces", Fault(500), Fault(429, {"Retry-After": "1"}))
    users = {"canary": canary, "expired": canary + "-old"}
    write_kubeconfig(tmp_path / "kubeconfig", fake_kubernetes, users)
    with caplog.at_level(logging.DEBUG):
        scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig", contexts=list(users))
    assert {item.status for item in scan.evidence} >= {EvidenceStatus.OBSERVED, EvidenceStatus.UNAVAILABLE}
    output = "\n".join(
        [*(item.model_dump_json() for item in scan.evidence), *(p.model_dump_json() for p in scan.problems),
         *(s.model_dump_json() for s in scan.subjects), caplog.text]
    )
    assert canary not in output




def test_broken_contexts_are_each_unavailable_with_a_hint_naming_their_cause(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    path = write_kubeconfig(tmp_path / "kubeconfig", fake_kubernetes, {name: READER_TOKEN for name in ("prod", "badca", "nocluster", "exec")})
    kubeconfig = yaml.safe_load(path.read_text(encoding="utf-8"))
    kubeconfig["clusters"][1]["cluster"]["certificate-authority-data"] = base64.b64encode(trustme.CA().cert_pem.bytes()).decode()
    kubeconfig["contexts"][2]["context"]["cluster"] = "gone"
    kubeconfig["users"][3]["user"] = {"exec": {"apiVersion": "client.authentication.k8s.io/v1", "command": str(tmp_path / "no-such-plugin"),
                                               "interactiveMode": "Never"}}
    path.write_text(yaml.safe_dump(kubeconfig), encoding="utf-8")
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig", contexts=["prod", "badca", "nocluster", "exec"], max_retries=0)
    assert scan.of("kubernetes:prod", "tenancy.guardrails").status is EvidenceStatus.OBSERVED
    hints = {p.subject: (p.message, p.hint or "") for p in scan.problems}
    assert "TLS handshake failed" in hints["kubernetes:badca"][0] and "certificate-authority-data" in hints["kubernetes:badca"][1]
    assert "names cluster 'gone', which the kubeconfig does not define" in hints["kubernetes:nocluster"][0]
    assert "HTTP 401" in hints["kubernetes:exec"][0] and "credential plugin" in hints["kubernetes:exec"][1]
    for context in ("badca", "nocluster", "exec"):
        assert scan.of(f"kubernetes:{context}", "policy.admission").status is EvidenceStatus.UNAVAILABLE


def test_a_kubeconfig_is_read_once_and_its_relative_file_names_are_its_folders(
    fake_kubernetes: FakeKubernetes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "kube"
    folder.mkdir()
    document = yaml.safe_load(write_kubeconfig(folder / "config", fake_kubernetes, {"prod": READER_TOKEN}).read_text())
    cluster_entry = document["clusters"][0]["cluster"]
    del cluster_entry["certificate-authority-data"]
    cluster_entry["certificate-authority"] = "ca.pem"  # beside the kubeconfig
    fake_kubernetes.write_ca(folder / "ca.pem")
    (folder / "config").write_text(yaml.safe_dump(document), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    (cluster,) = clusters(KubernetesConfig(kubeconfig=Path("config")), folder)
    (folder / "config").unlink()  # connecting uses the kubeconfig as read, not the file again
    api = cluster.connect()
    try:
        assert api.call_api("GET", f"{fake_kubernetes.url}/api", header_params={"Authorization": f"Bearer {READER_TOKEN}"}).status == 200
    finally:
        api.close()


def test_the_next_page_is_asked_before_a_page_is_parsed_and_a_page_cut_short_is_its_lists_gap(
    fake_kubernetes: FakeKubernetes, tmp_path: Path,
) -> None:
    # The first page of deployments: its metadata, then objects cut short. The continue token is
    # read from the metadata alone, so the second page is asked before the first is parsed.
    deployments = "/apis/apps/v1/deployments"
    continuing = {"kind": "DeploymentList", "apiVersion": "apps/v1", "metadata": {"continue": _second_page()}}
    cut_short = json.dumps(continuing, separators=(",", ":"))[:-1].encode() + b',"items":[{"metadata":{"name":"api"'
    fake_kubernetes.faults.respond(deployments, Response(200, cut_short, {"Content-Type": "application/json"}))
    _kubeconfig(tmp_path, fake_kubernetes)
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig", page_size=2)
    asked = [seen.query.get("continue", "") for seen in fake_kubernetes.requests if seen.path == deployments]
    assert asked[:2] == ["", _second_page()]
    coverage = scan.of("kubernetes:prod", "workloads.coverage")
    assert coverage.status is EvidenceStatus.UNAVAILABLE and coverage.reason == f"{deployments}: HTTP 200: the answer is not JSON"


def _second_page() -> str:
    return base64.urlsafe_b64encode(json.dumps({"v": "meta.k8s.io/v1", "rv": 4711, "start": 2}).encode()).decode().rstrip("=")
