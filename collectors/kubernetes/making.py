"""One cluster's evidence, made while its lists are still being read.

The thread reading a cluster only waits for its pool: each kind is made there as soon as the
lists it rests on are read (a maker asking for a list not read yet raises `Pending` and is tried
again after the next list), with its records (of the cluster, and of each tenant namespace), and
the workload tallies (and the cost tools) take each page as it comes, once the autoscalers and
budgets they look up are read: neither these nor the workload lists are kept, each page is freed
once used rather than every object at once after the last list. When the longest list's last
page comes, what is left to make is what rests on that list, not all the evidence. A gap's
record is made here too; the collect's own thread only notes the gap (`Findings`).
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from collectors.base import Gap
from collectors.kubernetes import evidence, namespaces
from collectors.kubernetes.mapping import WorkloadTallies
from collectors.kubernetes.reads import ClusterReads, Pending
from collectors.kubernetes.resources import Resource
from scanner.contract import CollectContext
from scanner.model import Evidence, Subject

_KINDS: dict[Resource, str] = {resource: kind for kind, resource in evidence.WORKLOADS.items()}


@dataclass(frozen=True)
class Missing:
    """A kind not observed: its record (unavailable or unsupported), and the gap to note."""

    gap: Gap
    record: Evidence


Made = dict[str, Evidence | Missing]  # kind -> its record


@dataclass(frozen=True)
class Examined:
    """One cluster's evidence, made in the worker that read it, in recording order."""

    cluster: Made
    namespaces: list[tuple[Subject, Made]] | Gap  # each tenant namespace's, or why they are unknown


class Making:
    """The `reads.Progress` of one cluster: its evidence, kind by kind, as its lists are read."""

    def __init__(self, ctx: CollectContext, cluster: Subject) -> None:
        self._ctx, self._subject = ctx, cluster
        self._cluster: Made = {}
        self._per_namespace: dict[str, namespaces.PerNamespace] = {}
        self._tenants: list[Subject] | Gap | None = None  # once the namespaces are read
        self._namespaces: dict[str, Made] = {}  # namespace subject id -> its records so far
        self._failed: dict[str, Gap] = {}  # namespace subject id -> why none of its kinds is known
        self._tallies: WorkloadTallies | None = None  # once the autoscalers and budgets are read
        self._waiting: list[tuple[str, list[dict[str, Any]]]] = []  # workload pages that came before
        # The objects of what the tallies look up (autoscalers, budgets), until the tallies are made from them.
        self._looked_up: dict[Resource, list[dict[str, Any]]] = {resource: [] for resource in evidence.LOOKUPS}
        self._added: dict[str, int] = dict.fromkeys(evidence.WORKLOADS, 0)

    def page(self, resource: Resource, items: list[dict[str, Any]]) -> None:
        looked_up = self._looked_up.get(resource)
        if looked_up is not None:
            looked_up += items
            return
        kind = _KINDS.get(resource)
        if kind is None:
            return
        self._added[kind] += len(items)
        if self._tallies is None:
            self._waiting.append((kind, items))
        else:
            self._tallies.add(kind, items)

    def takes(self, resource: Resource) -> bool:
        return resource in _KINDS or resource in evidence.LOOKUPS

    def settled(self, found: ClusterReads) -> None:
        self._tally(found)
        for kind, make in evidence.CLUSTER.items():
            if kind not in self._cluster:
                with suppress(Pending):
                    finding = make(found)
                    self._cluster[kind] = self._record(kind, self._subject, finding.found, finding.locators)
        if self._tenants is None:
            with suppress(Pending):
                self._tenants = self._subjects(namespaces.tenants(found))
                for kind in self._per_namespace:
                    self._record_namespaces(kind)
        for kind, per in namespaces.NAMESPACE.items():
            if kind not in self._per_namespace:
                with suppress(Pending):
                    self._per_namespace[kind] = per(found)
                    self._record_namespaces(kind)

    def examined(self, found: ClusterReads) -> Examined:
        """Every kind, from every list read (`found`: what `read_cluster` returned)."""
        self.settled(found)
        cluster = {kind: self._cluster[kind] for kind in evidence.CLUSTER}
        assert self._tenants is not None  # every list is read by now
        if isinstance(self._tenants, Gap):
            return Examined(cluster, self._tenants)
        return Examined(cluster, [
            (subject, {kind: self._record(kind, subject, failed, ()) for kind in namespaces.NAMESPACE}
             if (failed := self._failed.get(subject.id))
             else {kind: self._namespaces[subject.id][kind] for kind in namespaces.NAMESPACE})
            for subject in self._tenants
        ])

    def _record(self, kind: str, subject: Subject, found: dict[str, Any] | Gap, locators: tuple[str, ...]) -> Evidence | Missing:
        if not isinstance(found, Gap):
            return self._ctx.observed(kind, subject, found, locators)
        if found.unsupported:
            return Missing(found, self._ctx.unsupported(kind, subject, found.reason))
        return Missing(found, self._ctx.unavailable(kind, subject, found.reason))

    def _subjects(self, tenants: list[str] | Gap) -> list[Subject] | Gap:
        if isinstance(tenants, Gap):
            return tenants
        return [
            subject
            for name in tenants
            if self._ctx.includes((subject := Subject(id=f"{self._subject.id}/{name}", kind="namespace", name=name,
                                                      source=self._ctx.collector, parent=self._subject.id)).id)
        ]

    def _record_namespaces(self, kind: str) -> None:
        """The records of `kind` of each tenant namespace, once both are known."""
        if self._tenants is None or isinstance(self._tenants, Gap):
            return
        per = self._per_namespace[kind]
        for subject in self._tenants:
            if subject.id in self._failed:
                continue
            try:
                found = per.of(subject.name)
            except Exception as exc:  # an object nothing expected costs that namespace, not the cluster
                self._failed[subject.id] = Gap(f"unexpected object in the cluster's lists: {type(exc).__name__}", failure=True)
                continue
            self._namespaces.setdefault(subject.id, {})[kind] = self._record(kind, subject, found, per.locators)

    def _tally(self, found: ClusterReads) -> None:
        """Start the tallies once what they look up is read; hand them over once every workload list is."""
        if self._tallies is None:
            with suppress(Pending):
                self._tallies = evidence.tally_lookups(found, self._looked_up)
                self._looked_up = {}  # every page of them is told by now: freed
                for kind, items in self._waiting:
                    self._tallies.add(kind, items)
                self._waiting.clear()
        if self._tallies is None or evidence.TALLIES in found.derived:
            return
        with suppress(Pending):
            reads = {kind: found.reads[resource] for kind, resource in evidence.WORKLOADS.items()}
            # Exactly the objects of the lists (a list that failed after some pages has a gap, and no tallies are used).
            if all(read.taken + len(read.items) == self._added[kind] for kind, read in reads.items()):
                found.derived[evidence.TALLIES] = self._tallies
