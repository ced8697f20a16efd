"""Reading one cluster: discovery, a review of the role's rules, then one paged list per resource
it serves and the role may list (what it may not is refused without a request).

A list's pages follow one another (each needs the previous continue token), so the scan lasts at
least as long as its longest chain of requests: the workload lists (many pages each), and lists
whose answers name more lists (constraint templates their constraint kinds, XRDs their claims).
A bounded pool reads the lists at once, those chains first: the first page of the longest list
is asked beside discovery, and a list another one names starts as soon as that one is read,
before the lists still waiting. A worker whose list is done takes the next list waiting itself,
without waiting for the thread reading the cluster to hear of it (unless its list names more).
Results are kept by resource, so the evidence never depends on which answer came first.

The thread reading the cluster is otherwise idle while the lists are read: it tells a `Progress`
each page as it comes and what is read so far after each list (a resource still being read is
absent from that view, asking for it raises `Pending`), so evidence can be made while the longest
chain is still being read instead of after it.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from queue import SimpleQueue
from threading import RLock
from typing import Any, Protocol

from collectors.base import Gap, WorkerPool
from collectors.kubernetes import mapping
from collectors.kubernetes.access import REVIEW_PATH, Permissions, permissions, review_request
from collectors.kubernetes.client import JSON, METADATA_ONLY, ApiError, ClusterClient, CredentialsRefused, Page, list_objects
from collectors.kubernetes.resources import (
    COMPOSITE_DEFINITIONS,
    CONSTRAINT_TEMPLATES,
    CONSTRAINTS,
    DEPLOYMENTS,
    READ,
    Resource,
)

# Asked beside discovery when the pool has a worker to spare: usually the longest list, in a
# group every cluster serves. Discovery or the review may still rule it out (its answer is then
# not used): a role that may not list it costs that one refused request.
FIRST = DEPLOYMENTS
_DISCOVERY = 3  # /api, /apis and the review, at once
# Lists whose answers name more lists: read right after the workloads, so their dependents can start early.
_NAMING = (CONSTRAINT_TEMPLATES, COMPOSITE_DEFINITIONS)


@dataclass(frozen=True)
class Read:
    """One resource's list: its objects, or why there are none to show."""

    items: list[dict[str, Any]] = field(default_factory=list)
    gap: Gap | None = None  # it exists but could not be read (403, errors)
    served: bool = True  # False: the cluster does not serve it
    # Objects handed to the `Progress` page by page and not kept (`items` is then empty): freed as
    # they are used, while the longest list is still read, instead of all at once after it.
    taken: int = 0


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


class Pending(Exception):
    """Asked for a resource whose list is still being read."""


class _Settled(dict[Resource, Read]):
    """The lists read so far, by resource."""

    def __missing__(self, resource: Resource) -> Read:
        raise Pending(resource)


class Progress(Protocol):
    """Told, in the thread reading the cluster, what is read as it is read."""

    def page(self, resource: Resource, items: list[dict[str, Any]]) -> None:
        """One page of a list being read (every page of it comes before the list is settled)."""

    def takes(self, resource: Resource) -> bool:
        """Whether the pages of `resource` are all it needs of that list: its objects are not kept."""

    def settled(self, found: ClusterReads) -> None:
        """What is read so far, after each list: a resource not read yet raises `Pending`."""


def read_cluster(client: ClusterClient, workers: int, progress: Progress | None = None) -> ClusterReads:
    """Every list of `READ` (and Gatekeeper's constraint kinds) the cluster serves, by resource.

    CredentialsRefused and an ApiError of discovery end the cluster; a list that fails is that
    list's gap."""
    events: SimpleQueue[_Event] = SimpleQueue()
    # Closing the pool cancels the lists not started: a refusal of the credentials ends the cluster.
    with WorkerPool(workers, "pecm-kubernetes") as pool:
        # The longest chain is asked first: each request started before it (a thread, a TLS
        # handshake, all wanting the GIL) would delay its first page and so the whole scan.
        first = _submit(pool, client, FIRST, events) if pool.workers > _DISCOVERY else None
        core, listing = pool.submit(client.get, "/api"), pool.submit(client.get, "/apis")
        review = pool.submit(_permissions, client)
        lists = _Lists(pool, client, _served(core.result(), listing.result()), review.result(), events, progress)
        return lists.read(first)


# What the workers tell the thread reading the cluster: a page of a list (parsed by that thread,
# while the worker asks for the next), or a list done.
_Event = tuple[Resource, Page] | Future[Read]


def _submit(
    pool: WorkerPool, client: ClusterClient, resource: Resource, events: SimpleQueue[_Event],
    freed: Callable[[Future[Read]], None] | None = None,
) -> Future[Read]:
    """Read `resource` in the pool; `freed` is called in the worker when the list is done, before
    the list done is told (a callback that raises is logged by the future and never stops the next)."""
    def page(page: Page) -> None:
        events.put((resource, page))

    future = pool.submit(read_list, client, resource, page)
    if freed is not None:
        future.add_done_callback(freed)
    future.add_done_callback(events.put)  # after its pages: the worker puts both, in that order
    return future


