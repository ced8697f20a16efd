"""Rule outcomes over metric bounds, Kleene logic in `when`, explanations, evidence references,
scan metadata and determinism."""

from __future__ import annotations

import random
from datetime import datetime, timezone
from typing import Any

import pytest
from engine_fixtures import BundleMaker, RuleSetMaker, capability_doc, present, rule_doc

from rules.evaluate import evaluate
from rules.judge import compare
from rules.loader import RulePack, build_ruleset
from scanner.model import Assessment, EvidenceStatus, Outcome, RuleResult

CODEOWNERS = "ownership.codeowners"
PROTECTION = "vcs.branch_protection"
IAC = "iac.usage"
PASS, FAIL, UNKNOWN, NA = Outcome.PASS, Outcome.FAIL, Outcome.UNKNOWN, Outcome.NOT_APPLICABLE


def rule_result(assessment: Assessment, rule_id: str) -> RuleResult:
    return next(
        result for capability in assessment.capabilities for result in capability.rules if result.rule_id == rule_id
    )


def owners(name: str, evidence: Any, **extra: Any) -> dict[str, Any]:
    return {"name": name, "evidence": {CODEOWNERS: evidence}, **extra}


@pytest.mark.parametrize(
    ("op", "low", "high", "threshold", "expected"),
    [
        ("gte", 0.8, 0.8, 0.8, PASS),
        ("gte", 0.6, 0.9, 0.8, UNKNOWN),
        ("gte", 0.2, 0.79, 0.8, FAIL),
        ("gt", 0.0, 0.0, 0.0, FAIL),
        ("gt", 0.0, 0.1, 0.0, UNKNOWN),
        ("lte", 0.1, 0.2, 0.2, PASS),
        ("lte", 0.1, 0.3, 0.2, UNKNOWN),
        ("lt", 0.2, 0.3, 0.2, FAIL),
        ("eq", 1.0, 1.0, 1.0, PASS),
        ("eq", 0.5, 1.0, 1.0, UNKNOWN),
        ("eq", 2.0, 4.0, 3.0, UNKNOWN),  # 3 lies between the bounds: the unknowns could make it so
        ("eq", 0.5, 0.9, 1.0, FAIL),
        ("ne", 0.0, 0.0, 0.0, FAIL),
        ("ne", 0.0, 2.0, 0.0, UNKNOWN),
        ("ne", 1.0, 2.0, 0.0, PASS),
        ("gte", None, None, 0.5, UNKNOWN),  # a null metric decides nothing
        ("gte", None, 7.0, 6.0, UNKNOWN),  # an unbounded side: the median could be anything below 7
        ("gte", None, 5.0, 6.0, FAIL),
        ("gte", 7.0, None, 6.0, PASS),
        ("lt", 7.0, None, 6.0, FAIL),
    ],
)
def test_a_leaf_passes_at_both_bounds_fails_at_neither_and_is_unknown_between(
    op: str, low: float | None, high: float | None, threshold: float, expected: Outcome
) -> None:
    assert compare(op, low, high, threshold) is expected


def sample_bundle(bundle_of: BundleMaker, codeowners: list[Any], **sources: list[str]) -> Any:
    return bundle_of([owners(f"r{index}", value) for index, value in enumerate(codeowners)], sources=sources or None)


@pytest.mark.parametrize(
    ("codeowners", "expected"),
    [
        ([{"present": True}, {}, {}], FAIL),  # 0.33 < 0.5
        ([{"present": True}, {}, "unavailable"], UNKNOWN),  # 0.33..0.67 straddles 0.5
        ([{"present": True}, {"present": True}, "unavailable"], PASS),  # 0.67..1 >= 0.5
        ([{}, {}, {}, "unsupported"], FAIL),  # 0..0.25: the unknown cannot change it
    ],
)
def test_unknown_only_when_the_missing_evidence_could_change_the_outcome(
    codeowners: list[Any], expected: Outcome, sample_pack: RulePack, bundle_of: BundleMaker
) -> None:
    assessment = evaluate(sample_bundle(bundle_of, codeowners), build_ruleset([sample_pack]))
    assert rule_result(assessment, "governance.codeowners_common").outcome is expected


