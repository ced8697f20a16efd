"""Pointers from a rule's verdict back to the evidence records behind it, capped and sorted."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress, islice

from rules.evidence_index import EvidenceIndex, SubjectTable
from scanner.model import EvidenceRef

MAX_REFS = 25  # per list: enough to act on, small enough for an assessment over 10k repositories


@dataclass(frozen=True)
class RefSource:
    """Subjects (table positions) whose records of `kinds` speak in one direction."""

    table: SubjectTable
    positions: Sequence[int]
    kinds: tuple[str, ...]  # sorted


def collect_refs(
    sources: Sequence[RefSource], index: EvidenceIndex, observed: bool, cap: int = MAX_REFS
) -> tuple[list[EvidenceRef], int]:
    """The first `cap` references in (subject, kind) order, and how many there are in all.

    `observed` picks the records that were observed (supporting, opposing) or those that
    were not (missing: unavailable, unsupported, or never recorded).
    """
    # one subject may come from several sources (leaves of one rule): count its record once
    positions_by_kind: dict[tuple[str, str], list[Sequence[int]]] = {}
    tables: dict[str, SubjectTable] = {}
    for source in sources:
        tables[source.table.kind] = source.table
        for kind in source.kinds:
            positions_by_kind.setdefault((source.table.kind, kind), []).append(source.positions)
    total = 0
    first: list[tuple[str, str]] = []
    for (subject_kind, kind), position_lists in positions_by_kind.items():
        positions = position_lists[0] if len(position_lists) == 1 else sorted(set().union(*position_lists))
        column = index.observed(kind, subject_kind)
        selected = list(map(column.__getitem__, positions))
        hits = sum(selected)
        total += hits if observed else len(positions) - hits
        wanted = selected if observed else map(operator.not_, selected)
        ids = tables[subject_kind].ids
        # positions are in subject-id order, so the first `cap` of each kind hold the first `cap` overall
        first += ((ids[position], kind) for position in islice(compress(positions, wanted), cap))
    first.sort()
    return [index.ref(kind, subject_id) for subject_id, kind in first[:cap]], total
