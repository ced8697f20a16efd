"""The Kubernetes collector against the fake cluster: what it reads and what it makes of it."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path

from collectors.kubernetes.resources import READ
from scanner.model import EvidenceStatus
from tests.contract.kubernetes.scanning import run_kubernetes
from tests.fakes.kubernetes.cluster import KINDS
from tests.fakes.kubernetes.fixtures import write_kubeconfig
from tests.fakes.kubernetes.payloads import ENV_VALUE
from tests.fakes.kubernetes.samples import READER, READER_TOKEN, sample_cluster
from tests.fakes.kubernetes.server import FakeKubernetes


def test_a_cluster_through_a_kubeconfig_context(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    write_kubeconfig(tmp_path / "kubeconfig", fake_kubernetes, {"prod": READER_TOKEN})
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig", contexts=["prod"])
    namespaces = ["default", "payments", "search", "sandbox"]  # kube-* are Kubernetes' own
    assert scan.ids == ["kubernetes:prod", *(f"kubernetes:prod/{name}" for name in namespaces)]
    assert scan.subject("kubernetes:prod").kind == "cluster"
    assert {(s.kind, s.parent) for s in scan.subjects[1:]} == {("namespace", "kubernetes:prod")}
    assert scan.data("kubernetes:prod", "access.admin_grants") == {
        "admin_roles": ["break-glass", "cluster-admin"],
        "to_users": 2,  # alice (twice bound, counted once) and bob (a namespaced Role allowing everything)
        "to_groups": 1,  # ops; system:masters is Kubernetes' own
        "to_service_accounts": 1,
        "user_bindings": 3,
        "group_bindings": 3,
        "group_binding_share": 0.5,
    }
    assert scan.data("kubernetes:prod", "tenancy.guardrails") == {
        "namespaces": 4,  # default, payments, search, sandbox
        "with_quota": 2,
        "with_limit_range": 1,
        "with_default_deny": 1,
        "with_pod_security_enforce": 2,
    }
    assert scan.data("kubernetes:prod", "policy.admission") == {
        "engines": ["validating_admission_policy", "kyverno", "gatekeeper"],
        "not_served": [],
        "policies": 11,
        # replica-limit (Deny), registry (policy-wide Enforce), per-rule (rule failureAction), ns-must-have-team
        # (a Gatekeeper constraint without enforcementAction denies)
        "enforcing": 4,
        # label-check (Warn, Audit), labels (Kyverno's default), team-rule (audit), ns-owner (dryrun), registry-only (warn)
        "audit_only": 5,
        "mutating": 1,
        "generating": 1,
        "webhooks": 3,
        "webhooks_fail_open": 1,  # failurePolicy Ignore; a webhook without one fails closed (v1 default)
        "exceptions": 3,  # try-me is let off registry's rule and two of labels' rules
        "violations": 3,  # Gatekeeper's audit: 2 + 1
        # two PolicyReports and a ClusterPolicyReport (wgpolicyk8s.io), a Report and a ClusterReport (openreports.io)
        "policy_reports": 5,
        "report_results": 13,
        "report_failures": 4,
    }
    assert scan.data("kubernetes:prod", "workloads.coverage") == {
        "workloads": 5,  # kube-system's coredns and opencost do not count
        # api and elastic (HPAs; the HPA of "gone" targets nothing), worker (a KEDA ScaledObject, a Deployment by
        # default), indexer (a VPA); try-me's VPA only recommends (updateMode Off)
        "autoscaled": 4,
        "autoscaled_by": {"hpa": 2, "keda": 1, "vpa": 1},
        "autoscaled_share": 0.8,
        "with_disruption_budget": 1,  # api; the budget of "gone" selects nothing
        "gitops_managed": 2,  # api (Argo CD tracking id), worker (Flux HelmRelease label)
        "helm_managed": 2,
        "managed": 4,  # elastic was kubectl-applied (its annotation); try-me carries no mark: created by hand
        "daemonsets": 2,  # log-shipper (Helm), node-exporter; kube-proxy is Kubernetes' own
        "daemonsets_managed": 1,
    }
    assert scan.data("kubernetes:prod", "gitops.reconciliation") == {
        "controllers": ["argocd", "flux"],
        "not_served": [],
        "applications": 6,  # 3 Argo CD Applications, 2 Flux Kustomizations, 1 HelmRelease
        "automated": 4,  # not the manual Argo CD app, not the suspended Kustomization
        "self_heal": 3,  # Argo CD selfHeal, the active Kustomization, the HelmRelease with drift detection
        "prune": 3,
        "in_sync": 4,
        "self_heal_share": 0.5,
        "application_sets": 1,
        "drift_detection": 1,  # the HelmRelease
    }
    assert scan.data("kubernetes:prod", "observability.coverage") == {
        "tools": ["prometheus_operator", "opentelemetry"],
        "not_served": [],
        "namespaces": 4,
        "monitored": 2,  # payments (its own ServiceMonitor), search (selected from the monitoring namespace)
        "alerted": 1,  # payments; sandbox has recording rules only
        "alert_rules": 2,
        "predictive_alerts": 1,  # predict_linear
        "instrumented": 1,
    }
    assert scan.data("kubernetes:prod", "platform.apis") == {"definitions": 2, "claimable": 1, "compositions": 1, "implemented": 1}
    assert scan.data("kubernetes:prod", "cost.allocation") == {"tools": ["opencost"]}
    assert {seen.user for seen in fake_kubernetes.requests} == {READER}
    assert not scan.problems


def test_workloads_are_read_by_metadata_only(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    write_kubeconfig(tmp_path / "kubeconfig", fake_kubernetes, {"prod": READER_TOKEN})
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig")
    workloads = [seen for seen in fake_kubernetes.requests if seen.path.startswith("/apis/apps/")]
    assert {seen.path for seen in workloads} == {"/apis/apps/v1/deployments", "/apis/apps/v1/statefulsets", "/apis/apps/v1/daemonsets"}
    assert all("as=PartialObjectMetadataList" in seen.accept for seen in workloads)
    assert not any("secrets" in seen.path or "configmaps" in seen.path for seen in fake_kubernetes.requests)
    output = "".join(item.model_dump_json() for item in scan.evidence)
    assert ENV_VALUE not in output and scan.data("kubernetes:prod", "workloads.coverage")["daemonsets"] == 2


def test_one_request_per_page_of_each_resource_after_discovery(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    write_kubeconfig(tmp_path / "kubeconfig", fake_kubernetes, {"prod": READER_TOKEN})
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig", page_size=2)
    namespaces = [seen for seen in fake_kubernetes.requests if seen.path == "/api/v1/namespaces"]
    assert [seen.query.get("limit") for seen in namespaces] == ["2"] * 4  # 7 namespaces, 2 per page
    assert "continue" not in namespaces[0].query and all("continue" in seen.query for seen in namespaces[1:])
    paths = [seen.path for seen in fake_kubernetes.requests]
    # discovery and the review of the role first, all at once; only the longest list (deployments) is asked beside them
    others = [path for path in paths if path != "/apis/apps/v1/deployments"]
    assert set(others[:3]) == {"/api", "/apis", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"}
    # Discovery, then ceil(objects / 2) pages of each resource the collector reads, nothing else.
    state = sample_cluster()
    expected = {"/api": 1, "/apis": 1, "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews": 1}
    for resource in READ:
        plurals = [plural for group, plural in state.objects if group == resource.group] if resource.plural == "*" else [resource.plural]
        for plural in plurals:  # Gatekeeper: one list per constraint kind
            expected[resource.path_of(plural)] = max(1, -(-len(state.objects.get((resource.group, plural), [])) // 2))
    expected["/apis/platform.acme.example/v1alpha1/databases"] = 2  # the claims of the one XRD with claim names: 3
    assert Counter(paths) == expected
    assert scan.requests.snapshot()["kubernetes:prod"].sent == len(paths)
    assert scan.data("kubernetes:prod", "tenancy.guardrails")["namespaces"] == 4


def test_the_first_page_of_the_longest_list_is_asked_beside_discovery(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    # Discovery is held (60 s) while the test watches for the first page of deployments (10 s at
    # most), then let go: a collector that waited for discovery's answer first asks nothing meanwhile.
    fake_kubernetes.faults.delay("/apis", seconds=60)
    deployments = "/apis/apps/v1/deployments"
    asked = threading.Event()

    def release() -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if any(seen.path == deployments for seen in fake_kubernetes.requests):
                asked.set()
                break
            time.sleep(0.01)
        fake_kubernetes.faults.clear()  # lets the held discovery answer

    watcher = threading.Thread(target=release)
    watcher.start()
    write_kubeconfig(tmp_path / "kubeconfig", fake_kubernetes, {"prod": READER_TOKEN})
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig", page_size=2)
    watcher.join()
    assert asked.is_set()
    paths = [seen.path for seen in fake_kubernetes.requests]
    pages = -(-len(sample_cluster().objects[("apps", "deployments")]) // 2)
    assert paths.count(deployments) == pages  # the early page is not asked again
    assert not scan.problems and EvidenceStatus.UNAVAILABLE not in scan.statuses()


def test_with_one_worker_lists_wait_for_discovery_and_named_lists_go_first(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    write_kubeconfig(tmp_path / "kubeconfig", fake_kubernetes, {"prod": READER_TOKEN})
    run_kubernetes(tmp_path, kubeconfig="kubeconfig", concurrent_requests=1)
    paths = [seen.path for seen in fake_kubernetes.requests]
    assert set(paths[:3]) == {"/api", "/apis", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"}
    # The lists an answer names start as soon as it is read, before the lists still waiting.
    xrds, claims = "/apis/apiextensions.crossplane.io/v1/compositeresourcedefinitions", "/apis/platform.acme.example/v1alpha1/databases"
    assert paths.index(claims) == paths.index(xrds) + 1 < paths.index("/api/v1/namespaces")
    templates = paths.index("/apis/templates.gatekeeper.sh/v1/constrainttemplates")
    assert paths[templates + 1:templates + 3] == [  # in the templates' order
        "/apis/constraints.gatekeeper.sh/v1beta1/k8sallowedrepos", "/apis/constraints.gatekeeper.sh/v1beta1/k8srequiredlabels"]


def test_one_malformed_object_never_loses_its_list(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    # The typed client fails the whole list on a RoleBinding without roleRef (pydantic
    # ValidationError); the collector reads the JSON itself and skips only what it cannot use.
    broken = {"metadata": {"name": "half-written", "namespace": "search"}, "subjects": [{"kind": "User", "name": "carol"}]}
    odd = {"metadata": {"name": "odd", "namespace": "search"}, "roleRef": "cluster-admin", "subjects": "everyone"}
    fake_kubernetes.state.add("rbac.authorization.k8s.io", "rolebindings", broken, odd)
    write_kubeconfig(tmp_path / "kubeconfig", fake_kubernetes, {"prod": READER_TOKEN})
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig")
    data = scan.data("kubernetes:prod", "access.admin_grants")
    assert data["to_users"] == 2 and data["user_bindings"] == 4  # carol counted as a user binding, granted nothing


def test_lists_are_read_concurrently_by_a_bounded_pool(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    # The fake answers no list until three are in flight at once: read one after another, every
    # list would wait in vain and fail.
    write_kubeconfig(tmp_path / "kubeconfig", fake_kubernetes, {"prod": READER_TOKEN})
    fake_kubernetes.state.rendezvous = 3
    fake_kubernetes.reset(fake_kubernetes.state)
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig", concurrent_requests=3)
    assert not scan.problems and EvidenceStatus.UNAVAILABLE not in scan.statuses()
    assert fake_kubernetes.most_in_flight == 3  # bounded: never more than the pool


def test_clusters_are_examined_at_the_same_time_and_recorded_in_configuration_order(
    fake_kubernetes: FakeKubernetes, tmp_path: Path
) -> None:
    # One request at a time per cluster, and the fake answers no list until two are in flight:
    # only clusters read side by side (the base's ordered worker pool) get their lists answered.
    write_kubeconfig(tmp_path / "kubeconfig", fake_kubernetes, {"east": READER_TOKEN, "west": READER_TOKEN})
    fake_kubernetes.state.rendezvous = 2
    fake_kubernetes.reset(fake_kubernetes.state)
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig", contexts=["west", "east"], concurrent_requests=1, max_retries=0)
    assert not scan.problems and EvidenceStatus.UNAVAILABLE not in scan.statuses()
    assert fake_kubernetes.most_in_flight == 2
    assert [i for i in scan.ids if "/" not in i] == ["kubernetes:west", "kubernetes:east"]


def test_one_request_at_a_time_gives_the_same_evidence_in_the_same_order(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    write_kubeconfig(tmp_path / "kubeconfig", fake_kubernetes, {"prod": READER_TOKEN})
    one, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig", concurrent_requests=1, page_size=2)
    assert fake_kubernetes.most_in_flight == 1
    fake_kubernetes.reset(sample_cluster())
    many, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig", concurrent_requests=8, page_size=2)
    assert [(e.kind, e.data, e.locators) for e in one.evidence] == [(e.kind, e.data, e.locators) for e in many.evidence]


def test_namespaces_are_subjects_with_their_own_guardrails_and_monitoring(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    write_kubeconfig(tmp_path / "kubeconfig", fake_kubernetes, {"prod": READER_TOKEN})
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig")
    assert scan.data("kubernetes:prod/payments", "tenancy.namespace") == {
        "quota": True, "limit_range": True, "default_deny": True, "pod_security": "restricted", "pod_security_enforced": True,
    }
    assert scan.data("kubernetes:prod/sandbox", "tenancy.namespace") == {
        "quota": False, "limit_range": False, "default_deny": False, "pod_security": "privileged", "pod_security_enforced": False,
    }
    tools = ["prometheus_operator", "opentelemetry"]
    assert scan.data("kubernetes:prod/search", "observability.namespace") == {
        "tools": tools, "monitored": True, "alerted": False, "instrumented": False,  # scraped from the monitoring namespace
    }
    assert scan.data("kubernetes:prod/payments", "observability.namespace") == {
        "tools": tools, "monitored": True, "alerted": True, "instrumented": True,
    }


def test_namespaces_unlisted_are_unknown_and_a_forbidden_guardrail_is_unavailable_per_namespace(
    fake_kubernetes: FakeKubernetes, tmp_path: Path
) -> None:
    account = fake_kubernetes.state.accounts[READER_TOKEN]
    account.may_list = {key for key in KINDS if key != ("", "limitranges")}
    write_kubeconfig(tmp_path / "kubeconfig", fake_kubernetes, {"prod": READER_TOKEN})
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig")
    record = scan.of("kubernetes:prod/payments", "tenancy.namespace")
    assert record.status is EvidenceStatus.UNAVAILABLE and 'resources: ["limitranges"]' in (record.reason or "")
    assert scan.of("kubernetes:prod/payments", "observability.namespace").status is EvidenceStatus.OBSERVED
    account.may_list = {key for key in KINDS if key != ("", "namespaces")}
    fake_kubernetes.reset(fake_kubernetes.state)
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig")
    assert scan.ids == ["kubernetes:prod"] and "namespaces" in scan.unreached["namespace"]


def test_namespaces_carry_their_workloads_policies_and_claims(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    write_kubeconfig(tmp_path / "kubeconfig", fake_kubernetes, {"prod": READER_TOKEN})
    scan, _ = run_kubernetes(tmp_path, kubeconfig="kubeconfig")
    workloads = {name: scan.data(f"kubernetes:prod/{name}", "workloads.namespace") for name in ("payments", "search", "sandbox", "default")}
    assert workloads["payments"] == {  # api (HPA, budget, Argo CD), worker (KEDA, Helm); log-shipper is a DaemonSet
        "workloads": 2, "autoscaled": 2, "autoscaled_share": 1.0, "with_disruption_budget": 1, "managed": 2, "daemonsets": 1,
    }
    assert workloads["search"] == {  # indexer (VPA, Helm), elastic (HPA, kubectl apply); the budget of "gone" selects nothing
        "workloads": 2, "autoscaled": 2, "autoscaled_share": 1.0, "with_disruption_budget": 0, "managed": 2, "daemonsets": 1,
    }
    assert workloads["sandbox"]["autoscaled_share"] == 0.0  # try-me's VPA only recommends
    assert workloads["default"] == {
        "workloads": 0, "autoscaled": 0, "autoscaled_share": None, "with_disruption_budget": 0, "managed": 0, "daemonsets": 0,
    }
    assert scan.data("kubernetes:prod/payments", "policy.namespace") == {
        "policies": 1, "enforcing": 0, "audit_only": 1, "mutating": 0, "generating": 0,  # team-rule audits
        "exceptions": 0, "cluster_wide_enforcing": 4,  # replica-limit, registry, per-rule, ns-must-have-team
        "policy_reports": 1, "report_results": 4, "report_failures": 1,
    }
    sandbox = scan.data("kubernetes:prod/sandbox", "policy.namespace")
    assert (sandbox["policies"], sandbox["exceptions"]) == (0, 3)  # try-me let off three policy rules
    assert (sandbox["policy_reports"], sandbox["report_failures"]) == (1, 1)  # an OpenReports Report
    assert scan.data("kubernetes:prod/payments", "platform.claims") == {"claims": 2, "kinds": ["Database"]}
    assert scan.data("kubernetes:prod/search", "platform.claims") == {"claims": 1, "kinds": ["Database"]}
    assert scan.data("kubernetes:prod/sandbox", "platform.claims") == {"claims": 0, "kinds": []}
    assert scan.of("kubernetes:prod/payments", "platform.claims").locators == ("/apis/platform.acme.example/v1alpha1/databases",)
