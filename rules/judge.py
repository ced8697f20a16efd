"""One rule's verdict: its `when` over metric bounds, in Kleene logic, with the evidence behind it.

A leaf passes when its comparison holds for every value in [low, high], fails when it holds
for none, and is unknown otherwise: a rule is unknown only when the missing evidence could
change its outcome. An unbounded side (None) stands for -inf / +inf.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from rules.conditions import AllOf, AnyOf, Not, leaves
from rules.definitions import Elsewhere, MetricLeaf, RuleDef, WhenCondition
from rules.evidence_index import EvidenceIndex
from rules.evidence_refs import RefSource, collect_refs
from rules.explain import (
    LEAF_VERDICTS,
    describe_leaf,
    describe_leaf_in_words,
    describe_metric,
    floor_basis,
    insufficient_sample,
    not_provided,
    noun,
)
from rules.metrics import MetricOutcome, sample_size
from scanner.model import Outcome, RuleResult

_HOLDS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda value, threshold: value == threshold,
    "ne": lambda value, threshold: value != threshold,
    "gt": lambda value, threshold: value > threshold,
    "gte": lambda value, threshold: value >= threshold,
    "lt": lambda value, threshold: value < threshold,
    "lte": lambda value, threshold: value <= threshold,
}
_SWAP = {Outcome.PASS: Outcome.FAIL, Outcome.FAIL: Outcome.PASS}


def compare(op: str, low: float | None, high: float | None, threshold: float) -> Outcome:
    lo = -math.inf if low is None else low
    hi = math.inf if high is None else high
    if op in ("eq", "ne"):
        exact = lo == hi == threshold
        outside = threshold < lo or threshold > hi
        if exact or outside:
            return Outcome.PASS if exact == (op == "eq") else Outcome.FAIL
        return Outcome.UNKNOWN
    holds = _HOLDS[op]
    at_low, at_high = holds(lo, threshold), holds(hi, threshold)
    if at_low and at_high:
        return Outcome.PASS
    if not at_low and not at_high:
        return Outcome.FAIL
    return Outcome.UNKNOWN


def kleene_all(outcomes: list[Outcome]) -> Outcome:
    if Outcome.FAIL in outcomes:
        return Outcome.FAIL
    return Outcome.UNKNOWN if Outcome.UNKNOWN in outcomes else Outcome.PASS


def kleene_any(outcomes: list[Outcome]) -> Outcome:
    if Outcome.PASS in outcomes:
        return Outcome.PASS
    return Outcome.UNKNOWN if Outcome.UNKNOWN in outcomes else Outcome.FAIL


@dataclass
class _Verdict:
    outcome: Outcome
    text: str
    words: str = ""  # the applicable comparisons in plain words; "" where none applies
    supporting: list[RefSource] = field(default_factory=list)
    opposing: list[RefSource] = field(default_factory=list)
    missing: list[RefSource] = field(default_factory=list)
    not_provided: set[str] = field(default_factory=set)
    declared: str | None = None  # the declared fact the outcome rests on


_NONE = "none"


def _elsewhere(verdict: _Verdict, elsewhere: Elsewhere, declared: str | None) -> _Verdict:
    """Evidence that may live outside the sources: not found is unknown unless the config declares it.

    A declared tool counts as evidence (labelled declared); a declared "none" lets the
    evidence decide, and decides on its own where no source can look.
    """
    key = f"declared.{elsewhere.declare}"
    if declared is None:
        if verdict.outcome is not Outcome.FAIL:
            return verdict
        elsewhere_too = f"not found here, but it may live elsewhere: {elsewhere.hint}, or set {key}"
        words = f"{verdict.words}; {elsewhere_too}" if verdict.words else elsewhere_too
        return replace(verdict, outcome=Outcome.UNKNOWN, text=f"{verdict.text}; {elsewhere_too}", words=words)
    fact = f"{elsewhere.declare}: {declared}"
    if declared.lower() != _NONE:
        if verdict.outcome is Outcome.PASS:
            return verdict  # the evidence proves it; the declaration adds nothing
        text = f"declared ({key}: {declared})"
        return replace(verdict, outcome=Outcome.PASS, text=text, words=text, declared=fact)
    if verdict.outcome is Outcome.NOT_APPLICABLE:
        text = f"declared none ({key}: none)"
        return _Verdict(Outcome.FAIL, text, text, declared=fact)
    return replace(verdict, text=f"{verdict.text} (declared none: {key})", declared=fact)


def judge_rule(
    rule: RuleDef, metrics: Mapping[str, MetricOutcome], index: EvidenceIndex, declared: Mapping[str, str]
) -> RuleResult:
    judge = _Judge(metrics, index, several_leaves=len(leaves(rule.when)) > 1)
    verdict = judge.node(rule.when, flipped=False)
    if rule.elsewhere is not None:
        verdict = _elsewhere(verdict, rule.elsewhere, declared.get(rule.elsewhere.declare))
    values = tuple(metrics[name].value for name in rule.metric_names)
    result = partial(
        RuleResult,
        rule_id=rule.id,
        capability=rule.capability,
        stage=rule.stage,
        title=rule.title,
        remediation=rule.remediation,
        needs=rule.needs,
        metrics=values,
        beside=tuple(metrics[name].value for name in rule.beside),
        caps=rule.caps,
        key=rule.key,
    )
    if verdict.declared is not None:
        result = partial(result, declared=verdict.declared)
    if verdict.outcome is Outcome.NOT_APPLICABLE:
        decided_by = f"; decided by {rule.decided_by}" if rule.key else ""
        return result(
            outcome=verdict.outcome,
            explanation="not applicable: " + not_provided(verdict.not_provided) + decided_by,
        )
    supporting, supporting_total = collect_refs(verdict.supporting, index, observed=True)
    opposing, opposing_total = collect_refs(verdict.opposing, index, observed=True)
    missing, missing_total = collect_refs(verdict.missing, index, observed=False)
    shown = len(supporting) + len(opposing) + len(missing)
    return result(
        outcome=verdict.outcome,
        explanation=verdict.text,
        measured=verdict.words,
        supporting=tuple(supporting),
        opposing=tuple(opposing),
        missing=tuple(missing),
        evidence_omitted=supporting_total + opposing_total + missing_total - shown,
    )


@dataclass(frozen=True)
class _Judge:
    metrics: Mapping[str, MetricOutcome]
    index: EvidenceIndex
    several_leaves: bool

    def node(self, node: WhenCondition, flipped: bool) -> _Verdict:
        if isinstance(node, MetricLeaf):
            return self.leaf(node, flipped)
        if isinstance(node, Not):
            inner = self.node(node.item, not flipped)
            outcome = _SWAP.get(inner.outcome, inner.outcome)
            return _Verdict(
                outcome,
                f"not ({inner.text})",
                f"not ({inner.words})" if inner.words else "",
                inner.supporting,
                inner.opposing,
                inner.missing,
                inner.not_provided,
            )
        children = [self.node(item, flipped) for item in node.items]
        joined = ("; and " if isinstance(node, AllOf) else "; or ").join(
            f"({child.text})" if _nested(item) else child.text for child, item in zip(children, node.items, strict=True)
        )
        # leaves over kinds no configured source provides are dropped
        applicable = [child for child in children if child.outcome is not Outcome.NOT_APPLICABLE]
        if not applicable:
            return _Verdict(
                Outcome.NOT_APPLICABLE, joined, not_provided=set().union(*(c.not_provided for c in children))
            )
        outcomes = [child.outcome for child in applicable]
        # The same measure against the same threshold (a metric and its Git-host variant) is told once.
        told = list(dict.fromkeys(child.words for child in applicable))
        words = ("; and " if isinstance(node, AllOf) else "; or ").join(
            f"({text})" if len(told) > 1 and "; " in text else text for text in told
        )
        verdict = _Verdict(kleene_all(outcomes) if isinstance(node, AllOf) else kleene_any(outcomes), joined, words)
        for child in applicable:
            verdict.supporting += child.supporting
            verdict.opposing += child.opposing
            verdict.missing += child.missing
        return verdict

    def leaf(self, leaf: MetricLeaf, flipped: bool) -> _Verdict:
        assert leaf.threshold is not None, "params are resolved by build_ruleset"
        outcome = self.metrics[leaf.metric]
        metric = outcome.definition
        absent = metric.kinds - self.index.provided
        if absent:
            text = f"{describe_metric(metric)}: not applicable ({not_provided(absent)})"
            return _Verdict(Outcome.NOT_APPLICABLE, text, not_provided=set(absent))
        leaf, basis, uncounted = self.scaled(leaf)
        sample = sample_size(metric, outcome.value)
        if sample < metric.min_sample:  # too few subjects: a share or median of them says nothing either way
            result = Outcome.UNKNOWN
            words = insufficient_sample(metric, sample)
            text = f"{describe_metric(metric)}: unknown: {words}"
        else:
            assert leaf.threshold is not None
            result = compare(leaf.op, outcome.value.low, outcome.value.high, leaf.threshold)
            text = describe_leaf(leaf, metric, outcome.value, basis)
            words = describe_leaf_in_words(leaf, metric, outcome.value, basis)
            if uncounted and result is Outcome.PASS:  # more subjects, a higher floor: it may not be met
                result = Outcome.UNKNOWN
                text, words = f"{text}; {uncounted}", f"{words}; {uncounted}"
        if self.several_leaves:
            text += f" [{LEAF_VERDICTS[result]}]"
        speaks_for, speaks_against = _split(leaf, outcome)
        if flipped:
            speaks_for, speaks_against = speaks_against, speaks_for
        kinds = tuple(sorted(metric.kinds))
        return _Verdict(
            result,
            text,
            words,
            supporting=[RefSource(outcome.table, speaks_for, kinds)],
            opposing=[RefSource(outcome.table, speaks_against, kinds)],
            missing=[RefSource(outcome.table, outcome.unknown, kinds)],
        )

    def scaled(self, leaf: MetricLeaf) -> tuple[MetricLeaf, str, str]:
        """The leaf with its threshold for this scan, how a floor follows from the organization's size,
        and why that size is not known ("" when it is)."""
        if leaf.floor_of is None:
            return leaf, "", ""
        assert leaf.threshold is not None
        subjects = len(self.index.table(leaf.floor_of).ids)
        basis = floor_basis(leaf.threshold, subjects, leaf.floor_of)
        sources = sorted(self.index.unreached.get(leaf.floor_of, {}))
        uncounted = (
            f"the number of {noun(leaf.floor_of)} is not known: {', '.join(sources)} did not reach them all"
            if sources
            else ""
        )
        return replace(leaf, threshold=leaf.floor(subjects), floor_of=None), basis, uncounted


def _split(leaf: MetricLeaf, outcome: MetricOutcome) -> tuple[list[int], list[int]]:
    """Which counted subjects speak for the comparison and which against it."""
    assert leaf.threshold is not None
    if outcome.definition.form == "median_of":
        holds = _HOLDS[leaf.op]
        speaks_for = [
            p for p, value in zip(outcome.matched, outcome.values, strict=True) if holds(value, leaf.threshold)
        ]
        speaks_against = [
            p for p, value in zip(outcome.matched, outcome.values, strict=True) if not holds(value, leaf.threshold)
        ]
        return speaks_for, speaks_against
    # A matching subject raises a share or count: it speaks for "at least" comparisons and
    # against "at most" ones; `eq 0` and `ne` of a positive number want fewer matches.
    wants_more = (
        leaf.op in ("gt", "gte")
        or (leaf.op == "eq" and leaf.threshold > 0)
        or (leaf.op == "ne" and leaf.threshold <= 0)
    )
    return (outcome.matched, outcome.unmatched) if wants_more else (outcome.unmatched, outcome.matched)


def _nested(node: WhenCondition) -> bool:
    return isinstance(node, (AllOf, AnyOf))
