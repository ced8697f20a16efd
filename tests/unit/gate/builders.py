"""Assessments built by hand for the gate: each rule's outcome chosen, stages walked as the engine walks them."""

from __future__ import annotations

from datetime import datetime, timezone

from rules.stages import walk_stages
from scanner.model import (
    Assessment,
    Capability,
    CapabilityResult,
    EvidenceRef,
    EvidenceStatus,
    Outcome,
    RuleResult,
    ScanMetadata,
    Stage,
)

WHEN = datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc)
P, F, U, NA = Outcome.PASS, Outcome.FAIL, Outcome.UNKNOWN, Outcome.NOT_APPLICABLE
R, D, M, OPT = Stage.REPEATABLE, Stage.DEFINED, Stage.MANAGED, Stage.OPTIMIZING


def rule(capability: Capability, stage: Stage, outcome: Outcome, name: str = "", observed: bool = True) -> RuleResult:
    """A rule whose evidence refs match its outcome: observed for pass/fail, unsupported for unknown."""
    seen = EvidenceRef(subject="local:web", kind="iac.usage", status=EvidenceStatus.OBSERVED, locators=("main.tf",))
    unseen = EvidenceRef(subject="local:web", kind="vcs.branch_protection", status=EvidenceStatus.UNSUPPORTED, reason="local")
    return RuleResult(
        rule_id=f"{capability.value}.{name or stage.value + '_' + outcome.value}",
        capability=capability,
        stage=stage,
        title=f"{stage.value} rule",
        outcome=outcome,
        explanation="x",
        remediation="y",
        needs=("iac.usage",),
        supporting=(seen,) if outcome is P and observed else (),
        opposing=(seen,) if outcome is F and observed else (),
        missing=(unseen,) if outcome is U or not observed else (),
    )


def capability(capability: Capability, *outcomes: tuple[Stage, Outcome], observed: bool = True) -> CapabilityResult:
    rules = tuple(rule(capability, stage, outcome, f"r{index}_{stage.value}", observed) for index, (stage, outcome) in enumerate(outcomes))
    verdict = walk_stages(rules)
    return CapabilityResult(
        capability=capability,
        title=capability.value.title(),
        stage=verdict.stage,
        ceiling=verdict.ceiling,
        confidence=verdict.confidence,
        next_stage=verdict.next_stage,
        blockers=verdict.blockers,
        rules=rules,
    )


def assessment(*capabilities: CapabilityResult, subjects: int = 3) -> Assessment:
    given = {result.capability: result for result in capabilities}
    # Capabilities not given stand at initial on one failed repeatable rule: decided, observed, below everything.
    every = tuple(given.get(c) or capability(c, (R, F)) for c in Capability)
    return Assessment(
        scan=ScanMetadata(pecm_version="0.1.0", started_at=WHEN, finished_at=WHEN, subjects={"repository": subjects} if subjects else {}),
        capabilities=every,
    )


def at(cap: Capability, stage: Stage) -> CapabilityResult:
    """A capability proven at `stage` by one passed rule per stage up to it."""
    return capability(cap, *((s, P) for s in Stage if Stage.INITIAL < s <= stage))
