"""What one cluster's lists say about each tenant namespace, kind by kind. Pure, like evidence.py:
every namespace kind is computed once for the whole cluster, then handed out per namespace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from collectors.base import Found, Gap
from collectors.kubernetes import mapping
from collectors.kubernetes.evidence import (
    MONITORING,
    NO_MONITORING,
    REPORTS,
    TENANCY,
    admission,
    items,
    locators,
    missing,
    monitoring,
    monitoring_reads,
    scaling,
    tallies,
)
from collectors.kubernetes.reads import ClusterReads, merged
from collectors.kubernetes.resources import COMPOSITE_DEFINITIONS, KYVERNO_EXCEPTIONS, KYVERNO_POLICIES, NAMESPACES


@dataclass(frozen=True)
class PerNamespace:
    """One namespace kind over a cluster: the data of each tenant namespace, or one gap for all."""

    by_name: dict[str, dict[str, Any]] = field(default_factory=dict)
    gap: Gap | None = None
    locators: tuple[str, ...] = ()

    def of(self, name: str) -> Found:
        if self.gap is not None:
            # The cluster's record reports a list that kept failing; its namespaces only record it.
            return replace(self.gap, failure=False, told=self.gap.failure)
        return self.by_name[name]


def _tenancy(found: ClusterReads) -> PerNamespace:
    gap = missing(found, *TENANCY)
    if gap is not None:
        return PerNamespace(gap=gap)
    return PerNamespace(mapping.namespace_guardrails(*(found.reads[r].items for r in TENANCY)), locators=tuple(r.path for r in TENANCY))


def _observability(found: ClusterReads) -> PerNamespace:
    gap, served = monitoring(found)
    if gap is not None:
        return PerNamespace(gap=gap)
    if not served:
        return PerNamespace(gap=Gap(NO_MONITORING, unsupported=True))
    coverage = mapping.namespace_observability(found.reads[NAMESPACES].items, *monitoring_reads(found, served))
    return PerNamespace(coverage, locators=locators(found, MONITORING, served))


def _names(found: ClusterReads) -> list[str]:
    return list(mapping.tenant_namespaces(found.reads[NAMESPACES].items))


def _workloads(found: ClusterReads) -> PerNamespace:
    gap, resources = scaling(found)
    if gap is not None:
        return PerNamespace(gap=gap)
    by_name = mapping.namespace_workloads(_names(found), tallies(found))
    return PerNamespace(by_name, locators=tuple(r.path for r in resources))


def _policies(found: ClusterReads) -> PerNamespace:
    """Kyverno Policies (the namespaced admission policies) and policy reports per namespace,
    beside the cluster-wide policies that enforce (ClusterPolicies, ValidatingAdmissionPolicies,
    Gatekeeper constraints): unknown or unsupported exactly when the cluster's admission is."""
    cluster = admission(found)
    if isinstance(cluster.found, Gap):
        return PerNamespace(gap=cluster.found)
    namespaced = found.reads[KYVERNO_POLICIES].items
    enforcing_here = sum("enforce" in effects for effects in mapping.kyverno_policy_effects(namespaced))
    by_name = mapping.namespace_policies(
        _names(found), namespaced, found.reads[KYVERNO_EXCEPTIONS].items, items(found, REPORTS),
        int(cluster.found["enforcing"]) - enforcing_here,
    )
    return PerNamespace(by_name, locators=cluster.locators)


def _claims(found: ClusterReads) -> PerNamespace:
    """Crossplane claims per namespace, from one list per claim API the XRDs offer. A cluster
    that does not serve Crossplane's API has no claim API: its namespaces hold none (observed,
    as the autoscalers of a project not installed are none), not unsupported."""
    gap = found.reads[COMPOSITE_DEFINITIONS].gap or found.claims_gap or merged(
        [read.gap for read in found.claims.values() if read.gap is not None]
    )
    if gap is not None:
        return PerNamespace(gap=gap)
    claims = [item for read in found.claims.values() for item in read.items]
    return PerNamespace(mapping.namespace_claims(_names(found), claims), locators=tuple(r.path for r in found.claims))


# The namespace kinds in the order they are recorded.
NAMESPACE: dict[str, Callable[[ClusterReads], PerNamespace]] = {
    "tenancy.namespace": _tenancy,
    "observability.namespace": _observability,
    "workloads.namespace": _workloads,
    "policy.namespace": _policies,
    "platform.claims": _claims,
}


def tenants(found: ClusterReads) -> list[str] | Gap:
    """The tenant namespaces' names, or why they could not be listed."""
    listed = found.reads[NAMESPACES]
    if listed.gap is not None or not listed.served:
        return listed.gap or Gap("the cluster does not serve namespaces")
    return list(mapping.tenant_namespaces(listed.items))
