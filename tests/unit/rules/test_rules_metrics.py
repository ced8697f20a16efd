"""Metrics: computed once per scan, three-valued per subject, with [low, high] bounds."""

from __future__ import annotations

from typing import Any

import pytest
from engine_fixtures import BundleMaker, RuleSetMaker, capability_doc, present, rule_doc

from rules.evaluate import evaluate
from rules.metrics import median_bounds
from scanner.model import MetricValue

CODEOWNERS = "ownership.codeowners"
PROTECTION = "vcs.branch_protection"


def metric_values(ruleset_of: RuleSetMaker, bundle: Any, **metrics: dict[str, Any]) -> dict[str, MetricValue]:
    ruleset = ruleset_of(capability_doc("governance", metrics=metrics))
    return {value.name: value for value in evaluate(bundle, ruleset).metrics}


def owners(name: str, evidence: Any, **extra: Any) -> dict[str, Any]:
    return {"name": name, "evidence": {CODEOWNERS: evidence}, **extra}


def test_a_share_counts_unknown_subjects_against_in_low_and_in_favour_in_high(
    ruleset_of: RuleSetMaker, bundle_of: BundleMaker
) -> None:
    bundle = bundle_of(
        [owners("a", {"present": True}), owners("b", {}), owners("c", "unavailable"), owners("d", "unsupported")]
    )
    values = metric_values(ruleset_of, bundle, owned={"share_of": "repository", "where": present(CODEOWNERS)})
    assert values["owned"] == MetricValue(name="owned", low=0.25, high=0.75, matched=1, observed=2, unknown=2)


def test_a_missing_record_is_unknown_when_the_subjects_source_provides_the_kind(
    ruleset_of: RuleSetMaker, bundle_of: BundleMaker
) -> None:
    bundle = bundle_of([owners("a", {"present": True}), {"name": "b"}], sources={"test": [CODEOWNERS]})
    values = metric_values(ruleset_of, bundle, owned={"share_of": "repository", "where": present(CODEOWNERS)})
    assert (values["owned"].low, values["owned"].high, values["owned"].unknown) == (0.5, 1.0, 1)


def test_subjects_whose_source_does_not_provide_the_kind_are_left_out(
    ruleset_of: RuleSetMaker, bundle_of: BundleMaker
) -> None:
    bundle = bundle_of(
        [
            {"name": "a", "source": "github", "evidence": {PROTECTION: {"enabled": True}}},
            {"name": "b", "source": "github", "evidence": {PROTECTION: {"enabled": False}}},
            {"name": "c", "source": "local"},
        ],
        sources={"github": [PROTECTION], "local": [CODEOWNERS]},
    )
    where = {"kind": PROTECTION, "field": "enabled", "op": "eq", "value": True}
    values = metric_values(ruleset_of, bundle, protected={"share_of": "repository", "where": where})
    assert values["protected"] == MetricValue(name="protected", low=0.5, high=0.5, matched=1, observed=2, unknown=0)


def test_a_share_of_no_subjects_is_null_and_a_count_of_none_is_zero(
    ruleset_of: RuleSetMaker, bundle_of: BundleMaker
) -> None:
    bundle = bundle_of([], sources={"test": [CODEOWNERS]})
    values = metric_values(
        ruleset_of,
        bundle,
        owned={"share_of": "repository", "where": present(CODEOWNERS)},
        owned_count={"count_of": "repository", "where": present(CODEOWNERS)},
    )
    assert (values["owned"].low, values["owned"].high) == (None, None)
    assert (values["owned_count"].low, values["owned_count"].high) == (0, 0)