class _Lists:
    """The lists of one cluster, read by a bounded pool in order of the longest chain first."""

    def __init__(
        self,
        pool: WorkerPool,
        client: ClusterClient,
        groups: dict[str, set[str]],
        allowed: Permissions | None,
        events: SimpleQueue[_Event],
        progress: Progress | None,
    ) -> None:
        self._pool, self._client, self._groups, self._allowed = pool, client, groups, allowed
        self._events, self._progress = events, progress
        self.reads: dict[Resource, Read] = {}
        self.constraints: dict[Resource, Read] = {}  # by constraint kind, in the templates' order
        self.claims: dict[Resource, Read] = {}  # by claim API, in the XRDs' order
        # The lists waiting and those started, and the workers of those started that their lists
        # set free (`_freed`): changed by this thread and by the workers, under the lock (which
        # `_freed` takes again when a list is done before its callback is added, in `_fill`).
        self._lock = RLock()
        self._queue: list[tuple[dict[Resource, Read], Resource]] = []
        self._running: dict[Future[Read], tuple[dict[Resource, Read], Resource]] = {}
        self._released: set[Future[Read]] = set()
        self._closed = False
        self._derived: dict[str, Any] = {}
        self._objects: dict[Resource, list[dict[str, Any]] | int] = {}  # lists being read: objects kept, or how many taken
        self._broken: dict[Resource, Read] = {}  # lists with a page that is not a list object

    def read(self, first: Future[Read] | None) -> ClusterReads:
        served = [r for r in READ if r is not CONSTRAINTS and self._serves(r)]
        for resource in READ:
            if resource is not CONSTRAINTS and resource not in served:
                self.reads[resource] = Read(served=False)
        if first is not None:
            if FIRST in served and self._may_list(FIRST):
                self._start(FIRST)
                self._running[first] = (self.reads, FIRST)
                served.remove(FIRST)
            # else: the early answer is not used; the pool's close waits for it
        try:
            self._enqueue([(self.reads, resource) for resource in sorted(served, key=_order)])
            with self._lock:
                self._fill()
            if self._progress is not None:
                self._progress.settled(self._view())
            while self._waiting():
                event = self._events.get()
                if not isinstance(event, Future):
                    self._page(*event)
                    continue
                with self._lock:
                    if event not in self._running:
                        continue  # the first list's early answer, not used
                    into, resource = self._running.pop(event)
                    self._released.discard(event)
                into[resource] = self._read(resource, event.result())  # CredentialsRefused ends the cluster
                if into is self.reads:
                    self._named_by(resource)
                with self._lock:
                    self._fill()  # a worker set free by a list that names more lists takes those first
                if self._progress is not None:
                    self._progress.settled(self._view())
            return self._view(final=True)
        finally:
            with self._lock:
                self._closed = True  # no worker starts another list: the pool is closing

    def _freed(self, done: Future[Read]) -> None:
        """In the worker whose list is done: it takes the next list waiting at once, instead of
        waiting for this thread to hear of it (busy parsing a page or making evidence). Not after
        a list that names more lists (those go first, once this thread has read it), nor after
        a list that failed (a refusal of the credentials ends the cluster)."""
        with self._lock:
            entry = self._running.get(done)
            if self._closed or entry is None or entry[1] in _NAMING or done.cancelled() or done.exception() is not None:
                return
            self._released.add(done)
            self._fill()

    def _page(self, resource: Resource, page: Page) -> None:
        """Parse a page of a list being read: kept for its Read, or handed to the Progress."""
        if resource not in self._objects:  # the first list's early answer, not used; or a list already failed
            return
        try:
            objects = list_objects(page, resource.path)
        except ApiError as exc:
            del self._objects[resource]
            self._broken[resource] = _failed(resource, exc)
            return
        if self._progress is not None:
            self._progress.page(resource, objects)
        kept = self._objects[resource]
        if isinstance(kept, list):
            kept += objects
        else:
            self._objects[resource] = kept + len(objects)

    def _read(self, resource: Resource, read: Read) -> Read:
        """A list's Read once its worker is done: its objects (or how many were taken), unless it failed."""
        objects = self._objects.pop(resource, [])
        broken = self._broken.pop(resource, None)
        if read.gap is not None or not read.served:
            return read
        if broken is not None:
            return broken
        return Read(items=objects) if isinstance(objects, list) else Read(taken=objects)

    def _waiting(self) -> bool:
        """Whether a list is still waiting or being read."""
        with self._lock:
            return bool(self._queue or self._running)

    def _enqueue(self, waiting: list[tuple[dict[Resource, Read], Resource]], first: bool = False) -> None:
        """Queue the lists the role may list (at the front when `first`), each told where its
        objects go before any worker can take it."""
        listable = [(into, resource) for into, resource in waiting if self._listable(into, resource)]
        for _, resource in listable:
            self._start(resource)
        with self._lock:
            if first:
                self._queue[:0] = listable
            else:
                self._queue += listable

    def _fill(self) -> None:
        """Hand lists from the queue to the pool while it has a worker free (the lock held)."""
        while self._queue and len(self._running) - len(self._released) < self._pool.workers:
            into, resource = self._queue.pop(0)
            future = _submit(self._pool, self._client, resource, self._events, self._freed)
            self._running[future] = (into, resource)

    def _start(self, resource: Resource) -> None:
        """Where a list's objects go as its pages are parsed: kept, or counted when the Progress takes them."""
        self._objects[resource] = 0 if self._progress is not None and self._progress.takes(resource) else []

    def _serves(self, resource: Resource) -> bool:
        return resource.version in self._groups.get(resource.group, ())

    def _may_list(self, resource: Resource) -> bool:
        return self._allowed is None or self._allowed.may_list(resource)

    def _listable(self, into: dict[Resource, Read], resource: Resource) -> bool:
        """Whether to list `resource`: one the role may not list is refused at once, without a request."""
        if self._may_list(resource):
            return True
        into[resource] = _refused(resource)
        return False

    def _named_by(self, resource: Resource) -> None:
        """Start the lists `resource`'s answer names, before the lists still waiting."""
        read = self.reads[resource]
        if read.gap is not None or not read.served:
            return
        if resource is CONSTRAINT_TEMPLATES and self._serves(CONSTRAINTS):
            named = [replace(CONSTRAINTS, plural=kind.lower()) for kind in mapping.constraint_template_kinds(read.items)]
            into = self.constraints
        elif resource is COMPOSITE_DEFINITIONS:
            # an XRD not established yet serves no claim
            named = [Resource(*api) for api in mapping.claim_apis(read.items) if api[1] in self._groups.get(api[0], ())]
            into = self.claims
        else:
            return
        for kind in named:
            into.setdefault(kind, Read())  # in the order named, whichever answer comes first
        self._enqueue([(into, kind) for kind in named], first=True)

    def _view(self, final: bool = False) -> ClusterReads:
        """The lists read so far (all of them when `final`), in `READ` order. The constraints
        are there once the templates and every constraint kind they name are read; the XRDs once
        every claim list they name is."""
        reads: dict[Resource, Read] = {} if final else _Settled()
        for resource in READ:
            read = self._constraints() if resource is CONSTRAINTS else self.reads.get(resource)
            if read is not None:
                reads[resource] = read
        if self._outstanding(self.claims):
            reads.pop(COMPOSITE_DEFINITIONS, None)
        definitions = reads.get(COMPOSITE_DEFINITIONS)
        if definitions is not None and definitions.gap is not None:
            return ClusterReads(reads, claims_gap=definitions.gap, derived=self._derived)
        return ClusterReads(reads, dict(self.claims), derived=self._derived)

    def _constraints(self) -> Read | None:
        if not self._serves(CONSTRAINTS):
            return Read(served=False)
        templates = self.reads.get(CONSTRAINT_TEMPLATES)
        if templates is None or self._outstanding(self.constraints):
            return None
        if not templates.served or templates.gap:  # no template, no constraint
            return Read(gap=templates.gap, served=templates.served)
        return joined(list(self.constraints.values()))

    def _outstanding(self, into: dict[Resource, Read]) -> bool:
        """Whether a list of `into` is still waiting or being read."""
        with self._lock:
            return any(target is into for target, _ in self._queue) or any(target is into for target, _ in self._running.values())


