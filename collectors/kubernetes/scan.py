"""Scanning clusters on the collector base: each cluster examined by a worker of `WorkerPool.in_order`
(connect, read its lists, make its evidence and records while reading: making.py), handed back
in configuration order; then its tenant namespaces, each a subject with the evidence that is its
own. Every gap goes through `Findings`: told once per reason at the end, with how many subjects
it cost.

A cluster that cannot be reached or refuses the credentials is still a subject: all its
evidence is unavailable with the reason, its namespaces unknown, and the other clusters are
scanned. A resource the role may not list makes the evidence needing it unavailable, naming the
RBAC rule that would allow it; an API group the cluster does not serve makes it unsupported (or,
for one admission engine among several, just an engine not installed).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from collectors.base import Findings, Gap, WorkerPool
from collectors.kubernetes.client import ApiError, ClusterClient, CredentialsRefused, ServerUntrusted
from collectors.kubernetes.config import KubernetesConfig
from collectors.kubernetes.credentials import Cluster, clusters
from collectors.kubernetes.making import Examined, Made, Making, Missing
from collectors.kubernetes.provides import CLUSTER_KINDS
from collectors.kubernetes.reads import read_cluster
from scanner.contract import CollectContext
from scanner.errors import SourceUnavailable
from scanner.model import Evidence, Subject

GAP_HINT = (
    "grant the rule named (the collector's read-only role: deploy/kubernetes/clusterrole.yaml), "
    "or scan again once the API server answers; the rest was scanned"
)
RATE_HINT = "the API server kept throttling: scan again later, or raise rate_limit_wait_budget_seconds"


@dataclass(frozen=True)
class Unreachable:
    """A cluster that could not be read at all, and what to do about it."""

    reason: str
    hint: str


def scan_clusters(ctx: CollectContext, config: KubernetesConfig) -> Iterator[Subject | Evidence]:
    findings = Findings(ctx, "kubernetes", others="clusters")
    chosen = [
        (cluster, subject)
        for cluster in clusters(config, ctx.base_dir)  # UserError: a bad kubeconfig stops the run
        if ctx.includes((subject := Subject(id=f"kubernetes:{cluster.name}", kind="cluster", name=cluster.name,
                                            source=ctx.collector)).id)
    ]
    with WorkerPool(ctx.limits.max_workers, "pecm-kubernetes-clusters") as pool:
        for (_cluster, subject), examined in pool.in_order(chosen, lambda item: _examine(ctx, config, *item), _failed):
            yield subject
            if isinstance(examined, Unreachable):
                ctx.problem(f"{subject.id}: {examined.reason}", subject, examined.hint)
                ctx.cut_short("namespace", f"{subject.id}: {examined.reason}")  # unknown rather than absent
                yield from findings.records(CLUSTER_KINDS, subject, Gap(examined.reason, told=True), "cluster")
                findings.end_subject(subject)
                continue
            yield from _records(findings, subject, examined.cluster)
            findings.end_subject(subject)
            yield from _namespaces(ctx, findings, subject, examined)
    findings.report_gaps(GAP_HINT, RATE_HINT)


def _failed(item: tuple[Cluster, Subject], exc: Exception) -> Unreachable:
    """An answer of a shape nothing expected costs that cluster (its text is not shown: it may quote the answer)."""
    return Unreachable(f"unexpected answer from the API server: {type(exc).__name__}", "scan again; if it persists, report it as a pecm bug")


def _examine(ctx: CollectContext, config: KubernetesConfig, cluster: Cluster, subject: Subject) -> Examined | Unreachable:
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
        return Unreachable(exc.message, exc.hint or "")
    making = Making(ctx, subject)
    try:
        found = read_cluster(client, config.concurrent_requests, making)
    except CredentialsRefused as exc:
        return Unreachable(f"{exc.reason()}: the cluster refused the credentials (an expired or revoked token?)", cluster.refused_hint)
    except ApiError as exc:
        hint = (
            "check the context's certificate-authority-data: it must be the CA that signed the server's certificate"
            if isinstance(exc, ServerUntrusted)
            else "check that the server is reachable from here, then scan again"
        )
        return Unreachable(f"the API server could not be read: {exc.path}: {exc.reason()}", hint)
    finally:
        client.close()
    return making.examined(found)


def _records(findings: Findings, subject: Subject, made: Made) -> Iterator[Evidence]:
    """The subject's records, made already; the gaps are noted here, in the collect's thread."""
    for kind, record in made.items():
        if isinstance(record, Missing):
            findings.note(subject, kind, record.gap)
            yield record.record
        else:
            yield record


def _namespaces(ctx: CollectContext, findings: Findings, cluster: Subject, examined: Examined) -> Iterator[Subject | Evidence]:
    """A subject per tenant namespace, with the evidence that is the namespace's own."""
    if isinstance(examined.namespaces, Gap):
        ctx.cut_short("namespace", f"{cluster.id}: its namespaces could not be listed: {examined.namespaces.reason}")
        return
    for subject, made in examined.namespaces:
        yield subject
        yield from _records(findings, subject, made)
        findings.end_subject(subject)
