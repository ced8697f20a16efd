"""Runs every rule case (see casefile.py) against its pack and checks the named rule's outcome.

The default pack's cases live in tests/rules/cases/; the engine's own sample cases, in
tests/unit/rules/cases/, run against the sample pack beside them, so the runner is proven
to work whatever the default pack holds.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from casefile import CaseError, discover_cases, load_case

from rules.catalog import PACK_DIR
from rules.evaluate import evaluate
from rules.loader import RulePack, build_ruleset, load_pack
from scanner.kinds import KINDS, KindRegistry
from scanner.model import Outcome, RuleResult

TESTS = Path(__file__).resolve().parents[1]
SUITES = [
    (TESTS / "rules" / "cases", PACK_DIR),
    (TESTS / "unit" / "rules" / "cases", TESTS / "unit" / "rules" / "packs" / "sample"),
]
KINDS_REGISTRY = KindRegistry(KINDS)


@cache
def _pack(pack_dir: Path) -> RulePack:
    return load_pack(pack_dir, KINDS_REGISTRY)


def run_case(case_path: Path, pack_dir: Path) -> tuple[Outcome, RuleResult]:
    """The case's expected outcome and the result of the rule it names."""
    case = load_case(case_path, KINDS_REGISTRY)
    pack = _pack(pack_dir)
    if not any(rule.id == case.rule_id for rule in pack.rules):
        raise CaseError(f"{case_path}: the pack {pack.source} has no rule {case.rule_id!r} (the directory names it)")
    assessment = evaluate(case.bundle, build_ruleset([pack], params=case.params, declarations=case.declared))
    results = [result for capability in assessment.capabilities for result in capability.rules]
    return case.expect, next(result for result in results if result.rule_id == case.rule_id)


CASES = [
    pytest.param(case_path, pack_dir, id=f"{case_path.parent.name}/{case_path.stem}")
    for cases_dir, pack_dir in SUITES
    for case_path in discover_cases(cases_dir)
]


@pytest.mark.parametrize(("case_path", "pack_dir"), CASES)
def test_rule_case(case_path: Path, pack_dir: Path) -> None:
    expected, result = run_case(case_path, pack_dir)
    assert result.outcome is expected, (
        f"{case_path}: expected {expected.value}, got {result.outcome.value}: {result.explanation}"
    )


def test_a_case_for_a_rule_that_does_not_exist_fails(tmp_path: Path) -> None:
    case = tmp_path / "governance.no_such_rule" / "pass.yaml"
    case.parent.mkdir()
    case.write_text("subjects: []\nexpect: pass\n")
    with pytest.raises(CaseError, match="has no rule 'governance.no_such_rule'"):
        run_case(case, SUITES[1][1])


def test_a_case_whose_name_contradicts_its_expectation_fails(tmp_path: Path) -> None:
    case = tmp_path / "governance.codeowners_common" / "pass-really.yaml"
    case.parent.mkdir()
    case.write_text("subjects: []\nexpect: fail\n")
    with pytest.raises(CaseError, match="the file name says 'pass'"):
        run_case(case, SUITES[1][1])


def test_the_sample_cases_are_collected() -> None:
    sample_cases = discover_cases(SUITES[1][0])
    assert {path.stem.split("-")[0] for path in sample_cases} == {"pass", "fail", "unknown", "not_applicable"}


def test_every_rule_of_the_default_pack_has_a_case_for_each_outcome() -> None:
    cases_dir, pack_dir = SUITES[0]
    outcomes = {outcome.value for outcome in Outcome}
    lacking = {
        rule.id: sorted(outcomes - {path.stem.split("-", 1)[0] for path in (cases_dir / rule.id).glob("*.yaml")})
        for rule in _pack(pack_dir).rules
    }
    assert {rule_id: missing for rule_id, missing in lacking.items() if missing} == {}
