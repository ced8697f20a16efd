"""Assessments and evidence bundles built by hand, shaped like what a real scan produces."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from scanner.model import (
    Assessment,
    Capability,
    CapabilityResult,
    Evidence,
    EvidenceBundle,
    EvidenceRef,
    EvidenceStatus,
    MetricValue,
    NotInferable,
    Outcome,
    PackRef,
    Problem,
    RequestCount,
    RuleResult,
    ScanMetadata,
    SourceRun,
    Stage,
    Subject,
)

STARTED = datetime(2024, 5, 1, 10, 0, 0, tzinfo=timezone.utc)
FINISHED = STARTED + timedelta(seconds=42)
NOT_OBSERVABLE = "not observable from local checkouts"


def observed(subject: str, kind: str, *locators: str) -> EvidenceRef:
    return EvidenceRef(subject=subject, kind=kind, status=EvidenceStatus.OBSERVED, locators=locators)


def unsupported(subject: str, kind: str, reason: str = NOT_OBSERVABLE) -> EvidenceRef:
    return EvidenceRef(subject=subject, kind=kind, status=EvidenceStatus.UNSUPPORTED, reason=reason)


def rule(
    rule_id: str,
    stage: Stage,
    title: str,
    outcome: Outcome,
    explanation: str,
    needs: tuple[str, ...],
    **refs: object,
) -> RuleResult:
    return RuleResult(
        rule_id=rule_id,
        capability=Capability(rule_id.split(".")[0]),
        stage=stage,
        title=title,
        outcome=outcome,
        explanation=explanation,
        remediation=f"Remediation for {rule_id}.",
        needs=needs,
        **refs,  # type: ignore[arg-type]
    )


def provisioning() -> CapabilityResult:
    """Defined, blocked from managed by a failed and an unknown rule: the failure holds the ceiling at defined."""
    repos = [f"local:service-{index:02d}" for index in range(8)]
    return CapabilityResult(
        capability=Capability.PROVISIONING,
        title="Provisioning & Management",
        stage=Stage.DEFINED,
        ceiling=Stage.DEFINED,
        confidence=0.75,
        next_stage=Stage.MANAGED,
        blockers=("provisioning.pipelines_apply_iac", "provisioning.drift_detected"),
        rules=(
            rule(
                "provisioning.some_iac",
                Stage.REPEATABLE,
                "Some repositories describe infrastructure as code",
                Outcome.PASS,
                "iac_share 0.62 > 0",
                ("iac.usage",),
                metrics=(MetricValue(name="iac_share", low=0.62, high=0.62, matched=5, observed=8),),
                supporting=tuple(observed(repo, "iac.usage", f"{repo}/main.tf") for repo in repos[:5]),
            ),
            rule(
                "provisioning.iac_common",
                Stage.DEFINED,
                "Most repositories use IaC",
                Outcome.PASS,
                "iac_share 0.62 >= 0.5",
                ("iac.usage",),
                supporting=tuple(
                    observed(repo, "iac.usage", "infra/main.tf", "infra/vars.tf", "infra/out.tf", "infra/x.tf")
                    for repo in repos[:7]
                ),
            ),
            rule(
                "provisioning.pipelines_apply_iac",
                Stage.MANAGED,
                "Pipelines apply infrastructure changes",
                Outcome.FAIL,
                "apply_share 0.12 < 0.5",
                ("ci.pipelines",),
                metrics=(MetricValue(name="apply_share", low=0.12, high=0.12, matched=1, observed=8),),
                measured="1 of 8 repositories (12%), needs at least 50%",
                opposing=tuple(observed(repo, "ci.pipelines", ".github/workflows/ci.yml") for repo in repos[1:]),
            ),
            rule(
                "provisioning.drift_detected",
                Stage.MANAGED,
                "Drift detection runs on a schedule",
                Outcome.UNKNOWN,
                "drift_share between 0 and 1 vs >= 0.5",
                ("iac.drift_detection",),
                metrics=(MetricValue(name="drift_share", low=0.0, high=1.0, matched=0, observed=0, unknown=8),),
                missing=tuple(unsupported(repo, "iac.drift_detection") for repo in repos),
                evidence_omitted=4,
            ),
        ),
        not_inferable=(
            NotInferable(
                capability=Capability.PROVISIONING,
                stage=Stage.OPTIMIZING,
                criterion="Provisioning adapts to demand",
                reason="No source shows whether capacity planning is predictive.",
            ),
        ),
    )


def governance() -> CapabilityResult:
    """Repeatable, with an unknown blocker lifting the ceiling to defined and a not-applicable rule."""
    return CapabilityResult(
        capability=Capability.GOVERNANCE,
        title="Governance",
        stage=Stage.REPEATABLE,
        ceiling=Stage.DEFINED,
        confidence=0.5,
        next_stage=Stage.DEFINED,
        blockers=("governance.default_branches_protected",),
        rules=(
            rule(
                "governance.security_policy",
                Stage.REPEATABLE,
                "Some repositories publish a security policy [SECURITY.md]",
                Outcome.PASS,
                "security_policy_count 2 >= 1",
                ("repo.security_policy",),
                supporting=(observed("local:payments-api", "repo.security_policy", "SECURITY.md"),),
            ),
            rule(
                "governance.admission_enforced",
                Stage.REPEATABLE,
                "Clusters enforce admission policies",
                Outcome.NOT_APPLICABLE,
                "no configured source provides k8s.admission_policy",
                ("k8s.admission_policy",),
            ),
            rule(
                "governance.default_branches_protected",
                Stage.DEFINED,
                "Branch protection on most repositories",
                Outcome.UNKNOWN,
                "protected_share between 0 and 1 vs >= 0.8",
                ("vcs.branch_protection",),
                missing=(
                    unsupported("local:payments-api", "vcs.branch_protection"),
                    unsupported("local:web", "vcs.branch_protection"),
                ),
            ),
        ),
    )


def measurement() -> CapabilityResult:
    """Initial: the repeatable stage has no applicable rule, so nothing blocks it but a missing source."""
    return CapabilityResult(
        capability=Capability.MEASUREMENT,
        title="Measurement & Feedback",
        stage=Stage.INITIAL,
        ceiling=Stage.INITIAL,
        confidence=0.0,
        next_stage=Stage.REPEATABLE,
        rules=(
            rule(
                "measurement.dora_metrics",
                Stage.REPEATABLE,
                "Deployment frequency is recorded",
                Outcome.NOT_APPLICABLE,
                "no configured source provides vcs.deployments",
                ("vcs.deployments",),
            ),
        ),
    )


def adoption() -> CapabilityResult:
    """At the top stage: one passing rule per stage, nothing left to block."""
    return CapabilityResult(
        capability=Capability.ADOPTION,
        title="Adoption",
        stage=Stage.OPTIMIZING,
        ceiling=Stage.OPTIMIZING,
        confidence=1.0,
        next_stage=None,
        rules=tuple(
            rule(
                f"adoption.shared_assets_{stage.value}",
                stage,
                f"Shared platform assets are used at the {stage.value} level",
                Outcome.PASS,
                "shared_asset_share 0.9 >= 0.75",
                ("ci.shared_templates",),
                supporting=(observed("local:web", "ci.shared_templates", ".github/workflows/build.yml"),),
            )
            for stage in Stage
            if stage is not Stage.INITIAL
        ),
    )


def scan_metadata() -> ScanMetadata:
    return ScanMetadata(
        pecm_version="0.1.0",
        started_at=STARTED,
        finished_at=FINISHED,
        sources=(
            SourceRun(
                collector="local",
                version="1.0.0",
                provides=("iac.usage", "ci.pipelines"),
                status="ok",
                subjects=9,
                evidence=120,
                started_at=STARTED,
                finished_at=FINISHED,
            ),
            SourceRun(
                collector="github",
                version="0.3.0",
                provides=("vcs.branch_protection",),
                status="partial",
                subjects=2,
                evidence=14,
                started_at=STARTED,
                finished_at=FINISHED,
                requests={"graphql": RequestCount(sent=10, cost=450), "rest": RequestCount(sent=120, charged=3)},
            ),
        ),
        subjects={"organization": 1, "repository": 9},
        evidence=134,
        problems=(
            Problem(
                source="github",
                subject="github:acme/web",
                message="HTTP 403 reading branch protection",
                hint="give the token administration:read",
            ),
            Problem(severity="error", source="rules", message="Rule pack 'extra' failed to load"),
        ),
        packs=(PackRef(name="default", version="1.0.0", source="rules.catalog"),),
    )


def build_assessment() -> Assessment:
    return Assessment(
        scan=scan_metadata(),
        capabilities=(provisioning(), governance(), measurement(), adoption()),
        metrics=(MetricValue(name="iac_share", low=0.62, high=0.62, matched=5, observed=8),),
    )


def build_bundle() -> EvidenceBundle:
    repository = Subject(id="local:payments-api", kind="repository", name="payments-api", source="local")
    return EvidenceBundle(
        pecm_version="0.1.0",
        created_at=FINISHED,
        sources=scan_metadata().sources,
        subjects=(repository,),
        evidence=(
            Evidence(
                kind="iac.usage",
                subject=repository.id,
                status=EvidenceStatus.OBSERVED,
                data={"present": True, "paths": ["infra/main.tf"], "tools": ["terraform"], "module_refs": []},
                locators=("infra/main.tf",),
                collector="local",
                collector_version="1.0.0",
                observed_at=FINISHED,
            ),
            Evidence(
                kind="vcs.branch_protection",
                subject=repository.id,
                status=EvidenceStatus.UNSUPPORTED,
                reason=NOT_OBSERVABLE,
                collector="local",
                collector_version="1.0.0",
                observed_at=FINISHED,
            ),
        ),
        problems=scan_metadata().problems,
    )


@pytest.fixture
def assessment() -> Assessment:
    return build_assessment()


@pytest.fixture
def bundle() -> EvidenceBundle:
    return build_bundle()
