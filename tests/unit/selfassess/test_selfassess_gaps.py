"""The gap analysis on hand-built assessments: every verdict, disagreement and the roadmap."""

from __future__ import annotations

from selfassess_builders import FORBIDDEN, answers, assessment, governance, interfaces

from scanner.gaps import ReportedGap, Verdict, analyse_gaps, deciders
from scanner.model import Capability, Outcome, RuleResult, Stage

G, IFC = Capability.GOVERNANCE, Capability.INTERFACES
PROVIDERS = {"k.one": ("local",), "org.access": ("github",)}


def _governance_verdict(reported: Stage) -> ReportedGap:
    analysis = analyse_gaps(assessment(governance()), answers(("team", {G: (reported, None)})), PROVIDERS)
    return analysis.capabilities[0].reports[0]


def test_reported_equal_to_proven_is_aligned() -> None:
    report = _governance_verdict(Stage.DEFINED)
    assert report.verdict is Verdict.ALIGNED
    assert report.stages == ()


def test_reported_below_proven_is_under_reported_with_what_proves_more() -> None:
    report = _governance_verdict(Stage.REPEATABLE)
    assert report.verdict is Verdict.UNDER_REPORTED
    [step] = report.stages
    assert step.stage is Stage.DEFINED
    assert [(f.rule_id, f.outcome) for f in step.rules] == [("governance.codeowners", Outcome.PASS)]
    assert [ref.subject for ref in step.rules[0].evidence] == ["local:a"]


def test_claim_above_proven_with_only_unknowns_is_unverifiable_and_says_what_decides() -> None:
    report = _governance_verdict(Stage.MANAGED)
    assert report.verdict is Verdict.UNVERIFIABLE
    [step] = report.stages
    deciders = {f.rule_id: f.deciders for f in step.rules}
    assert deciders["governance.protected"] == (FORBIDDEN,)
    # k.one was collected by the scan's own source; only org.access needs another collector
    assert deciders["governance.owners_few"] == ("needs org.access, which the github collector provides",)


def test_claim_contradicted_by_a_failed_rule_is_over_reported_with_its_evidence() -> None:
    report = _governance_verdict(Stage.OPTIMIZING)
    assert report.verdict is Verdict.OVER_REPORTED
    assert [step.stage for step in report.stages] == [Stage.MANAGED, Stage.OPTIMIZING]
    failed = [f for step in report.stages for f in step.rules if f.outcome is Outcome.FAIL]
    assert [f.rule_id for f in failed] == ["governance.jit_access"]
    assert [ref.subject for ref in failed[0].evidence] == ["local:b"]
    assert [c.criterion for c in report.stages[1].not_inferable] == ["Predictive governance"]


def test_a_stage_with_only_not_inferable_criteria_is_unverifiable() -> None:
    analysis = analyse_gaps(assessment(interfaces()), answers(("team", {IFC: (Stage.OPTIMIZING, None)})))
    report = analysis.capabilities[0].reports[0]
    assert report.verdict is Verdict.UNVERIFIABLE
    [step] = report.stages
    assert step.rules == ()
    assert [c.criterion for c in step.not_inferable] == ["Lives in the IDE"]


def test_a_needed_kind_no_collector_provides_is_named() -> None:
    analysis = analyse_gaps(assessment(governance()), answers(("team", {G: (Stage.MANAGED, None)})), providers={})
    findings = {f.rule_id: f for f in analysis.capabilities[0].reports[0].stages[0].rules}
    assert findings["governance.owners_few"].deciders == ("needs org.access, which no installed collector provides",)


def test_dora_history_is_decided_by_configuring_a_history_store_not_by_a_collector() -> None:
    tracked = RuleResult(
        rule_id="measurement.dora_tracked_across_scans",
        capability=Capability.MEASUREMENT,
        stage=Stage.MANAGED,
        title="DORA figures are tracked across scans",
        outcome=Outcome.NOT_APPLICABLE,
        key=True,
        explanation="not applicable: no configured source provides history.dora_series",
        remediation="Record every scan in a history store.",
        needs=("history.dora_series",),
    )
    [decider] = deciders(tracked, {"delivery.deployments": ("github",)})
    assert "collector" not in decider
    assert decider == (
        "needs history.dora_series: the history store keeps the earlier scans: set history.store in the config "
        "(or run pecm scan --store)"
    )


def test_respondents_who_differ_are_a_disagreement_with_its_spread() -> None:
    reported = answers(
        ("platform", {G: (Stage.OPTIMIZING, None), IFC: (Stage.MANAGED, None)}),
        ("product", {G: (Stage.REPEATABLE, None), IFC: (Stage.MANAGED, None)}),
    )
    analysis = analyse_gaps(assessment(governance(), interfaces()), reported, PROVIDERS)
    gov, itf = analysis.capabilities
    assert gov.disagreement is not None
    assert gov.disagreement.answers == (("platform", Stage.OPTIMIZING), ("product", Stage.REPEATABLE))
    assert gov.disagreement.spread == 3
    assert itf.disagreement is None
    assert [r.verdict for r in gov.reports] == [Verdict.OVER_REPORTED, Verdict.UNDER_REPORTED]
    assert analysis.verdict_counts() == {Verdict.OVER_REPORTED: 1, Verdict.UNDER_REPORTED: 1, Verdict.ALIGNED: 2}


def test_roadmap_lists_what_blocks_each_step_to_the_highest_target() -> None:
    reported = answers(
        ("platform", {G: (Stage.DEFINED, Stage.OPTIMIZING)}),
        ("product", {G: (Stage.DEFINED, Stage.MANAGED)}),
    )
    roadmap = analyse_gaps(assessment(governance()), reported, PROVIDERS).capabilities[0].roadmap
    assert roadmap is not None
    assert roadmap.target is Stage.OPTIMIZING
    assert roadmap.wanted_by == (("platform", Stage.OPTIMIZING), ("product", Stage.MANAGED))
    assert [(s.stage, [f.rule_id for f in s.rules]) for s in roadmap.steps] == [
        (Stage.MANAGED, ["governance.protected", "governance.owners_few"]),
        (Stage.OPTIMIZING, ["governance.jit_access"]),
    ]
    assert [c.criterion for c in roadmap.steps[1].not_inferable] == ["Predictive governance"]


def test_a_target_already_proven_has_no_steps_and_no_target_no_roadmap() -> None:
    reported = answers(("platform", {G: (Stage.DEFINED, Stage.DEFINED), IFC: (Stage.MANAGED, None)}))
    gov, itf = analyse_gaps(assessment(governance(), interfaces()), reported).capabilities
    assert gov.roadmap is not None and gov.roadmap.steps == ()
    assert itf.roadmap is None


def test_unanswered_capabilities_have_no_reports() -> None:
    analysis = analyse_gaps(assessment(governance(), interfaces()), answers(("team", {G: (Stage.DEFINED, None)})))
    assert [len(c.reports) for c in analysis.capabilities] == [1, 0]
    assert analysis.unassessed == ()


def test_answers_for_a_capability_not_assessed_are_reported_as_such() -> None:
    analysis = analyse_gaps(assessment(governance()), answers(("team", {IFC: (Stage.DEFINED, None)})))
    assert analysis.unassessed == (IFC,)
