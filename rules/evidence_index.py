"""The evidence bundle indexed once for evaluation.

Subjects are laid out in one array, by subject kind then id; each subject kind is a
contiguous range of it (a SubjectTable). In one pass over the evidence, in bundle order,
the index files every record under its kind and subject, and copies out the field values
the rules read into plain lists aligned with the subjects. Metrics then work on those lists:
no pydantic object and no evidence dict is touched per subject again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from rules.conditions import field_value
from scanner.model import Evidence, EvidenceBundle, EvidenceRef, EvidenceStatus, Problem, Subject

PROBLEM_SOURCE = "evaluate"
NOT_OBSERVED: Any = object()  # a value column's entry where the record was not observed (or is missing)

FieldPath = tuple[str, ...]
_Extractor = tuple[str | None, FieldPath, list[Any]]  # (single field name or None, path, value column)


@dataclass
class SubjectTable:
    """The subjects of one subject kind, sorted by id: positions start..start+len(ids) overall.

    Subjects whose sources provide the same kinds and that carry the same tags form a group;
    there are few groups, so a metric decides whom it counts per group, not per subject.
    """

    kind: str
    start: int = 0
    subjects: list[Subject] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)  # per subject: its index in group_keys
    group_keys: list[tuple[frozenset[str], frozenset[str]]] = field(default_factory=list)  # (provides, tags)


class EvidenceIndex:
    def __init__(self, bundle: EvidenceBundle, fields: Mapping[str, Collection[FieldPath]]) -> None:
        """`fields`: per evidence kind, the field paths whose values metrics read."""
        self.problems: list[Problem] = []
        self.provides_by_source: dict[str, frozenset[str]] = {}
        for run in bundle.sources:
            self.provides_by_source[run.collector] = self.provides_by_source.get(run.collector, frozenset()) | set(
                run.provides
            )
        self.provided: frozenset[str] = frozenset().union(*self.provides_by_source.values())
        # per subject kind: the sources that may have subjects of it they never reached, and their kinds
        self.unreached: dict[str, dict[str, frozenset[str]]] = {}
        for run in bundle.sources:
            for subject_kind in run.unreached:
                self.unreached.setdefault(subject_kind, {})[run.collector] = self.provides_by_source[run.collector]
        subjects = self._unique_subjects(bundle.subjects)
        self.tables = self._tables(subjects)
        self._position = {subject.id: position for position, subject in enumerate(subjects)}
        self._size = len(subjects)
        self._records: dict[str, list[Evidence | None]] = {}
        self._observed: dict[str, list[bool]] = {}
        self._values: dict[tuple[str, FieldPath], list[Any]] = {}
        self._file_evidence(bundle.evidence, fields)
        self._slices: dict[tuple[str, Any, str], list[Any]] = {}
        self._refs: dict[tuple[str, str], EvidenceRef] = {}

    def table(self, subject_kind: str) -> SubjectTable:
        return self.tables.get(subject_kind) or SubjectTable(subject_kind)

    def values(self, kind: str, path: FieldPath, subject_kind: str) -> list[Any]:
        """Per subject of the kind: the field's value in the observed record, or NOT_OBSERVED."""
        column = self._values.get((kind, path))
        return self._slice(("values", (kind, path), subject_kind), column, NOT_OBSERVED)

    def observed(self, kind: str, subject_kind: str) -> list[bool]:
        """Per subject of the kind: whether a record of `kind` was observed."""
        return self._slice(("observed", kind, subject_kind), self._observed.get(kind), False)

    def record(self, kind: str, subject_id: str) -> Evidence | None:
        records = self._records.get(kind)
        position = self._position.get(subject_id)
        return None if records is None or position is None else records[position]

    def ref(self, kind: str, subject_id: str) -> EvidenceRef:
        """A reference to the record of a kind about a subject (rules share them: memoised)."""
        key = (kind, subject_id)
        ref = self._refs.get(key)
        if ref is None:
            record = self.record(kind, subject_id)
            if record is None:
                ref = EvidenceRef(
                    subject=subject_id,
                    kind=kind,
                    status=EvidenceStatus.UNAVAILABLE,
                    reason="no record was collected, although the subject's source provides this kind",
                )
            else:
                ref = EvidenceRef(
                    subject=subject_id, kind=kind, status=record.status, locators=record.locators, reason=record.reason
                )
            self._refs[key] = ref
        return ref

    def _slice(self, key: tuple[str, Any, str], column: list[Any] | None, filler: Any) -> list[Any]:
        table = self.table(key[2])
        if column is None:
            return [filler] * len(table.ids)
        if table.start == 0 and len(table.ids) == len(column):
            return column
        cached = self._slices.get(key)
        if cached is None:
            cached = self._slices[key] = column[table.start : table.start + len(table.ids)]
        return cached

    def _file_evidence(self, evidence: tuple[Evidence, ...], fields: Mapping[str, Collection[FieldPath]]) -> None:
        # One pass in bundle order: records were allocated in that order, so reading them
        # sequentially is several times faster than revisiting them kind by kind.
        observed_status = EvidenceStatus.OBSERVED
        position_of = self._position
        slots: dict[str, tuple[list[Evidence | None], list[bool], list[_Extractor]]] = {}
        duplicates: Counter[str] = Counter()
        orphans = 0
        for record in evidence:
            kind = record.kind
            slot = slots.get(kind)
            if slot is None:
                slot = slots[kind] = self._new_slot(kind, fields.get(kind, ()))
            records, observed, extractors = slot
            position = position_of.get(record.subject)
            if position is None:
                orphans += 1
            elif records[position] is not None:
                duplicates[kind] += 1  # the first record of a kind and subject counts
            else:
                records[position] = record
                if record.status is observed_status:
                    observed[position] = True
                    data = record.data
                    for name, path, column in extractors:
                        column[position] = data.get(name) if name is not None else field_value(data, path)
        for kind, count in sorted(duplicates.items()):
            self._problem(
                f"{count} extra {kind} record(s) for subjects that already had one; the first of each was used"
            )
        if orphans:
            self._problem(f"{orphans} evidence record(s) name subjects missing from the bundle and were ignored")

    def _new_slot(
        self, kind: str, paths: Collection[FieldPath]
    ) -> tuple[list[Evidence | None], list[bool], list[_Extractor]]:
        records = self._records[kind] = [None] * self._size
        observed = self._observed[kind] = [False] * self._size
        extractors = []
        for path in sorted(paths):
            column = self._values[(kind, path)] = [NOT_OBSERVED] * self._size
            extractors.append((path[0] if len(path) == 1 else None, path, column))
        return records, observed, extractors

    def _unique_subjects(self, subjects: tuple[Subject, ...]) -> list[Subject]:
        unique: dict[str, Subject] = {}
        for subject in subjects:
            if subject.id in unique:
                self._problem(
                    f"subject {subject.id} is listed twice in the bundle; the first entry was used", subject.id
                )
            else:
                unique[subject.id] = subject
        for source in sorted({subject.source for subject in unique.values()} - set(self.provides_by_source)):
            self._problem(
                f"subjects of source {source!r} have no run in the bundle, so no evidence about them was counted",
                hint="re-collect the evidence; the bundle may have been edited by hand",
            )
        return sorted(unique.values(), key=lambda subject: (subject.kind, subject.id))

    def _tables(self, subjects: list[Subject]) -> dict[str, SubjectTable]:
        tables: dict[str, SubjectTable] = {}
        group_of: dict[tuple[str, str, tuple[str, ...]], int] = {}
        for position, subject in enumerate(subjects):
            table = tables.get(subject.kind)
            if table is None:
                table = tables[subject.kind] = SubjectTable(subject.kind, start=position)
            group_key = (subject.kind, subject.source, subject.tags)
            group = group_of.get(group_key)
            if group is None:
                group = group_of[group_key] = len(table.group_keys)
                provides = self.provides_by_source.get(subject.source, frozenset())
                table.group_keys.append((provides, frozenset(subject.tags)))
            table.subjects.append(subject)
            table.ids.append(subject.id)
            table.groups.append(group)
        return tables

    def _problem(self, message: str, subject: str | None = None, hint: str | None = None) -> None:
        self.problems.append(
            Problem(severity="warning", source=PROBLEM_SOURCE, subject=subject, message=message, hint=hint)
        )
