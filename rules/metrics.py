"""Organization-wide metrics, computed once per scan with three-valued logic per subject.

For each subject a condition is true, false or unknown (the evidence it reads was not
observed). A metric keeps, besides its [low, high] bounds, which subjects matched, did not,
or were unknown, so that rules can point at the evidence behind their verdicts.

Truth values are the ints FALSE < UNKNOWN < TRUE, so that Kleene's `all` is `min`, `any` is
`max` and `not` is `TRUE - x`: whole columns combine at C speed through `map`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import compress
from typing import Any

from rules.conditions import AllOf, EvidenceCondition, EvidenceLeaf, FieldRef, Not, leaves
from rules.definitions import MetricDef
from rules.evidence_index import NOT_OBSERVED, EvidenceIndex, FieldPath, SubjectTable
from scanner.model import MetricValue

FALSE, UNKNOWN, TRUE = 0, 1, 2
Column = list[int]  # one truth value per subject of a table, in table order


@dataclass(frozen=True)
class MetricOutcome:
    definition: MetricDef
    value: MetricValue
    table: SubjectTable
    matched: list[int]  # table positions: condition true; for median_of, included with a known value
    unmatched: list[int]  # condition false; for median_of, excluded (filtered out or no value)
    unknown: list[int]
    values: list[float]  # median_of only: the values of `matched`, position by position


class MetricEngine:
    """Computes metrics over one index, sharing condition columns between metrics."""

    def __init__(self, index: EvidenceIndex) -> None:
        self._index = index
        self._columns: dict[tuple[str, EvidenceCondition], Column] = {}
        self._populations: dict[tuple[str, tuple[str, ...], frozenset[str]], list[int]] = {}

    def compute(self, metric: MetricDef) -> MetricOutcome:
        table = self._index.table(metric.subject_kind)
        population, maybe = self._about(table, metric)
        if metric.form == "median_of":
            outcome = self._median(metric, table, population)
        else:
            outcome = self._tally(metric, table, population)
        if not maybe:
            return outcome
        return _with_maybe_members(outcome, maybe)

    def _about(self, table: SubjectTable, metric: MetricDef) -> tuple[list[int], list[int]]:
        """(the subjects the metric is about, those it may be about: `among.where` unknown)."""
        population = self._population(table, metric)
        if metric.among_where is None:
            return population, []
        column = self._column(metric.among_where, table.kind)
        return [p for p in population if column[p] == TRUE], [p for p in population if column[p] == UNKNOWN]

    def _tally(self, metric: MetricDef, table: SubjectTable, population: list[int]) -> MetricOutcome:
        if metric.where is None:
            matched, unmatched, unknown = population, [], []
        else:
            column = self._column(metric.where, table.kind)
            truths = column if len(population) == len(column) else list(map(column.__getitem__, population))
            matched = list(compress(population, map(TRUE.__eq__, truths)))
            unknown = list(compress(population, map(UNKNOWN.__eq__, truths)))
            unmatched = list(compress(population, map(FALSE.__eq__, truths)))
        hits, open_ = len(matched), len(unknown)
        unreached = self._unreached(metric)
        if metric.form == "count_of":
            low: float | None = hits
            high: float | None = None if unreached else hits + open_  # any number more may exist
        elif unreached:
            low, high = 0.0, 1.0  # as many more unknown subjects as it takes either way
        elif population:
            low, high = hits / len(population), (hits + open_) / len(population)
        else:
            low = high = None  # a share of nothing is no share at all
        value = MetricValue(
            name=metric.name,
            low=low,
            high=high,
            matched=hits,
            observed=hits + len(unmatched),
            unknown=open_,
            unreached=unreached,
        )
        return MetricOutcome(metric, value, table, matched, unmatched, unknown, [])

    def _unreached(self, metric: MetricDef) -> tuple[str, ...]:
        """Sources whose subjects of the metric's kind would have counted, but that did not reach them all."""
        sources = self._index.unreached.get(metric.subject_kind, {})
        return tuple(sorted(source for source, provides in sources.items() if metric.kinds <= provides))

    def _population(self, table: SubjectTable, metric: MetricDef) -> list[int]:
        """Subjects of the metric's kind and tags whose source provides every kind it reads."""
        key = (table.kind, metric.among_tags, metric.kinds)
        population = self._populations.get(key)
        if population is None:
            kinds, tags = metric.kinds, frozenset(metric.among_tags)
            counted = [kinds <= provides and tags <= subject_tags for provides, subject_tags in table.group_keys]
            everyone = range(len(table.ids))
            population = (
                list(everyone) if all(counted) else list(compress(everyone, map(counted.__getitem__, table.groups)))
            )
            self._populations[key] = population
        return population

    def _column(self, node: EvidenceCondition, subject_kind: str) -> Column:
        key = (subject_kind, node)
        column = self._columns.get(key)
        if column is None:
            column = self._evaluate(node, subject_kind)
            self._columns[key] = column
        return column

    def _evaluate(self, node: EvidenceCondition, subject_kind: str) -> Column:
        if isinstance(node, EvidenceLeaf):
            return _leaf_column(node, self._index.values(node.kind, node.path, subject_kind))
        if isinstance(node, Not):
            return [TRUE - truth for truth in self._column(node.item, subject_kind)]
        columns = [self._column(item, subject_kind) for item in node.items]
        if len(columns) == 1:
            return columns[0]
        return list(map(min if isinstance(node, AllOf) else max, *columns))

    def _median(self, metric: MetricDef, table: SubjectTable, population: list[int]) -> MetricOutcome:
        assert metric.value is not None
        where = self._column(metric.where, table.kind) if metric.where is not None else None
        found_values = self._index.values(metric.value.kind, metric.value.path, table.kind)
        matched: list[int] = []
        values: list[float] = []
        unmatched: list[int] = []
        unknown: list[int] = []
        for position in population:
            included = TRUE if where is None else where[position]
            found = found_values[position]
            if included == FALSE:
                unmatched.append(position)
            elif included == UNKNOWN or found is NOT_OBSERVED:
                unknown.append(position)  # whether it counts, or with what value, is not known
            elif found.__class__ is int or found.__class__ is float:
                matched.append(position)
                values.append(found)
            else:
                unmatched.append(position)  # observed, but without a value to count
        unreached = self._unreached(metric)
        low, high = (None, None) if unreached else median_bounds(values, len(unknown))
        value = MetricValue(
            name=metric.name,
            low=low,
            high=high,
            matched=len(matched),
            observed=len(matched) + len(unmatched),
            unknown=len(unknown),
            unreached=unreached,
        )
        return MetricOutcome(metric, value, table, matched, unmatched, unknown, values)