def test_not_applicable_when_no_configured_source_provides_the_kinds(
    sample_pack: RulePack, bundle_of: BundleMaker
) -> None:
    bundle = sample_bundle(bundle_of, [{"present": True}], test=[CODEOWNERS])
    result = rule_result(evaluate(bundle, build_ruleset([sample_pack])), "governance.branches_protected")
    assert result.outcome is NA
    assert result.explanation == "not applicable: no configured source provides vcs.branch_protection"
    assert (result.supporting, result.opposing, result.missing) == ((), (), ())


def test_explanation_states_the_condition_with_its_numbers(sample_pack: RulePack, bundle_of: BundleMaker) -> None:
    bundle = sample_bundle(bundle_of, [{"present": True}] * 8 + [{}] * 3 + ["unavailable"] * 2)
    result = rule_result(evaluate(bundle, build_ruleset([sample_pack])), "governance.codeowners_common")
    assert result.explanation == (
        "share of repositories with ownership.codeowners.present = true: 0.62–0.77 (8 of 13; 2 unknown)"
        " — needs ≥ 0.5 (codeowners_share_min)"
    )
    assert result.outcome is PASS
    assert [metric.name for metric in result.metrics] == ["codeowners_share"]


def test_the_measure_is_also_told_in_words(sample_pack: RulePack, bundle_of: BundleMaker) -> None:
    bundle = sample_bundle(bundle_of, [{"present": True}] * 8 + [{}] * 3 + ["unavailable"] * 2)
    result = rule_result(evaluate(bundle, build_ruleset([sample_pack])), "governance.codeowners_common")
    assert result.measured == "8 of 13 repositories (62%–77%; 2 of them unknown), needs at least 50%"
    everything_unknown = sample_bundle(bundle_of, ["unavailable"] * 3)
    result = rule_result(evaluate(everything_unknown, build_ruleset([sample_pack])), "governance.codeowners_common")
    assert result.measured == "unknown for all 3 repositories, needs at least 50%"


def test_params_come_from_the_pack_unless_the_config_overrides_them(
    sample_pack: RulePack, bundle_of: BundleMaker
) -> None:
    bundle = sample_bundle(bundle_of, [{"present": True}, {}, {}])
    default = evaluate(bundle, build_ruleset([sample_pack]))
    lowered = evaluate(bundle, build_ruleset([sample_pack], params={"codeowners_share_min": 0.3}))
    assert rule_result(default, "governance.codeowners_common").outcome is FAIL
    assert rule_result(lowered, "governance.codeowners_common").outcome is PASS
    assert "needs ≥ 0.3 (codeowners_share_min)" in rule_result(lowered, "governance.codeowners_common").explanation


def test_disabled_rules_are_not_evaluated(sample_pack: RulePack, bundle_of: BundleMaker) -> None:
    ruleset = build_ruleset([sample_pack], disabled=["governance.codeowners_common"])
    assessment = evaluate(sample_bundle(bundle_of, [{"present": True}]), ruleset)
    ids = [result.rule_id for capability in assessment.capabilities for result in capability.rules]
    assert "governance.codeowners_common" not in ids
    assert "governance.some_owners" in ids


# --- Kleene logic in `when` ---------------------------------------------------------------------

OWNED = {"share_of": "repository", "where": present(CODEOWNERS)}
PROTECTED = {"share_of": "repository", "where": {"kind": PROTECTION, "field": "enabled", "op": "eq", "value": True}}


def when_outcome(ruleset_of: RuleSetMaker, bundle: Any, when: dict[str, Any], needs: list[str]) -> RuleResult:
    rule = rule_doc("governance.combined", "defined", when, needs)
    ruleset = ruleset_of(capability_doc("governance", metrics={"owned": OWNED, "protected": PROTECTED}, rules=[rule]))
    return rule_result(evaluate(bundle, ruleset), "governance.combined")


