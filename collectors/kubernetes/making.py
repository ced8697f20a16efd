"""One cluster's evidence, made while its lists are still being read.

The thread reading a cluster only waits for its pool: each kind is made there as soon as the
lists it rests on are read (a maker asking for a list not read yet raises `Pending` and is tried
again after the next list), and the workload tallies take each page as it comes, once the
autoscalers and budgets they look up are read. When the longest list's last page comes, what is
left to make is what rests on that list, not all the evidence.
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

_KINDS: dict[Resource, str] = {resource: kind for kind, resource in evidence.WORKLOADS.items()}


@dataclass(frozen=True)
class Examined:
    """One cluster's evidence, made in the worker that read it."""

    cluster: dict[str, evidence.Finding]  # kind -> finding, in recording order
    tenants: list[str] | Gap  # the tenant namespaces, or why they are unknown
    per_namespace: dict[str, namespaces.PerNamespace]


class Making:
    """The `reads.Progress` of one cluster: its evidence, kind by kind, as its lists are read."""

    def __init__(self) -> None:
        self._cluster: dict[str, evidence.Finding] = {}
        self._per_namespace: dict[str, namespaces.PerNamespace] = {}
        self._tallies: WorkloadTallies | None = None  # once the autoscalers and budgets are read
        self._waiting: list[tuple[str, list[dict[str, Any]]]] = []  # workload pages that came before
        self._added: dict[str, int] = dict.fromkeys(evidence.WORKLOADS, 0)

    def page(self, resource: Resource, items: list[dict[str, Any]]) -> None:
        kind = _KINDS.get(resource)
        if kind is None:
            return
        self._added[kind] += len(items)
        if self._tallies is None:
            self._waiting.append((kind, items))
        else:
            self._tallies.add(kind, items)

    def settled(self, found: ClusterReads) -> None:
        self._tally(found)
        for kind, make in evidence.CLUSTER.items():
            if kind not in self._cluster:
                with suppress(Pending):
                    self._cluster[kind] = make(found)
        for kind, per in namespaces.NAMESPACE.items():
            if kind not in self._per_namespace:
                with suppress(Pending):
                    self._per_namespace[kind] = per(found)

    def examined(self, found: ClusterReads) -> Examined:
        """Every kind, from every list read (`found`: what `read_cluster` returned)."""
        self.settled(found)
        return Examined(
            {kind: self._cluster[kind] for kind in evidence.CLUSTER},
            namespaces.tenants(found),
            {kind: self._per_namespace[kind] for kind in namespaces.NAMESPACE},
        )

    def _tally(self, found: ClusterReads) -> None:
        """Start the tallies once what they look up is read; hand them over once every workload list is."""
        if self._tallies is None:
            with suppress(Pending):
                self._tallies = evidence.tally_lookups(found)
                for kind, items in self._waiting:
                    self._tallies.add(kind, items)
                self._waiting.clear()
        if self._tallies is None or "tallies" in found.derived:
            return
        with suppress(Pending):
            lists = evidence.workload_objects(found)
            # Exactly the objects of the lists, or the tallies are made from the lists themselves.
            if all(len(lists[kind]) == added for kind, added in self._added.items()):
                found.derived["tallies"] = self._tallies.by_namespace
