"""Readable sentences for metrics and rule conditions, with the numbers they were decided on.

e.g. "share of repositories with ownership.codeowners.present = true: 0.62–0.77 (8 of 13;
2 unknown) — needs ≥ 0.8 (codeowners_share_min)" for `pecm explain`, and the same in words for
people who never read the pack: "8 of 13 repositories (62%–77%; 2 of them unknown), needs at least 80%".
"""

from __future__ import annotations

from collections.abc import Collection

from rules.conditions import OP_SYMBOLS, describe_condition
from rules.definitions import MetricDef, MetricLeaf
from scanner.model import MetricValue, Outcome

_OP_WORDS = {"eq": "exactly", "ne": "anything but", "gt": "more than", "gte": "at least", "lt": "less than", "lte": "at most"}
LEAF_VERDICTS = {Outcome.PASS: "holds", Outcome.FAIL: "does not hold", Outcome.UNKNOWN: "unknown"}


def noun(subject_kind: str, count: int = 2) -> str:
    """A subject kind in words: `management_group` is "management group", two "management groups"."""
    words = subject_kind.replace("_", " ")
    if count == 1:
        return words
    return words[:-1] + "ies" if words.endswith("y") else words + "s"


def describe_metric(metric: MetricDef) -> str:
    subjects = noun(metric.subject_kind)
    if metric.among_tags:
        subjects += " tagged " + ", ".join(metric.among_tags)
    if metric.among_where is not None:
        subjects += f" where {describe_condition(metric.among_where)}"
    condition = f" with {describe_condition(metric.where)}" if metric.where is not None else ""
    if metric.form == "share_of":
        return f"share of {subjects}{condition}"
    if metric.form == "count_of":
        return f"number of {subjects}{condition}"
    assert metric.value is not None
    return f"median {metric.value.kind}.{metric.value.field} of {subjects}{condition}"


def describe_value(metric: MetricDef, value: MetricValue) -> str:
    described = _describe_counted(metric, value)
    if value.unreached:
        sources = ", ".join(value.unreached)
        described += f" + unknown: {sources} did not reach every {noun(metric.subject_kind, 1)}"
    return described


def _describe_counted(metric: MetricDef, value: MetricValue) -> str:
    unknown = f"; {value.unknown} unknown" if value.unknown else ""
    if metric.form == "share_of":
        if value.low is None or value.high is None:
            return f"none (no {noun(metric.subject_kind)} to measure)"
        counted = f"({value.matched} of {value.observed + value.unknown}{unknown})"
        if value.low == value.high:
            return f"{value.low:.2f} {counted}"
        return f"{value.low:.2f}–{value.high:.2f} {counted}"
    if metric.form == "count_of":
        if value.high is None:
            return f"at least {value.matched}"
        if not value.unknown:
            return str(value.matched)
        return f"{value.matched}–{value.matched + value.unknown} ({value.unknown} unknown)"
    counted = f"({value.matched} value{'s' if value.matched != 1 else ''}{unknown})"
    if value.low is None and value.high is None:
        return f"unknown {counted}" if value.unknown else "none (no values)"
    if value.low is None:
        return f"at most {number(value.high)} {counted}"
    if value.high is None:
        return f"at least {number(value.low)} {counted}"
    if value.low == value.high:
        return f"{number(value.low)} {counted}"
    return f"{number(value.low)}–{number(value.high)} {counted}"


def describe_leaf(leaf: MetricLeaf, metric: MetricDef, value: MetricValue, basis: str = "") -> str:
    """`basis`: how a floor follows from the organization's size (floor_basis), "" for a fixed threshold."""
    assert leaf.threshold is not None
    param = f" ({leaf.param}{': ' + basis if basis else ''})" if leaf.param else ""
    needs = f"needs {OP_SYMBOLS[leaf.op]} {number(leaf.threshold)}{param}"
    return f"{describe_metric(metric)}: {describe_value(metric, value)} — {needs}"


def describe_leaf_in_words(leaf: MetricLeaf, metric: MetricDef, value: MetricValue, basis: str = "") -> str:
    """The measured value against the threshold, without the pack's names or operators."""
    assert leaf.threshold is not None
    threshold = percent(leaf.threshold) if metric.form == "share_of" else number(leaf.threshold)
    scaled = f" ({basis})" if basis else ""
    return f"{_value_in_words(metric, value)}, needs {_OP_WORDS[leaf.op]} {threshold}{scaled}"


def floor_basis(share: float, subjects: int, subject_kind: str) -> str:
    """How a floor follows from the organization's size: "5% of the 40 repositories"."""
    return f"{number(share * 100)}% of the {subjects} {noun(subject_kind, subjects)}"


def _value_in_words(metric: MetricDef, value: MetricValue) -> str:
    unknown = f"{value.unknown} of them unknown" if value.unknown else ""
    if metric.form == "share_of":
        total = value.observed + value.unknown
        if not total:
            return f"no {_subjects(metric, 2)} to measure"
        if not value.observed:
            return _all_unknown(metric, total)
        share = percent(value.matched / total)
        if not value.unknown:
            return f"{value.matched} of {total} {_subjects(metric, total)} ({share})"
        # A range: each unknown subject could count either way.
        most = percent((value.matched + value.unknown) / total)
        return f"{value.matched} of {total} {_subjects(metric, total)} ({share}–{most}; {unknown})"
    if metric.form == "count_of":
        more = f", {value.unknown} more unknown" if value.unknown else ""
        return f"{value.matched} {_subjects(metric, value.matched)}{more}"
    counted = value.matched + value.unknown
    if not counted:
        return f"no {_subjects(metric, 2)} to measure"
    if not value.matched:
        return _all_unknown(metric, counted)
    over = f"over {counted} {_subjects(metric, counted)}" + (f", {unknown}" if unknown else "")
    if value.low is None or value.high is None:
        return f"median unknown ({over})"
    if value.low == value.high:
        return f"median {number(value.low)} ({over})"
    return f"median between {number(value.low)} and {number(value.high)} ({over})"


def _all_unknown(metric: MetricDef, count: int) -> str:
    return f"unknown for all {count} {_subjects(metric, count)}" if count > 1 else f"unknown for the 1 {_subjects(metric, 1)}"


def _subjects(metric: MetricDef, count: int) -> str:
    """`repositories`, `1 platform repository`: the subjects a metric counts, tags first."""
    return " ".join((*metric.among_tags, noun(metric.subject_kind, count)))


def percent(share: float) -> str:
    return f"{round(share * 100)}%"


def insufficient_sample(metric: MetricDef, sample: int) -> str:
    tagged = f" tagged {', '.join(metric.among_tags)}" if metric.among_tags else ""
    needed = f"{number(metric.min_sample)} {noun(metric.subject_kind)}{tagged}"
    return f"insufficient sample ({sample} of the {needed} needed)"


def not_provided(kinds: Collection[str]) -> str:
    return "no configured source provides " + ", ".join(sorted(kinds))


def number(value: float | None) -> str:
    if value is None:
        return "none"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")
