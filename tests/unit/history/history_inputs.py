"""Small, real assessments for the history tests: built from the model, one rule per capability."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from scanner.model import (
    Assessment,
    Capability,
    CapabilityResult,
    EvidenceRef,
    EvidenceStatus,
    Outcome,
    RuleResult,
    ScanMetadata,
    SourceRun,
    Stage,
)
from scanner.scope import ScanScope

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
SCOPE = ScanScope("acme", ("local:/srv/repos",), "0123456789ab", None)
OTHER_SCOPE = ScanScope("acme", ("local:/srv/archive",), "0123456789ab", None)


def ref(subject: str, kind: str = "iac.usage", status: EvidenceStatus = EvidenceStatus.OBSERVED) -> EvidenceRef:
    return EvidenceRef(subject=subject, kind=kind, status=status, locators=(f"{subject.split(':')[-1]}/main.tf",))


def rule(
    capability: Capability, outcome: Outcome = Outcome.PASS, supporting: tuple[EvidenceRef, ...] = ()
) -> RuleResult:
    return RuleResult(
        rule_id=f"{capability.value}.rule",
        capability=capability,
        stage=Stage.REPEATABLE,
        title=f"{capability.value} rule",
        outcome=outcome,
        explanation=f"{capability.value} was {outcome.value}",
        remediation="do the thing",
        needs=("iac.usage",),
        supporting=supporting,
    )


def assessment(
    day: int,
    stages: dict[Capability, Stage] | None = None,
    outcomes: dict[Capability, Outcome] | None = None,
    supporting: dict[Capability, tuple[EvidenceRef, ...]] | None = None,
) -> Assessment:
    """An assessment of scan day `day`; every capability 'repeatable' with a passing rule unless told."""
    started = T0 + timedelta(days=day)
    stages, outcomes, supporting = stages or {}, outcomes or {}, supporting or {}
    return Assessment(
        scan=ScanMetadata(
            pecm_version="0.1.0",
            started_at=started,
            finished_at=started + timedelta(seconds=4),
            sources=(
                SourceRun(
                    collector="local", version="1", provides=("iac.usage",), status="ok",
                    started_at=started, finished_at=started + timedelta(seconds=3),
                ),
            ),
        ),
        capabilities=tuple(
            CapabilityResult(
                capability=capability,
                title=capability.value.title(),
                stage=stages.get(capability, Stage.REPEATABLE),
                ceiling=Stage.DEFINED,
                confidence=0.75,
                next_stage=Stage.DEFINED,
                rules=(rule(capability, outcomes.get(capability, Outcome.PASS), supporting.get(capability, ())),),
            )
            for capability in Capability
        ),
    )
