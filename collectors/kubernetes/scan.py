"""Scanning clusters: connect, discover, list each resource once, map to evidence per cluster
and per tenant namespace.

A cluster that cannot be reached or refuses the credentials is still a subject: all its
evidence is unavailable with the reason, its namespaces unknown, and the other clusters are scanned. A resource the
role may not list makes the evidence needing it unavailable, naming the RBAC rule that would
allow it; an API group the cluster does not serve makes it unsupported (or, for one admission
engine among several, just an engine not installed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import Any

from collectors.base import WorkerPool
from collectors.kubernetes import mapping
from collectors.kubernetes.access import REVIEW_PATH, Permissions, permissions, review_request
from collectors.kubernetes.client import JSON, METADATA_ONLY, ApiError, ClusterClient, CredentialsRefused, ServerUntrusted
from collectors.kubernetes.config import KubernetesConfig
from collectors.kubernetes.credentials import Cluster, clusters
from collectors.kubernetes.provides import CLUSTER_KINDS
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
    POD_MONITORS,
    POLICY_REPORTS,
    PROMETHEUS_RULES,
    READ,
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
from scanner.contract import CollectContext
from scanner.errors import SourceUnavailable
from scanner.model import Evidence, Subject

ROLE_HINT = "grant the collector's read-only role: deploy/kubernetes/clusterrole.yaml"


@dataclass(frozen=True)
class Read:
    """One resource's list: its objects, or why there are none to show."""

    items: list[dict[str, Any]] = field(default_factory=list)
    gap: str | None = None  # it exists but could not be read (403, errors)
    served: bool = True  # False: the cluster does not serve it
    forbidden: bool = False  # the gap is the role's: HTTP 403


@dataclass(frozen=True)
class ClusterReads:
    groups: frozenset[str]
    reads: dict[Resource, Read]


def scan_clusters(ctx: CollectContext, config: KubernetesConfig) -> Iterator[Subject | Evidence]:
    for cluster in clusters(config, ctx.base_dir):  # UserError: a bad kubeconfig stops the run
        subject = Subject(id=f"kubernetes:{cluster.name}", kind="cluster", name=cluster.name, source=ctx.collector)
        if not ctx.includes(subject.id):
            continue
        yield subject
        yield from _examine(ctx, config, cluster, subject)
        ctx.progress(subject.id)


def _unreachable(ctx: CollectContext, subject: Subject, reason: str) -> Iterator[Evidence]:
    """Every cluster kind unavailable; its namespaces, never listed, are unknown rather than absent."""
    ctx.cut_short("namespace", f"{subject.id}: {reason}")
    yield from (ctx.unavailable(kind, subject, reason) for kind in CLUSTER_KINDS)


def _examine(ctx: CollectContext, config: KubernetesConfig, cluster: Cluster, subject: Subject) -> Iterator[Subject | Evidence]:
    try:
        client = ClusterClient(
            cluster.connect(),
            counter=ctx.requests,
            family=f"kubernetes:{cluster.name}",
            timer=ctx.timer,
            timeout=config.request_timeout_seconds,
            max_retries=config.max_retries,
            wait_budget=config.rate_limit_wait_budget_seconds,
            page_size=config.page_size,
        )
    except SourceUnavailable as exc:
        ctx.problem(exc.message, subject, exc.hint)
        yield from _unreachable(ctx, subject, exc.message)
        return
    try:
        found = read_cluster(client, config.concurrent_requests)
    except CredentialsRefused as exc:
        reason = f"{exc.reason()}: the cluster refused the credentials (an expired or revoked token?)"
        ctx.problem(f"{subject.id}: {reason}", subject, cluster.refused_hint)
        yield from _unreachable(ctx, subject, reason)
        return
    except ApiError as exc:
        reason = f"the API server could not be read: {exc.path}: {exc.reason()}"
        hint = (
            "check the context's certificate-authority-data: it must be the CA that signed the server's certificate"
            if isinstance(exc, ServerUntrusted)
            else "check that the server is reachable from here, then scan again"
        )
        ctx.problem(f"{subject.id}: {reason}", subject, hint)
        yield from _unreachable(ctx, subject, reason)
        return
    finally:
        client.close()
    forbidden = sorted(resource.plural for resource, read in found.reads.items() if read.forbidden)
    if forbidden:
        ctx.problem(f"{subject.id}: not allowed to list {', '.join(forbidden)}", subject, ROLE_HINT)
    failed = sorted(resource.plural for resource, read in found.reads.items() if read.gap and not read.forbidden)
    if failed:
        ctx.problem(
            f"{subject.id}: could not list {', '.join(failed)}; the evidence needing them is unknown",
            subject,
            "the reasons are in the evidence; scan again when the API server is healthy",
        )
    yield _admin_grants(ctx, subject, found)
    yield _admission(ctx, subject, found)
    yield _tenancy(ctx, subject, found)
    yield _workloads(ctx, subject, found)
    yield _gitops(ctx, subject, found)
    yield _observability(ctx, subject, found)
    yield _platform_apis(ctx, subject, found)
    yield _cost(ctx, subject, found)
    yield from _namespaces(ctx, subject, found)