def test_among_tags_keeps_only_subjects_with_every_tag(ruleset_of: RuleSetMaker, bundle_of: BundleMaker) -> None:
    bundle = bundle_of(
        [
            owners("a", {"present": True}, tags=["platform", "core"]),
            owners("b", {}, tags=["platform"]),
            owners("c", {}, tags=["platform", "core"]),
            owners("d", {"present": True}),
        ]
    )
    values = metric_values(
        ruleset_of,
        bundle,
        platform=({"share_of": "repository", "among": {"tags": ["platform"]}, "where": present(CODEOWNERS)}),
        core=({"share_of": "repository", "among": {"tags": ["core", "platform"]}, "where": present(CODEOWNERS)}),
    )
    assert (values["platform"].matched, values["platform"].observed) == (1, 3)
    assert (values["core"].matched, values["core"].observed) == (1, 2)


def test_count_of_without_where_counts_every_subject_of_its_kind(
    ruleset_of: RuleSetMaker, bundle_of: BundleMaker
) -> None:
    bundle = bundle_of([{"name": "a"}, {"name": "b"}, {"name": "acme", "kind": "organization"}], sources={"test": []})
    values = metric_values(
        ruleset_of, bundle, repositories={"count_of": "repository"}, organizations={"count_of": "organization"}
    )
    assert (values["repositories"].low, values["organizations"].low) == (2, 1)


def activity(name: str, weeks: int | str, **extra: Any) -> dict[str, Any]:
    data = (
        weeks if isinstance(weeks, str) else {"window_days": 84, "commits": weeks, "active_weeks": weeks, "authors": 1}
    )
    return {"name": name, "evidence": {"vcs.activity": data, **extra}}


MEDIAN_WEEKS = {"median_of": "repository", "value": {"kind": "vcs.activity", "field": "active_weeks"}}


def test_median_of_observed_values(ruleset_of: RuleSetMaker, bundle_of: BundleMaker) -> None:
    odd = bundle_of([activity("a", 9), activity("b", 1), activity("c", 4)])
    even = bundle_of([activity("a", 9), activity("b", 1), activity("c", 4), activity("d", 6)])
    assert metric_values(ruleset_of, odd, weeks=MEDIAN_WEEKS)["weeks"].low == 4
    assert metric_values(ruleset_of, even, weeks=MEDIAN_WEEKS)["weeks"] == MetricValue(
        name="weeks", low=5.0, high=5.0, matched=4, observed=4, unknown=0
    )


def test_median_bounds_widen_with_unknown_values(ruleset_of: RuleSetMaker, bundle_of: BundleMaker) -> None:
    bundle = bundle_of([activity("a", 2), activity("b", 4), activity("c", 6), activity("d", "unavailable")])
    assert metric_values(ruleset_of, bundle, weeks=MEDIAN_WEEKS)["weeks"] == MetricValue(
        name="weeks", low=3.0, high=5.0, matched=3, observed=3, unknown=1
    )


def test_median_where_filters_subjects_and_an_unknown_filter_makes_the_value_unknown(
    ruleset_of: RuleSetMaker, bundle_of: BundleMaker
) -> None:
    bundle = bundle_of(
        [
            activity("a", 2, **{CODEOWNERS: {"present": True}}),
            activity("b", 8, **{CODEOWNERS: {"present": True}}),
            activity("c", 50, **{CODEOWNERS: {}}),
            activity("d", 60, **{CODEOWNERS: "unavailable"}),
        ]
    )
    values = metric_values(ruleset_of, bundle, weeks={**MEDIAN_WEEKS, "where": present(CODEOWNERS)})
    assert values["weeks"] == MetricValue(name="weeks", low=2.0, high=8.0, matched=2, observed=3, unknown=1)


@pytest.mark.parametrize(
    ("values", "unknown", "bounds"),
    [
        ([], 0, (None, None)),
        ([], 2, (None, None)),
        ([3], 0, (3, 3)),
        ([1, 2, 3], 1, (1.5, 2.5)),
        ([1, 2, 3], 3, (None, None)),  # the unknowns decide both bounds
        ([5, 1, 3, 7, 9], 2, (3, 7)),
        ([1, 2], 2, (None, None)),
        ([1, 2, 4], 2, (1, 4)),
        ([10, 20], 1, (10, 20)),
    ],
)
def test_median_bounds(values: list[float], unknown: int, bounds: tuple[float | None, float | None]) -> None:
    assert median_bounds(values, unknown) == bounds


