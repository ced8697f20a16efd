"""The assessment as one self-contained HTML page: a radar chart, drill-down, trends.

The page loads nothing from the network (inline CSS and SVG, no fonts, no CDN), so it can be
mailed or attached to a ticket and opened offline. Python computes every number and SVG
coordinate into a plain view model; the Jinja2 templates in `reports/templates/` only lay it
out, with autoescaping on, so rule titles, paths and URLs from scanned repositories stay text.
Evidence lists are capped like the console's; the JSON report holds everything.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, TextIO

from jinja2 import Environment, PackageLoader, StrictUndefined, Template

from reports.console import LOCATORS_PER_REF, REFS_PER_LIST
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
    Capability,
    CapabilityResult,
    EvidenceRef,
    Outcome,
    Problem,
    RuleResult,
    ScanMetadata,
    Stage,
)
from scanner.self_assessment import SelfAssessment

logger = logging.getLogger(__name__)

PROBLEMS_SHOWN = 50
REASONS_PER_RULE = 5
RADIUS = 120  # of the outermost ring, in SVG user units around the chart's centre
LABEL_RADIUS = RADIUS + 18
SPARK_WIDTH = 120
SPARK_HEIGHT = 30
_STAGES = tuple(Stage)
_OUTCOME_ORDER = (Outcome.FAIL, Outcome.UNKNOWN, Outcome.PASS, Outcome.NOT_APPLICABLE)
_OUTCOME_HEADINGS = {
    Outcome.FAIL: "Failed",
    Outcome.UNKNOWN: "Unknown",
    Outcome.PASS: "Passed",
    Outcome.NOT_APPLICABLE: "Not applicable",
}
_MARKS = {Outcome.PASS: "✓", Outcome.FAIL: "✗", Outcome.UNKNOWN: "?", Outcome.NOT_APPLICABLE: "–"}
_LINK = re.compile(r"^https?://\S+$")

HistoryPoint = tuple[datetime, Mapping[str, str]]


class HtmlRenderer:
    name: ClassVar[str] = "html"
    description: ClassVar[str] = (
        "One self-contained HTML page: radar chart, rules and evidence per capability, trends; opens offline."
    )

    def __init__(
        self,
        history: Sequence[HistoryPoint] = (),
        reported: Mapping[str, str] | None = None,
        targets: Mapping[str, str] | None = None,
        answers: Mapping[Capability, Sequence[Stage]] | None = None,
    ) -> None:
        """`history`: (scan time, {capability id: stage value}) oldest first; `reported` and
        `targets`: capability id -> stage value. Unknown capabilities or stages are logged and left out.
        `answers`: every respondent's current stage, for the table to show their spread."""
        self._history = tuple(history)
        self._reported = _stages_by_capability(reported or {}, "self-reported stage")
        self._targets = _stages_by_capability(targets or {}, "target stage")
        self._answers = {capability: tuple(stages) for capability, stages in (answers or {}).items() if stages}

    @classmethod
    def from_self_assessment(
        cls, self_assessment: SelfAssessment, history: Sequence[HistoryPoint] = ()
    ) -> HtmlRenderer:
        """One overlay from many respondents: per capability the median current stage (the lower
        of the two middle answers when their number is even, so the chart never claims more than
        half the respondents do) and the highest target anyone set (the roadmap `pecm gaps` draws).
        The table shows the answers' spread, and the legend states the median rule."""
        reported: dict[str, str] = {}
        targets: dict[str, str] = {}
        currents: dict[Capability, list[Stage]] = {}
        for capability in Capability:
            answers = [answer for _, answer in self_assessment.answers_for(capability)]
            if answers:
                currents[capability] = [answer.current for answer in answers]
                ranks = sorted(answer.current.rank for answer in answers)
                reported[capability.value] = _STAGES[statistics.median_low(ranks) - 1].value
            wanted = [answer.target for answer in answers if answer.target is not None]
            if wanted:
                targets[capability.value] = max(wanted).value
        return cls(history=history, reported=reported, targets=targets, answers=currents)

    def render(self, assessment: Assessment, out: TextIO) -> None:
        out.write(_template().render(page=self._page(assessment)))

    def _reported_cell(self, capability: Capability) -> str:
        """One respondent's stage, or what several answered: "repeatable–managed (2 respondents)",
        never a median presented as if everyone had said it."""
        answers = self._answers.get(capability)
        if answers is None or len(answers) == 1:
            return _stage_text(self._reported.get(capability))
        low, high = min(answers), max(answers)
        if low is high:
            return f"{_stage_text(low)}, all {len(answers)} respondents"
        return f"{low.value}–{high.value} ({len(answers)} respondents)"

    def _page(self, assessment: Assessment) -> Page:
        results = {result.capability: result for result in assessment.capabilities}
        history = _history_before(self._history, assessment)
        # The lowest capability is the one to act on, so its drill-down starts open.
        lowest = min(assessment.capabilities, key=lambda result: result.stage.rank, default=None)
        capabilities = tuple(
            _capability_view(result, history, result is lowest, assessment.file_bases) for result in assessment.capabilities
        )
        return Page(
            title=report_title(assessment.scan.organization),
            scan=assessment.scan,
            radar=_radar(results, self._reported, self._targets),
            rows=tuple(
                _row(capability, results.get(capability), self._reported_cell(capability), self._targets)
                for capability in Capability
            ),
            capabilities=capabilities,
            problems=assessment.scan.problems[:PROBLEMS_SHOWN],
            problems_hidden=max(0, len(assessment.scan.problems) - PROBLEMS_SHOWN),
            subjects=sum(assessment.scan.subjects.values()),
            partial=partial_shard_notice(assessment.scan.shard) if assessment.scan.shard is not None else None,
            seconds=round((assessment.scan.finished_at - assessment.scan.started_at).total_seconds()),
        )


