"""The gap renderers (console and Markdown) and the rule-pack coverage matrix."""

from __future__ import annotations

import io
from dataclasses import replace

from selfassess_builders import FORBIDDEN, answers, assessment, governance, interfaces

from reports.coverage import NOT_COVERED, coverage_cells, render_coverage
from reports.gaps_report import render_gaps_console, render_gaps_markdown
from rules.catalog import PACK_DIR
from rules.loader import RuleSet, build_ruleset, load_pack
from scanner.gaps import GapAnalysis, analyse_gaps
from scanner.kinds import KINDS, KindRegistry
from scanner.model import Capability, Stage

G, IFC = Capability.GOVERNANCE, Capability.INTERFACES


def _analysis() -> GapAnalysis:
    reported = answers(
        ("Platform | team", {G: (Stage.OPTIMIZING, Stage.OPTIMIZING), IFC: (Stage.MANAGED, None)}),
        ("Product", {G: (Stage.MANAGED, None)}),
    )
    return analyse_gaps(assessment(governance(), interfaces()), reported, {"org.access": ("github",)})


def test_console_names_every_verdict_what_decides_it_and_the_roadmap() -> None:
    out = io.StringIO()
    render_gaps_console(_analysis(), out)
    text = " ".join(out.getvalue().split())  # the console wraps at 80 columns
    assert "1 aligned, 1 over-reported, 1 unverifiable" in text
    assert "Platform | team reports optimizing: over-reported" in text
    assert "✗ Title of jit_access" in text and "against: local:b k.one (local:b/file)" in text
    assert f"unknown: {FORBIDDEN}" in text
    assert "needs org.access, which the github collector provides" in text
    assert "Predictive governance (not inferable" in text
    assert "governance: Platform | team optimizing, Product managed (1 stage apart)" in text
    assert "governance: defined → optimizing (Platform | team: optimizing)" in text


def test_markdown_holds_the_table_and_escapes_what_markdown_would_read() -> None:
    out = io.StringIO()
    render_gaps_markdown(_analysis(), out)
    text = out.getvalue()
    assert "| governance | defined | managed | Platform \\| team | optimizing | **over-reported** |" in text
    assert "| | | | Product | managed | **unverifiable** |" in text
    assert "  - ✗ Title of jit\\_access (`governance.jit_access`)" in text
    assert "## Roadmap to the targets" in text
    assert "\n\n\n" not in text


def _default_ruleset() -> RuleSet:
    return build_ruleset([load_pack(PACK_DIR, KindRegistry(KINDS))])


def test_default_pack_covers_every_cell_above_initial() -> None:
    ruleset = _default_ruleset()
    cells = coverage_cells(ruleset)
    above_initial = {cell: entries for cell, entries in cells.items() if cell[1] is not Stage.INITIAL}
    assert len(above_initial) == 6 * 4
    assert all(entries for entries in above_initial.values()), [c for c, e in above_initial.items() if not e]
    out = io.StringIO()
    render_coverage(ruleset, out)
    text = out.getvalue()
    assert NOT_COVERED not in text
    assert "Every cell above initial has a rule or is marked not inferable." in text
    for rule in ruleset.rules:
        assert rule.id in text
    for item in ruleset.not_inferable:
        assert f"not inferable{' (core)' if item.core else ''}: {item.criterion.split()[0]}" in text


def test_a_cell_without_rule_or_criterion_is_shown_as_not_covered() -> None:
    ruleset = _default_ruleset()
    without = replace(
        ruleset,
        rules=tuple(rule for rule in ruleset.rules if (rule.capability, rule.stage) != (IFC, Stage.MANAGED)),
    )
    out = io.StringIO()
    render_coverage(without, out)
    assert "1 cell(s) neither covered by a rule nor marked not inferable: interfaces/managed" in out.getvalue()
    assert coverage_cells(without)[(IFC, Stage.MANAGED)] == ()


def test_coverage_shows_key_rules_core_criteria_and_caps_per_cell() -> None:
    ruleset = _default_ruleset()
    out = io.StringIO()
    render_coverage(ruleset, out)
    text = out.getvalue()
    assert "investment.platform_team_exists (key)" in text
    assert "not inferable (core): The platform team is centrally funded" in text
    assert "cap: governance.default_branches_not_unprotected_everywhere" in text
    assert "cap: governance.owner_rights_not_widespread" in text
    # caps prove no stage, so they cover no cell
    cells = coverage_cells(ruleset)
    assert all("governance.owner_rights_not_widespread" not in entries for entries in cells.values())