def read_cluster(client: ClusterClient, workers: int) -> ClusterReads:
    """Discovery and a review of the role's rules, then one paged list per resource the
    cluster serves and the role may list (what it may not is unavailable without a request).

    The lists do not depend on one another: a bounded pool of `workers` reads them at once
    (a list's pages stay one after another: each needs the previous continue token). Results
    are kept in `READ`'s order, so the evidence never depends on which answer came first.
    """
    # Closing the pool cancels the lists not started: a refusal of the credentials ends the cluster.
    with WorkerPool(workers, "pecm-kubernetes") as pool:
        core, listing = pool.submit(client.get, "/api"), pool.submit(client.get, "/apis")
        review = pool.submit(_permissions, client)
        groups = _served(core.result(), listing.result())
        allowed = review.result()
        served = [
            resource for resource in READ if resource.version in groups.get(resource.group, ()) and resource is not CONSTRAINTS
        ]
        refused = {resource: _refused(resource) for resource in served if allowed is not None and not allowed.may_list(resource)}
        pending = {
            resource: pool.submit(_read, client, resource)
            for resource in sorted(served, key=lambda resource: not resource.per_workload)  # longest first
            if resource not in refused
        }
        reads = {
            resource: refused.get(resource) or (pending[resource].result() if resource in pending else Read(served=False))
            for resource in READ
        }
        if CONSTRAINTS.version in groups.get(CONSTRAINTS.group, ()):
            reads[CONSTRAINTS] = _constraints(pool, client, reads[CONSTRAINT_TEMPLATES], allowed)
    return ClusterReads(frozenset(groups), reads)


def _constraints(pool: WorkerPool, client: ClusterClient, templates: Read, allowed: Permissions | None) -> Read:
    """Every Gatekeeper constraint: one list per kind the templates define (no template, no
    constraint), read once the templates are."""
    if not templates.served or templates.gap:
        return Read(gap=templates.gap, served=templates.served, forbidden=templates.forbidden)
    kinds = [replace(CONSTRAINTS, plural=kind.lower()) for kind in mapping.constraint_template_kinds(templates.items)]
    pending: list[Read | Future[Read]] = [
        _refused(kind) if allowed is not None and not allowed.may_list(kind) else pool.submit(_read, client, kind) for kind in kinds
    ]
    reads = [read if isinstance(read, Read) else read.result() for read in pending]
    gaps = [read.gap for read in reads if read.gap]
    # A kind whose resource is not there yet (404: Gatekeeper has not made it) holds no constraint.
    return Read(items=[item for read in reads for item in read.items], gap="; ".join(gaps) or None,
                forbidden=any(read.forbidden for read in reads))


def _refused(resource: Resource) -> Read:
    return Read(gap=f"not allowed by the collector's role (SelfSubjectRulesReview) — grant {resource.rbac_rule}", forbidden=True)


def _permissions(client: ClusterClient) -> Permissions | None:
    """What the role may list, or None when the cluster does not say (then every list is tried)."""
    try:
        return permissions(client.create(REVIEW_PATH, review_request()))
    except CredentialsRefused:
        raise
    except ApiError:
        return None


def _read(client: ClusterClient, resource: Resource) -> Read:
    try:
        accept = METADATA_ONLY if resource.metadata_only else JSON
        return Read(items=list(client.items(resource.path, accept)))
    except CredentialsRefused:
        raise
    except ApiError as exc:
        if exc.status == 404:  # the group is served, this resource is not (an older version)
            return Read(served=False)
        if exc.status == 403:
            return Read(gap=f"{exc.reason()} — grant {resource.rbac_rule}", forbidden=True)
        return Read(gap=f"{resource.path}: {exc.reason()}")


