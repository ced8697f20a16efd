"""Every API resource the collector reads: one paged list each, and nothing else.

deploy/kubernetes/clusterrole.yaml must grant exactly these (get, list); a test keeps them equal.
Secrets and ConfigMaps are never read; workloads would be read as metadata only.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Resource:
    group: str  # "" for the core group
    version: str
    plural: str
    metadata_only: bool = False  # read as PartialObjectMetadataList: labels and annotations, no spec
    # About one object per workload: the longest lists (many pages, each waiting for the one
    # before), so they are started first.
    per_workload: bool = False

    @property
    def path(self) -> str:
        """The list URL across all namespaces."""
        return self.path_of(self.plural)

    def path_of(self, plural: str) -> str:
        """The list URL of `plural` in this resource's group and version (a Gatekeeper constraint kind)."""
        prefix = "/api" if not self.group else f"/apis/{self.group}"
        return f"{prefix}/{self.version}/{plural}"

    @property
    def rbac_rule(self) -> str:
        """The RBAC rule that allows the list, as a ClusterRole states it."""
        return f'apiGroups: ["{self.group}"], resources: ["{self.plural}"], verbs: ["list"]'


NAMESPACES = Resource("", "v1", "namespaces")
RESOURCE_QUOTAS = Resource("", "v1", "resourcequotas")
LIMIT_RANGES = Resource("", "v1", "limitranges")
NETWORK_POLICIES = Resource("networking.k8s.io", "v1", "networkpolicies")
CLUSTER_ROLES = Resource("rbac.authorization.k8s.io", "v1", "clusterroles")
ROLES = Resource("rbac.authorization.k8s.io", "v1", "roles")
CLUSTER_ROLE_BINDINGS = Resource("rbac.authorization.k8s.io", "v1", "clusterrolebindings")
ROLE_BINDINGS = Resource("rbac.authorization.k8s.io", "v1", "rolebindings")
ADMISSION_POLICIES = Resource("admissionregistration.k8s.io", "v1", "validatingadmissionpolicies")
ADMISSION_POLICY_BINDINGS = Resource("admissionregistration.k8s.io", "v1", "validatingadmissionpolicybindings")
VALIDATING_WEBHOOKS = Resource("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations")
KYVERNO_CLUSTER_POLICIES = Resource("kyverno.io", "v1", "clusterpolicies")
KYVERNO_POLICIES = Resource("kyverno.io", "v1", "policies")
KYVERNO_EXCEPTIONS = Resource("kyverno.io", "v2", "policyexceptions")
CONSTRAINT_TEMPLATES = Resource("templates.gatekeeper.sh", "v1", "constrainttemplates")
# Gatekeeper makes one resource per constraint kind (a template's kind, lower-cased): the
# collector lists those its templates name, and the role grants the whole group.
CONSTRAINTS = Resource("constraints.gatekeeper.sh", "v1beta1", "*")
# Policy reports: the Policy WG's group, and OpenReports' (Kyverno 1.15 on): a cluster serves
# either or both (during a migration); discovery says which are listed.
POLICY_REPORTS = Resource("wgpolicyk8s.io", "v1alpha2", "policyreports")
CLUSTER_POLICY_REPORTS = Resource("wgpolicyk8s.io", "v1alpha2", "clusterpolicyreports")
OPEN_REPORTS = Resource("openreports.io", "v1alpha1", "reports")
OPEN_CLUSTER_REPORTS = Resource("openreports.io", "v1alpha1", "clusterreports")
ARGO_APPLICATIONS = Resource("argoproj.io", "v1alpha1", "applications")
ARGO_APPLICATION_SETS = Resource("argoproj.io", "v1alpha1", "applicationsets")
FLUX_KUSTOMIZATIONS = Resource("kustomize.toolkit.fluxcd.io", "v1", "kustomizations")
FLUX_HELM_RELEASES = Resource("helm.toolkit.fluxcd.io", "v2", "helmreleases")
SERVICE_MONITORS = Resource("monitoring.coreos.com", "v1", "servicemonitors")
POD_MONITORS = Resource("monitoring.coreos.com", "v1", "podmonitors")
PROMETHEUS_RULES = Resource("monitoring.coreos.com", "v1", "prometheusrules")
INSTRUMENTATIONS = Resource("opentelemetry.io", "v1alpha1", "instrumentations")
# Workloads by metadata only: their pod templates (environment values) are never transferred.
DEPLOYMENTS = Resource("apps", "v1", "deployments", metadata_only=True, per_workload=True)
STATEFUL_SETS = Resource("apps", "v1", "statefulsets", metadata_only=True, per_workload=True)
DAEMON_SETS = Resource("apps", "v1", "daemonsets", metadata_only=True, per_workload=True)
AUTOSCALERS = Resource("autoscaling", "v2", "horizontalpodautoscalers", per_workload=True)
SCALED_OBJECTS = Resource("keda.sh", "v1alpha1", "scaledobjects")
VERTICAL_AUTOSCALERS = Resource("autoscaling.k8s.io", "v1", "verticalpodautoscalers")
DISRUPTION_BUDGETS = Resource("policy", "v1", "poddisruptionbudgets", per_workload=True)
COMPOSITE_DEFINITIONS = Resource("apiextensions.crossplane.io", "v1", "compositeresourcedefinitions")
COMPOSITIONS = Resource("apiextensions.crossplane.io", "v1", "compositions")

READ: tuple[Resource, ...] = (
    NAMESPACES,
    RESOURCE_QUOTAS,
    LIMIT_RANGES,
    NETWORK_POLICIES,
    CLUSTER_ROLES,
    ROLES,
    CLUSTER_ROLE_BINDINGS,
    ROLE_BINDINGS,
    ADMISSION_POLICIES,
    ADMISSION_POLICY_BINDINGS,
    VALIDATING_WEBHOOKS,
    KYVERNO_CLUSTER_POLICIES,
    KYVERNO_POLICIES,
    KYVERNO_EXCEPTIONS,
    CONSTRAINT_TEMPLATES,
    CONSTRAINTS,
    POLICY_REPORTS,
    CLUSTER_POLICY_REPORTS,
    OPEN_REPORTS,
    OPEN_CLUSTER_REPORTS,
    DEPLOYMENTS,
    STATEFUL_SETS,
    DAEMON_SETS,
    AUTOSCALERS,
    SCALED_OBJECTS,
    VERTICAL_AUTOSCALERS,
    DISRUPTION_BUDGETS,
    ARGO_APPLICATIONS,
    ARGO_APPLICATION_SETS,
    FLUX_KUSTOMIZATIONS,
    FLUX_HELM_RELEASES,
    SERVICE_MONITORS,
    POD_MONITORS,
    PROMETHEUS_RULES,
    INSTRUMENTATIONS,
    COMPOSITE_DEFINITIONS,
    COMPOSITIONS,
)