# --- the view model -----------------------------------------------------------------------


@dataclass(frozen=True)
class Axis:
    label: str
    x1: float
    y1: float
    label_x: float
    label_y: float
    anchor: str


@dataclass(frozen=True)
class Overlay:
    """Stages people gave: a polygon when all six capabilities have one, and a marker for each."""

    polygon: str | None
    markers: tuple[tuple[float, float, str], ...]


@dataclass(frozen=True)
class Radar:
    axes: tuple[Axis, ...]
    rings: tuple[tuple[str, str], ...]  # (stage, polygon points)
    inferred: str
    ceiling: str
    reported: Overlay | None
    targets: Overlay | None
    dots: tuple[tuple[float, float, str], ...]  # inferred vertices, with their text for a tooltip
    description: str


@dataclass(frozen=True)
class Row:
    capability: str
    inferred: str
    ceiling: str
    reported: str
    target: str
    confidence: str


@dataclass(frozen=True)
class LocatorView:
    text: str
    href: str | None  # URLs, and paths whose repository has a file address
    is_path: bool
    scope: str | None = None  # 'test fixture' and kin beside a path that is not live


@dataclass(frozen=True)
class RefView:
    subject: str
    kind: str
    status: str
    reason: str | None
    locators: tuple[LocatorView, ...]
    locators_hidden: int


@dataclass(frozen=True)
class RefList:
    label: str
    refs: tuple[RefView, ...]
    hidden: int


@dataclass(frozen=True)
class RuleView:
    rule_id: str
    title: str
    stage: str
    outcome: str
    mark: str
    blocking: bool
    explanation: str | None
    metrics: tuple[str, ...]
    beside: tuple[str, ...]  # metrics reported beside the outcome, whatever it is
    evidence: tuple[RefList, ...]
    missing: tuple[str, ...]  # "kind on N subjects: reason"
    missing_hidden: int
    needs: tuple[str, ...]
    remediation: str | None
    omitted: int


@dataclass(frozen=True)
class OutcomeGroup:
    outcome: str
    heading: str
    rules: tuple[RuleView, ...]


@dataclass(frozen=True)
class Sparkline:
    points: str
    last_x: float
    last_y: float
    label: str


@dataclass(frozen=True)
class CapabilityView:
    capability: str
    title: str
    stage: str
    stage_label: str
    ceiling: str
    confidence: str
    next_stage: str | None
    tally: str
    groups: tuple[OutcomeGroup, ...]
    not_inferable: tuple[tuple[str, str, str], ...]  # (stage, criterion, reason)
    sparkline: Sparkline | None
    open: bool


@dataclass(frozen=True)
class Page:
    title: str
    scan: ScanMetadata
    radar: Radar
    rows: tuple[Row, ...]
    capabilities: tuple[CapabilityView, ...]
    problems: tuple[Problem, ...]
    problems_hidden: int
    subjects: int
    partial: str | None  # the notice on a single shard's report
    seconds: int


# --- the radar chart ----------------------------------------------------------------------


def _point(index: int, rank: float) -> tuple[float, float]:
    """Capability `index` (clockwise from the top) at stage `rank` (0 = centre, 5 = outer ring)."""
    angle = -math.pi / 2 + index * 2 * math.pi / len(Capability)
    distance = RADIUS * rank / len(_STAGES)
    return round(distance * math.cos(angle), 1), round(distance * math.sin(angle), 1)


def _polygon(ranks: Sequence[float]) -> str:
    return " ".join(f"{x},{y}" for x, y in (_point(index, rank) for index, rank in enumerate(ranks)))


