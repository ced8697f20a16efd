"""What one cluster's lists say about each tenant namespace, kind by kind. Pure, like evidence.py:
every namespace kind is computed once for the whole cluster, then handed out per namespace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from collectors.base import Found, Gap
from collectors.kubernetes import mapping
from collectors.kubernetes.evidence import MONITORING, NO_MONITORING, TENANCY, locators, missing, monitoring, monitoring_reads
from collectors.kubernetes.reads import ClusterReads
from collectors.kubernetes.resources import NAMESPACES


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


# The namespace kinds in the order they are recorded.
NAMESPACE: dict[str, Callable[[ClusterReads], PerNamespace]] = {
    "tenancy.namespace": _tenancy,
    "observability.namespace": _observability,
}


def tenants(found: ClusterReads) -> list[str] | Gap:
    """The tenant namespaces' names, or why they could not be listed."""
    listed = found.reads[NAMESPACES]
    if listed.gap is not None or not listed.served:
        return listed.gap or Gap("the cluster does not serve namespaces")
    return list(mapping.tenant_namespaces(listed.items))