OWNED_PASSES = {"metric": "owned", "op": "gte", "value": 0.5}  # owned share is 0.5..1: passes
OWNED_FAILS = {"metric": "owned", "op": "gte", "value": 1.5}
OWNED_UNKNOWN = {"metric": "owned", "op": "gte", "value": 0.75}
PROTECTED_LEAF = {"metric": "protected", "op": "gte", "value": 0.5}  # over a kind no source provides


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ({"all": [OWNED_PASSES, OWNED_UNKNOWN]}, UNKNOWN),
        ({"all": [OWNED_FAILS, OWNED_UNKNOWN]}, FAIL),  # false decides an all
        ({"any": [OWNED_PASSES, OWNED_UNKNOWN]}, PASS),  # true decides an any
        ({"any": [OWNED_FAILS, OWNED_UNKNOWN]}, UNKNOWN),
        ({"not": OWNED_PASSES}, FAIL),
        ({"not": OWNED_UNKNOWN}, UNKNOWN),
        ({"all": [OWNED_PASSES, PROTECTED_LEAF]}, PASS),  # the leaf nobody can decide is dropped
        ({"any": [OWNED_FAILS, PROTECTED_LEAF]}, FAIL),
        ({"all": [PROTECTED_LEAF, {"not": PROTECTED_LEAF}]}, NA),  # nothing left
    ],
)
def test_kleene_logic_in_when(
    when: dict[str, Any], expected: Outcome, ruleset_of: RuleSetMaker, bundle_of: BundleMaker
) -> None:
    bundle = sample_bundle(bundle_of, [{"present": True}, "unavailable"])
    needs = [kind for kind, metric in ((CODEOWNERS, "'owned'"), (PROTECTION, "'protected'")) if metric in str(when)]
    assert when_outcome(ruleset_of, bundle, when, needs).outcome is expected


def test_a_multi_leaf_explanation_tells_each_leafs_verdict(ruleset_of: RuleSetMaker, bundle_of: BundleMaker) -> None:
    bundle = sample_bundle(bundle_of, [{"present": True}, "unavailable"])
    result = when_outcome(ruleset_of, bundle, {"all": [OWNED_PASSES, PROTECTED_LEAF]}, [CODEOWNERS, PROTECTION])
    assert result.explanation == (
        "share of repositories with ownership.codeowners.present = true: 0.50–1.00 (1 of 2; 1 unknown) — needs ≥ 0.5 [holds]"
        "; and share of repositories with vcs.branch_protection.enabled = true: not applicable"
        " (no configured source provides vcs.branch_protection)"
    )
    # In words, only the comparison that applies is told.
    assert result.measured == "1 of 2 repositories (50%–100%; 1 of them unknown), needs at least 50%"


def test_several_applicable_leaves_in_words(ruleset_of: RuleSetMaker, bundle_of: BundleMaker) -> None:
    bundle = sample_bundle(bundle_of, [{"present": True}, {}])
    when = {"any": [OWNED_FAILS, {"all": [OWNED_PASSES, {"not": OWNED_FAILS}]}]}
    result = when_outcome(ruleset_of, bundle, when, [CODEOWNERS])
    assert result.measured == (
        "1 of 2 repositories (50%), needs at least 150%; or (1 of 2 repositories (50%), needs at least 50%;"
        " and not (1 of 2 repositories (50%), needs at least 150%))"
    )


# --- evidence references ------------------------------------------------------------------------


def test_evidence_refs_point_at_matching_failing_and_missing_records(
    sample_pack: RulePack, bundle_of: BundleMaker
) -> None:
    bundle = bundle_of(
        [
            owners("b", {"present": True}),
            owners("a", {"present": True}),
            owners("c", {}),
            owners("d", "unsupported"),
            {"name": "e"},
        ]
    )
    result = rule_result(evaluate(bundle, build_ruleset([sample_pack])), "governance.codeowners_common")
    assert [(ref.subject, ref.locators) for ref in result.supporting] == [
        ("test:a", ("a/ownership.codeowners",)),
        ("test:b", ("b/ownership.codeowners",)),
    ]
    assert [ref.subject for ref in result.opposing] == ["test:c"]
    assert [(ref.subject, ref.status, ref.reason) for ref in result.missing] == [
        ("test:d", EvidenceStatus.UNSUPPORTED, "unsupported: test"),
        (
            "test:e",
            EvidenceStatus.UNAVAILABLE,
            "no record was collected, although the subject's source provides this kind",
        ),
    ]
    assert result.evidence_omitted == 0


