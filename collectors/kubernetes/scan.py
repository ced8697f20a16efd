"""Scanning clusters: connect, discover, list each resource once, map to evidence.

A cluster that cannot be reached or refuses the credentials is still a subject: all its
evidence is unavailable with the reason, and the other clusters are scanned. A resource the
role may not list makes the evidence needing it unavailable, naming the RBAC rule that would
allow it; an API group the cluster does not serve makes it unsupported (or, for one admission
engine among several, just an engine not installed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from collectors.kubernetes import mapping
from collectors.kubernetes.access import REVIEW_PATH, Permissions, permissions, review_request
from collectors.kubernetes.client import JSON, METADATA_ONLY, ApiError, ClusterClient, CredentialsRefused
from collectors.kubernetes.config import KubernetesConfig
from collectors.kubernetes.credentials import Cluster, clusters
from collectors.kubernetes.provides import CLUSTER_KINDS
from collectors.kubernetes.resources import (
    ADMISSION_POLICIES,
    ADMISSION_POLICY_BINDINGS,
    ARGO_APPLICATIONS,
    AUTOSCALERS,
    CLUSTER_ROLE_BINDINGS,
    CLUSTER_ROLES,
    DEPLOYMENTS,
    FLUX_HELM_RELEASES,
    FLUX_KUSTOMIZATIONS,
    INSTRUMENTATIONS,
    KYVERNO_CLUSTER_POLICIES,
    KYVERNO_POLICIES,
    LIMIT_RANGES,
    NAMESPACES,
    NETWORK_POLICIES,
    POD_MONITORS,
    PROMETHEUS_RULES,
    READ,
    RESOURCE_QUOTAS,
    ROLE_BINDINGS,
    ROLES,
    SERVICE_MONITORS,
    STATEFUL_SETS,
    VALIDATING_WEBHOOKS,
    Resource,
)
from scanner.contract import CollectContext
from scanner.errors import SourceUnavailable
from scanner.model import Evidence, Subject

ROLE_HINT = "grant the collector's read-only role: deploy/kubernetes/clusterrole.yaml"
_GATEKEEPER_GROUP = "templates.gatekeeper.sh"


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


def _examine(ctx: CollectContext, config: KubernetesConfig, cluster: Cluster, subject: Subject) -> Iterator[Evidence]:
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
        yield from (ctx.unavailable(kind, subject, exc.message) for kind in CLUSTER_KINDS)
        return
    try:
        found = read_cluster(client, config.concurrent_requests)
    except CredentialsRefused as exc:
        reason = f"{exc.reason()}: the cluster refused the credentials (an expired or revoked token?)"
        ctx.problem(f"{subject.id}: {reason}", subject, "renew the token or certificate of this context")
        yield from (ctx.unavailable(kind, subject, reason) for kind in CLUSTER_KINDS)
        return
    except ApiError as exc:
        reason = f"the API server could not be read: {exc.path}: {exc.reason()}"
        ctx.problem(f"{subject.id}: {reason}", subject, "check that the server is reachable from here, then scan again")
        yield from (ctx.unavailable(kind, subject, reason) for kind in CLUSTER_KINDS)
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


def read_cluster(client: ClusterClient, workers: int) -> ClusterReads:
    """Discovery and a review of the role's rules, then one paged list per resource the
    cluster serves and the role may list (what it may not is unavailable without a request).

    The lists do not depend on one another: a bounded pool of `workers` reads them at once
    (a list's pages stay one after another: each needs the previous continue token). Results
    are kept in `READ`'s order, so the evidence never depends on which answer came first.
    """
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pecm-kubernetes")
    try:
        core, listing = pool.submit(client.get, "/api"), pool.submit(client.get, "/apis")
        review = pool.submit(_permissions, client)
        groups = _served(core.result(), listing.result())
        allowed = review.result()
        served = [resource for resource in READ if resource.version in groups.get(resource.group, ())]
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
    finally:
        # A refusal of the credentials ends the cluster's scan: lists not started are not sent.
        pool.shutdown(wait=True, cancel_futures=True)
    return ClusterReads(frozenset(groups), reads)


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
    }
    gap, served = _engines(found, engines)
    gap = gap or _missing(found, VALIDATING_WEBHOOKS)[0]
    vap = engines["validating_admission_policy"]
    if not found.reads[vap[0]].served:  # bindings without policies (never seen) bind nothing
        served.discard("validating_admission_policy")
    if gap:
        return ctx.unavailable(kind, subject, gap)
    if not served:
        return ctx.unsupported(
            kind, subject, "the cluster serves no admission engine this collector reads (ValidatingAdmissionPolicy, Kyverno)"
        )
    actions = (
        mapping.admission_policy_actions(*(found.reads[r].items for r in vap))
        if "validating_admission_policy" in served
        else None
    )
    effects = mapping.kyverno_policy_effects(_items(found, engines["kyverno"])) if "kyverno" in served else None
    webhooks = found.reads[VALIDATING_WEBHOOKS]
    policies = mapping.webhook_failure_policies(webhooks.items) if webhooks.served else None
    data = mapping.admission_control(actions, effects, sorted(set(engines) - served), policies)
    if data["enforcing"] == 0 and _GATEKEEPER_GROUP in found.groups:
        # Gatekeeper may enforce what the engines read here do not: no enforcement cannot be claimed.
        return ctx.unavailable(kind, subject, "Gatekeeper is installed, and this collector does not read its constraints yet")
    locators = tuple(r.path for name in sorted(served) for r in engines[name] if found.reads[r].served)
    return ctx.observed(kind, subject, data, locators)


def _gitops(ctx: CollectContext, subject: Subject, found: ClusterReads) -> Evidence:
    kind = "gitops.reconciliation"
    engines = {"argocd": (ARGO_APPLICATIONS,), "flux": (FLUX_KUSTOMIZATIONS, FLUX_HELM_RELEASES)}
    gap, served = _engines(found, engines)
    if gap:
        return ctx.unavailable(kind, subject, gap)
    if not served:
        return ctx.unsupported(kind, subject, "the cluster serves no GitOps controller this collector reads (Argo CD, Flux)")
    objects = [
        *mapping.argo_applications(found.reads[ARGO_APPLICATIONS].items),
        *mapping.flux_objects(found.reads[FLUX_KUSTOMIZATIONS].items, found.reads[FLUX_HELM_RELEASES].items),
    ]
    data = mapping.reconciliation(objects, [name for name in engines if name in served], sorted(set(engines) - served))
    locators = tuple(r.path for name in engines if name in served for r in engines[name] if found.reads[r].served)
    return ctx.observed(kind, subject, data, locators)


def _workloads(ctx: CollectContext, subject: Subject, found: ClusterReads) -> Evidence:
    resources = (DEPLOYMENTS, STATEFUL_SETS, AUTOSCALERS)
    workloads = [
        *(("Deployment", item) for item in found.reads[DEPLOYMENTS].items),
        *(("StatefulSet", item) for item in found.reads[STATEFUL_SETS].items),
    ]
    autoscalers = found.reads[AUTOSCALERS].items
    return _evidence(ctx, "workloads.coverage", subject, found, resources, lambda: mapping.workload_coverage(workloads, autoscalers))


def _observability(ctx: CollectContext, subject: Subject, found: ClusterReads) -> Evidence:
    kind = "observability.coverage"
    engines = {
        "prometheus_operator": (SERVICE_MONITORS, POD_MONITORS, PROMETHEUS_RULES),
        "opentelemetry": (INSTRUMENTATIONS,),
    }
    gap, served = _engines(found, engines)
    gap = gap or _missing(found, NAMESPACES)[0]
    if gap:
        return ctx.unavailable(kind, subject, gap)
    if not served:
        return ctx.unsupported(kind, subject, "the cluster serves neither the Prometheus Operator's nor OpenTelemetry's API")
    prometheus = "prometheus_operator" in served
    data = mapping.observability_coverage(
        found.reads[NAMESPACES].items,
        _items(found, (SERVICE_MONITORS, POD_MONITORS)) if prometheus else None,
        found.reads[PROMETHEUS_RULES].items if prometheus else None,
        found.reads[INSTRUMENTATIONS].items if "opentelemetry" in served else None,
        sorted(set(engines) - served),
    )
    locators = tuple(r.path for name in engines if name in served for r in engines[name] if found.reads[r].served)
    return ctx.observed(kind, subject, data, locators)