def _radar(
    results: Mapping[Capability, CapabilityResult], reported: Mapping[Capability, Stage], targets: Mapping[Capability, Stage]
) -> Radar:
    capabilities = tuple(Capability)
    axes = []
    for index, capability in enumerate(capabilities):
        x1, y1 = _point(index, len(_STAGES))
        label_x, label_y = (
            round(coordinate * LABEL_RADIUS / RADIUS, 1) for coordinate in (x1, y1)
        )
        anchor = "middle" if abs(label_x) < 1 else ("start" if label_x > 0 else "end")
        axes.append(Axis(capability.value, x1, y1, label_x, label_y + (4 if label_y >= 0 else 0), anchor))
    rings = tuple((stage.value, _polygon([stage.rank] * len(capabilities))) for stage in _STAGES)

    def ranks(stage_of: Mapping[Capability, Stage]) -> list[float]:
        return [stage_of[capability].rank if capability in stage_of else 0 for capability in capabilities]

    inferred = {capability: result.stage for capability, result in results.items()}
    ceilings = {capability: result.ceiling for capability, result in results.items()}
    dots = tuple(
        (*_point(index, inferred[capability].rank), f"{capability.value}: {inferred[capability].value}")
        for index, capability in enumerate(capabilities)
        if capability in inferred
    )
    return Radar(
        axes=tuple(axes),
        rings=rings,
        inferred=_polygon(ranks(inferred)),
        ceiling=_polygon(ranks(ceilings)),
        reported=_overlay(reported, "self-reported") if reported else None,
        targets=_overlay(targets, "target") if targets else None,
        dots=dots,
        description=_radar_description(capabilities, inferred, reported, targets),
    )


def _overlay(stages: Mapping[Capability, Stage], what: str) -> Overlay:
    """A partial polygon would fall to the centre on unanswered axes and read as 'initial'."""
    capabilities = tuple(Capability)
    complete = all(capability in stages for capability in capabilities)
    markers = tuple(
        (*_point(index, stages[capability].rank), f"{capability.value}: {what} {stages[capability].value}")
        for index, capability in enumerate(capabilities)
        if capability in stages
    )
    return Overlay(_polygon([stages[capability].rank for capability in capabilities]) if complete else None, markers)


def _radar_description(
    capabilities: Sequence[Capability],
    inferred: Mapping[Capability, Stage],
    reported: Mapping[Capability, Stage],
    targets: Mapping[Capability, Stage],
) -> str:
    parts = []
    for capability in capabilities:
        text = f"{capability.value} {inferred[capability].value}" if capability in inferred else f"{capability.value} not assessed"
        if capability in reported:
            text += f" (self-reported {reported[capability].value})"
        if capability in targets:
            text += f" (target {targets[capability].value})"
        parts.append(text)
    return "Inferred stage per capability: " + "; ".join(parts) + ". The table below holds the same numbers."


def _row(
    capability: Capability,
    result: CapabilityResult | None,
    reported: str,
    targets: Mapping[Capability, Stage],
) -> Row:
    return Row(
        capability=capability.value,
        inferred=_stage_text(result.stage) if result else "not assessed",
        ceiling=_stage_text(result.ceiling) if result else "—",
        reported=reported,
        target=_stage_text(targets.get(capability)),
        confidence=f"{round(result.confidence * 100)}%" if result else "—",
    )


def _stage_text(stage: Stage | None) -> str:
    return f"{stage.value} ({stage.rank})" if stage else "—"


# --- history ------------------------------------------------------------------------------


def _history_before(history: Sequence[HistoryPoint], assessment: Assessment) -> tuple[HistoryPoint, ...]:
    """Earlier scans only: the lead may or may not have stored this scan before rendering it,
    and the current assessment is always drawn as the last point."""
    return tuple(point for point in history if point[0] < assessment.scan.started_at)


def _sparkline(capability: Capability, history: Sequence[HistoryPoint], current: Stage) -> Sparkline | None:
    stages = [_parse_stage(stages.get(capability.value)) for _, stages in history]
    series = [stage for stage in stages if stage is not None] + [current]
    if len(series) < 2:
        return None
    step = (SPARK_WIDTH - 6) / (len(series) - 1)
    coordinates = [
        (round(3 + index * step, 1), round(SPARK_HEIGHT - 3 - (stage.rank - 1) * (SPARK_HEIGHT - 6) / 4, 1))
        for index, stage in enumerate(series)
    ]
    label = f"{capability.value} over {len(series)} scans: " + " → ".join(stage.value for stage in series)
    return Sparkline(
        points=" ".join(f"{x},{y}" for x, y in coordinates),
        last_x=coordinates[-1][0],
        last_y=coordinates[-1][1],
        label=label,
    )


# --- one capability -----------------------------------------------------------------------