def test_evidence_refs_are_capped_with_the_rest_counted(sample_pack: RulePack, bundle_of: BundleMaker) -> None:
    bundle = sample_bundle(bundle_of, [{"present": True}] * 40 + [{}] * 30 + ["unavailable"] * 3)
    result = rule_result(evaluate(bundle, build_ruleset([sample_pack])), "governance.codeowners_common")
    assert (len(result.supporting), len(result.opposing), len(result.missing)) == (25, 25, 3)
    assert result.evidence_omitted == (40 - 25) + (30 - 25)
    assert [ref.subject for ref in result.supporting] == sorted(ref.subject for ref in result.supporting)


def test_an_at_most_comparison_counts_matching_subjects_against_it(
    ruleset_of: RuleSetMaker, bundle_of: BundleMaker
) -> None:
    bundle = sample_bundle(bundle_of, [{"present": True}, {}, {}])
    result = when_outcome(ruleset_of, bundle, {"metric": "owned", "op": "lte", "value": 0.5}, [CODEOWNERS])
    assert result.outcome is PASS
    assert [ref.subject for ref in result.supporting] == ["test:r1", "test:r2"]
    assert [ref.subject for ref in result.opposing] == ["test:r0"]
    negated = when_outcome(ruleset_of, bundle, {"not": {"metric": "owned", "op": "gte", "value": 0.5}}, [CODEOWNERS])
    assert [ref.subject for ref in negated.supporting] == ["test:r1", "test:r2"]


def test_a_median_rule_splits_subjects_by_the_threshold(sample_pack: RulePack, bundle_of: BundleMaker) -> None:
    def activity(name: str, weeks: int) -> dict[str, Any]:
        return {
            "name": name,
            "evidence": {"vcs.activity": {"window_days": 84, "commits": 1, "active_weeks": weeks, "authors": 1}},
        }

    bundle = bundle_of([activity("a", 9), activity("b", 2), activity("c", 7)])
    result = rule_result(evaluate(bundle, build_ruleset([sample_pack])), "provisioning.steadily_active")
    assert result.outcome is PASS
    assert (
        result.explanation
        == "median vcs.activity.active_weeks of repositories: 7 (3 values) — needs ≥ 6 (active_weeks_min)"
    )
    assert result.measured == "median 7 (over 3 repositories), needs at least 6"
    assert [ref.subject for ref in result.supporting] == ["test:a", "test:c"]
    assert [ref.subject for ref in result.opposing] == ["test:b"]


def test_refs_of_several_leaves_are_merged_once_per_record(sample_pack: RulePack, bundle_of: BundleMaker) -> None:
    bundle = bundle_of(
        [
            {
                "name": "infra",
                "evidence": {
                    IAC: {"present": True},
                    "ci.pipelines": {"applies_infrastructure": True},
                    "gitops.controllers": {},
                },
            },
            {"name": "lib", "evidence": {IAC: {}, "ci.pipelines": "unavailable", "gitops.controllers": {}}},
        ]
    )
    result = rule_result(evaluate(bundle, build_ruleset([sample_pack])), "provisioning.applied_automatically")
    supporting = [(ref.subject, ref.kind) for ref in result.supporting]
    assert supporting == sorted(set(supporting))
    assert ("test:infra", IAC) in supporting
    assert [(ref.subject, ref.kind) for ref in result.missing] == [("test:lib", "ci.pipelines")]


# --- the assessment as a whole --------------------------------------------------------------------


def test_scan_metadata_comes_from_the_bundle(sample_pack: RulePack, bundle_of: BundleMaker) -> None:
    bundle = bundle_of([owners("a", {"present": True}), {"name": "acme", "kind": "organization"}])
    early = bundle.sources[0].model_copy(
        update={"collector": "other", "started_at": datetime(2025, 12, 31, tzinfo=timezone.utc)}
    )
    bundle = bundle.model_copy(update={"sources": (*bundle.sources, early)})
    scan = evaluate(bundle, build_ruleset([sample_pack])).scan
    assert scan.started_at == datetime(2025, 12, 31, tzinfo=timezone.utc)
    assert scan.finished_at == bundle.created_at
    assert scan.subjects == {"organization": 1, "repository": 1}
    assert scan.evidence == 1
    assert scan.sources == bundle.sources
    assert [(pack.name, pack.version) for pack in scan.packs] == [("sample", "0.1.0")]
    assert scan.problems == ()


