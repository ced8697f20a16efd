"""The gate's decision on hand-built assessments: every verdict, every exit code, and no pass by accident."""

from __future__ import annotations

import pytest

from scanner.errors import UserError
from scanner.gate import EXIT_FAILED, EXIT_PASSED, EXIT_UNDECIDED, GateCriteria, GateResult, Verdict, decide
from scanner.model import Capability, Stage
from tests.unit.gate.builders import NA, OPT, D, F, M, P, R, U, assessment, at, capability

GOV, ADO = Capability.GOVERNANCE, Capability.ADOPTION


def gate(assessed, minimums=None, min_confidence=None, unknown="fail", baseline=None) -> GateResult:
    return decide(assessed, GateCriteria(minimums or {}, min_confidence, unknown), baseline)


def verdict(result: GateResult, cap: Capability) -> Verdict:
    return next(d.verdict for d in result.decisions if d.capability is cap)


def reason(result: GateResult, cap: Capability) -> str:
    return next(d.reason for d in result.decisions if d.capability is cap)


def test_a_capability_at_or_above_its_minimum_passes() -> None:
    result = gate(assessment(at(GOV, M)), {GOV: D})
    assert result.exit_code == EXIT_PASSED
    assert verdict(result, GOV) is Verdict.PASS and reason(result, GOV) == "meets minimum defined"
    assert verdict(result, ADO) is Verdict.SKIPPED, "a capability without a minimum is not checked"
    assert "(exit 0)" in result.summary


def test_a_failed_rule_between_stage_and_minimum_fails_with_exit_1() -> None:
    result = gate(assessment(capability(GOV, (R, P), (D, F))), {GOV: D})
    assert result.exit_code == EXIT_FAILED
    decision = result.decisions[2]
    assert decision.verdict is Verdict.FAIL and decision.rules == ("governance.r1_defined",)
    assert decision.reason == "below the minimum defined: failed governance.r1_defined"


@pytest.mark.parametrize(("unknown", "expected", "shown"), [("fail", EXIT_UNDECIDED, "cannot tell"), ("pass", EXIT_PASSED, "only by counting unknown")])
def test_unknown_rules_fail_closed_unless_told_to_pass(unknown: str, expected: int, shown: str) -> None:
    result = gate(assessment(capability(GOV, (R, P), (D, U))), {GOV: D}, unknown=unknown)
    assert result.exit_code == expected
    assert shown in reason(result, GOV) and "governance.r1_defined" in reason(result, GOV)


def test_a_failed_rule_above_an_unknown_one_still_fails_when_unknowns_pass() -> None:
    result = gate(assessment(capability(GOV, (R, P), (D, U), (M, F))), {GOV: M}, unknown="pass")
    assert result.exit_code == EXIT_FAILED and "failed governance.r2_managed" in reason(result, GOV)


def test_a_stage_no_source_can_speak_for_is_undecided_even_when_unknowns_pass() -> None:
    result = gate(assessment(capability(GOV, (R, P), (D, NA))), {GOV: D}, unknown="pass")
    assert result.exit_code == EXIT_UNDECIDED
    assert "no configured source provides evidence for defined" in reason(result, GOV)


def test_a_capability_with_no_decided_rule_never_passes_on_unknowns() -> None:
    result = gate(assessment(capability(GOV, (R, U), (D, U))), {GOV: D}, unknown="pass")
    assert result.exit_code == EXIT_UNDECIDED and "evidence decided none of its rules" in reason(result, GOV)


def test_all_sets_every_capability_and_each_is_judged() -> None:
    result = gate(assessment(*(at(c, R) for c in Capability)), dict.fromkeys(Capability, R))
    assert result.exit_code == EXIT_PASSED and result.count(Verdict.PASS) == 6
    lower = gate(assessment(*(at(c, R) for c in Capability if c is not ADO)), dict.fromkeys(Capability, R))
    assert lower.exit_code == EXIT_FAILED and [d.capability for d in lower.decisions if d.verdict is Verdict.FAIL] == [ADO]


def test_a_known_failure_outranks_an_undecided_capability() -> None:
    result = gate(assessment(capability(GOV, (R, P), (D, U)), capability(ADO, (R, F))), {GOV: D, ADO: R})
    assert result.exit_code == EXIT_FAILED
    assert result.count(Verdict.FAIL) == 1 and result.count(Verdict.UNDECIDED) == 1


