"""Metrics reported beside a rule (`beside:` in the pack): the external share of references
beside the adoption rules, in the JSON assessment and in every human report, whatever the
rule's outcome, so a reader sees why adoption is low (issue 13: an external share reported
beside the adoption and shared-module rules)."""

from __future__ import annotations

import io

import pytest

from reports.console import ConsoleRenderer
from reports.html import HtmlRenderer
from reports.json_report import JsonRenderer, load_assessment
from reports.markdown import MarkdownRenderer
from reports.text import beside_summary
from scanner.model import Assessment, MetricValue, RuleResult
from tests.unit.reports.acme_scan import acme_assessment

SIDE_RULES = (
    "adoption.shared_assets_used",
    "adoption.shared_assets_used_by_most",
    "adoption.shared_assets_used_widely",
    "provisioning.shared_iac_modules_referenced",
)


def rules_by_id(assessment: Assessment) -> dict[str, RuleResult]:
    return {rule.rule_id: rule for result in assessment.capabilities for rule in result.rules}


def test_the_external_share_is_beside_the_adoption_and_shared_module_rules() -> None:
    assessment = acme_assessment()
    rules = rules_by_id(assessment)
    external = next(metric for metric in assessment.metrics if metric.name == "external_reference_share")
    for rule_id in SIDE_RULES:
        assert rules[rule_id].beside == (external,), rule_id
    assert rules["governance.codeowners_common"].beside == ()
    # a passed rule shows it too: the share explains a pass as much as a fail
    assert {rules[rule_id].outcome.value for rule_id in SIDE_RULES} >= {"pass", "fail"}


def test_json_keeps_it_with_each_rule() -> None:
    out = io.StringIO()
    JsonRenderer().render(acme_assessment(), out)
    rules = rules_by_id(load_assessment(out.getvalue()))
    assert rules["adoption.shared_assets_used_by_most"].beside[0].name == "external_reference_share"


@pytest.mark.parametrize("renderer", [ConsoleRenderer, MarkdownRenderer, HtmlRenderer])
def test_human_reports_write_it_beside_the_adoption_rule(renderer: type) -> None:
    assessment = acme_assessment()
    line = beside_summary(rules_by_id(assessment)["adoption.shared_assets_used_by_most"].beside[0])
    out = io.StringIO()
    renderer().render(assessment, out)
    text = " ".join(out.getvalue().split())  # the console wraps lines
    assert f"Beside: {line}" in text


@pytest.mark.parametrize(
    ("metric", "words"),
    [
        (MetricValue(name="external_reference_share", low=0.5, high=0.5, observed=4), "external reference share: 50% (4 observed, 0 unknown)"),
        (MetricValue(name="external_reference_share", low=0.25, high=0.75, observed=2, unknown=2), "external reference share: between 25% and 75% (2 observed, 2 unknown)"),
        (MetricValue(name="external_reference_share", low=None, high=None), "external reference share: none (nothing counted) (0 observed, 0 unknown)"),
        (MetricValue(name="external_reference_share", low=None, high=None, unknown=3), "external reference share: unknown (0 observed, 3 unknown)"),
        (MetricValue(name="platform_authors", low=3, high=3, observed=2), "platform authors: 3 (2 observed, 0 unknown)"),
    ],
)
def test_beside_summary_in_words(metric: MetricValue, words: str) -> None:
    assert beside_summary(metric) == words
