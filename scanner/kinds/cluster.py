"""Cluster evidence (collectors/kubernetes): one record per cluster, counted over its namespaces."""

from __future__ import annotations

from pydantic import Field

from scanner.kinds.spec import KindData, KindSpec


class AdminGrants(KindData):
    """Kubernetes' own identities (names starting with system:) are not counted."""

    admin_roles: list[str] = Field(description="Cluster roles that allow every verb on every resource.")
    to_users: int = Field(description="Individual users bound to such a role.")
    to_groups: int = Field(description="Groups bound to such a role.")
    to_service_accounts: int = Field(description="Service accounts bound to such a role.")
    user_bindings: int = Field(description="Binding subjects, any role, that are individual users.")
    group_bindings: int = Field(description="Binding subjects, any role, that are groups.")
    group_binding_share: float | None = Field(
        default=None, description="Groups among the people-facing binding subjects (users and groups); None without any."
    )


class AdmissionControl(KindData):
    """engines: validating_admission_policy, kyverno."""

    engines: list[str] = Field(description="Admission engines the source serves and that were read.")
    not_served: list[str] = Field(default_factory=list, description="Engines whose API the source does not serve.")
    policies: int
    enforcing: int = Field(description="Policies that reject what they do not allow.")
    audit_only: int = Field(description="Policies that only audit or warn.")
    mutating: int = Field(default=0, description="Policies that change requests (defaults, labels).")
    generating: int = Field(default=0, description="Policies that create resources (quotas, network policies).")
    webhooks: int = Field(default=0, description="Validating admission webhooks (any engine).")
    webhooks_fail_open: int = Field(default=0, description="Webhooks with failurePolicy Ignore: unchecked when down.")


class TenancyGuardrails(KindData):
    """Counts over tenant namespaces (not those of the platform itself, such as kube-system)."""

    namespaces: int
    with_quota: int
    with_limit_range: int
    with_default_deny: int = Field(description="Namespaces whose network policies deny ingress by default.")
    with_pod_security_enforce: int = Field(description="Namespaces enforcing the baseline or restricted Pod Security level.")


class WorkloadCoverage(KindData):
    """Deployments and StatefulSets in tenant namespaces, seen by their metadata only."""

    workloads: int
    autoscaled: int = Field(description="Workloads a HorizontalPodAutoscaler targets.")
    gitops_managed: int = Field(description="Workloads carrying an Argo CD or Flux label or annotation.")
    helm_managed: int = Field(description="Workloads labelled app.kubernetes.io/managed-by: Helm.")
    managed: int = Field(description="Workloads managed by a GitOps controller or Helm; the rest were applied by hand.")


class Reconciliation(KindData):
    """controllers: argocd, flux. Counts over Argo CD Applications and Flux Kustomizations / HelmReleases."""

    controllers: list[str] = Field(description="GitOps controllers the source serves and that were read.")
    not_served: list[str] = Field(default_factory=list, description="Controllers whose API the source does not serve.")
    applications: int
    automated: int = Field(description="Reconciled automatically (Argo CD automated sync; Flux: not suspended).")
    self_heal: int = Field(description="Drift in the cluster is reverted (Argo CD selfHeal; Flux Kustomizations, HelmReleases with drift detection).")
    prune: int = Field(description="What is removed from Git is removed from the cluster.")
    in_sync: int = Field(description="Synced (Argo CD) or Ready (Flux) when read.")


class ObservabilityCoverage(KindData):
    """tools: prometheus_operator, opentelemetry. Counts over tenant namespaces."""

    tools: list[str] = Field(description="Monitoring APIs the source serves and that were read.")
    not_served: list[str] = Field(default_factory=list, description="Monitoring APIs the source does not serve.")
    namespaces: int
    monitored: int = Field(description="Namespaces a ServiceMonitor or PodMonitor scrapes.")
    alerted: int = Field(description="Namespaces with alerting rules (PrometheusRule).")
    alert_rules: int
    predictive_alerts: int = Field(description="Alerting rules that forecast (predict_linear, holt_winters).")
    instrumented: int = Field(description="Namespaces with an OpenTelemetry auto-instrumentation.")


CLUSTER: list[KindSpec] = [
    KindSpec("access.admin_grants", "cluster", AdminGrants, "Standing administrative grants, to people or groups."),
    KindSpec("policy.admission", "cluster", AdmissionControl, "Admission policies, and whether they enforce."),
    KindSpec("tenancy.guardrails", "cluster", TenancyGuardrails, "Quotas, limits, default-deny and pod security per namespace."),
    KindSpec("gitops.reconciliation", "cluster", Reconciliation, "GitOps applications: automated, self-healing, pruning, in sync."),
    KindSpec("observability.coverage", "cluster", ObservabilityCoverage, "Scraping, alerting and auto-instrumentation per namespace."),
    KindSpec("workloads.coverage", "cluster", WorkloadCoverage, "Workloads autoscaled, and managed by GitOps or Helm."),
]
