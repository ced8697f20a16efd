"""The state a fake cluster serves: API groups, objects per resource, who may list what, faults."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.fakes.http.faults import Faults

from .status import KubernetesErrors

# The groups every cluster of a supported version serves, with the versions the collector reads.
BUILT_IN_GROUPS: dict[str, list[str]] = {
    "apps": ["v1"],
    "autoscaling": ["v2", "v1"],
    "networking.k8s.io": ["v1"],
    "policy": ["v1"],
    "rbac.authorization.k8s.io": ["v1"],
    "admissionregistration.k8s.io": ["v1"],
    "apiextensions.k8s.io": ["v1"],
}

# List kinds of the resources the fake can serve: (group, plural) -> (kind of one object, namespaced)
KINDS: dict[tuple[str, str], tuple[str, bool]] = {
    ("", "namespaces"): ("Namespace", False),
    ("", "resourcequotas"): ("ResourceQuota", True),
    ("", "limitranges"): ("LimitRange", True),
    ("networking.k8s.io", "networkpolicies"): ("NetworkPolicy", True),
    ("rbac.authorization.k8s.io", "clusterroles"): ("ClusterRole", False),
    ("rbac.authorization.k8s.io", "roles"): ("Role", True),
    ("rbac.authorization.k8s.io", "clusterrolebindings"): ("ClusterRoleBinding", False),
    ("rbac.authorization.k8s.io", "rolebindings"): ("RoleBinding", True),
    ("admissionregistration.k8s.io", "validatingadmissionpolicies"): ("ValidatingAdmissionPolicy", False),
    ("admissionregistration.k8s.io", "validatingadmissionpolicybindings"): ("ValidatingAdmissionPolicyBinding", False),
    ("admissionregistration.k8s.io", "validatingwebhookconfigurations"): ("ValidatingWebhookConfiguration", False),
    ("kyverno.io", "clusterpolicies"): ("ClusterPolicy", False),
    ("kyverno.io", "policies"): ("Policy", True),
    ("kyverno.io", "policyexceptions"): ("PolicyException", True),
    ("templates.gatekeeper.sh", "constrainttemplates"): ("ConstraintTemplate", False),
    ("constraints.gatekeeper.sh", "k8srequiredlabels"): ("K8sRequiredLabels", False),
    ("constraints.gatekeeper.sh", "k8sallowedrepos"): ("K8sAllowedRepos", False),
    ("wgpolicyk8s.io", "policyreports"): ("PolicyReport", True),
    ("wgpolicyk8s.io", "clusterpolicyreports"): ("ClusterPolicyReport", False),
    ("openreports.io", "reports"): ("Report", True),
    ("openreports.io", "clusterreports"): ("ClusterReport", False),
    ("argoproj.io", "applicationsets"): ("ApplicationSet", True),
    ("keda.sh", "scaledobjects"): ("ScaledObject", True),
    ("autoscaling.k8s.io", "verticalpodautoscalers"): ("VerticalPodAutoscaler", True),
    ("policy", "poddisruptionbudgets"): ("PodDisruptionBudget", True),
    ("apps", "daemonsets"): ("DaemonSet", True),
    ("apiextensions.crossplane.io", "compositeresourcedefinitions"): ("CompositeResourceDefinition", False),
    ("apiextensions.crossplane.io", "compositions"): ("Composition", False),
    # Claims of the sample's XRD (payloads.composite_definition): the platform's own API group.
    ("platform.acme.example", "databases"): ("Database", True),
    ("argoproj.io", "applications"): ("Application", True),
    ("kustomize.toolkit.fluxcd.io", "kustomizations"): ("Kustomization", True),
    ("helm.toolkit.fluxcd.io", "helmreleases"): ("HelmRelease", True),
    ("monitoring.coreos.com", "servicemonitors"): ("ServiceMonitor", True),
    ("monitoring.coreos.com", "podmonitors"): ("PodMonitor", True),
    ("monitoring.coreos.com", "prometheusrules"): ("PrometheusRule", True),
    ("opentelemetry.io", "instrumentations"): ("Instrumentation", True),
    ("apps", "deployments"): ("Deployment", True),
    ("apps", "statefulsets"): ("StatefulSet", True),
    ("autoscaling", "horizontalpodautoscalers"): ("HorizontalPodAutoscaler", True),
}

# Custom-resource groups: served only when the cluster has the project installed.
CUSTOM_GROUPS: dict[str, list[str]] = {
    "kyverno.io": ["v1", "v2", "v2beta1"],
    "templates.gatekeeper.sh": ["v1", "v1beta1"],
    "constraints.gatekeeper.sh": ["v1beta1", "v1alpha1"],
    "wgpolicyk8s.io": ["v1alpha2"],
    "openreports.io": ["v1alpha1"],
    "keda.sh": ["v1alpha1"],
    "autoscaling.k8s.io": ["v1"],
    "apiextensions.crossplane.io": ["v1"],
    "platform.acme.example": ["v1alpha1"],  # served once Crossplane has established the sample's XRD
    "argoproj.io": ["v1alpha1"],
    "kustomize.toolkit.fluxcd.io": ["v1", "v1beta2"],
    "helm.toolkit.fluxcd.io": ["v2", "v2beta2"],
    "monitoring.coreos.com": ["v1", "v1alpha1"],
    "opentelemetry.io": ["v1alpha1", "v1beta1"],
}


@dataclass
class Account:
    """A bearer token and what its role may list: (group, plural) pairs; None: everything.

    Its SelfSubjectRulesReview shows those rules; `review` changes that: "incomplete" (another
    authorizer may allow more, as a webhook authorizer makes it), "forbidden" (the review
    itself refused), "namespaced" (the list rules come from a RoleBinding in the reviewed
    namespace: they show in the review but allow no list across namespaces)."""

    user: str
    may_list: set[tuple[str, str]] | None = None
    review: str = "complete"


@dataclass
class Fault:
    status: int | None  # None: drop the connection without an answer
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class ClusterState:
    groups: dict[str, list[str]] = field(default_factory=lambda: dict(BUILT_IN_GROUPS))
    objects: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    accounts: dict[str, Account] = field(default_factory=dict)
    unserved: set[tuple[str, str]] = field(default_factory=set)  # (group, plural) an older version lacks
    faults: Faults = field(default_factory=lambda: Faults(KubernetesErrors()))
    resource_version: int = 4711
    latency: float = 0.0  # seconds from a request read to its answer (benchmarks: a remote API server's round trip)
    # The first lists answer only once this many are in flight together (up to 5 s, else HTTP
    # 500): shows concurrency without timing the client.
    rendezvous: int = 0
    # Benchmarks: the objects never change after the server starts, so each list page is
    # encoded once (the fake's CPU then stays out of the collector's way on a small machine).
    unchanging: bool = False

    def install(self, group: str) -> None:
        self.groups[group] = list(CUSTOM_GROUPS[group])

    def add(self, group: str, plural: str, *objects: dict[str, Any]) -> None:
        self.objects.setdefault((group, plural), []).extend(objects)

    def fail(self, path: str, *faults: Fault) -> None:
        """Answer the next requests to this path with these faults, one each, in order."""
        for fault in faults:
            if fault.status is None:
                self.faults.drop(path, times=1)
            else:
                self.faults.error(path, fault.status, headers=fault.headers, times=1)
