"""Cluster evidence (collectors/kubernetes): one record per cluster, counted over its namespaces,
and one per tenant namespace where the evidence is the namespace's own."""

from __future__ import annotations

from pydantic import Field

from scanner.kinds.spec import KindData


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
    """engines: validating_admission_policy, kyverno, gatekeeper."""

    engines: list[str] = Field(description="Admission engines the source serves and that were read.")
    not_served: list[str] = Field(default_factory=list, description="Engines whose API the source does not serve.")
    policies: int
    enforcing: int = Field(description="Policies that reject what they do not allow.")
    audit_only: int = Field(description="Policies that only audit or warn.")
    mutating: int = Field(default=0, description="Policies that change requests (defaults, labels).")
    generating: int = Field(default=0, description="Policies that create resources (quotas, network policies).")
    webhooks: int = Field(default=0, description="Validating admission webhooks (any engine).")
    webhooks_fail_open: int = Field(default=0, description="Webhooks with failurePolicy Ignore: unchecked when down.")
    exceptions: int = Field(default=0, description="Policy rules that Kyverno PolicyExceptions exempt workloads from.")
    violations: int = Field(default=0, description="Violations Gatekeeper's last audit found (constraints' totalViolations).")
    policy_reports: int = Field(
        default=0, description="Policy reports read: PolicyReports and ClusterPolicyReports (wgpolicyk8s.io), Reports and ClusterReports (openreports.io)."
    )
    report_results: int = Field(default=0, description="Results in those reports' summaries (pass, fail, warn, error, skip).")
    report_failures: int = Field(default=0, description="Of those results, fail and error: what runs against the policies.")


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
    autoscaled: int = Field(description="Workloads an HPA, a KEDA ScaledObject or a VPA that acts (updateMode not Off) targets.")
    autoscaled_by: dict[str, int] = Field(default_factory=dict, description="Workloads per autoscaler kind: hpa, keda, vpa.")
    autoscaled_share: float | None = Field(default=None, description="autoscaled / workloads; None without workloads.")
    with_disruption_budget: int = Field(
        default=0, description="Workloads a PodDisruptionBudget's matchLabels select (matched on the workload's own labels)."
    )
    gitops_managed: int = Field(description="Workloads carrying an Argo CD or Flux label or annotation.")
    helm_managed: int = Field(description="Workloads labelled app.kubernetes.io/managed-by: Helm.")
    managed: int = Field(
        description="Workloads carrying a GitOps controller's mark, a tool's label (any app.kubernetes.io/managed-by, or Argo CD's app.kubernetes.io/instance) or kubectl apply's last-applied annotation; the rest were created imperatively (kubectl create / run, a script)."
    )
    daemonsets: int = Field(default=0, description="DaemonSets in tenant namespaces (not counted in workloads: one pod per node).")
    daemonsets_managed: int = Field(default=0, description="Of those, carrying a GitOps controller's mark, a tool's label or kubectl apply's annotation.")


class Reconciliation(KindData):
    """controllers: argocd, flux. Counts over Argo CD Applications and Flux Kustomizations / HelmReleases."""

    controllers: list[str] = Field(description="GitOps controllers the source serves and that were read.")
    not_served: list[str] = Field(default_factory=list, description="Controllers whose API the source does not serve.")
    applications: int
    automated: int = Field(description="Reconciled automatically (Argo CD automated sync; Flux: not suspended).")
    self_heal: int = Field(description="Drift in the cluster is reverted (Argo CD selfHeal; Flux Kustomizations, HelmReleases with drift detection).")
    prune: int = Field(description="What is removed from Git is removed from the cluster.")
    in_sync: int = Field(description="Synced (Argo CD) or Ready (Flux) when read.")
    self_heal_share: float | None = Field(default=None, description="self_heal / applications; None without applications.")
    application_sets: int = Field(default=0, description="Argo CD ApplicationSets: Applications generated from one template.")
    drift_detection: int = Field(default=0, description="Flux HelmReleases detecting drift (driftDetection mode enabled or warn).")


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


