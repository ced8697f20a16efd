"""Subject kinds in the words explanations use: every kind, one and several."""

from __future__ import annotations

from typing import get_args

import pytest

from rules.conditions import evidence_leaf
from rules.definitions import MetricDef, MetricLeaf
from rules.explain import describe_leaf_in_words, describe_value, insufficient_sample, noun
from scanner.model import MetricValue, SubjectKind

WORDS = {
    "organization": ("organization", "organizations"),
    "group": ("group", "groups"),
    "repository": ("repository", "repositories"),
    "cluster": ("cluster", "clusters"),
    "namespace": ("namespace", "namespaces"),
    "subscription": ("subscription", "subscriptions"),
    "management_group": ("management group", "management groups"),
    "billing_account": ("billing account", "billing accounts"),
}


def test_every_subject_kind_has_its_words() -> None:
    assert set(WORDS) == set(get_args(SubjectKind))


@pytest.mark.parametrize("kind", sorted(WORDS))
def test_a_subject_kind_is_worded_in_the_singular_and_the_plural(kind: str) -> None:
    one, several = WORDS[kind]
    assert (noun(kind, 1), noun(kind, 2), noun(kind)) == (one, several, several)


def _share_of(kind: str) -> MetricDef:
    return MetricDef(
        name="m",
        form="share_of",
        subject_kind=kind,
        among_tags=(),
        where=evidence_leaf("cloud.policy_assignments", "enforced", "gt", 0),
        value=None,
        kinds=frozenset({"cloud.policy_assignments"}),
        source="test",
        min_sample=5,
    )


def test_explanations_word_management_groups_as_people_say_it() -> None:
    metric = _share_of("management_group")
    leaf = MetricLeaf(metric="m", op="gte", threshold=0.5)
    two = MetricValue(name="m", low=0.5, high=0.5, matched=1, observed=2, unknown=0)
    one = MetricValue(name="m", low=1.0, high=1.0, matched=1, observed=1, unknown=0, unreached=("azure",))
    assert describe_leaf_in_words(leaf, metric, two) == "1 of 2 management groups (50%), needs at least 50%"
    assert insufficient_sample(metric, 2) == "insufficient sample (2 of the 5 management groups needed)"
    assert describe_value(metric, one).endswith("azure did not reach every management group")