def _order(resource: Resource) -> int:
    """The longest chains first: the workload lists (many pages), then the lists naming more lists."""
    return 0 if resource.per_workload else 1 if resource in _NAMING else 2


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


def read_list(client: ClusterClient, resource: Resource, on_page: Callable[[Page], None]) -> Read:
    """One resource's list, its pages handed to `on_page` (the Read holds no objects: whoever takes
    the pages parses them); a 404 is a resource the cluster does not serve, a 403 names the rule."""
    try:
        client.pages(resource.path, METADATA_ONLY if resource.metadata_only else JSON, on_page)
        return Read()
    except CredentialsRefused:
        raise
    except ApiError as exc:
        if exc.status == 404:  # the group is served, this resource is not (an older version)
            return Read(served=False)
        if exc.status == 403:
            return Read(gap=Gap(f"{exc.reason()} — grant {resource.rbac_rule}"))
        return _failed(resource, exc)


def _failed(resource: Resource, exc: ApiError) -> Read:
    return Read(gap=Gap(f"{resource.path}: {exc.reason()}", failure=exc.status != 429, rate_limited=exc.status == 429))


def _served(core: Any, listing: Any) -> dict[str, set[str]]:
    """API group -> versions the cluster serves ("" is the core group), from `/api` and `/apis`."""
    groups: dict[str, set[str]] = {"": {str(v) for v in core.get("versions") or []} if isinstance(core, dict) else set()}
    for group in listing.get("groups") or [] if isinstance(listing, dict) else []:
        if isinstance(group, dict) and group.get("name"):
            versions = {str(v.get("version")) for v in group.get("versions") or [] if isinstance(v, dict)}
            groups[str(group["name"])] = versions
    return groups
