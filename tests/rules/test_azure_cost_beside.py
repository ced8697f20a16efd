"""Azure cost allocation rules reported beside the budget rule, deciding nothing: billing accounts
whose rules in force spread shared costs over several targets (`cost_allocation_accounts`). Cases
are written as rule cases (tests/rules/casefile.py) and evaluated with the default pack."""

from __future__ import annotations

from pathlib import Path

from test_cases import run_case

from rules.catalog import PACK_DIR

RULE = "provisioning.cloud_budgets_forecast"
SUBSCRIPTIONS = """
  - {name: prod, kind: subscription, evidence: {cost.budgets: {budgets: 2, with_notifications: 2, with_forecast_notifications: 1}}}
  - {name: dev, kind: subscription, evidence: {cost.budgets: {budgets: 0}}}
"""
ALLOCATION = "{rules: 3, active: 2, by_source: {resource_group: 2}, by_target: {tag: 2}, spread: %d, targets: 4}"


def _result(tmp_path: Path, accounts: str, expect: str) -> object:
    path = tmp_path / RULE / f"{expect}.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(f"subjects:{SUBSCRIPTIONS}{accounts}expect: {expect}\n")
    expected, result = run_case(path, PACK_DIR)
    assert result.outcome is expected  # decided by the budgets alone, as before
    (_tag, _owner, allocation) = result.beside
    assert allocation.name == "cost_allocation_accounts"
    return allocation


def test_accounts_spreading_shared_costs_are_counted_beside_the_budgets(tmp_path: Path) -> None:
    accounts = (f"  - {{name: '8608480', kind: billing_account, evidence: {{cost.allocation_rules: {ALLOCATION % 2}}}}}\n"
                f"  - {{name: '100', kind: billing_account, evidence: {{cost.allocation_rules: {ALLOCATION % 0}}}}}\n")
    allocation = _result(tmp_path, accounts, "pass")  # half the subscriptions alert on forecast: the share asked
    assert (allocation.low, allocation.high, allocation.matched, allocation.observed) == (1, 1, 1, 2)


def test_a_refused_account_is_unknown_beside_and_decides_nothing(tmp_path: Path) -> None:
    accounts = "  - {name: '8608480', kind: billing_account, evidence: {cost.allocation_rules: unavailable}}\n"
    allocation = _result(tmp_path, accounts, "pass")
    assert (allocation.observed, allocation.unknown) == (0, 1)


def test_without_billing_accounts_nothing_is_observed_beside(tmp_path: Path) -> None:
    allocation = _result(tmp_path, "", "pass")
    assert (allocation.observed, allocation.unknown) == (0, 0)
