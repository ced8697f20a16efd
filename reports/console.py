"""The assessment for people at a terminal: a summary table, and `pecm explain` for one capability.

Everything is built from `rich.text.Text` rather than markup strings, so rule titles,
reasons and locators print literally whatever brackets they contain.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import ClassVar, TextIO

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from reports.progress import ScanProgress
from reports.terminal import output_console
from reports.text import (
    beside_summary,
    criterion_tags,
    metric_summary,
    partial_shard_notice,
    report_title,
    scoped,
    stage_label,
)
from scanner.model import (
    Assessment,
    CapabilityResult,
    EvidenceRef,
    NotInferable,
    Outcome,
    Problem,
    RequestCount,
    RuleResult,
    ScanMetadata,
    SourceRun,
    Stage,
)

REASONS_PER_CAPABILITY = 3  # blockers shown in the summary table; `pecm explain` shows all
REFS_PER_LIST = 5  # evidence references shown per list in an explanation
LOCATORS_PER_REF = 3

_MARKS: dict[Outcome, tuple[str, str]] = {
    Outcome.PASS: ("✓", "green"),
    Outcome.FAIL: ("✗", "red"),
    Outcome.UNKNOWN: ("?", "yellow"),
    Outcome.NOT_APPLICABLE: ("–", "dim"),
}
_OUTCOME_WORDS = {
    Outcome.PASS: "passed",
    Outcome.FAIL: "failed",
    Outcome.UNKNOWN: "unknown",
    Outcome.NOT_APPLICABLE: "not applicable",
}


class ConsoleRenderer:
    name: ClassVar[str] = "console"
    description: ClassVar[str] = (
        "A summary table for the terminal: stage, ceiling, confidence; then what blocks each next stage."
    )

    def explain(self, result: CapabilityResult, out: TextIO) -> None:
        render_explanation(result, out)

    def progress(self, out: TextIO, enabled: bool = True) -> ScanProgress:
        return ScanProgress(out, enabled)

    def render(self, assessment: Assessment, out: TextIO) -> None:
        console = output_console(out)
        if assessment.scan.organization:
            console.print(Text(report_title(assessment.scan.organization), style="bold"))
        if assessment.scan.shard is not None:
            console.print(Text(partial_shard_notice(assessment.scan.shard), style="bold yellow"))
        if assessment.scan.organization or assessment.scan.shard is not None:
            console.print()
        console.print(_capability_table(assessment.capabilities))
        _print_next_steps(console, assessment.capabilities)
        not_inferable = sum(len(result.not_inferable) for result in assessment.capabilities)
        if not_inferable:
            console.print()
            console.print(
                Text(
                    f"Not inferable: {_count(not_inferable, 'criterion', 'criteria')} no evidence can decide "
                    "(only people can tell); `pecm explain CAPABILITY` lists them with the evidence behind each stage."
                )
            )
        console.print()
        _print_scan_summary(console, assessment.scan)
        if assessment.scan.problems:
            console.print()
            _print_problems(console, assessment.scan.problems)


# --- the summary table, then what blocks each next stage ---------------------------------
# The table holds one short line per capability; the blockers get the full width below it,
# so that titles and next steps wrap between words instead of in a narrow column.


def _capability_table(results: Sequence[CapabilityResult]) -> Table:
    # Right padding only: the box's blank column divider already separates the columns.
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), pad_edge=False, show_edge=False)
    table.add_column("Capability", no_wrap=True, style="bold")
    table.add_column("Stage", no_wrap=True)
    table.add_column("Ceiling", no_wrap=True)
    table.add_column("Conf.", justify="right", no_wrap=True)
    table.add_column("Next stage", no_wrap=True)
    for result in results:
        table.add_row(
            result.capability.value,
            stage_label(result),
            Text(result.ceiling.value, style="" if result.ceiling > result.stage else "dim"),
            f"{round(result.confidence * 100)}%",
            _next_stage_cell(result),
        )
    return table


def _next_stage_cell(result: CapabilityResult) -> Text:
    if result.next_stage is None:
        return Text("top stage reached", style="green")
    blockers = Counter(rule.outcome for rule in _blocking_rules(result))
    tally = ", ".join(
        f"{blockers[outcome]} {_OUTCOME_WORDS[outcome]}" for outcome in (Outcome.FAIL, Outcome.UNKNOWN) if blockers[outcome]
    )
    return Text(f"{result.next_stage.value}: {tally or 'no source can tell'}")


def _print_next_steps(console: Console, results: Sequence[CapabilityResult]) -> None:
    for result in results:
        if result.next_stage is None:
            continue
        console.print()
        console.print(Text(f"{result.capability.value} → {result.next_stage.value}", style="bold"))
        blockers = _blocking_rules(result)
        if not blockers:
            what = f"No configured source can speak for {result.next_stage.value}: see `pecm explain {result.capability.value}`."
            _line(console, Text(what), 2)
        for rule in blockers[:REASONS_PER_CAPABILITY]:
            _line(console, _mark(rule.outcome) + Text(f" {rule.title}"), 2)
            for line in _measured_lines(rule):
                _line(console, line, 4)
            _line(console, Text("Next step: ", style="bold") + Text(rule.remediation), 4)
        hidden = len(blockers) - REASONS_PER_CAPABILITY
        if hidden > 0:
            _line(console, Text(f"… and {hidden} more (pecm explain {result.capability.value})", style="dim"), 2)


def _measured_lines(rule: RuleResult) -> list[Text]:
    if rule.outcome is Outcome.NOT_APPLICABLE:  # a key rule no source can judge: say which source would
        return [Text(rule.explanation[:1].upper() + rule.explanation[1:], style="yellow")]
    lines = [Text(f"Measured: {rule.measured}")] if rule.measured else []
    lines += [Text(f"Beside: {beside_summary(metric)}") for metric in rule.beside]
    if rule.outcome is Outcome.UNKNOWN:
        reasons = Counter(ref.reason for ref in rule.missing if ref.reason)
        if reasons:
            lines.append(Text(f"Unknown: {reasons.most_common(1)[0][0]}", style="yellow"))
    return lines


# --- scan summary and problems -----------------------------------------------------------


def _print_scan_summary(console: Console, scan: ScanMetadata) -> None:
    seconds = (scan.finished_at - scan.started_at).total_seconds()
    console.print(
        Text("Scan", style="bold")
        + Text(f"  pecm {scan.pecm_version}, {scan.started_at:%Y-%m-%d %H:%M %Z}, {seconds:.0f}s")
    )
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for index, source in enumerate(scan.sources):
        grid.add_row("Sources:" if index == 0 else "", _source_line(source))
    if not scan.sources:
        grid.add_row("Sources:", "none ran")
    subjects = ", ".join(_count(number, kind) for kind, number in scan.subjects.items()) or "none"
    grid.add_row("Subjects:", subjects)
    grid.add_row("Evidence:", _count(scan.evidence, "record"))
    if scan.packs:
        grid.add_row("Rule packs:", ", ".join(f"{pack.name} {pack.version}" for pack in scan.packs))
    console.print(Padding(grid, (0, 0, 0, 2), expand=False))


def _source_line(source: SourceRun) -> Text:
    style = {"ok": "green", "partial": "yellow", "failed": "red"}[source.status]
    line = Text(f"{source.collector} {source.version} ") + Text(source.status, style=style)
    line += Text(f" ({_count(source.subjects, 'subject')}, {_count(source.evidence, 'evidence record')})")
    if source.requests:
        line += Text("; requests: " + ", ".join(_requests(family, count) for family, count in source.requests.items()))
    return line


def _requests(family: str, count: RequestCount) -> str:
    extras = [f"{count.charged} charged"] if count.charged else []
    extras += [f"cost {count.cost}"] if count.cost else []
    return f"{family} {count.sent}" + (f" ({', '.join(extras)})" if extras else "")


def _print_problems(console: Console, problems: Sequence[Problem]) -> None:
    console.print(Text(f"Problems ({len(problems)})", style="bold"))
    for problem in problems:
        where = f"{problem.source} ({problem.subject})" if problem.subject else problem.source
        line = Text(problem.severity, style="red" if problem.severity == "error" else "yellow")
        line += Text(f" {where}: {problem.message}")
        if problem.hint:
            line += Text(f" (hint: {problem.hint})", style="dim")
        console.print(Padding(line, (0, 0, 0, 2), expand=False))


# --- pecm explain ---------------------------------------------------------------------


def render_explanation(result: CapabilityResult, out: TextIO) -> None:
    """Why a capability sits at its stage, what blocks the next, and what only people can tell."""
    console = output_console(out)
    _print_explanation_header(console, result)
    _print_why(console, result)
    _print_blockers(console, result)
    _print_ceiling(console, result)
    _print_not_inferable(console, result.not_inferable)


def _print_explanation_header(console: Console, result: CapabilityResult) -> None:
    outcomes = Counter(rule.outcome for rule in result.rules)
    tally = ", ".join(f"{outcomes[outcome]} {_OUTCOME_WORDS[outcome]}" for outcome in Outcome if outcomes[outcome])
    console.print(Text(f"{result.capability.value} — {result.title}", style="bold"))
    console.print(
        Text(
            f"Stage {stage_label(result)}, ceiling {result.ceiling.value}, "
            f"confidence {round(result.confidence * 100)}%; {_count(len(result.rules), 'rule')}"
            + (f" ({tally})" if tally else "")
        )
    )


def _print_why(console: Console, result: CapabilityResult) -> None:
    _heading(console, f"Why {result.stage.value}")
    if result.stage is Stage.INITIAL:
        _line(console, Text("initial is the floor: it needs no evidence."), 2)
        return
    for stage in Stage:
        if Stage.INITIAL < stage <= result.stage:
            _line(console, Text(stage.value, style="bold"), 2)
            for rule in _rules_at(result, stage):
                _print_rule_title(console, rule, 4)
                if rule.outcome is Outcome.PASS:
                    _print_refs(console, "Evidence", rule.supporting, rule, 6)
                elif rule.outcome is Outcome.NOT_APPLICABLE:
                    _line(console, Text(f"not applicable: no configured source provides {', '.join(rule.needs)}"), 6)


def _print_blockers(console: Console, result: CapabilityResult) -> None:
    if result.next_stage is None:
        _heading(console, "Next stage")
        _line(console, Text(f"{result.stage.value} is the top stage."), 2)
        return
    _heading(console, f"What blocks {result.next_stage.value}")
    blockers = _blocking_rules(result)
    if not blockers:
        _line(console, Text(f"No rule of {result.next_stage.value} is applicable: no configured source can speak for it."), 2)
        for rule in _rules_at(result, result.next_stage):
            _print_rule_title(console, rule, 4)
            _line(console, Text(f"needs {', '.join(rule.needs)}"), 6)
        return
    for rule in blockers:
        _print_rule_title(console, rule, 2)
        _line(console, Text(rule.explanation), 4)
        for metric in rule.metrics:
            _line(console, Text(metric_summary(metric), style="dim"), 4)
        for metric in rule.beside:
            _line(console, Text(f"Beside: {beside_summary(metric)}"), 4)
        _print_refs(console, "Against", rule.opposing, rule, 4)
        _print_refs(console, "Missing", rule.missing, rule, 4)
        _line(console, Text("Fix: ", style="bold") + Text(rule.remediation), 4)
        if rule.evidence_omitted:
            _line(console, Text(f"({rule.evidence_omitted} more references were left out of the assessment)"), 4)


def _print_ceiling(console: Console, result: CapabilityResult) -> None:
    _heading(console, f"Ceiling: {result.ceiling.value}")
    if result.ceiling is result.stage:
        _line(console, Text("Equal to the stage: resolving the unknowns would not lift it."), 2)
        return
    _line(console, Text(f"{result.ceiling.value} is within reach if these unknown rules turn out to pass:"), 2)
    for rule in result.rules:
        if rule.outcome is Outcome.UNKNOWN and result.stage < rule.stage <= result.ceiling:
            _print_rule_title(console, rule, 4)
            for (kind, reason), number in Counter((ref.kind, ref.reason) for ref in rule.missing).most_common():
                _line(console, Text(f"{kind} on {_count(number, 'subject')}: {reason or 'not collected'}"), 6)


def _print_not_inferable(console: Console, criteria: Sequence[NotInferable]) -> None:
    if not criteria:
        return
    _heading(console, "Not inferable (only people can tell)")
    for criterion in criteria:
        text = f"{criterion.criterion}{criterion_tags(criterion)} — {criterion.reason}"
        _line(console, Text(f"{criterion.stage.value}: ", style="bold") + Text(text), 2)


def _print_rule_title(console: Console, rule: RuleResult, indent: int) -> None:
    _line(console, _mark(rule.outcome) + Text(f" {rule.title} ") + Text(f"[{rule.rule_id}]", style="dim"), indent)


def _print_refs(console: Console, label: str, refs: Sequence[EvidenceRef], rule: RuleResult, indent: int) -> None:
    if not refs:
        return
    _line(console, Text(f"{label}:", style="bold"), indent)
    for ref in refs[:REFS_PER_LIST]:
        _line(console, Text(_ref_line(ref)), indent + 2)
    hidden = len(refs) - REFS_PER_LIST
    if hidden > 0:
        _line(console, Text(f"… and {hidden} more", style="dim"), indent + 2)


def _ref_line(ref: EvidenceRef) -> str:
    if ref.reason:
        return f"{ref.subject} {ref.kind} ({ref.status.value}): {ref.reason}"
    if not ref.locators:
        return f"{ref.subject} {ref.kind}"
    shown = ", ".join(scoped(locator) for locator in ref.locators[:LOCATORS_PER_REF])
    hidden = len(ref.locators) - LOCATORS_PER_REF
    return f"{ref.subject} {ref.kind}: {shown}" + (f" (+{hidden} more)" if hidden > 0 else "")


# --- shared pieces ----------------------------------------------------------------------


def _blocking_rules(result: CapabilityResult) -> list[RuleResult]:
    by_id = {rule.rule_id: rule for rule in result.rules}
    return [by_id[rule_id] for rule_id in result.blockers if rule_id in by_id]


def _rules_at(result: CapabilityResult, stage: Stage) -> Iterable[RuleResult]:
    return (rule for rule in result.rules if rule.stage is stage)


def _mark(outcome: Outcome) -> Text:
    symbol, style = _MARKS[outcome]
    return Text(symbol, style=style)


def _heading(console: Console, title: str) -> None:
    console.print()
    console.print(Text(title, style="bold underline"))


def _line(console: Console, text: Text, indent: int) -> None:
    # Padding keeps wrapped continuation lines at the same indent.
    console.print(Padding(text, (0, 0, 0, indent), expand=False))


def _count(number: int, singular: str, plural: str | None = None) -> str:
    if number == 1:
        return f"1 {singular}"
    if plural is None:
        plural = singular[:-1] + "ies" if singular.endswith("y") else singular + "s"
    return f"{number} {plural}"
