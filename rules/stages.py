"""The stage walk: from rule outcomes to a capability's proven stage, ceiling, confidence
and blockers (see docs/rule-packs.md, "Stages, ceiling, confidence"). It reads the outcomes
through scanner.verdict_views, so that the gate runs it on a saved assessment without pydantic."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from scanner.enums import Outcome, Stage
from scanner.verdict_views import CriterionView, RuleView

_DECIDED = (Outcome.PASS, Outcome.FAIL)


@dataclass(frozen=True)
class StageVerdict:
    stage: Stage
    ceiling: Stage
    confidence: float
    next_stage: Stage | None
    blockers: tuple[str, ...]
    self_reported: bool  # the proven stage rests on a core criterion only a self-assessment closed


@dataclass
class _StageFacts:
    """What one stage rests on: its applicable rules, key rules no source can judge, its core criteria."""

    rules: list[RuleView]
    keys_unjudged: list[RuleView]
    core_open: int
    core_self_reported: int

    def proven(self) -> bool:
        return (
            bool(self.rules)
            and all(result.outcome is Outcome.PASS for result in self.rules)
            and not self.keys_unjudged
            and not self.core_open
        )

    def reachable(self) -> bool:
        """Could be proven if every unknown passed, every unjudged key rule and core criterion held."""
        speaks = bool(self.rules or self.keys_unjudged or self.core_open or self.core_self_reported)
        return speaks and all(result.outcome in (Outcome.PASS, Outcome.UNKNOWN) for result in self.rules)


def walk_stages(results: Sequence[RuleView], criteria: Sequence[CriterionView] = ()) -> StageVerdict:
    facts = {stage: _StageFacts([], [], 0, 0) for stage in list(Stage)[1:]}
    caps: list[RuleView] = []
    for result in results:
        if result.caps is not None:
            if result.outcome is not Outcome.NOT_APPLICABLE:
                caps.append(result)
        elif result.outcome is not Outcome.NOT_APPLICABLE:
            facts[result.stage].rules.append(result)
        elif result.key:
            facts[result.stage].keys_unjudged.append(result)
    core = [item for item in criteria if item.core]
    for item in core:
        if item.stage in facts:
            if item.self_reported:
                facts[item.stage].core_self_reported += 1
            else:
                facts[item.stage].core_open += 1

    holding = [cap.caps for cap in caps if cap.caps and cap.outcome is not Outcome.PASS]  # failed or unknown
    failed = [cap.caps for cap in caps if cap.caps and cap.outcome is Outcome.FAIL]
    stage = min([_climb(facts, _StageFacts.proven), *holding])
    ceiling = min([_climb(facts, _StageFacts.reachable), *failed])
    counted = caps + [result for entry in facts.values() for result in entry.rules]
    decided = sum(1 for result in counted if result.outcome in _DECIDED)
    next_stage = stage.next()
    blockers: list[str] = []
    if next_stage:
        entry = facts[next_stage]
        blockers = [result.rule_id for result in entry.rules if result.outcome is not Outcome.PASS]
        blockers += [result.rule_id for result in entry.keys_unjudged]
        blockers += [cap.rule_id for cap in caps if cap.caps is stage and cap.outcome is not Outcome.PASS]
    return StageVerdict(
        stage=stage,
        ceiling=ceiling,
        confidence=decided / (len(counted) + len(core)) if counted or core else 0.0,
        next_stage=next_stage,
        blockers=tuple(sorted(blockers)),
        self_reported=any(entry.core_self_reported for reached, entry in facts.items() if reached <= stage),
    )


def _climb(facts: dict[Stage, _StageFacts], holds: Callable[[_StageFacts], bool]) -> Stage:
    """The highest stage reached before a stage that does not hold."""
    reached = Stage.INITIAL
    for stage, entry in facts.items():
        if not holds(entry):
            break  # a stage no source can speak for cannot be proven, nor passed over
        reached = stage
    return reached