def _served(core: Any, listing: Any) -> dict[str, set[str]]:
    """API group -> versions the cluster serves ("" is the core group), from `/api` and `/apis`."""
    groups: dict[str, set[str]] = {"": {str(v) for v in core.get("versions") or []} if isinstance(core, dict) else set()}
    for group in listing.get("groups") or [] if isinstance(listing, dict) else []:
        if isinstance(group, dict) and group.get("name"):
            versions = {str(v.get("version")) for v in group.get("versions") or [] if isinstance(v, dict)}
            groups[str(group["name"])] = versions
    return groups


def _missing(found: ClusterReads, *resources: Resource) -> tuple[str | None, str | None]:
    """(why unavailable, why unsupported) for evidence needing all of `resources`."""
    gaps = [found.reads[r].gap for r in resources if found.reads[r].gap]
    if gaps:
        return "; ".join(dict.fromkeys(g for g in gaps if g)), None
    absent = [f"{r.group or 'core'}/{r.version} {r.plural}" for r in resources if not found.reads[r].served]
    if absent:
        return None, f"the cluster does not serve {', '.join(absent)}"
    return None, None


def _evidence(
    ctx: CollectContext,
    kind: str,
    subject: Subject,
    found: ClusterReads,
    resources: tuple[Resource, ...],
    data: Callable[[], dict[str, Any]],
) -> Evidence:
    """Observed from `data()` when every resource was read; else unavailable or unsupported."""
    gap, absent = _missing(found, *resources)
    if gap:
        return ctx.unavailable(kind, subject, gap)
    if absent:
        return ctx.unsupported(kind, subject, absent)
    return ctx.observed(kind, subject, data(), tuple(r.path for r in resources))


def _admin_grants(ctx: CollectContext, subject: Subject, found: ClusterReads) -> Evidence:
    resources = (CLUSTER_ROLES, ROLES, CLUSTER_ROLE_BINDINGS, ROLE_BINDINGS)
    items = [found.reads[r].items for r in resources]
    return _evidence(ctx, "access.admin_grants", subject, found, resources, lambda: mapping.admin_grants(*items))


def _tenancy(ctx: CollectContext, subject: Subject, found: ClusterReads) -> Evidence:
    resources = (NAMESPACES, RESOURCE_QUOTAS, LIMIT_RANGES, NETWORK_POLICIES)
    items = [found.reads[r].items for r in resources]
    return _evidence(ctx, "tenancy.guardrails", subject, found, resources, lambda: mapping.tenancy_guardrails(*items))


def _engines(found: ClusterReads, engines: Mapping[str, tuple[Resource, ...]]) -> tuple[str | None, set[str]]:
    """(why unavailable, engines served): an engine is served when any of its resources is."""
    gaps = [gap for resources in engines.values() if (gap := _missing(found, *resources)[0])]
    served = {name for name, resources in engines.items() if any(found.reads[r].served for r in resources)}
    return ("; ".join(gaps) or None), served


def _items(found: ClusterReads, resources: tuple[Resource, ...]) -> list[dict[str, Any]]:
    return [item for resource in resources for item in found.reads[resource].items]