ENABLED = {"kind": PROTECTION, "field": "enabled", "op": "eq", "value": True}


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        # a: codeowners true, protection unavailable; b: codeowners false, protection unavailable
        ({"all": [present(CODEOWNERS), ENABLED]}, (0, 1)),  # a: true and unknown; b: false decides
        ({"any": [present(CODEOWNERS), ENABLED]}, (1, 1)),  # a: true decides; b: false or unknown
        ({"all": [{"not": present(CODEOWNERS)}, {"any": [present(CODEOWNERS), {"not": ENABLED}]}]}, (0, 1)),
        ({"not": ENABLED}, (0, 2)),
        ({"not": present(CODEOWNERS)}, (1, 0)),
    ],
)
def test_kleene_logic_in_where(
    where: dict[str, Any], expected: tuple[int, int], ruleset_of: RuleSetMaker, bundle_of: BundleMaker
) -> None:
    bundle = bundle_of(
        [
            {"name": "a", "evidence": {CODEOWNERS: {"present": True}, PROTECTION: "unavailable"}},
            {"name": "b", "evidence": {CODEOWNERS: {}, PROTECTION: "unavailable"}},
        ]
    )
    value = metric_values(ruleset_of, bundle, m={"count_of": "repository", "where": where})["m"]
    assert (value.matched, value.unknown) == expected


IAC = "iac.usage"
ACTIVITY = "vcs.activity"


@pytest.mark.parametrize(
    ("where", "matching"),
    [
        ({"kind": IAC, "field": "tools", "op": "contains", "value": "helm"}, ["b"]),
        ({"kind": IAC, "field": "tools", "op": "eq", "value": ["terraform"]}, ["a"]),
        ({"kind": IAC, "field": "module_refs", "op": "ne", "value": []}, ["b"]),
        ({"kind": ACTIVITY, "field": "head_commit", "op": "in", "value": ["abc123", "fff"]}, ["a"]),
        ({"kind": ACTIVITY, "field": "head_commit", "op": "matches", "value": "^[0-9a-f]+$"}, ["a", "b"]),
        ({"kind": ACTIVITY, "field": "head_commit", "op": "contains", "value": "de"}, ["b"]),
        ({"kind": ACTIVITY, "field": "last_commit_at", "op": "exists", "value": True}, ["a"]),
        ({"kind": ACTIVITY, "field": "last_commit_at", "op": "exists", "value": False}, ["b", "c"]),
        ({"kind": ACTIVITY, "field": "commits", "op": "gt", "value": 5}, ["b"]),
        ({"kind": ACTIVITY, "field": "commits", "op": "lte", "value": 5}, ["a", "c"]),
        ({"kind": ACTIVITY, "field": "authors", "op": "lt", "value": 1.5}, ["a", "b"]),
        ({"kind": ACTIVITY, "field": "last_commit_at", "op": "eq", "value": None}, []),  # null: unknown
    ],
)
def test_operators(
    where: dict[str, Any], matching: list[str], ruleset_of: RuleSetMaker, bundle_of: BundleMaker
) -> None:
    def repo(
        name: str, tools: list[str], refs: list[str], head: str | None, last: str | None, commits: int, authors: int
    ) -> Any:
        data = {
            "window_days": 84,
            "head_commit": head,
            "last_commit_at": last,
            "commits": commits,
            "active_weeks": 1,
            "authors": authors,
        }
        return {
            "name": name,
            "evidence": {IAC: {"present": bool(tools), "tools": tools, "module_refs": refs}, ACTIVITY: data},
        }

    bundle = bundle_of(
        [
            repo("a", ["terraform"], [], "abc123", "2026-01-01T00:00:00Z", 5, 1),
            repo("b", ["helm", "terraform"], ["git::x"], "deadbeef", None, 6, 1),
            repo("c", [], [], "not-a-sha", None, 0, 2),
        ]
    )
    metric = {"count_of": "repository", "where": where}
    rule = rule_doc("governance.any_count", "repeatable", {"metric": "m", "op": "gte", "value": 0}, [where["kind"]])
    result = (
        evaluate(bundle, ruleset_of(capability_doc("governance", metrics={"m": metric}, rules=[rule])))
        .capabilities[0]
        .rules[0]
    )
    assert [ref.subject for ref in result.supporting] == [f"test:{name}" for name in matching]


