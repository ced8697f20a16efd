"""The assessment as one Markdown page, for a GitHub job summary or a wiki.

A summary table, then one section per capability (rules failed, unknown, passed and not
applicable, with the evidence behind them; what only people can tell), then the scan and
its problems. Evidence lists are capped like the console's, so the page stays far below
GitHub's 1 MiB job-summary limit however many repositories were scanned; the JSON report
holds everything.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import ClassVar, TextIO

from reports.text import (
    beside_summary,
    criterion_tags,
    file_url,
    metric_summary,
    partial_shard_notice,
    path_scope,
    report_title,
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
)

BLOCKERS_IN_SUMMARY = 3
REFS_PER_LIST = 5
LOCATORS_PER_REF = 3
REASONS_PER_RULE = 5  # distinct (kind, reason) pairs shown for an unknown rule
PROBLEMS_SHOWN = 50

_MARKS = {Outcome.PASS: "✓", Outcome.FAIL: "✗", Outcome.UNKNOWN: "?", Outcome.NOT_APPLICABLE: "–"}
_SECTIONS = (
    (Outcome.FAIL, "Failed"),
    (Outcome.UNKNOWN, "Unknown"),
    (Outcome.PASS, "Passed"),
    (Outcome.NOT_APPLICABLE, "Not applicable"),
)
_OUTCOME_WORDS = {
    Outcome.PASS: "passed",
    Outcome.FAIL: "failed",
    Outcome.UNKNOWN: "unknown",
    Outcome.NOT_APPLICABLE: "not applicable",
}
_LINK = re.compile(r"^https?://\S+$")


class MarkdownRenderer:
    name: ClassVar[str] = "markdown"
    description: ClassVar[str] = "One Markdown page (GitHub job summary, wiki): summary table, rules and evidence per capability."

    def render(self, assessment: Assessment, out: TextIO) -> None:
        lines = [f"# {_md(report_title(assessment.scan.organization))}", "", _headline(assessment.scan), ""]
        if assessment.scan.shard is not None:
            lines += [f"> **{_md(partial_shard_notice(assessment.scan.shard))}**", ""]
        lines += _summary_table(assessment.capabilities)
        for result in assessment.capabilities:
            lines += _capability_section(result, assessment.file_bases)
        lines += _scan_section(assessment.scan)
        lines += _problems_section(assessment.scan.problems)
        out.write("\n".join(lines) + "\n")


# --- summary ------------------------------------------------------------------------------


def _headline(scan: ScanMetadata) -> str:
    subjects = sum(scan.subjects.values())
    packs = ", ".join(f"{pack.name} {pack.version}" for pack in scan.packs) or "none"
    when = f"{scan.started_at:%Y-%m-%d %H:%M %Z}"
    return f"pecm {_md(scan.pecm_version)}, scanned {when}: {_count(subjects, 'subject')}; rule packs: {_md(packs)}."


def _summary_table(results: Sequence[CapabilityResult]) -> list[str]:
    lines = ["| Capability | Stage | Ceiling | Confidence | Blocks the next stage |", "|---|---|---|---:|---|"]
    for result in results:
        cells = (
            result.capability.value,
            stage_label(result),
            result.ceiling.value,
            _percent(result.confidence),
            "<br>".join(_blocker_cell(result)),
        )
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _blocker_cell(result: CapabilityResult) -> list[str]:
    if result.next_stage is None:
        return ["top stage reached"]
    lines = [f"→ {result.next_stage.value}"]
    blockers = _blocking_rules(result)
    if not blockers:
        lines.append("no configured source can speak for it")
    lines += [f"{_MARKS[rule.outcome]} {_md(rule.title)}" for rule in blockers[:BLOCKERS_IN_SUMMARY]]
    hidden = len(blockers) - BLOCKERS_IN_SUMMARY
    if hidden > 0:
        lines.append(f"… and {hidden} more")
    return lines


# --- one capability ---------------------------------------------------------------------


def _capability_section(result: CapabilityResult, file_bases: Mapping[str, str]) -> list[str]:
    lines = ["", f"## {result.capability.value}: {_md(result.title)}", "", _capability_line(result)]
    blockers = set(result.blockers)
    for outcome, heading in _SECTIONS:
        rules = [rule for rule in result.rules if rule.outcome is outcome]
        if rules:
            lines += ["", f"### {heading} ({len(rules)})", ""]
            for rule in rules:
                lines += _rule_lines(rule, rule.rule_id in blockers, file_bases)
    lines += _not_inferable_lines(result.not_inferable)
    return lines


def _capability_line(result: CapabilityResult) -> str:
    outcomes = Counter(rule.outcome for rule in result.rules)
    tally = ", ".join(f"{outcomes[outcome]} {_OUTCOME_WORDS[outcome]}" for outcome in Outcome if outcomes[outcome])
    following = f"next stage {result.next_stage.value}" if result.next_stage else "top stage reached"
    return (
        f"Stage **{stage_label(result)}**, ceiling **{result.ceiling.value}**, confidence {_percent(result.confidence)}; "
        f"{following}. {_count(len(result.rules), 'rule')}" + (f": {tally}." if tally else ".")
    )


def _rule_lines(rule: RuleResult, blocking: bool, file_bases: Mapping[str, str]) -> list[str]:
    blocks = " — blocks the next stage" if blocking else ""
    lines = [f"- {_MARKS[rule.outcome]} **{_md(rule.title)}** ({_code(rule.rule_id)}, {rule.stage.value}){blocks}"]
    if rule.outcome is Outcome.NOT_APPLICABLE:
        needs = ", ".join(_code(kind) for kind in rule.needs)
        return lines + [f"  - no configured source provides {needs}"]
    if rule.outcome is not Outcome.PASS:
        lines.append(f"  - Why: {_md(rule.explanation)}")
        lines += [f"  - Metric: {_md(metric_summary(metric))}" for metric in rule.metrics]
    lines += [f"  - Beside: {_md(beside_summary(metric))}" for metric in rule.beside]
    lines += _refs("Evidence", rule.supporting if rule.outcome is Outcome.PASS else (), file_bases)
    lines += _refs("Against", rule.opposing if rule.outcome is not Outcome.PASS else (), file_bases)
    if rule.outcome is Outcome.UNKNOWN:
        lines += _missing(rule.missing)
    if rule.outcome is Outcome.FAIL:
        lines.append(f"  - Fix: {_md(rule.remediation)}")
    if rule.evidence_omitted:
        lines.append(f"  - {_count(rule.evidence_omitted, 'more reference')} left out of the assessment")
    return lines


def _refs(label: str, refs: Sequence[EvidenceRef], file_bases: Mapping[str, str]) -> list[str]:
    if not refs:
        return []
    lines = [f"  - {label}:"] + [f"    - {_ref_line(ref, file_bases)}" for ref in refs[:REFS_PER_LIST]]
    hidden = len(refs) - REFS_PER_LIST
    return lines + ([f"    - … and {hidden} more"] if hidden > 0 else [])


def _ref_line(ref: EvidenceRef, file_bases: Mapping[str, str]) -> str:
    where = f"{_code(ref.subject)} {_code(ref.kind)}"
    if ref.reason:
        return f"{where} ({ref.status.value}): {_md(ref.reason)}"
    if not ref.locators:
        return where
    shown = ", ".join(_locator(locator, file_url(ref, locator, file_bases)) for locator in ref.locators[:LOCATORS_PER_REF])
    hidden = len(ref.locators) - LOCATORS_PER_REF
    return f"{where}: {shown}" + (f" (+{hidden} more)" if hidden > 0 else "")


def _missing(refs: Sequence[EvidenceRef]) -> list[str]:
    """Unknown evidence grouped by kind and reason: one line for a thousand repositories alike."""
    groups = Counter((ref.kind, ref.reason or "not collected") for ref in refs).most_common()
    if not groups:
        return []
    lines = ["  - Missing:"]
    for (kind, reason), number in groups[:REASONS_PER_RULE]:
        lines.append(f"    - {_code(kind)} on {_count(number, 'subject')}: {_md(reason)}")
    hidden = len(groups) - REASONS_PER_RULE
    return lines + ([f"    - … and {hidden} more reasons"] if hidden > 0 else [])


def _not_inferable_lines(criteria: Sequence[NotInferable]) -> list[str]:
    if not criteria:
        return []
    lines = ["", f"### Not inferable ({len(criteria)}): only people can tell", ""]
    return lines + [
        f"- {criterion.stage.value}: {_md(criterion.criterion + criterion_tags(criterion))} — {_md(criterion.reason)}"
        for criterion in criteria
    ]


# --- scan and problems --------------------------------------------------------------------


def _scan_section(scan: ScanMetadata) -> list[str]:
    seconds = (scan.finished_at - scan.started_at).total_seconds()
    started = f"{scan.started_at:%Y-%m-%d %H:%M %Z}"
    lines = ["", "## Scan", "", f"- pecm {_md(scan.pecm_version)}, started {started}, took {seconds:.0f}s"]
    lines.append("- Sources:" if scan.sources else "- Sources: none ran")
    lines += [f"  - {_source_line(source)}" for source in scan.sources]
    subjects = ", ".join(_count(number, kind) for kind, number in scan.subjects.items()) or "none"
    lines += [f"- Subjects: {_md(subjects)}", f"- Evidence: {_count(scan.evidence, 'record')}"]
    if scan.packs:
        lines.append("- Rule packs: " + ", ".join(f"{_md(pack.name)} {_md(pack.version)}" for pack in scan.packs))
    return lines


def _source_line(source: SourceRun) -> str:
    line = f"{_md(source.collector)} {_md(source.version)}: {source.status}"
    line += f" ({_count(source.subjects, 'subject')}, {_count(source.evidence, 'evidence record')})"
    if source.requests:
        line += "; requests: " + ", ".join(_requests(family, count) for family, count in source.requests.items())
    return line


def _requests(family: str, count: RequestCount) -> str:
    extras = [f"{count.charged} charged"] if count.charged else []
    extras += [f"cost {count.cost}"] if count.cost else []
    return f"{_md(family)} {count.sent}" + (f" ({', '.join(extras)})" if extras else "")


def _problems_section(problems: Sequence[Problem]) -> list[str]:
    if not problems:
        return []
    lines = ["", f"## Problems ({len(problems)})", ""]
    for problem in problems[:PROBLEMS_SHOWN]:
        where = _md(problem.source) + (f" ({_code(problem.subject)})" if problem.subject else "")
        hint = f" (hint: {_md(problem.hint)})" if problem.hint else ""
        lines.append(f"- **{problem.severity}** {where}: {_md(problem.message)}{hint}")
    hidden = len(problems) - PROBLEMS_SHOWN
    return lines + ([f"- … and {hidden} more (the JSON report lists them all)"] if hidden > 0 else [])


# --- Markdown text ----------------------------------------------------------------------


def _blocking_rules(result: CapabilityResult) -> list[RuleResult]:
    by_id = {rule.rule_id: rule for rule in result.rules}
    return [by_id[rule_id] for rule_id in result.blockers if rule_id in by_id]


def _locator(locator: str, path_url: str | None) -> str:
    """URLs become links, and paths whose repository has a file address; the rest stays literal."""
    if _LINK.match(locator):
        target = locator.replace("<", "%3C").replace(">", "%3E")
        return f"[{_md(locator)}](<{target}>)"
    scope = path_scope(locator)
    beside = f" ({scope})" if scope else ""
    if path_url is not None:
        return f"[{_code(locator)}](<{path_url.replace('<', '%3C').replace('>', '%3E')}>){beside}"
    return _code(locator) + beside


def _md(text: str) -> str:
    """Text that stays literal: one line, table pipes, emphasis, links and HTML escaped."""
    text = " ".join(text.split())
    for char in ("\\", "|", "*", "_", "`", "[", "]", "<", ">", "&", "#"):
        text = text.replace(char, "\\" + char)
    return text


def _code(text: str) -> str:
    """A code span that survives backticks inside: a fence longer than any run of them."""
    text = " ".join(text.split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padding = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def _percent(share: float) -> str:
    return f"{round(share * 100)}%"


def _count(number: int, singular: str) -> str:
    if number == 1:
        return f"1 {singular}"
    plural = singular[:-1] + "ies" if singular.endswith("y") else singular + "s"
    return f"{number} {plural}"
