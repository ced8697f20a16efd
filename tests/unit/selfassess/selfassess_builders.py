"""Hand-built assessments for the gap analysis: one capability whose rules cover every outcome."""

from __future__ import annotations

from datetime import datetime, timezone

from scanner.model import (
    Assessment,
    Capability,
    CapabilityResult,
    EvidenceRef,
    EvidenceStatus,
    NotInferable,
    Outcome,
    RuleResult,
    ScanMetadata,
    SourceRun,
    Stage,
)
from scanner.self_assessment import Answer, Respondent, SelfAssessment

WHEN = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
FORBIDDEN = "HTTP 403: token lacks administration:read"


def ref(subject: str, kind: str, status: EvidenceStatus = EvidenceStatus.OBSERVED, reason: str | None = None) -> EvidenceRef:
    return EvidenceRef(subject=subject, kind=kind, status=status, locators=(f"{subject}/file",), reason=reason)


def rule(capability: Capability, name: str, stage: Stage, outcome: Outcome, needs: tuple[str, ...] = ("k.one",)) -> RuleResult:
    refs: dict[str, tuple[EvidenceRef, ...]] = {}
    if outcome is Outcome.PASS:
        refs["supporting"] = (ref("local:a", needs[0]),)
    elif outcome is Outcome.FAIL:
        refs["opposing"] = (ref("local:b", needs[0]),)
    elif outcome is Outcome.UNKNOWN:
        refs["missing"] = (ref("github:acme/a", needs[0], EvidenceStatus.UNAVAILABLE, FORBIDDEN),)
    return RuleResult(
        rule_id=f"{capability.value}.{name}",
        capability=capability,
        stage=stage,
        title=f"Title of {name}",
        outcome=outcome,
        explanation=f"explained {name}",
        remediation=f"fix {name}",
        needs=needs,
        **refs,  # type: ignore[arg-type]
    )


def governance() -> CapabilityResult:
    """Proven defined, ceiling managed: managed is unknown / not applicable, optimizing failed."""
    g = Capability.GOVERNANCE
    return CapabilityResult(
        capability=g,
        title="Governance",
        stage=Stage.DEFINED,
        ceiling=Stage.MANAGED,
        confidence=0.6,
        next_stage=Stage.MANAGED,
        blockers=("governance.alerts",),
        rules=(
            rule(g, "documented", Stage.REPEATABLE, Outcome.PASS),
            rule(g, "codeowners", Stage.DEFINED, Outcome.PASS),
            rule(g, "protected", Stage.MANAGED, Outcome.UNKNOWN),
            rule(g, "owners_few", Stage.MANAGED, Outcome.NOT_APPLICABLE, needs=("k.one", "org.access")),
            rule(g, "jit_access", Stage.OPTIMIZING, Outcome.FAIL),
        ),
        not_inferable=(NotInferable(capability=g, stage=Stage.OPTIMIZING, criterion="Predictive governance", reason="people only"),),
    )


def interfaces() -> CapabilityResult:
    """Proven managed; optimizing holds only a not-inferable criterion."""
    i = Capability.INTERFACES
    return CapabilityResult(
        capability=i,
        title="Interfaces",
        stage=Stage.MANAGED,
        ceiling=Stage.MANAGED,
        confidence=1.0,
        next_stage=Stage.OPTIMIZING,
        rules=(
            rule(i, "docs", Stage.REPEATABLE, Outcome.PASS),
            rule(i, "templates", Stage.DEFINED, Outcome.PASS),
            rule(i, "portal", Stage.MANAGED, Outcome.PASS),
        ),
        not_inferable=(NotInferable(capability=i, stage=Stage.OPTIMIZING, criterion="Lives in the IDE", reason="people only"),),
    )


def assessment(*results: CapabilityResult, scanned_kinds: tuple[str, ...] = ("k.one",)) -> Assessment:
    source = SourceRun(collector="local", version="1", provides=scanned_kinds, status="ok", started_at=WHEN, finished_at=WHEN)
    scan = ScanMetadata(pecm_version="0", started_at=WHEN, finished_at=WHEN, sources=(source,))
    return Assessment(scan=scan, capabilities=results)


def answers(*respondents: tuple[str, dict[Capability, tuple[Stage, Stage | None]]]) -> SelfAssessment:
    return SelfAssessment(
        respondents=tuple(
            Respondent(name=name, answers={c: Answer(current=cur, target=tgt) for c, (cur, tgt) in given.items()})
            for name, given in respondents
        )
    )
