"""The gate's result for GitHub Actions: a Markdown job summary and `::error` workflow commands."""

from __future__ import annotations

from typing import TextIO

from reports.junit import message_of
from scanner.gate import GateResult, Verdict

_MARK = {Verdict.PASS: "✅ pass", Verdict.FAIL: "❌ fail", Verdict.UNDECIDED: "⚠️ undecided", Verdict.SKIPPED: "➖ skipped"}


def render_summary(result: GateResult, out: TextIO) -> None:
    out.write(f"## pecm gate: {_escape_cell(result.organization)}\n\n" if result.organization else "## pecm gate\n\n")
    out.write(f"**{_escape_cell(result.summary)}**\n\n")
    out.write("| Capability | Stage | Confidence | Result | Why |\n|---|---|---|---|---|\n")
    for decision in result.decisions:
        stage = decision.stage.value if decision.stage else "—"
        confidence = f"{decision.confidence:.0%}" if decision.confidence is not None else "—"
        cells = (decision.capability.value, stage, confidence, _MARK[decision.verdict], _escape_cell(decision.reason))
        out.write("| " + " | ".join(cells) + " |\n")
    out.write("\n`pecm explain CAPABILITY` shows the evidence behind each stage.\n")


def render_annotations(result: GateResult, out: TextIO) -> None:
    """One `::error` per capability that keeps the gate from passing."""
    for decision in result.decisions:
        if decision.verdict in (Verdict.FAIL, Verdict.UNDECIDED):
            title = f"pecm gate: {decision.capability.value} {decision.verdict.value}"
            out.write(f"::error title={_escape_property(title)}::{_escape_data(message_of(decision))}\n")


def _escape_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _escape_data(text: str) -> str:
    # GitHub's workflow-command encoding: these characters would end or split the command.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")
