"""The gap analysis for people: a console view (rich) and Markdown (for a job summary or a wiki).

Both renderers are pure: `render_gaps_console(gaps, out)` and `render_gaps_markdown(gaps, out)`.
They tell the same things in the same order: a summary table, what backs each verdict that
is not aligned, where respondents disagree, and the roadmap to each target.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from reports.terminal import output_console
from reports.text import partial_shard_notice, scoped
from scanner.gaps import (
    CapabilityGaps,
    GapAnalysis,
    ReportedGap,
    RuleFinding,
    StageFindings,
    Verdict,
)
from scanner.model import EvidenceRef, Outcome

REFS_PER_RULE = 3  # evidence references shown per rule; the full list is in `pecm explain`
LOCATORS_PER_REF = 2

_MARKS = {Outcome.PASS: "✓", Outcome.FAIL: "✗", Outcome.UNKNOWN: "?", Outcome.NOT_APPLICABLE: "–"}
_MARK_STYLES = {Outcome.PASS: "green", Outcome.FAIL: "red", Outcome.UNKNOWN: "yellow", Outcome.NOT_APPLICABLE: "dim"}
_VERDICT_STYLES = {
    Verdict.ALIGNED: "green",
    Verdict.OVER_REPORTED: "red",
    Verdict.UNDER_REPORTED: "cyan",
    Verdict.UNVERIFIABLE: "yellow",
}
_VERDICT_MEANING = {
    Verdict.OVER_REPORTED: "the evidence contradicts the claim",
    Verdict.UNDER_REPORTED: "the evidence proves more",
    Verdict.UNVERIFIABLE: "no evidence can decide it yet",
}


# --- shared wording ---------------------------------------------------------------------


def _summary_line(gaps: GapAnalysis) -> str:
    counts = gaps.verdict_counts()
    tally = ", ".join(f"{counts[verdict]} {verdict.value}" for verdict in Verdict if counts[verdict])
    people = ", ".join(gaps.respondents)
    whose = f"{gaps.organization}: inferred" if gaps.organization else "Inferred"
    return f"{whose} versus reported: {len(gaps.respondents)} respondent(s) ({people}); {tally or 'no answers'}."


def _report_heading(report: ReportedGap, gaps: CapabilityGaps) -> str:
    if report.verdict is Verdict.UNDER_REPORTED:
        return f"{report.respondent} reports {report.reported.value}: under-reported — the evidence proves {gaps.proven.value}"
    return f"{report.respondent} reports {report.reported.value}: {report.verdict.value} — {_VERDICT_MEANING[report.verdict]}"


def _rule_detail(finding: RuleFinding) -> list[str]:
    """The lines under a rule: what decided it, or what would."""
    if finding.outcome is Outcome.PASS:
        return [f"evidence: {_ref_line(ref)}" for ref in finding.evidence[:REFS_PER_RULE]] + _more(finding.evidence)
    if finding.outcome is Outcome.FAIL:
        lines = [finding.explanation] + [f"against: {_ref_line(ref)}" for ref in finding.evidence[:REFS_PER_RULE]]
        return lines + _more(finding.evidence) + [f"fix: {finding.remediation}"]
    word = "unknown" if finding.outcome is Outcome.UNKNOWN else "not applicable"
    return [f"{word}: {decider}" for decider in finding.deciders]


def _more(refs: Sequence[EvidenceRef]) -> list[str]:
    hidden = len(refs) - REFS_PER_RULE
    return [f"… and {hidden} more"] if hidden > 0 else []


def _ref_line(ref: EvidenceRef) -> str:
    if ref.reason:
        return f"{ref.subject} {ref.kind}: {ref.reason}"
    shown = ", ".join(scoped(locator) for locator in ref.locators[:LOCATORS_PER_REF])
    hidden = len(ref.locators) - LOCATORS_PER_REF
    return f"{ref.subject} {ref.kind}" + (f" ({shown}" + (f", +{hidden} more" if hidden > 0 else "") + ")" if shown else "")


def _step_empty(step: StageFindings, blocking: bool) -> str | None:
    if step.rules or step.not_inferable:
        return None
    if blocking:
        return "nothing at this stage blocks it: the stages below must be reached first"
    return "no rule of this stage"


def _roadmap_heading(gaps: CapabilityGaps) -> str:
    assert gaps.roadmap is not None
    wanted = ", ".join(f"{name}: {stage.value}" for name, stage in gaps.roadmap.wanted_by)
    return f"{gaps.capability.value}: {gaps.proven.value} → {gaps.roadmap.target.value} ({wanted})"


def _details_wanted(gaps: CapabilityGaps) -> bool:
    return any(report.verdict is not Verdict.ALIGNED for report in gaps.reports)


# --- console ----------------------------------------------------------------------------


def render_gaps_console(gaps: GapAnalysis, out: TextIO) -> None:
    console = output_console(out)
    if gaps.shard is not None:
        console.print(Text(partial_shard_notice(gaps.shard), style="bold yellow"))
    console.print(Text(_summary_line(gaps), style="bold"))
    console.print()
    console.print(_summary_table(gaps))
    for capability in gaps.capabilities:
        if _details_wanted(capability):
            _print_capability(console, capability)
    disagreements = [capability for capability in gaps.capabilities if capability.disagreement]
    if disagreements:
        _heading(console, "Respondents disagree")
        for capability in disagreements:
            assert capability.disagreement is not None
            answers = ", ".join(f"{name} {stage.value}" for name, stage in capability.disagreement.answers)
            spread = capability.disagreement.spread
            _line(console, Text(f"{capability.capability.value}: {answers} ({spread} stage{'s' if spread > 1 else ''} apart)"), 2)
    roadmaps = [capability for capability in gaps.capabilities if capability.roadmap]
    if roadmaps:
        _heading(console, "Roadmap to the targets")
        for capability in roadmaps:
            _print_roadmap(console, capability)
    if gaps.unassessed:
        console.print()
        names = ", ".join(capability.value for capability in gaps.unassessed)
        console.print(Text(f"Answered but not assessed (not in the rule pack's model): {names}", style="yellow"))


def _summary_table(gaps: GapAnalysis) -> Table:
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), pad_edge=False, show_edge=False)
    for header in ("Capability", "Proven", "Ceiling", "Respondent", "Reported", "Verdict"):
        table.add_column(header, no_wrap=header != "Respondent", overflow="fold")
    for capability in gaps.capabilities:
        first = (capability.capability.value, capability.proven_label, capability.ceiling.value)
        if not capability.reports:
            table.add_row(*first, Text("no answer", style="dim"), "", "")
        for index, report in enumerate(capability.reports):
            cells = first if index == 0 else ("", "", "")
            verdict = Text(report.verdict.value, style=_VERDICT_STYLES[report.verdict])
            table.add_row(*cells, report.respondent, report.reported.value, verdict)
    return table


def _print_capability(console: Console, capability: CapabilityGaps) -> None:
    _heading(
        console,
        f"{capability.capability.value} — {capability.title}: proven {capability.proven_label}, "
        f"ceiling {capability.ceiling.value}",
    )
    for report in capability.reports:
        if report.verdict is Verdict.ALIGNED:
            continue
        _line(console, Text(_report_heading(report, capability), style=_VERDICT_STYLES[report.verdict]), 2)
        _print_steps(console, report.stages, blocking=report.verdict is not Verdict.UNDER_REPORTED, indent=4)


def _print_roadmap(console: Console, capability: CapabilityGaps) -> None:
    assert capability.roadmap is not None
    _line(console, Text(_roadmap_heading(capability), style="bold"), 2)
    if not capability.roadmap.steps:
        _line(console, Text("target reached: the evidence already proves it"), 4)
    _print_steps(console, capability.roadmap.steps, blocking=True, indent=4)


def _print_steps(console: Console, steps: Sequence[StageFindings], blocking: bool, indent: int) -> None:
    for step in steps:
        _line(console, Text(step.stage.value, style="bold"), indent)
        empty = _step_empty(step, blocking)
        if empty:
            _line(console, Text(empty, style="dim"), indent + 2)
        for finding in step.rules:
            mark = Text(_MARKS[finding.outcome], style=_MARK_STYLES[finding.outcome])
            _line(console, mark + Text(f" {finding.title} ") + Text(f"[{finding.rule_id}]", style="dim"), indent + 2)
            for detail in _rule_detail(finding):
                _line(console, Text(detail), indent + 4)
        for criterion in step.not_inferable:
            _line(console, Text(f"• {criterion.criterion} (not inferable: only people can tell)"), indent + 2)


def _heading(console: Console, title: str) -> None:
    console.print()
    console.print(Text(title, style="bold underline"))


def _line(console: Console, text: Text, indent: int) -> None:
    console.print(Padding(text, (0, 0, 0, indent), expand=False))


# --- Markdown ---------------------------------------------------------------------------


def render_gaps_markdown(gaps: GapAnalysis, out: TextIO) -> None:
    heading = f"{gaps.organization}: inferred versus reported maturity" if gaps.organization else "Inferred versus reported maturity"
    lines = [f"# {_md(heading)}", ""]
    if gaps.shard is not None:
        lines += [f"> **{_md(partial_shard_notice(gaps.shard))}**", ""]
    lines += [_md(_summary_line(gaps)), ""]
    lines += ["| Capability | Proven | Ceiling | Respondent | Reported | Verdict |", "|---|---|---|---|---|---|"]
    for capability in gaps.capabilities:
        first = f"| {capability.capability.value} | {capability.proven_label} | {capability.ceiling.value} |"
        if not capability.reports:
            lines.append(f"{first} _no answer_ | | |")
        for index, report in enumerate(capability.reports):
            cells = first if index == 0 else "| | | |"
            lines.append(f"{cells} {_md(report.respondent)} | {report.reported.value} | **{report.verdict.value}** |")
    for capability in gaps.capabilities:
        if not _details_wanted(capability):
            continue
        lines += ["", f"## {capability.capability.value}: proven {capability.proven_label}, ceiling {capability.ceiling.value}"]
        for report in capability.reports:
            if report.verdict is not Verdict.ALIGNED:
                lines += ["", f"**{_md(_report_heading(report, capability))}**", ""]
                lines += _md_steps(report.stages, blocking=report.verdict is not Verdict.UNDER_REPORTED)
    disagreements = [capability for capability in gaps.capabilities if capability.disagreement]
    if disagreements:
        lines += ["", "## Respondents disagree", ""]
        for capability in disagreements:
            assert capability.disagreement is not None
            answers = ", ".join(f"{_md(name)} {stage.value}" for name, stage in capability.disagreement.answers)
            lines.append(f"- **{capability.capability.value}**: {answers} ({capability.disagreement.spread} apart)")
    roadmaps = [capability for capability in gaps.capabilities if capability.roadmap]
    if roadmaps:
        lines += ["", "## Roadmap to the targets"]
        for capability in roadmaps:
            assert capability.roadmap is not None
            lines += ["", f"**{_md(_roadmap_heading(capability))}**", ""]
            if not capability.roadmap.steps:
                lines.append("- target reached: the evidence already proves it")
            lines += _md_steps(capability.roadmap.steps, blocking=True)
    if gaps.unassessed:
        names = ", ".join(capability.value for capability in gaps.unassessed)
        lines += ["", f"Answered but not assessed (not in the rule pack's model): {names}"]
    out.write("\n".join(lines) + "\n")


def _md_steps(steps: Sequence[StageFindings], blocking: bool) -> list[str]:
    lines: list[str] = []
    for step in steps:
        lines.append(f"- {step.stage.value}")
        empty = _step_empty(step, blocking)
        if empty:
            lines.append(f"  - _{empty}_")
        for finding in step.rules:
            lines.append(f"  - {_MARKS[finding.outcome]} {_md(finding.title)} (`{finding.rule_id}`)")
            lines += [f"    - {_md(detail)}" for detail in _rule_detail(finding)]
        for criterion in step.not_inferable:
            lines.append(f"  - {_md(criterion.criterion)} (not inferable: only people can tell)")
    return lines


def _md(text: str) -> str:
    """Text that stays literal in Markdown: table pipes and emphasis characters escaped."""
    for char in ("\\", "|", "*", "_", "`", "[", "]", "<", ">"):
        text = text.replace(char, "\\" + char)
    return text
