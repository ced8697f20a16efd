"""The stage walk: cumulative stages, ceiling, confidence, blockers."""

from __future__ import annotations

from typing import Any

import pytest
from engine_fixtures import BundleMaker

from rules.evaluate import evaluate
from rules.loader import RulePack, build_ruleset
from rules.stages import StageVerdict, walk_stages
from scanner.model import Capability, NotInferable, Outcome, RuleResult, Stage

PASS, FAIL, UNKNOWN, NA = Outcome.PASS, Outcome.FAIL, Outcome.UNKNOWN, Outcome.NOT_APPLICABLE
R, D, M, OPT = Stage.REPEATABLE, Stage.DEFINED, Stage.MANAGED, Stage.OPTIMIZING


def results(*rules: tuple[Stage, Outcome]) -> list[RuleResult]:
    return [
        RuleResult(
            rule_id=f"governance.rule_{index}",
            capability=Capability.GOVERNANCE,
            stage=stage,
            title="t",
            outcome=outcome,
            explanation="e",
            remediation="r",
            needs=(),
        )
        for index, (stage, outcome) in enumerate(rules)
    ]


@pytest.mark.parametrize(
    ("rules", "stage", "ceiling"),
    [
        ([], Stage.INITIAL, Stage.INITIAL),
        ([(R, PASS), (D, PASS), (M, PASS), (OPT, PASS)], OPT, OPT),
        ([(R, FAIL), (D, PASS), (M, PASS)], Stage.INITIAL, Stage.INITIAL),  # stage N requires every stage below
        ([(R, PASS), (D, PASS), (D, FAIL), (M, PASS)], R, R),  # every applicable rule of a stage must pass
        ([(R, PASS), (D, UNKNOWN), (M, PASS), (OPT, FAIL)], R, M),  # the ceiling counts unknown as passing
        ([(R, PASS), (D, NA), (M, PASS)], R, R),  # a stage no source can speak for stops both walks
        ([(R, PASS), (D, PASS), (D, NA), (M, PASS)], M, M),  # not applicable rules beside applicable ones are ignored
        ([(R, UNKNOWN), (D, UNKNOWN)], Stage.INITIAL, D),
    ],
)
def test_stage_and_ceiling(rules: list[tuple[Stage, Outcome]], stage: Stage, ceiling: Stage) -> None:
    verdict = walk_stages(results(*rules))
    assert (verdict.stage, verdict.ceiling) == (stage, ceiling)


def test_confidence_is_the_share_of_applicable_rules_evidence_decided() -> None:
    assert walk_stages(results((R, PASS), (D, FAIL), (M, UNKNOWN), (OPT, NA))).confidence == pytest.approx(2 / 3)
    assert walk_stages(results((R, NA))).confidence == 0.0


def test_blockers_are_the_next_stages_failed_and_unknown_rules() -> None:
    verdict = walk_stages(results((R, PASS), (D, FAIL), (D, PASS), (D, UNKNOWN), (D, NA), (M, FAIL)))
    assert verdict == StageVerdict(
        stage=R,
        ceiling=R,
        confidence=pytest.approx(4 / 5),
        next_stage=D,
        blockers=("governance.rule_1", "governance.rule_3"),
        self_reported=False,
    )


def cap(at: Stage, outcome: Outcome) -> RuleResult:
    above = at.next()
    assert above is not None
    return RuleResult(
        rule_id="governance.cap",
        capability=Capability.GOVERNANCE,
        stage=above,
        caps=at,
        title="t",
        outcome=outcome,
        explanation="e",
        remediation="r",
        needs=(),
    )


@pytest.mark.parametrize(
    ("outcome", "stage", "ceiling"),
    [
        (FAIL, Stage.INITIAL, Stage.INITIAL),  # whatever else passes
        (UNKNOWN, Stage.INITIAL, M),  # cannot prove more than the cap; could be more
        (PASS, M, M),
        (NA, M, M),  # nothing can tell: no cap
    ],
)
def test_a_cap_holds_the_capability_whatever_else_passes(outcome: Outcome, stage: Stage, ceiling: Stage) -> None:
    verdict = walk_stages([*results((R, PASS), (D, PASS), (M, PASS)), cap(Stage.INITIAL, outcome)])
    assert (verdict.stage, verdict.ceiling) == (stage, ceiling)