def _capability_view(
    result: CapabilityResult, history: Sequence[HistoryPoint], is_open: bool, file_bases: Mapping[str, str]
) -> CapabilityView:
    blockers = set(result.blockers)
    groups = []
    for outcome in _OUTCOME_ORDER:
        rules = tuple(_rule_view(rule, rule.rule_id in blockers, file_bases) for rule in result.rules if rule.outcome is outcome)
        if rules:
            groups.append(OutcomeGroup(outcome.value, _OUTCOME_HEADINGS[outcome], rules))
    outcomes = Counter(rule.outcome for rule in result.rules)
    tally = ", ".join(f"{outcomes[outcome]} {_OUTCOME_HEADINGS[outcome].lower()}" for outcome in _OUTCOME_ORDER if outcomes[outcome])
    return CapabilityView(
        capability=result.capability.value,
        title=result.title,
        stage=result.stage.value,
        stage_label=stage_label(result),
        ceiling=result.ceiling.value,
        confidence=f"{round(result.confidence * 100)}%",
        next_stage=result.next_stage.value if result.next_stage else None,
        tally=tally or "no rules",
        groups=tuple(groups),
        not_inferable=tuple(
            (item.stage.value, item.criterion + criterion_tags(item), item.reason) for item in result.not_inferable
        ),
        sparkline=_sparkline(result.capability, history, result.stage) if history else None,
        open=is_open,
    )


def _rule_view(rule: RuleResult, blocking: bool, file_bases: Mapping[str, str]) -> RuleView:
    evidence: list[RefList] = []
    if rule.outcome is Outcome.PASS and rule.supporting:
        evidence.append(_ref_list("Evidence", rule.supporting, file_bases))
    if rule.outcome in (Outcome.FAIL, Outcome.UNKNOWN) and rule.opposing:
        evidence.append(_ref_list("Against", rule.opposing, file_bases))
    missing = (
        Counter((ref.kind, ref.reason or "not collected") for ref in rule.missing).most_common()
        if rule.outcome is Outcome.UNKNOWN
        else []
    )
    decided = rule.outcome in (Outcome.FAIL, Outcome.UNKNOWN)
    return RuleView(
        rule_id=rule.rule_id,
        title=rule.title,
        stage=rule.stage.value,
        outcome=rule.outcome.value,
        mark=_MARKS[rule.outcome],
        blocking=blocking,
        explanation=rule.explanation if decided else None,
        metrics=tuple(metric_summary(metric) for metric in rule.metrics) if decided else (),
        beside=tuple(beside_summary(metric) for metric in rule.beside),
        evidence=tuple(evidence),
        missing=tuple(
            f"{kind} on {number} subject{'s' if number != 1 else ''}: {reason}"
            for (kind, reason), number in missing[:REASONS_PER_RULE]
        ),
        missing_hidden=max(0, len(missing) - REASONS_PER_RULE),
        needs=rule.needs if rule.outcome is Outcome.NOT_APPLICABLE else (),
        remediation=rule.remediation if rule.outcome is Outcome.FAIL else None,
        omitted=rule.evidence_omitted,
    )


def _ref_list(label: str, refs: Sequence[EvidenceRef], file_bases: Mapping[str, str]) -> RefList:
    shown = tuple(_ref_view(ref, file_bases) for ref in refs[:REFS_PER_LIST])
    return RefList(label, shown, max(0, len(refs) - REFS_PER_LIST))


def _ref_view(ref: EvidenceRef, file_bases: Mapping[str, str]) -> RefView:
    return RefView(
        subject=ref.subject,
        kind=ref.kind,
        status=ref.status.value,
        reason=ref.reason,
        locators=tuple(_locator_view(ref, locator, file_bases) for locator in ref.locators[:LOCATORS_PER_REF]),
        locators_hidden=max(0, len(ref.locators) - LOCATORS_PER_REF),
    )


# --- input and templates ------------------------------------------------------------------


def _parse_stage(value: object) -> Stage | None:
    return next((stage for stage in Stage if stage.value == value), None)


def _stages_by_capability(stages: Mapping[str, str], what: str) -> dict[Capability, Stage]:
    parsed: dict[Capability, Stage] = {}
    for capability_id, stage_value in stages.items():
        capability = next((capability for capability in Capability if capability.value == capability_id), None)
        stage = _parse_stage(stage_value)
        if capability is None or stage is None:
            logger.warning("HTML report: left out the %s %r for %r: not a known capability and stage", what, stage_value, capability_id)
            continue
        parsed[capability] = stage
    return parsed


@functools.cache
def _template() -> Template:
    environment = Environment(
        loader=PackageLoader("reports", "templates"),
        autoescape=True,  # titles, paths and URLs come from scanned repositories: never markup
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return environment.get_template("report.html.j2")


def _locator_view(ref: EvidenceRef, locator: str, file_bases: Mapping[str, str]) -> LocatorView:
    if _LINK.match(locator):
        return LocatorView(locator, locator, is_path=False)
    return LocatorView(locator, file_url(ref, locator, file_bases), is_path=True, scope=path_scope(locator))