class PlatformApis(KindData):
    """Self-service infrastructure APIs offered in the cluster (Crossplane)."""

    definitions: int = Field(description="Composite resource definitions (XRDs).")
    claimable: int = Field(description="XRDs with claim names: a team requests them from its own namespace.")
    compositions: int = Field(description="Compositions: how the platform builds what an XRD offers.")
    implemented: int = Field(description="XRDs at least one composition implements.")


class CostAllocation(KindData):
    """tools: opencost, kubecost, recognised by their workloads' names and labels."""

    tools: list[str] = Field(description="Cost-allocation tools running in the cluster.")


class NamespaceGuardrails(KindData):
    """One tenant namespace's guardrails."""

    quota: bool
    limit_range: bool
    default_deny: bool = Field(description="A NetworkPolicy denying ingress to every pod by default.")
    pod_security: str | None = Field(description="The namespace's Pod Security enforce label (privileged, baseline, restricted).")
    pod_security_enforced: bool = Field(description="Enforces the baseline or restricted Pod Security level.")


class NamespaceObservability(KindData):
    """One tenant namespace's monitoring; tools says which monitoring APIs the cluster serves."""

    tools: list[str] = Field(description="Monitoring APIs the cluster serves and that were read: prometheus_operator, opentelemetry.")
    monitored: bool = Field(description="A ServiceMonitor or PodMonitor scrapes it.")
    alerted: bool = Field(description="It has alerting rules (PrometheusRule).")
    instrumented: bool = Field(description="It has an OpenTelemetry auto-instrumentation.")


class NamespaceWorkloads(KindData):
    """One tenant namespace's Deployments and StatefulSets, seen by their metadata only."""

    workloads: int
    autoscaled: int = Field(description="Workloads an HPA, a KEDA ScaledObject or a VPA that acts (updateMode not Off) targets.")
    autoscaled_share: float | None = Field(default=None, description="autoscaled / workloads; None without workloads.")
    with_disruption_budget: int = Field(default=0, description="Workloads a PodDisruptionBudget's matchLabels select.")
    managed: int = Field(
        description="Workloads carrying a GitOps controller's mark, a tool's label (any app.kubernetes.io/managed-by, or Argo CD's app.kubernetes.io/instance) or kubectl apply's last-applied annotation; the rest were created imperatively (kubectl create / run, a script)."
    )
    daemonsets: int = Field(default=0, description="DaemonSets (not counted in workloads: one pod per node).")


class NamespacePolicies(KindData):
    """One tenant namespace's own admission policies (Kyverno Policy) and policy reports."""

    policies: int = Field(description="Kyverno Policies in the namespace.")
    enforcing: int = Field(description="Of those, policies that reject what they do not allow.")
    audit_only: int = Field(description="Of those, policies that only audit or warn.")
    mutating: int = Field(default=0)
    generating: int = Field(default=0)
    exceptions: int = Field(default=0, description="Policy rules the namespace's PolicyExceptions exempt workloads from.")
    cluster_wide_enforcing: int = Field(
        description="Cluster-wide policies that enforce (ClusterPolicies, ValidatingAdmissionPolicies, Gatekeeper constraints); "
        "whether each matches this namespace is not evaluated."
    )
    policy_reports: int = Field(default=0, description="Policy reports in the namespace (wgpolicyk8s.io PolicyReports, openreports.io Reports).")
    report_results: int = Field(default=0, description="Results in those reports' summaries.")
    report_failures: int = Field(default=0, description="Of those, fail and error.")


class NamespaceClaims(KindData):
    """Crossplane claims a tenant namespace holds: the platform's self-service APIs in use by its team."""

    claims: int = Field(description="Claims of any XRD's claim kind in the namespace.")
    kinds: list[str] = Field(default_factory=list, description="Their claim kinds (Database, Bucket...).")
