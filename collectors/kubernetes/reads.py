"""Reading one cluster: discovery, a review of the role's rules, then one paged list per resource
it serves and the role may list (what it may not is refused without a request).

The lists do not depend on one another: a bounded pool reads them at once, the longest first
(a list's pages stay one after another: each needs the previous continue token). Results are
kept by resource, so the evidence never depends on which answer came first.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import Any

from collectors.base import Gap, WorkerPool
from collectors.kubernetes import mapping
from collectors.kubernetes.access import REVIEW_PATH, Permissions, permissions, review_request
from collectors.kubernetes.client import JSON, METADATA_ONLY, ApiError, ClusterClient, CredentialsRefused
from collectors.kubernetes.resources import COMPOSITE_DEFINITIONS, CONSTRAINT_TEMPLATES, CONSTRAINTS, READ, Resource


@dataclass(frozen=True)
class Read:
    """One resource's list: its objects, or why there are none to show."""

    items: list[dict[str, Any]] = field(default_factory=list)
    gap: Gap | None = None  # it exists but could not be read (403, errors)
    served: bool = True  # False: the cluster does not serve it


@dataclass(frozen=True)
class ClusterReads:
    reads: dict[Resource, Read]
    # Crossplane claims, one list per claim API the XRDs offer (their groups are the platform's
    # own: not in READ, and no fixed role can grant them); one gap for all when the XRDs were not read.
    claims: dict[Resource, Read] = field(default_factory=dict)
    claims_gap: Gap | None = None
    # What several kinds derive alike, made once (evidence.tallies); filled by the one thread
    # that makes the cluster's evidence.
    derived: dict[str, Any] = field(default_factory=dict, compare=False)


def read_cluster(client: ClusterClient, workers: int) -> ClusterReads:
    """Every list of `READ` (and Gatekeeper's constraint kinds) the cluster serves, by resource.

    CredentialsRefused and an ApiError of discovery end the cluster; a list that fails is that
    list's gap."""
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
            resource: pool.submit(read_list, client, resource)
            for resource in sorted(served, key=lambda resource: not resource.per_workload)  # longest first
            if resource not in refused
        }
        reads = {
            resource: refused.get(resource) or (pending[resource].result() if resource in pending else Read(served=False))
            for resource in READ
        }
        if CONSTRAINTS.version in groups.get(CONSTRAINTS.group, ()):
            reads[CONSTRAINTS] = _constraints(pool, client, reads[CONSTRAINT_TEMPLATES], allowed)
        definitions = reads[COMPOSITE_DEFINITIONS]
        if definitions.gap is not None:
            return ClusterReads(reads, claims_gap=definitions.gap)
        claims = [
            Resource(group, version, plural) for group, version, plural in mapping.claim_apis(definitions.items)
            if version in groups.get(group, ())  # an XRD not established yet serves no claim
        ]
        claim_reads: dict[Resource, Read | Future[Read]] = {
            claim: _refused(claim) if allowed is not None and not allowed.may_list(claim) else pool.submit(read_list, client, claim)
            for claim in claims
        }
        return ClusterReads(reads, {claim: read if isinstance(read, Read) else read.result() for claim, read in claim_reads.items()})


def _constraints(pool: WorkerPool, client: ClusterClient, templates: Read, allowed: Permissions | None) -> Read:
    """Every Gatekeeper constraint: one list per kind the templates define (no template, no
    constraint), read once the templates are."""
    if not templates.served or templates.gap:
        return Read(gap=templates.gap, served=templates.served)
    kinds = [replace(CONSTRAINTS, plural=kind.lower()) for kind in mapping.constraint_template_kinds(templates.items)]
    pending: list[Read | Future[Read]] = [
        _refused(kind) if allowed is not None and not allowed.may_list(kind) else pool.submit(read_list, client, kind) for kind in kinds
    ]
    return joined([read if isinstance(read, Read) else read.result() for read in pending])


def joined(reads: list[Read]) -> Read:
    """Lists that make one (a list per constraint kind): all their objects, every gap. A list
    whose resource is not there (404: not made yet) holds nothing."""
    gaps = [read.gap for read in reads if read.gap is not None]
    return Read(items=[item for read in reads for item in read.items], gap=merged(gaps))


def merged(gaps: list[Gap]) -> Gap | None:
    """One gap saying every reason once: a failure or a rate limit if any of them was one."""
    if not gaps:
        return None
    return Gap(
        "; ".join(dict.fromkeys(gap.reason for gap in gaps)),
        failure=any(gap.failure for gap in gaps),
        rate_limited=any(gap.rate_limited for gap in gaps),
    )


def _refused(resource: Resource) -> Read:
    return Read(gap=Gap(f"not allowed by the collector's role (SelfSubjectRulesReview) — grant {resource.rbac_rule}"))


def _permissions(client: ClusterClient) -> Permissions | None:
    """What the role may list, or None when the cluster does not say (then every list is tried)."""
    try:
        return permissions(client.create(REVIEW_PATH, review_request()))
    except CredentialsRefused:
        raise
    except ApiError:
        return None


def read_list(client: ClusterClient, resource: Resource) -> Read:
    """One resource's list; a 404 is a resource the cluster does not serve, a 403 names the rule."""
    try:
        accept = METADATA_ONLY if resource.metadata_only else JSON
        return Read(items=list(client.items(resource.path, accept)))
    except CredentialsRefused:
        raise
    except ApiError as exc:
        if exc.status == 404:  # the group is served, this resource is not (an older version)
            return Read(served=False)
        if exc.status == 403:
            return Read(gap=Gap(f"{exc.reason()} — grant {resource.rbac_rule}"))
        return Read(gap=Gap(f"{resource.path}: {exc.reason()}", failure=exc.status != 429, rate_limited=exc.status == 429))



def _served(core: Any, listing: Any) -> dict[str, set[str]]:
    """API group -> versions the cluster serves ("" is the core group), from `/api` and `/apis`."""
    groups: dict[str, set[str]] = {"": {str(v) for v in core.get("versions") or []} if isinstance(core, dict) else set()}
    for group in listing.get("groups") or [] if isinstance(listing, dict) else []:
        if isinstance(group, dict) and group.get("name"):
            versions = {str(v.get("version")) for v in group.get("versions") or [] if isinstance(v, dict)}
            groups[str(group["name"])] = versions
    return groups
