"""Evaluate an evidence bundle against a rule set: one Assessment, pure and deterministic.

Capabilities come in model order, rules by stage then id, metrics by name, evidence
references by subject then kind; the same bundle and rules give the same assessment.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rules.evidence_index import EvidenceIndex
from rules.judge import judge_rule
from rules.metrics import MetricEngine, fields_read
from rules.stages import StageVerdict, walk_stages
from scanner.model import Assessment, CapabilityResult, EvidenceBundle, NotInferable, RuleResult, ScanMetadata

if TYPE_CHECKING:
    from rules.loader import RuleSet  # loading packs is not evaluating them: gating a saved assessment needs only this


def evaluate(bundle: EvidenceBundle, ruleset: RuleSet) -> Assessment:
    index = EvidenceIndex(bundle, fields_read(ruleset.metrics.values()))
    engine = MetricEngine(index)
    metrics = {name: engine.compute(metric) for name, metric in ruleset.metrics.items()}
    results = [judge_rule(rule, metrics, index, ruleset.declared) for rule in ruleset.rules]
    return Assessment(
        scan=_scan_metadata(bundle, ruleset, index),
        capabilities=_capabilities(ruleset, results),
        metrics=tuple(outcome.value for outcome in metrics.values()),
        file_bases={subject.id: subject.files_url for subject in bundle.subjects if subject.files_url},
    )


def _capabilities(ruleset: RuleSet, results: Sequence[RuleResult]) -> tuple[CapabilityResult, ...]:
    assessed = []
    for entry in ruleset.model.capabilities:
        rules = sorted(
            (result for result in results if result.capability is entry.id),
            key=lambda result: (result.stage.rank, result.rule_id),
        )
        reported = ruleset.self_reported.get(entry.id)
        criteria = tuple(
            item.model_copy(update={"self_reported": True})
            if item.core and reported and reported >= item.stage
            else item
            for item in ruleset.not_inferable
            if item.capability is entry.id
        )
        verdict = stage_verdict(rules, criteria)
        assessed.append(
            CapabilityResult(
                capability=entry.id,
                title=entry.title,
                stage=verdict.stage,
                ceiling=verdict.ceiling,
                confidence=verdict.confidence,
                next_stage=verdict.next_stage,
                blockers=verdict.blockers,
                rules=tuple(rules),
                not_inferable=criteria,
                self_reported=verdict.self_reported,
            )
        )
    return tuple(assessed)


def stage_verdict(rules: Sequence[RuleResult], criteria: Sequence[NotInferable] = ()) -> StageVerdict:
    """One capability's stage, ceiling, confidence and blockers from its rule outcomes and its
    not-inferable criteria (core ones, closed or not): both what `evaluate` stores and what the
    gate recomputes from a saved assessment, so the two cannot differ."""
    return walk_stages(rules, criteria)


def _scan_metadata(bundle: EvidenceBundle, ruleset: RuleSet, index: EvidenceIndex) -> ScanMetadata:
    return ScanMetadata(
        pecm_version=bundle.pecm_version,
        organization=bundle.organization,
        started_at=min((run.started_at for run in bundle.sources), default=bundle.created_at),
        finished_at=bundle.created_at,
        shard=bundle.shard,
        sources=bundle.sources,
        subjects={kind: len(table.ids) for kind, table in sorted(index.tables.items())},
        evidence=len(bundle.evidence),
        problems=bundle.problems + tuple(index.problems),
        packs=ruleset.packs,
    )
