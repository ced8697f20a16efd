"""The pack features that keep stubs and blind spots from proving stages: key rules, core
criteria closed by self-assessment, evidence that may live elsewhere, declared facts."""

from __future__ import annotations

from typing import Any

import pytest
from engine_fixtures import BundleMaker, RuleSetMaker, capability_doc, present, rule_doc

from rules.errors import PackError
from rules.evaluate import evaluate
from scanner.model import Capability, Outcome, Stage

CODEOWNERS = "ownership.codeowners"
TEAMS = "org.teams"
DASHBOARDS = "observability.dashboards"
OWNED = {"owned": {"share_of": "repository", "where": present(CODEOWNERS)}}


def governance(*rules: dict[str, Any], not_inferable: list[dict[str, Any]] | None = None, **metrics: Any) -> dict[str, Any]:
    return capability_doc("governance", metrics={**OWNED, **metrics}, rules=list(rules), not_inferable=not_inferable)


def owned_rule(stage: str, rule_id: str = "governance.owned") -> dict[str, Any]:
    return rule_doc(rule_id, stage, {"metric": "owned", "op": "gte", "value": 0.5}, [CODEOWNERS])


def owned_repositories(bundle_of: BundleMaker, sources: dict[str, list[str]] | None = None) -> Any:
    return bundle_of([{"name": f"r{i}", "evidence": {CODEOWNERS: {"present": True}}} for i in range(3)], sources)


def test_a_stage_whose_key_rule_no_source_can_judge_is_ceiling_only_and_names_the_source(
    ruleset_of: RuleSetMaker, bundle_of: BundleMaker
) -> None:
    team = rule_doc("governance.team", "defined", {"metric": "teams", "op": "gte", "value": 1}, [TEAMS])
    team.update(key=True, decided_by="the github collector (sources.github)")
    teams = {"count_of": "organization", "where": {"kind": TEAMS, "field": "teams", "op": "gte", "value": 1}}
    ruleset = ruleset_of(governance(owned_rule("repeatable"), owned_rule("defined", "governance.owned_too"), team, teams=teams))
    result = evaluate(owned_repositories(bundle_of), ruleset).capability("governance")
    assert (result.stage, result.ceiling, result.blockers) == (Stage.REPEATABLE, Stage.DEFINED, ("governance.team",))
    explanation = next(rule.explanation for rule in result.rules if rule.rule_id == "governance.team")
    assert explanation.endswith("; decided by the github collector (sources.github)")


def test_a_core_criterion_is_closed_only_by_a_self_assessment_and_labelled_so(
    ruleset_of: RuleSetMaker, bundle_of: BundleMaker
) -> None:
    criterion = {"stage": "defined", "criterion": "Central funding", "reason": "only people can tell", "core": True}
    document = governance(owned_rule("repeatable"), owned_rule("defined", "governance.owned_too"), not_inferable=[criterion])
    evidence_only = evaluate(owned_repositories(bundle_of), ruleset_of(document)).capability("governance")
    assert (evidence_only.stage, evidence_only.ceiling, evidence_only.self_reported) == (Stage.REPEATABLE, Stage.DEFINED, False)
    assert evidence_only.confidence == pytest.approx(2 / 3)
    answered = ruleset_of(document, self_reported={Capability.GOVERNANCE: Stage.MANAGED})
    result = evaluate(owned_repositories(bundle_of), answered).capability("governance")
    assert (result.stage, result.self_reported) == (Stage.DEFINED, True)
    assert [item.self_reported for item in result.not_inferable] == [True]
    too_low = ruleset_of(document, self_reported={Capability.GOVERNANCE: Stage.REPEATABLE})
    assert evaluate(owned_repositories(bundle_of), too_low).capability("governance").stage is Stage.REPEATABLE


def dashboards_rule() -> dict[str, Any]:
    rule = rule_doc("governance.dashboards", "repeatable", {"metric": "dashboards", "op": "gte", "value": 1}, [DASHBOARDS])
    rule["may_live_elsewhere"] = {"declare": "dashboards", "hint": "a Grafana instance is not in the repositories"}
    return rule


DASHBOARD_COUNT = {"count_of": "repository", "where": present(DASHBOARDS)}


@pytest.mark.parametrize(
    ("declared", "provided", "outcome", "label"),
    [
        ({}, True, Outcome.UNKNOWN, None),  # not found here: may live elsewhere
        ({"dashboards": "grafana"}, True, Outcome.PASS, "dashboards: grafana"),
        ({"dashboards": "none"}, True, Outcome.FAIL, "dashboards: none"),  # declared none: the evidence decides
        ({}, False, Outcome.NOT_APPLICABLE, None),
        ({"dashboards": "grafana"}, False, Outcome.PASS, "dashboards: grafana"),
        ({"dashboards": "none"}, False, Outcome.FAIL, "dashboards: none"),  # no source, and declared none
    ],
)
def test_evidence_that_may_live_elsewhere_is_unknown_when_not_found_unless_declared(
    ruleset_of: RuleSetMaker,
    bundle_of: BundleMaker,
    declared: dict[str, str],
    provided: bool,
    outcome: Outcome,
    label: str | None,
) -> None:
    ruleset = ruleset_of(governance(dashboards_rule(), dashboards=DASHBOARD_COUNT), declarations=declared)
    subjects = [{"name": "r1", "evidence": {DASHBOARDS: {}, CODEOWNERS: {}}}]
    bundle = bundle_of(subjects, None if provided else {"test": [CODEOWNERS]})
    result = next(rule for rule in evaluate(bundle, ruleset).capability("governance").rules)
    assert (result.outcome, result.declared) == (outcome, label)
    if outcome is Outcome.UNKNOWN:
        assert "a Grafana instance is not in the repositories, or set declared.dashboards" in result.explanation


def test_evidence_found_passes_without_a_declaration(ruleset_of: RuleSetMaker, bundle_of: BundleMaker) -> None:
    ruleset = ruleset_of(governance(dashboards_rule(), dashboards=DASHBOARD_COUNT))
    bundle = bundle_of([{"name": "r1", "evidence": {DASHBOARDS: {"present": True, "tools": ["grafana"]}}}])
    result = evaluate(bundle, ruleset).capability("governance").rules[0]
    assert (result.outcome, result.declared) == (Outcome.PASS, None)


def test_a_declaration_no_rule_reads_is_refused(ruleset_of: RuleSetMaker) -> None:
    with pytest.raises(PackError, match=r"^config declared\.dashbords: no rule reads this declaration \(known: dashboards\)$"):
        ruleset_of(governance(dashboards_rule(), dashboards=DASHBOARD_COUNT), declarations={"dashbords": "grafana"})