def test_a_bundle_without_sources_starts_and_ends_at_its_creation(
    sample_pack: RulePack, bundle_of: BundleMaker
) -> None:
    bundle = bundle_of([], sources={})
    scan = evaluate(bundle, build_ruleset([sample_pack])).scan
    assert scan.started_at == scan.finished_at == bundle.created_at


def test_inconsistent_bundles_become_problems_not_crashes(sample_pack: RulePack, bundle_of: BundleMaker) -> None:
    bundle = bundle_of([owners("a", {"present": True}), owners("b", {})])
    first = bundle.evidence[0]
    orphan = first.model_copy(update={"subject": "test:gone"})
    duplicate = first.model_copy(update={"data": {"present": False}})
    stranger = bundle.subjects[0].model_copy(update={"id": "elsewhere:x", "source": "elsewhere"})
    bundle = bundle.model_copy(
        update={
            "evidence": (*bundle.evidence, orphan, duplicate),
            "subjects": (*bundle.subjects, stranger, bundle.subjects[0]),
        }
    )
    assessment = evaluate(bundle, build_ruleset([sample_pack]))
    messages = [problem.message for problem in assessment.scan.problems]
    assert messages == [
        "subject test:a is listed twice in the bundle; the first entry was used",
        "subjects of source 'elsewhere' have no run in the bundle, so no evidence about them was counted",
        "1 extra ownership.codeowners record(s) for subjects that already had one; the first of each was used",
        "1 evidence record(s) name subjects missing from the bundle and were ignored",
    ]
    codeowners = next(metric for metric in assessment.metrics if metric.name == "codeowners_share")
    assert (codeowners.matched, codeowners.observed) == (1, 2)  # the first record of test:a counted


def test_the_assessment_is_ordered_and_deterministic(sample_pack: RulePack, bundle_of: BundleMaker) -> None:
    subjects = [
        {
            "name": f"r{index:02d}",
            "tags": ["platform"] if index % 3 == 0 else [],
            "evidence": {
                CODEOWNERS: {"present": index % 2 == 0} if index % 7 else "unavailable",
                IAC: {"present": index % 4 == 0},
                "vcs.activity": {"window_days": 84, "commits": index, "active_weeks": index % 12, "authors": 1},
            },
        }
        for index in range(60)
    ]
    ruleset = build_ruleset([sample_pack])
    first = evaluate(bundle_of(subjects), ruleset)
    random.Random(7).shuffle(subjects)
    shuffled = bundle_of(subjects)
    shuffled = shuffled.model_copy(
        update={"evidence": tuple(random.Random(3).sample(shuffled.evidence, len(shuffled.evidence)))}
    )
    assert evaluate(shuffled, ruleset).model_dump_json() == first.model_dump_json()

    assert [capability.capability.value for capability in first.capabilities] == [
        "governance",
        "provisioning",
        "measurement",
    ]
    for capability in first.capabilities:
        keys = [(result.stage.rank, result.rule_id) for result in capability.rules]
        assert keys == sorted(keys)
        for result in capability.rules:
            for refs in (result.supporting, result.opposing, result.missing):
                assert [(ref.subject, ref.kind) for ref in refs] == sorted((ref.subject, ref.kind) for ref in refs)
    assert [metric.name for metric in first.metrics] == sorted(metric.name for metric in first.metrics)


def test_not_inferable_criteria_are_carried_into_their_capability(
    sample_pack: RulePack, bundle_of: BundleMaker
) -> None:
    assessment = evaluate(bundle_of([]), build_ruleset([sample_pack]))
    measurement = assessment.capability("measurement")
    assert [(item.stage.value, item.criterion) for item in measurement.not_inferable] == [
        ("defined", "Feedback is gathered regularly")
    ]
    assert [item.criterion for item in assessment.capability("governance").not_inferable] == ["Predictive governance"]
    assert assessment.capability("provisioning").not_inferable == ()