@pytest.mark.parametrize(("floor", "expected"), [(0.5, EXIT_PASSED), (0.51, EXIT_UNDECIDED)])
def test_min_confidence_applies_to_every_capability(floor: float, expected: int) -> None:
    # governance decided 1 of 2 rules; every other capability decided all of its rules
    result = gate(assessment(capability(GOV, (R, P), (D, U))), min_confidence=floor)
    assert result.exit_code == expected
    assert all(d.verdict is not Verdict.SKIPPED for d in result.decisions)
    if expected == EXIT_UNDECIDED:
        assert reason(result, GOV) == "confidence 0.50 below the minimum 0.51"


def test_min_confidence_is_not_lifted_by_unknown_pass() -> None:
    result = gate(assessment(capability(GOV, (R, P), (D, U))), {GOV: D}, min_confidence=0.9, unknown="pass")
    assert result.exit_code == EXIT_UNDECIDED and "confidence 0.50" in reason(result, GOV)


class TestBaseline:
    def test_a_dropped_stage_fails_with_exit_1(self) -> None:
        result = gate(assessment(capability(GOV, (R, P), (D, F))), baseline=assessment(at(GOV, D)))
        assert result.exit_code == EXIT_FAILED
        assert reason(result, GOV) == "dropped below defined, its baseline stage: failed governance.r1_defined"

    @pytest.mark.parametrize("now", [D, M])
    def test_an_equal_or_higher_stage_passes(self, now: Stage) -> None:
        result = gate(assessment(at(GOV, now)), baseline=assessment(at(GOV, D)))
        assert result.exit_code == EXIT_PASSED and reason(result, GOV) == "keeps defined from the baseline"

    @pytest.mark.parametrize(("unknown", "expected"), [("fail", EXIT_UNDECIDED), ("pass", EXIT_PASSED)])
    def test_a_drop_that_unknown_rules_could_explain_is_not_a_regression(self, unknown: str, expected: int) -> None:
        result = gate(assessment(capability(GOV, (R, P), (D, U))), baseline=assessment(at(GOV, D)), unknown=unknown)
        assert result.exit_code == expected

    def test_the_baseline_combines_with_minimums_and_the_worst_check_decides(self) -> None:
        result = gate(assessment(capability(GOV, (R, P), (D, P), (M, F))), {GOV: R}, baseline=assessment(at(GOV, M)))
        assert result.exit_code == EXIT_FAILED and reason(result, GOV).startswith("dropped below managed")


class TestNoEvidenceNeverPasses:
    def test_no_subjects(self) -> None:
        result = gate(assessment(*(at(c, OPT) for c in Capability), subjects=0), dict.fromkeys(Capability, Stage.INITIAL), unknown="pass")
        assert result.exit_code == EXIT_UNDECIDED
        assert result.no_evidence and "no subjects" in result.summary
        assert {d.verdict for d in result.decisions} == {Verdict.UNDECIDED}

    def test_all_evidence_unavailable(self) -> None:
        caps = (capability(c, (R, U), (D, U)) for c in Capability)
        result = gate(assessment(*caps), dict.fromkeys(Capability, Stage.INITIAL), unknown="pass")
        assert result.exit_code == EXIT_UNDECIDED and "no rule read any observed evidence" in result.summary

    def test_rules_decided_without_any_observed_evidence(self) -> None:
        # as an empty folder gives: counts of zero fail their rules, yet nothing was seen
        caps = (capability(c, (R, F), observed=False) for c in Capability)
        result = gate(assessment(*caps), dict.fromkeys(Capability, R))
        assert result.exit_code == EXIT_UNDECIDED

    def test_no_applicable_rule_decided(self) -> None:
        # some evidence was seen (a share with observed and unknown subjects), yet no rule could be decided
        partly_seen = capability(GOV, (R, P))
        partly_seen = partly_seen.model_copy(update={"rules": (partly_seen.rules[0].model_copy(update={"outcome": U}),)})
        caps = [partly_seen, *(capability(c, (R, NA)) for c in Capability if c is not GOV)]
        result = gate(assessment(*caps), min_confidence=0.0)
        assert result.exit_code == EXIT_UNDECIDED and "no applicable rule was decided" in result.summary


def test_a_minimum_for_a_capability_the_assessment_lacks_is_undecided() -> None:
    full = assessment(at(GOV, D))
    partial = full.model_copy(update={"capabilities": tuple(c for c in full.capabilities if c.capability is not GOV)})
    result = gate(partial, {GOV: R})
    assert result.exit_code == EXIT_UNDECIDED and reason(result, GOV) == "the assessment holds no result for it"


def test_a_gate_with_nothing_to_check_is_a_usage_error() -> None:
    with pytest.raises(UserError, match="nothing to check"):
        gate(assessment())

