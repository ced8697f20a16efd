"""Inferred versus reported maturity: where the evidence disagrees with what people believe.

Pure: an Assessment and a SelfAssessment in, a GapAnalysis out. Per capability and
respondent the reported stage is compared with the proven stage:

- aligned: reported == proven;
- under-reported: reported < proven; the passed rules above the reported stage prove more;
- over-reported: reported > proven and a rule of some stage up to the reported one failed:
  the evidence contradicts the claim;
- unverifiable: reported > proven and nothing failed there: the deciding rules are
  unknown or not applicable, or the stage holds only criteria no evidence can decide.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from scanner.model import (
    Assessment,
    Capability,
    CapabilityResult,
    EvidenceRef,
    NotInferable,
    Outcome,
    RuleResult,
    Stage,
)
from scanner.self_assessment import SelfAssessment

KindProviders = Mapping[str, Sequence[str]]  # evidence kind -> names of the collectors that provide it


class Verdict(str, Enum):
    ALIGNED = "aligned"
    OVER_REPORTED = "over-reported"
    UNDER_REPORTED = "under-reported"
    UNVERIFIABLE = "unverifiable"


@dataclass(frozen=True)
class RuleFinding:
    """One rule at one stage, with the evidence for its outcome and what would decide it."""

    rule_id: str
    title: str
    stage: Stage
    outcome: Outcome
    explanation: str
    remediation: str
    evidence: tuple[EvidenceRef, ...]  # supporting when passed, opposing when failed, missing when unknown
    deciders: tuple[str, ...]  # unknown / not applicable: the collector or permission that would decide it


@dataclass(frozen=True)
class StageFindings:
    stage: Stage
    rules: tuple[RuleFinding, ...]
    not_inferable: tuple[NotInferable, ...]


@dataclass(frozen=True)
class ReportedGap:
    respondent: str
    reported: Stage
    verdict: Verdict
    stages: tuple[StageFindings, ...]  # the stages between proven and reported, lowest first


@dataclass(frozen=True)
class Disagreement:
    answers: tuple[tuple[str, Stage], ...]  # (respondent, reported current stage)

    @property
    def spread(self) -> int:
        ranks = [stage.rank for _, stage in self.answers]
        return max(ranks) - min(ranks)


@dataclass(frozen=True)
class Roadmap:
    """From the proven stage to the highest target anyone set: what blocks each step."""

    target: Stage
    wanted_by: tuple[tuple[str, Stage], ...]  # (respondent, target)
    steps: tuple[StageFindings, ...]  # one per stage above proven up to target; empty when reached


@dataclass(frozen=True)
class CapabilityGaps:
    capability: Capability
    title: str
    proven: Stage
    ceiling: Stage
    confidence: float
    reports: tuple[ReportedGap, ...]
    disagreement: Disagreement | None
    roadmap: Roadmap | None
    self_reported: bool = False  # the proven stage rests on a core criterion a self-assessment closed

    @property
    def proven_label(self) -> str:
        return f"{self.proven.value} (self-reported)" if self.self_reported else self.proven.value


@dataclass(frozen=True)
class GapAnalysis:
    capabilities: tuple[CapabilityGaps, ...]
    respondents: tuple[str, ...]
    unassessed: tuple[Capability, ...] = ()  # answered, but the assessment's model lacks them
    shard: str | None = None  # "I/N": the proven stages are one shard's only
    organization: str | None = None  # the config's `organization:`, from the assessment

    def verdict_counts(self) -> Counter[Verdict]:
        return Counter(report.verdict for gaps in self.capabilities for report in gaps.reports)


@dataclass(frozen=True)
class _Context:
    providers: KindProviders
    scanned: frozenset[str]


def analyse_gaps(assessment: Assessment, reported: SelfAssessment, providers: KindProviders | None = None) -> GapAnalysis:
    """Compare every capability of the assessment with every respondent's answer."""
    # A kind the scan's own sources provided is not what another collector would add.
    context = _Context(providers or {}, frozenset(kind for source in assessment.scan.sources for kind in source.provides))
    return GapAnalysis(
        capabilities=tuple(_capability_gaps(result, reported, context) for result in assessment.capabilities),
        respondents=tuple(respondent.name for respondent in reported.respondents),
        unassessed=tuple(
            capability
            for capability in Capability
            if reported.answers_for(capability) and all(r.capability is not capability for r in assessment.capabilities)
        ),
        shard=assessment.scan.shard,
        organization=assessment.scan.organization,
    )