def test_a_null_field_is_unknown_for_every_operator_but_exists(
    ruleset_of: RuleSetMaker, bundle_of: BundleMaker
) -> None:
    """A Git host reports None for settings the token may not see: that must not count as 'off'."""
    activity = {"window_days": 84, "commits": 1, "active_weeks": 1, "authors": 1}
    bundle = bundle_of(
        [
            {"name": "seen", "evidence": {ACTIVITY: {**activity, "head_commit": "abc"}}},
            {"name": "hidden", "evidence": {ACTIVITY: {**activity, "head_commit": None}}},
        ]
    )
    values = metric_values(
        ruleset_of,
        bundle,
        named={"share_of": "repository", "where": {"kind": ACTIVITY, "field": "head_commit", "op": "ne", "value": "x"}},
        present={"share_of": "repository", "where": {"kind": ACTIVITY, "field": "head_commit", "op": "exists", "value": True}},
    )
    assert values["named"] == MetricValue(name="named", low=0.5, high=1.0, matched=1, observed=1, unknown=1)
    assert values["present"] == MetricValue(name="present", low=0.5, high=0.5, matched=1, observed=2, unknown=0)


def test_subjects_of_other_kinds_neither_count_nor_shift_the_columns(
    ruleset_of: RuleSetMaker, bundle_of: BundleMaker
) -> None:
    # organizations sort before repositories: the repositories' columns start further in
    bundle = bundle_of(
        [
            {"name": "acme", "kind": "organization"},
            {"name": "beta", "kind": "organization"},
            owners("a", {}),
            owners("b", {"present": True}),
            owners("c", {"present": True}),
        ]
    )
    values = metric_values(ruleset_of, bundle, owned={"share_of": "repository", "where": present(CODEOWNERS)})
    assert values["owned"] == MetricValue(name="owned", low=2 / 3, high=2 / 3, matched=2, observed=3, unknown=0)


def test_among_where_narrows_a_share_to_the_subjects_it_is_about(ruleset_of: RuleSetMaker, bundle_of: BundleMaker) -> None:
    deploys = {"kind": "ci.pipelines", "field": "deploys", "op": "eq", "value": True}
    iac = present("iac.usage")
    pipeline = {"present": True, "deploys": True}
    bundle = bundle_of(
        [
            {"name": "a", "evidence": {"ci.pipelines": pipeline, "iac.usage": {"present": True}}},
            {"name": "b", "evidence": {"ci.pipelines": pipeline, "iac.usage": {}}},
            {"name": "lib", "evidence": {"ci.pipelines": {"present": True}, "iac.usage": {}}},  # deploys nothing
            {"name": "c", "evidence": {"ci.pipelines": "unavailable", "iac.usage": {}}},  # may or may not deploy
        ]
    )
    metric = {"share_of": "repository", "among": {"where": deploys}, "where": iac}
    value = metric_values(ruleset_of, bundle, iac_share=metric)["iac_share"]
    # a and b deploy (1 of 2 has IaC); c may deploy: unknown, in the denominator at both bounds
    assert (value.low, value.high, value.matched, value.observed, value.unknown) == (1 / 3, 2 / 3, 1, 2, 1)
