"""The gate for GitHub Actions: workflow-command annotations that cannot be broken, a Markdown summary."""

from __future__ import annotations

import io

from reports.github_actions import render_annotations, render_summary
from scanner.gate import CapabilityDecision, GateCriteria, GateResult, Verdict, decide
from scanner.model import Capability, Stage
from tests.unit.gate.builders import D, F, P, R, U, assessment, at, capability


def result() -> GateResult:
    assessed = assessment(at(Capability.PROVISIONING, D), capability(Capability.ADOPTION, (R, F)), capability(Capability.GOVERNANCE, (R, P), (D, U)))
    return decide(assessed, GateCriteria({Capability.PROVISIONING: D, Capability.ADOPTION: R, Capability.GOVERNANCE: D}))


def test_one_error_annotation_per_capability_that_keeps_the_gate_from_passing() -> None:
    out = io.StringIO()
    render_annotations(result(), out)
    assert out.getvalue().splitlines() == [
        "::error title=pecm gate%3A adoption fail::adoption is initial: below the minimum repeatable: failed adoption.r0_repeatable",
        "::error title=pecm gate%3A governance undecided::governance is repeatable: cannot tell whether it meets minimum defined: unknown governance.r1_defined",
    ]


def test_annotation_text_cannot_end_or_split_the_workflow_command() -> None:
    hostile = CapabilityDecision(Capability.ADOPTION, Verdict.FAIL, "100% sure\nline two, really: yes", Stage.INITIAL)
    out = io.StringIO()
    render_annotations(GateResult((hostile,), 1, "s"), out)
    assert out.getvalue() == "::error title=pecm gate%3A adoption fail::adoption is initial: 100%25 sure%0Aline two, really: yes\n"


def test_the_summary_is_a_table_with_a_row_per_capability() -> None:
    out = io.StringIO()
    render_summary(result(), out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "## pecm gate"
    rows = [line for line in lines if line.startswith("| ") and not line.startswith("| Capability")]
    assert [row.split(" | ")[0].removeprefix("| ") for row in rows] == [c.value for c in Capability]
    assert "| adoption | initial | 100% | ❌ fail | below the minimum repeatable: failed adoption.r0_repeatable |" in lines


def test_a_pipe_in_a_reason_does_not_break_the_table() -> None:
    decision = CapabilityDecision(Capability.ADOPTION, Verdict.FAIL, "a | b", Stage.INITIAL, 0.5)
    out = io.StringIO()
    render_summary(GateResult((decision,), 1, "s"), out)
    assert "| adoption | initial | 50% | ❌ fail | a \\| b |" in out.getvalue()
