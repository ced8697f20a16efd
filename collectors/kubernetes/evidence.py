"""What one cluster's lists say, kind by kind: the data (and the lists it rests on), or a `Gap`:
unavailable naming the RBAC rule or the error, unsupported when the cluster does not serve the
API. Pure: no request, no record; scan.py turns each into a record through `Findings`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from collectors.base import Found, Gap
from collectors.kubernetes import mapping
from collectors.kubernetes.reads import ClusterReads, merged
from collectors.kubernetes.resources import (
    ADMISSION_POLICIES,
    ADMISSION_POLICY_BINDINGS,
    ARGO_APPLICATION_SETS,
    ARGO_APPLICATIONS,
    AUTOSCALERS,
    CLUSTER_POLICY_REPORTS,
    CLUSTER_ROLE_BINDINGS,
    CLUSTER_ROLES,
    COMPOSITE_DEFINITIONS,
    COMPOSITIONS,
    CONSTRAINT_TEMPLATES,
    CONSTRAINTS,
    DAEMON_SETS,
    DEPLOYMENTS,
    DISRUPTION_BUDGETS,
    FLUX_HELM_RELEASES,
    FLUX_KUSTOMIZATIONS,
    INSTRUMENTATIONS,
    KYVERNO_CLUSTER_POLICIES,
    KYVERNO_EXCEPTIONS,
    KYVERNO_POLICIES,
    LIMIT_RANGES,
    NAMESPACES,
    NETWORK_POLICIES,
    OPEN_CLUSTER_REPORTS,
    OPEN_REPORTS,
    POD_MONITORS,
    POLICY_REPORTS,
    PROMETHEUS_RULES,
    RESOURCE_QUOTAS,
    ROLE_BINDINGS,
    ROLES,
    SCALED_OBJECTS,
    SERVICE_MONITORS,
    STATEFUL_SETS,
    VALIDATING_WEBHOOKS,
    VERTICAL_AUTOSCALERS,
    Resource,
)


@dataclass(frozen=True)
class Finding:
    """A kind's data or gap, and the lists it rests on (the record's locators)."""

    found: Found
    locators: tuple[str, ...] = ()


def missing(found: ClusterReads, *resources: Resource) -> Gap | None:
    """Why evidence needing all of `resources` is missing: a list not read, else one not served."""
    gap = merged([gap for r in resources if (gap := found.reads[r].gap) is not None])
    if gap is not None:
        return gap
    absent = [f"{r.group or 'core'}/{r.version} {r.plural}" for r in resources if not found.reads[r].served]
    return Gap(f"the cluster does not serve {', '.join(absent)}", unsupported=True) if absent else None


def _evidence(found: ClusterReads, resources: tuple[Resource, ...], data: Callable[[], dict[str, Any]]) -> Finding:
    """Observed from `data()` when every resource was read."""
    gap = missing(found, *resources)
    return Finding(gap) if gap is not None else Finding(data(), tuple(r.path for r in resources))


def _unavailable(found: ClusterReads, *resources: Resource) -> Gap | None:
    """A gap of `resources` other than their not being served."""
    gap = missing(found, *resources)
    return gap if gap is not None and not gap.unsupported else None


def admin_grants(found: ClusterReads) -> Finding:
    resources = (CLUSTER_ROLES, ROLES, CLUSTER_ROLE_BINDINGS, ROLE_BINDINGS)
    return _evidence(found, resources, lambda: mapping.admin_grants(*(found.reads[r].items for r in resources)))


TENANCY = (NAMESPACES, RESOURCE_QUOTAS, LIMIT_RANGES, NETWORK_POLICIES)


def tenancy(found: ClusterReads) -> Finding:
    return _evidence(found, TENANCY, lambda: mapping.tenancy_guardrails(*(found.reads[r].items for r in TENANCY)))


def _engines(found: ClusterReads, engines: Mapping[str, tuple[Resource, ...]]) -> tuple[Gap | None, set[str]]:
    """(why unavailable, engines served): an engine is served when any of its resources is."""
    gap = merged([gap for resources in engines.values() if (gap := _unavailable(found, *resources)) is not None])
    served = {name for name, resources in engines.items() if any(found.reads[r].served for r in resources)}
    return gap, served


def items(found: ClusterReads, resources: tuple[Resource, ...]) -> list[dict[str, Any]]:
    return [item for resource in resources for item in found.reads[resource].items]


ADMISSION_ENGINES = {
    "validating_admission_policy": (ADMISSION_POLICIES, ADMISSION_POLICY_BINDINGS),
    "kyverno": (KYVERNO_CLUSTER_POLICIES, KYVERNO_POLICIES),
    "gatekeeper": (CONSTRAINT_TEMPLATES, CONSTRAINTS),
}
# Optional beside their engines: not served (older Kyverno, no reports) means none there.
REPORTS = (POLICY_REPORTS, CLUSTER_POLICY_REPORTS, OPEN_REPORTS, OPEN_CLUSTER_REPORTS)


def admission(found: ClusterReads) -> Finding:
    engines = ADMISSION_ENGINES
    gap, served = _engines(found, engines)
    gap = gap or _unavailable(found, VALIDATING_WEBHOOKS, KYVERNO_EXCEPTIONS, *REPORTS)
    vap = engines["validating_admission_policy"]
    if not found.reads[vap[0]].served:  # bindings without policies (never seen) bind nothing
        served.discard("validating_admission_policy")
    if gap is not None:
        return Finding(gap)
    if not served:
        return Finding(Gap(
            "the cluster serves no admission engine this collector reads (ValidatingAdmissionPolicy, Kyverno, Gatekeeper)",
            unsupported=True,
        ))
    actions = (
        mapping.admission_policy_actions(*(found.reads[r].items for r in vap))
        if "validating_admission_policy" in served
        else None
    )
    effects = mapping.kyverno_policy_effects(items(found, engines["kyverno"])) if "kyverno" in served else None
    gatekeeper = mapping.gatekeeper_constraints(found.reads[CONSTRAINTS].items) if "gatekeeper" in served else None
    webhooks = found.reads[VALIDATING_WEBHOOKS]
    policies = mapping.webhook_failure_policies(webhooks.items) if webhooks.served else None
    data = mapping.admission_control(
        actions, effects, sorted(set(engines) - served), policies, gatekeeper, mapping.policy_report_results(items(found, REPORTS)),
        mapping.policy_exceptions(found.reads[KYVERNO_EXCEPTIONS].items),
    )
    locators = tuple(r.path for name in sorted(served) for r in engines[name] if found.reads[r].served and r is not CONSTRAINTS)
    return Finding(data, locators + tuple(r.path for r in REPORTS if found.reads[r].served))


GITOPS = {"argocd": (ARGO_APPLICATIONS, ARGO_APPLICATION_SETS), "flux": (FLUX_KUSTOMIZATIONS, FLUX_HELM_RELEASES)}


def gitops(found: ClusterReads) -> Finding:
    gap, served = _engines(found, GITOPS)
    if gap is not None:
        return Finding(gap)
    if not served:
        return Finding(Gap("the cluster serves no GitOps controller this collector reads (Argo CD, Flux)", unsupported=True))
    objects = [
        *mapping.argo_applications(found.reads[ARGO_APPLICATIONS].items),
        *mapping.flux_objects(found.reads[FLUX_KUSTOMIZATIONS].items, found.reads[FLUX_HELM_RELEASES].items),
    ]
    data = mapping.reconciliation(
        objects, [name for name in GITOPS if name in served], sorted(set(GITOPS) - served), len(found.reads[ARGO_APPLICATION_SETS].items)
    )
    return Finding(data, locators(found, GITOPS, served))


WORKLOADS = {"Deployment": DEPLOYMENTS, "StatefulSet": STATEFUL_SETS, "DaemonSet": DAEMON_SETS}
# Autoscalers and budgets of projects a cluster may not have installed: not served, none there.
OPTIONAL_SCALING = (SCALED_OBJECTS, VERTICAL_AUTOSCALERS, DISRUPTION_BUDGETS)


def workload_objects(found: ClusterReads) -> dict[str, list[dict[str, Any]]]:
    """The objects of each workload kind, by kind."""
    return {kind: found.reads[resource].items for kind, resource in WORKLOADS.items()}


def scaling(found: ClusterReads) -> tuple[Gap | None, tuple[Resource, ...]]:
    """(why workload coverage cannot be told, the lists it rests on)."""
    resources = (*WORKLOADS.values(), AUTOSCALERS)
    gap = missing(found, *resources) or _unavailable(found, *OPTIONAL_SCALING)
    return gap, resources + tuple(r for r in OPTIONAL_SCALING if found.reads[r].served)


AUTOSCALER_KINDS = ("hpa", "keda", "vpa")  # mapping.scaling_targets' keys


# What the workload tallies look up: the lists of mapping.scaling_targets' arguments, then the budgets.
LOOKUPS = (AUTOSCALERS, SCALED_OBJECTS, VERTICAL_AUTOSCALERS, DISRUPTION_BUDGETS)


def tally_lookups(found: ClusterReads, handed: Mapping[Resource, list[dict[str, Any]]] | None = None) -> mapping.WorkloadTallies:
    """Tallies to add workloads to, with what they look up: the autoscalers' targets and the
    budgets, from each list of `LOOKUPS`, or `handed`'s objects of it when they were handed over
    page by page (`Read.taken`)."""
    reads = [found.reads[r] for r in LOOKUPS]  # Pending until each is read
    lists = [(handed or {})[r] if read.taken else read.items for r, read in zip(LOOKUPS, reads, strict=True)]
    return mapping.WorkloadTallies(mapping.scaling_targets(*lists[:3]), mapping.disruption_budgets(lists[3]))


TALLIES = "tallies"  # found.derived's key of the cluster's mapping.WorkloadTallies


def workload_tallies(found: ClusterReads) -> mapping.WorkloadTallies:
    """The workload counts of each tenant namespace and the cost tools: made once per cluster
    (added page by page while the lists are read: making.py, which keeps no workload list), read
    by the cluster's workloads.coverage and cost.allocation and each namespace's workloads.namespace."""
    if TALLIES not in found.derived:
        reads = [found.reads[resource] for resource in (*LOOKUPS, *WORKLOADS.values())]  # Pending until each is read
        if any(read.taken for read in reads):
            raise ValueError("lists were handed over page by page, but the workload tallies were not made from them")
        made = tally_lookups(found)
        for kind, objects in workload_objects(found).items():
            made.add(kind, objects)
        found.derived[TALLIES] = made
    tallies: mapping.WorkloadTallies = found.derived[TALLIES]
    return tallies


def tallies(found: ClusterReads) -> dict[str, mapping.Tally]:
    return workload_tallies(found).by_namespace


def workloads(found: ClusterReads) -> Finding:
    gap, resources = scaling(found)
    if gap is not None:
        return Finding(gap)
    return Finding(mapping.workload_coverage(tallies(found), AUTOSCALER_KINDS), tuple(r.path for r in resources))


def cost(found: ClusterReads) -> Finding:
    return _evidence(found, tuple(WORKLOADS.values()), lambda: {"tools": sorted(workload_tallies(found).cost_tools)})


def platform_apis(found: ClusterReads) -> Finding:
    resources = (COMPOSITE_DEFINITIONS, COMPOSITIONS)
    return _evidence(found, resources, lambda: mapping.platform_apis(*(found.reads[r].items for r in resources)))


MONITORING = {
    "prometheus_operator": (SERVICE_MONITORS, POD_MONITORS, PROMETHEUS_RULES),
    "opentelemetry": (INSTRUMENTATIONS,),
}
NO_MONITORING = "the cluster serves neither the Prometheus Operator's nor OpenTelemetry's API"


def monitoring(found: ClusterReads) -> tuple[Gap | None, set[str]]:
    """(why unavailable, monitoring APIs served) for the observability kinds."""
    gap, served = _engines(found, MONITORING)
    return gap or _unavailable(found, NAMESPACES), served


Objects = list[dict[str, Any]] | None


def monitoring_reads(found: ClusterReads, served: set[str]) -> tuple[Objects, Objects, Objects]:
    """The arguments of the observability mappings after the namespaces: None where not served."""
    prometheus = "prometheus_operator" in served
    return (
        items(found, (SERVICE_MONITORS, POD_MONITORS)) if prometheus else None,
        found.reads[PROMETHEUS_RULES].items if prometheus else None,
        found.reads[INSTRUMENTATIONS].items if "opentelemetry" in served else None,
    )


def observability(found: ClusterReads) -> Finding:
    gap, served = monitoring(found)
    if gap is not None:
        return Finding(gap)
    if not served:
        return Finding(Gap(NO_MONITORING, unsupported=True))
    data = mapping.observability_coverage(
        found.reads[NAMESPACES].items, *monitoring_reads(found, served), sorted(set(MONITORING) - served)
    )
    return Finding(data, locators(found, MONITORING, served))


def locators(found: ClusterReads, engines: Mapping[str, tuple[Resource, ...]], served: set[str]) -> tuple[str, ...]:
    return tuple(r.path for name in engines if name in served for r in engines[name] if found.reads[r].served)


# The cluster kinds in the order they are recorded.
CLUSTER: dict[str, Callable[[ClusterReads], Finding]] = {
    "access.admin_grants": admin_grants,
    "policy.admission": admission,
    "tenancy.guardrails": tenancy,
    "workloads.coverage": workloads,
    "gitops.reconciliation": gitops,
    "observability.coverage": observability,
    "platform.apis": platform_apis,
    "cost.allocation": cost,
}