def _with_maybe_members(outcome: MetricOutcome, maybe: list[int]) -> MetricOutcome:
    """Subjects that may or may not belong count as unknown: in the denominator at both bounds,
    matching at the high one. The bounds only widen, so the true value stays inside them."""
    unknown = sorted(outcome.unknown + maybe)
    metric, value = outcome.definition, outcome.value
    if metric.form == "median_of":
        low, high = median_bounds(outcome.values, len(unknown))
    elif metric.form == "count_of":
        low, high = value.matched, value.matched + len(unknown)
    else:
        total = value.observed + len(unknown)
        low, high = value.matched / total, (value.matched + len(unknown)) / total
    widened = replace(value, low=low, high=high, unknown=len(unknown))
    return MetricOutcome(metric, widened, outcome.table, outcome.matched, outcome.unmatched, unknown, outcome.values)


def sample_size(metric: MetricDef, value: MetricValue) -> int:
    """The subjects a share or median rests on, known or not (a count has no sample)."""
    if metric.form == "median_of":
        return value.matched + value.unknown
    return value.observed + value.unknown


def fields_read(metrics: Iterable[MetricDef]) -> dict[str, set[FieldPath]]:
    """Per evidence kind, the field paths the metrics read (what the index copies out)."""
    fields: dict[str, set[FieldPath]] = {}
    for metric in metrics:
        refs: list[EvidenceLeaf | FieldRef] = leaves(metric.where) if metric.where is not None else []
        if metric.among_where is not None:
            refs += leaves(metric.among_where)
        if metric.value is not None:
            refs.append(metric.value)
        for ref in refs:
            fields.setdefault(ref.kind, set()).add(ref.path)
    return fields


def _leaf_column(leaf: EvidenceLeaf, values: list[Any]) -> Column:
    test, value = leaf.test, leaf.value
    if leaf.op == "exists":  # the one operator for which null is an answer
        return [UNKNOWN if found is NOT_OBSERVED else TRUE if test(found) else FALSE for found in values]
    # Elsewhere null means the source did not say (a setting the token may not see): unknown, not false.
    if leaf.op == "eq":  # the most common leaf, inlined: no call per subject
        return [
            UNKNOWN if found is NOT_OBSERVED or found is None else TRUE if found == value else FALSE for found in values
        ]
    return [UNKNOWN if found is NOT_OBSERVED or found is None else TRUE if test(found) else FALSE for found in values]


def median_bounds(values: Sequence[float], unknown: int) -> tuple[float | None, float | None]:
    """The median with every unknown value lowest (low) and highest (high).

    An unknown value may be anything, so a bound the unknowns decide is unbounded: None.
    """
    known = sorted(values)
    total = len(known) + unknown
    if total == 0:
        return None, None
    middle = ((total - 1) // 2, total // 2)
    low = [(-math.inf if index < unknown else known[index - unknown]) for index in middle]
    high = [(known[index] if index < len(known) else math.inf) for index in middle]
    return _finite((low[0] + low[1]) / 2), _finite((high[0] + high[1]) / 2)


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None