def _capability_gaps(result: CapabilityResult, reported: SelfAssessment, context: _Context) -> CapabilityGaps:
    answers = reported.answers_for(result.capability)
    reports = tuple(_reported_gap(result, name, answer.current, context) for name, answer in answers)
    currents = tuple((name, answer.current) for name, answer in answers)
    disagreement = Disagreement(currents) if len({stage for _, stage in currents}) > 1 else None
    targets = tuple((name, answer.target) for name, answer in answers if answer.target is not None)
    roadmap = _roadmap(result, targets, context) if targets else None
    return CapabilityGaps(
        capability=result.capability,
        title=result.title,
        proven=result.stage,
        ceiling=result.ceiling,
        confidence=result.confidence,
        reports=reports,
        disagreement=disagreement,
        roadmap=roadmap,
        self_reported=result.self_reported,
    )


def _reported_gap(result: CapabilityResult, respondent: str, reported: Stage, context: _Context) -> ReportedGap:
    if reported == result.stage:
        return ReportedGap(respondent, reported, Verdict.ALIGNED, ())
    if reported < result.stage:
        stages = _stages_between(result, reported, result.stage, context, passed=True)
        return ReportedGap(respondent, reported, Verdict.UNDER_REPORTED, stages)
    stages = _stages_between(result, result.stage, reported, context, passed=False)
    failed = any(rule.outcome is Outcome.FAIL for findings in stages for rule in findings.rules)
    return ReportedGap(respondent, reported, Verdict.OVER_REPORTED if failed else Verdict.UNVERIFIABLE, stages)


def _roadmap(result: CapabilityResult, targets: tuple[tuple[str, Stage], ...], context: _Context) -> Roadmap:
    target = max(stage for _, stage in targets)
    steps = _stages_between(result, result.stage, target, context, passed=False) if target > result.stage else ()
    return Roadmap(target=target, wanted_by=targets, steps=steps)


def _stages_between(
    result: CapabilityResult, low: Stage, high: Stage, context: _Context, *, passed: bool
) -> tuple[StageFindings, ...]:
    """Stages in (low, high]: the passed rules (what proves them) or the rest (what blocks them)."""
    return tuple(
        StageFindings(
            stage=stage,
            rules=tuple(
                _finding(rule, context)
                for rule in result.rules
                if rule.stage is stage and (rule.outcome is Outcome.PASS) == passed
            ),
            not_inferable=() if passed else tuple(item for item in result.not_inferable if item.stage is stage),
        )
        for stage in Stage
        if low < stage <= high
    )


def _finding(rule: RuleResult, context: _Context) -> RuleFinding:
    evidence = {
        Outcome.PASS: rule.supporting,
        Outcome.FAIL: rule.opposing,
        Outcome.UNKNOWN: rule.missing,
        Outcome.NOT_APPLICABLE: (),
    }[rule.outcome]
    return RuleFinding(
        rule_id=rule.rule_id,
        title=rule.title,
        stage=rule.stage,
        outcome=rule.outcome,
        explanation=rule.explanation,
        remediation=rule.remediation,
        evidence=evidence,
        deciders=deciders(rule, context.providers, context.scanned),
    )


def deciders(rule: RuleResult, providers: KindProviders, scanned: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """What would decide an undecided rule: the reasons its evidence was missing (they name
    the collector or permission); for an unknown rule with nothing missing, its explanation
    (too small a sample, evidence that may live elsewhere: it names the remedy); else the
    collectors that provide the kinds it needs and the scan did not collect (`scanned`: the
    kinds the scan's sources provided)."""
    if rule.outcome in (Outcome.PASS, Outcome.FAIL):
        return ()
    reasons = Counter(ref.reason for ref in rule.missing if ref.reason)
    if reasons:
        return tuple(reason for reason, _ in reasons.most_common())
    if rule.outcome is Outcome.UNKNOWN:
        return (rule.explanation,)
    wanted = [kind for kind in rule.needs if kind not in scanned] or list(rule.needs)
    return tuple(_decider(kind, providers) for kind in wanted)


#: Kinds no collector provides: the commands that scan add them from what the config names.
_FROM_CONFIG = {
    "history.dora_series": "the history store keeps the earlier scans: set history.store in the config "
    "(or run pecm scan --store)",
}


def _decider(kind: str, providers: KindProviders) -> str:
    if providers.get(kind):
        return f"needs {kind}, which the {' or '.join(providers[kind])} collector provides"
    if kind in _FROM_CONFIG:
        return f"needs {kind}: {_FROM_CONFIG[kind]}"
    return f"needs {kind}, which no installed collector provides"


def kind_providers(collectors: Mapping[str, Any]) -> KindProviders:
    """Which installed collectors provide each evidence kind: they are what would decide unknowns."""
    providers: dict[str, list[str]] = {}
    for name, plugin in sorted(collectors.items()):
        for kind in plugin.provides:
            providers.setdefault(kind, []).append(name)
    return {kind: tuple(names) for kind, names in providers.items()}