def test_a_failed_cap_blocks_the_stage_above_it_and_counts_towards_confidence() -> None:
    verdict = walk_stages([*results((R, PASS), (D, PASS)), cap(R, FAIL)])
    assert (verdict.stage, verdict.blockers, verdict.confidence) == (R, ("governance.cap",), 1.0)


def test_a_key_rule_no_source_can_judge_leaves_its_stage_ceiling_only() -> None:
    rules = results((R, PASS), (D, PASS), (D, NA), (M, PASS))
    rules[2] = rules[2].model_copy(update={"key": True})
    verdict = walk_stages(rules)
    assert (verdict.stage, verdict.ceiling, verdict.blockers) == (R, M, ("governance.rule_2",))
    judged = [rule.model_copy(update={"outcome": PASS}) if rule.key else rule for rule in rules]
    assert walk_stages(judged).stage == M


def core(stage: Stage, self_reported: bool = False) -> NotInferable:
    return NotInferable(
        capability=Capability.GOVERNANCE, stage=stage, criterion="c", reason="r", core=True, self_reported=self_reported
    )


def test_a_core_criterion_keeps_evidence_from_proving_its_stage_unless_self_reported() -> None:
    rules = results((R, PASS), (D, PASS), (M, PASS))
    verdict = walk_stages(rules, [core(D)])
    assert (verdict.stage, verdict.ceiling, verdict.self_reported) == (R, M, False)
    assert verdict.confidence == pytest.approx(3 / 4)  # decided / (applicable rules + core criteria)
    closed = walk_stages(rules, [core(D, self_reported=True)])
    assert (closed.stage, closed.ceiling, closed.self_reported) == (M, M, True)
    plain = NotInferable(capability=Capability.GOVERNANCE, stage=D, criterion="c", reason="r")
    assert walk_stages(rules, [plain]).stage == M  # a criterion not marked core proves and blocks nothing


def test_at_the_top_there_is_no_next_stage_and_nothing_blocks() -> None:
    verdict = walk_stages(results((R, PASS), (D, PASS), (M, PASS), (OPT, PASS)))
    assert (verdict.next_stage, verdict.blockers) == (None, ())


def owned(name: str, present: bool, **evidence: Any) -> dict[str, Any]:
    return {"name": name, "evidence": {"ownership.codeowners": {"present": present}, **evidence}}


def test_a_stage_without_applicable_rules_blocks_promotion(sample_pack: RulePack, bundle_of: BundleMaker) -> None:
    # No source provides branch protection: 'defined' rests on codeowners alone, and
    # 'optimizing' (which reads branch protection) has no applicable rule at all.
    rego = {"policy.as_code": {"present": True, "tools": ["rego"]}}
    bundle = bundle_of(
        [owned("a", True, **rego), owned("b", True, **rego)],
        sources={"test": ["ownership.codeowners", "policy.as_code"]},
    )
    governance = evaluate(bundle, build_ruleset([sample_pack])).capability("governance")
    outcomes = {result.rule_id: result.outcome for result in governance.rules}
    assert outcomes["governance.branches_protected"] is NA
    assert outcomes["governance.reviewed_and_owned"] is NA  # needs branch protection too
    assert (governance.stage, governance.ceiling) == (M, M)  # optimizing has no applicable rule
    assert (governance.next_stage, governance.blockers) == (OPT, ())

    without_policy = bundle_of([owned("a", True), owned("b", True)], sources={"test": ["ownership.codeowners"]})
    governance = evaluate(without_policy, build_ruleset([sample_pack])).capability("governance")
    assert (governance.stage, governance.ceiling) == (D, D)  # managed cannot be proven by any source


def test_capability_results_carry_the_walk(sample_pack: RulePack, bundle_of: BundleMaker) -> None:
    bundle = bundle_of(
        [owned("a", True), owned("b", False), {"name": "c", "evidence": {"ownership.codeowners": "unavailable"}}]
    )
    governance = evaluate(bundle, build_ruleset([sample_pack])).capability("governance")
    assert governance.title == "Governance"
    assert (governance.stage, governance.ceiling, governance.next_stage) == (R, D, D)
    assert governance.blockers == ("governance.codeowners_common",)
    assert governance.confidence == 0.5  # some_owners decided, codeowners_common unknown
