"""A sample cluster: three team namespaces with uneven guardrails, RBAC with standing admin
grants, ValidatingAdmissionPolicies and Kyverno policies, and the accounts tests authenticate as."""

from __future__ import annotations

from . import payloads as p
from .cluster import KINDS, Account, ClusterState

READER_TOKEN = "reader-token-1f3a9c"  # may list everything the collector reads
NO_RBAC_TOKEN = "no-rbac-token-77d2e0"  # a role without the RBAC rules
READER = "system:serviceaccount:pecm:pecm"


def sample_cluster() -> ClusterState:
    state = ClusterState()
    state.accounts[READER_TOKEN] = Account(READER)
    state.accounts[NO_RBAC_TOKEN] = Account(
        "system:serviceaccount:pecm:narrow",
        {key for key in KINDS if key[0] != "rbac.authorization.k8s.io"},
    )
    for group in (
        "kyverno.io", "argoproj.io", "kustomize.toolkit.fluxcd.io", "helm.toolkit.fluxcd.io", "monitoring.coreos.com", "opentelemetry.io",
        "templates.gatekeeper.sh", "constraints.gatekeeper.sh", "wgpolicyk8s.io", "openreports.io", "keda.sh", "autoscaling.k8s.io",
        "apiextensions.crossplane.io", "platform.acme.example",
    ):
        state.install(group)
    state.add("", "namespaces", *(p.namespace(name) for name in ("default", "kube-system", "kube-public", "kube-node-lease")))
    state.add("", "namespaces", p.namespace("payments", "restricted"), p.namespace("search", "baseline"), p.namespace("sandbox", "privileged"))
    state.add("", "resourcequotas", p.resource_quota("payments"), p.resource_quota("search"), p.resource_quota("kube-system"))
    state.add("", "limitranges", p.limit_range("payments"))
    state.add("networking.k8s.io", "networkpolicies", p.default_deny("payments"), p.allow_web("search"))
    state.add(
        "rbac.authorization.k8s.io", "clusterroles",
        p.cluster_role("cluster-admin", p.EVERYTHING), p.cluster_role("break-glass", p.EVERYTHING[:1]),
        p.cluster_role("view", p.READ_PODS),
    )
    state.add("rbac.authorization.k8s.io", "roles", p.role("sandbox", "owner", p.EVERYTHING[:1]))
    state.add(
        "rbac.authorization.k8s.io", "clusterrolebindings",
        p.cluster_role_binding("cluster-admin", "cluster-admin", [p.subject("Group", "system:masters")]),
        p.cluster_role_binding("ops-admins", "cluster-admin", [p.subject("Group", "ops"), p.subject("User", "alice@acme.example")]),
        p.cluster_role_binding("alice-again", "break-glass", [p.subject("User", "alice@acme.example")]),
        p.cluster_role_binding("argocd", "cluster-admin", [p.subject("ServiceAccount", "argocd-application-controller", "argocd")]),
        p.cluster_role_binding("viewers", "view", [p.subject("Group", "developers")]),
    )
    state.add(
        "rbac.authorization.k8s.io", "rolebindings",
        p.role_binding("sandbox", "bob-owner", "Role", "owner", [p.subject("User", "bob@acme.example")]),
        p.role_binding("payments", "team", "ClusterRole", "view", [p.subject("Group", "payments")]),
    )
    state.add(
        "admissionregistration.k8s.io", "validatingadmissionpolicies",
        p.admission_policy("replica-limit"), p.admission_policy("label-check"), p.admission_policy("unused"),
    )
    state.add(
        "admissionregistration.k8s.io", "validatingadmissionpolicybindings",
        p.admission_policy_binding("replica-limit", "replica-limit", ["Deny", "Audit"]),
        p.admission_policy_binding("label-check", "label-check", ["Warn", "Audit"]),
    )
    state.add(
        "admissionregistration.k8s.io", "validatingwebhookconfigurations",
        p.validating_webhooks("kyverno-resource-validating-webhook-cfg", "kyverno", ["Fail", "Ignore"]),
        p.validating_webhooks("cert-manager-webhook", "cert-manager", [None]),
    )
    state.add(
        "kyverno.io", "clusterpolicies",
        p.kyverno_policy("registry", action="Enforce"),
        p.kyverno_policy("labels", rules=("validate",)),
        p.kyverno_policy("defaults", rules=("mutate", "generate")),
        p.kyverno_policy("per-rule", rules=("validate-enforce",)),
    )
    state.add("kyverno.io", "policies", p.kyverno_policy("team-rule", ns="payments", action="audit"))
    state.add("kyverno.io", "policyexceptions", p.policy_exception("sandbox", "try-me", {"registry": ["rule-0"], "labels": ["rule-0", "rule-1"]}))
    state.add(
        "argoproj.io", "applications",
        p.argo_application("payments", self_heal=True, prune=True), p.argo_application("search", synced=False),
        p.argo_application("sandbox", automated=False),
    )
    state.add("kustomize.toolkit.fluxcd.io", "kustomizations", p.flux_kustomization("infra"), p.flux_kustomization("legacy", prune=False, suspend=True, ready=False))
    state.add("helm.toolkit.fluxcd.io", "helmreleases", p.flux_helm_release("worker", drift_detection=True))
    state.add("monitoring.coreos.com", "servicemonitors", p.service_monitor("payments", "api"), p.service_monitor("monitoring", "shared", ["search"]))
    state.add("monitoring.coreos.com", "podmonitors", p.pod_monitor("kube-system", "coredns"))
    state.add(
        "monitoring.coreos.com", "prometheusrules",
        p.prometheus_rule("payments", "api", {
            "ApiErrors": 'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.05',
            "DiskFullSoon": 'predict_linear(node_filesystem_avail_bytes[6h], 4 * 3600) < 0',
        }, records=1),
        p.prometheus_rule("sandbox", "recording-only", {}, records=2),
    )
    state.add("opentelemetry.io", "instrumentations", p.instrumentation("payments"))
    argo = {"argocd.argoproj.io/tracking-id": "payments:apps/Deployment:payments/api"}
    state.add(
        "apps", "deployments",
        p.workload("Deployment", "payments", "api", annotations=argo),
        p.workload("Deployment", "payments", "worker", {"app.kubernetes.io/managed-by": "Helm", "helm.toolkit.fluxcd.io/name": "worker"}),
        p.workload("Deployment", "search", "indexer", {"app.kubernetes.io/managed-by": "Helm"}),
        p.workload("Deployment", "sandbox", "try-me"),
        p.workload("Deployment", "kube-system", "coredns"),
        p.workload("Deployment", "kube-system", "opencost", {"app.kubernetes.io/name": "opencost"}),
    )
    # elastic was applied with `kubectl apply` (from a pipeline or a laptop: the cluster cannot tell),
    # whose annotation holds the whole manifest, pod template and environment values included.
    state.add("apps", "statefulsets", p.kubectl_applied(p.workload("StatefulSet", "search", "elastic")))
    state.add(
        "apps", "daemonsets",
        p.workload("DaemonSet", "payments", "log-shipper", {"app.kubernetes.io/managed-by": "Helm"}),
        p.workload("DaemonSet", "kube-system", "kube-proxy"),
        p.workload("DaemonSet", "search", "node-exporter"),
    )
    state.add("keda.sh", "scaledobjects", p.scaled_object("payments", "worker"))
    state.add(
        "autoscaling.k8s.io", "verticalpodautoscalers",
        p.vertical_autoscaler("search", "Deployment", "indexer"), p.vertical_autoscaler("sandbox", "Deployment", "try-me", mode="Off"),
    )
    state.add("policy", "poddisruptionbudgets", p.disruption_budget("payments", "api"), p.disruption_budget("search", "gone"))
    state.add("templates.gatekeeper.sh", "constrainttemplates", p.constraint_template("K8sRequiredLabels"), p.constraint_template("K8sAllowedRepos"))
    state.add(
        "constraints.gatekeeper.sh", "k8srequiredlabels",
        p.constraint("K8sRequiredLabels", "ns-must-have-team", violations=2), p.constraint("K8sRequiredLabels", "ns-owner", action="dryrun", violations=1),
    )
    state.add("constraints.gatekeeper.sh", "k8sallowedrepos", p.constraint("K8sAllowedRepos", "registry-only", action="warn"))
    state.add("wgpolicyk8s.io", "policyreports", p.policy_report("payments", "api", passed=3, failed=1), p.policy_report("search", "indexer", passed=2, failed=0))
    state.add("wgpolicyk8s.io", "clusterpolicyreports", p.policy_report(None, "cluster", passed=1, failed=2))
    # Kyverno moved to OpenReports (1.15): reports written since are there, the older ones stay where they were.
    state.add("openreports.io", "reports", p.open_report("sandbox", "try-me", passed=1, failed=1))
    state.add("openreports.io", "clusterreports", p.open_report(None, "cluster-now", passed=2, failed=0))
    state.add("argoproj.io", "applicationsets", p.application_set("team-apps", ["payments", "search"]))
    state.add(
        "apiextensions.crossplane.io", "compositeresourcedefinitions",
        p.composite_definition("XDatabase", "xdatabases", "Database"), p.composite_definition("XNetwork", "xnetworks", None),
    )
    state.add("apiextensions.crossplane.io", "compositions", p.composition("database-aws", "XDatabase"))
    state.add("platform.acme.example", "databases", p.claim("payments", "orders"), p.claim("payments", "ledger", "large"), p.claim("search", "index"))
    state.add(
        "autoscaling", "horizontalpodautoscalers",
        p.autoscaler("payments", "Deployment", "api"), p.autoscaler("search", "StatefulSet", "elastic"),
        p.autoscaler("search", "Deployment", "gone"),
    )
    return state