def _admission(ctx: CollectContext, subject: Subject, found: ClusterReads) -> Evidence:
    kind = "policy.admission"
    engines = {
        "validating_admission_policy": (ADMISSION_POLICIES, ADMISSION_POLICY_BINDINGS),
        "kyverno": (KYVERNO_CLUSTER_POLICIES, KYVERNO_POLICIES),
        "gatekeeper": (CONSTRAINT_TEMPLATES, CONSTRAINTS),
    }
    # Optional beside their engines: not served (older Kyverno, no reports) means none there.
    reports = (POLICY_REPORTS, CLUSTER_POLICY_REPORTS)
    gap, served = _engines(found, engines)
    gap = gap or _missing(found, VALIDATING_WEBHOOKS, KYVERNO_EXCEPTIONS, *reports)[0]
    vap = engines["validating_admission_policy"]
    if not found.reads[vap[0]].served:  # bindings without policies (never seen) bind nothing
        served.discard("validating_admission_policy")
    if gap:
        return ctx.unavailable(kind, subject, gap)
    if not served:
        return ctx.unsupported(
            kind, subject, "the cluster serves no admission engine this collector reads (ValidatingAdmissionPolicy, Kyverno, Gatekeeper)"
        )
    actions = (
        mapping.admission_policy_actions(*(found.reads[r].items for r in vap))
        if "validating_admission_policy" in served
        else None
    )
    effects = mapping.kyverno_policy_effects(_items(found, engines["kyverno"])) if "kyverno" in served else None
    gatekeeper = mapping.gatekeeper_constraints(found.reads[CONSTRAINTS].items) if "gatekeeper" in served else None
    webhooks = found.reads[VALIDATING_WEBHOOKS]
    policies = mapping.webhook_failure_policies(webhooks.items) if webhooks.served else None
    data = mapping.admission_control(
        actions, effects, sorted(set(engines) - served), policies, gatekeeper, mapping.policy_report_results(_items(found, reports)),
        mapping.policy_exceptions(found.reads[KYVERNO_EXCEPTIONS].items),
    )
    locators = tuple(r.path for name in sorted(served) for r in engines[name] if found.reads[r].served and r is not CONSTRAINTS)
    return ctx.observed(kind, subject, data, locators + tuple(r.path for r in reports if found.reads[r].served))


def _gitops(ctx: CollectContext, subject: Subject, found: ClusterReads) -> Evidence:
    kind = "gitops.reconciliation"
    engines = {"argocd": (ARGO_APPLICATIONS, ARGO_APPLICATION_SETS), "flux": (FLUX_KUSTOMIZATIONS, FLUX_HELM_RELEASES)}
    gap, served = _engines(found, engines)
    if gap:
        return ctx.unavailable(kind, subject, gap)
    if not served:
        return ctx.unsupported(kind, subject, "the cluster serves no GitOps controller this collector reads (Argo CD, Flux)")
    objects = [
        *mapping.argo_applications(found.reads[ARGO_APPLICATIONS].items),
        *mapping.flux_objects(found.reads[FLUX_KUSTOMIZATIONS].items, found.reads[FLUX_HELM_RELEASES].items),
    ]
    data = mapping.reconciliation(
        objects, [name for name in engines if name in served], sorted(set(engines) - served), len(found.reads[ARGO_APPLICATION_SETS].items)
    )
    return ctx.observed(kind, subject, data, _locators(found, engines, served))


_WORKLOADS = {"Deployment": DEPLOYMENTS, "StatefulSet": STATEFUL_SETS, "DaemonSet": DAEMON_SETS}
# Autoscalers and budgets of projects a cluster may not have installed: not served, none there.
_OPTIONAL_SCALING = (SCALED_OBJECTS, VERTICAL_AUTOSCALERS, DISRUPTION_BUDGETS)


def _workload_items(found: ClusterReads) -> list[tuple[str, dict[str, Any]]]:
    return [(kind, item) for kind, resource in _WORKLOADS.items() for item in found.reads[resource].items]


def _workloads(ctx: CollectContext, subject: Subject, found: ClusterReads) -> Evidence:
    kind = "workloads.coverage"
    resources = (*_WORKLOADS.values(), AUTOSCALERS)
    gap = _missing(found, *resources)[0] or _missing(found, *_OPTIONAL_SCALING)[0]
    if gap:
        return ctx.unavailable(kind, subject, gap)

    def data() -> dict[str, Any]:
        targets = mapping.scaling_targets(*(found.reads[r].items for r in (AUTOSCALERS, SCALED_OBJECTS, VERTICAL_AUTOSCALERS)))
        budgets = mapping.disruption_budgets(found.reads[DISRUPTION_BUDGETS].items)
        return mapping.workload_coverage(_workload_items(found), targets, budgets)

    served = tuple(r for r in _OPTIONAL_SCALING if found.reads[r].served)
    return _evidence(ctx, kind, subject, found, resources + served, data)


def _cost(ctx: CollectContext, subject: Subject, found: ClusterReads) -> Evidence:
    resources = tuple(_WORKLOADS.values())
    return _evidence(ctx, "cost.allocation", subject, found, resources, lambda: {"tools": mapping.cost_tools(_workload_items(found))})


