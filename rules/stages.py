"""The stage walk: from rule outcomes to a capability's proven stage, ceiling, confidence
and blockers (see docs/rule-packs.md, "Stages, ceiling, confidence")."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from scanner.model import Outcome, RuleResult, Stage

_DECIDED = (Outcome.PASS, Outcome.FAIL)


@dataclass(frozen=True)
class StageVerdict:
    stage: Stage
    ceiling: Stage
    confidence: float
    next_stage: Stage | None
    blockers: tuple[str, ...]


def walk_stages(results: Sequence[RuleResult]) -> StageVerdict:
    applicable: dict[Stage, list[RuleResult]] = {}
    for result in results:
        if result.outcome is not Outcome.NOT_APPLICABLE:
            applicable.setdefault(result.stage, []).append(result)
    stage = _climb(applicable, (Outcome.PASS,))
    ceiling = _climb(applicable, (Outcome.PASS, Outcome.UNKNOWN))
    counted = [result for rules in applicable.values() for result in rules]
    decided = sum(1 for result in counted if result.outcome in _DECIDED)
    next_stage = stage.next()
    blockers = (
        sorted(result.rule_id for result in applicable.get(next_stage, []) if result.outcome is not Outcome.PASS)
        if next_stage
        else []
    )
    return StageVerdict(
        stage=stage,
        ceiling=ceiling,
        confidence=decided / len(counted) if counted else 0.0,
        next_stage=next_stage,
        blockers=tuple(blockers),
    )


def _climb(applicable: dict[Stage, list[RuleResult]], accepted: Collection[Outcome]) -> Stage:
    """The highest stage reached before a stage with no applicable rule or an unaccepted outcome."""
    reached = Stage.INITIAL
    for stage in list(Stage)[1:]:
        rules = applicable.get(stage)
        if not rules or any(result.outcome not in accepted for result in rules):
            break  # a stage no source can speak for cannot be proven, nor passed over
        reached = stage
    return reached