def _platform_apis(ctx: CollectContext, subject: Subject, found: ClusterReads) -> Evidence:
    resources = (COMPOSITE_DEFINITIONS, COMPOSITIONS)
    items = [found.reads[r].items for r in resources]
    return _evidence(ctx, "platform.apis", subject, found, resources, lambda: mapping.platform_apis(*items))


_MONITORING = {
    "prometheus_operator": (SERVICE_MONITORS, POD_MONITORS, PROMETHEUS_RULES),
    "opentelemetry": (INSTRUMENTATIONS,),
}


def _monitoring(found: ClusterReads) -> tuple[str | None, set[str]]:
    """(why unavailable, monitoring APIs served) for the observability kinds."""
    gap, served = _engines(found, _MONITORING)
    return gap or _missing(found, NAMESPACES)[0], served


_Objects = list[dict[str, Any]] | None


def _monitoring_reads(found: ClusterReads, served: set[str]) -> tuple[_Objects, _Objects, _Objects]:
    """The arguments of the observability mappings after the namespaces: None where not served."""
    prometheus = "prometheus_operator" in served
    return (
        _items(found, (SERVICE_MONITORS, POD_MONITORS)) if prometheus else None,
        found.reads[PROMETHEUS_RULES].items if prometheus else None,
        found.reads[INSTRUMENTATIONS].items if "opentelemetry" in served else None,
    )


_NO_MONITORING = "the cluster serves neither the Prometheus Operator's nor OpenTelemetry's API"


def _observability(ctx: CollectContext, subject: Subject, found: ClusterReads) -> Evidence:
    kind = "observability.coverage"
    gap, served = _monitoring(found)
    if gap:
        return ctx.unavailable(kind, subject, gap)
    if not served:
        return ctx.unsupported(kind, subject, _NO_MONITORING)
    data = mapping.observability_coverage(
        found.reads[NAMESPACES].items, *_monitoring_reads(found, served), sorted(set(_MONITORING) - served)
    )
    return ctx.observed(kind, subject, data, _locators(found, _MONITORING, served))


def _locators(found: ClusterReads, engines: Mapping[str, tuple[Resource, ...]], served: set[str]) -> tuple[str, ...]:
    return tuple(r.path for name in engines if name in served for r in engines[name] if found.reads[r].served)


_TENANCY = (NAMESPACES, RESOURCE_QUOTAS, LIMIT_RANGES, NETWORK_POLICIES)


def _namespaces(ctx: CollectContext, cluster: Subject, found: ClusterReads) -> Iterator[Subject | Evidence]:
    """A subject per tenant namespace, with the evidence that is the namespace's own."""
    listed = found.reads[NAMESPACES]
    if listed.gap or not listed.served:
        ctx.cut_short("namespace", f"{cluster.id}: its namespaces could not be listed: {listed.gap or 'not served'}")
        return
    tenancy_gap, tenancy_absent = _missing(found, *_TENANCY)
    guardrails = {} if tenancy_gap or tenancy_absent else mapping.namespace_guardrails(*(found.reads[r].items for r in _TENANCY))
    monitoring_gap, served = _monitoring(found)
    coverage = (
        mapping.namespace_observability(listed.items, *_monitoring_reads(found, served))
        if served and not monitoring_gap
        else {}
    )
    for name in mapping.tenant_namespaces(listed.items):
        subject = Subject(id=f"{cluster.id}/{name}", kind="namespace", name=name, source=ctx.collector, parent=cluster.id)
        if not ctx.includes(subject.id):
            continue
        yield subject
        if name in guardrails:
            yield ctx.observed("tenancy.namespace", subject, guardrails[name], tuple(r.path for r in _TENANCY))
        elif tenancy_gap:
            yield ctx.unavailable("tenancy.namespace", subject, tenancy_gap)
        else:
            yield ctx.unsupported("tenancy.namespace", subject, tenancy_absent or "")
        if name in coverage:
            yield ctx.observed("observability.namespace", subject, coverage[name], _locators(found, _MONITORING, served))
        elif monitoring_gap:
            yield ctx.unavailable("observability.namespace", subject, monitoring_gap)
        else:
            yield ctx.unsupported("observability.namespace", subject, _NO_MONITORING)
        ctx.progress(subject.id)
