"""The domain model shared by collectors, the rules engine and renderers.

Everything here crosses a file or package boundary (evidence bundles, assessments),
so it is pydantic: it validates on load and serialises to JSON losslessly.
"""

# No `from __future__ import annotations` here: pydantic would compile every field's annotation
# from its text as each model class is made (this module's classes are made in every scan).
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.dataclasses import dataclass

# Re-exported: the model's fields are typed with them, and every package imports them from here.
from scanner.enums import Capability as Capability
from scanner.enums import EvidenceStatus as EvidenceStatus
from scanner.enums import Outcome as Outcome
from scanner.enums import Stage as Stage
from scanner.enums import parse_stage as parse_stage
from scanner.version import ASSESSMENT_SCHEMA_VERSION as ASSESSMENT_SCHEMA_VERSION
from scanner.version import BUNDLE_SCHEMA_VERSION as BUNDLE_SCHEMA_VERSION


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


# --- subjects and evidence -------------------------------------------------------------

#: organization: the top of a Git host account (a GitHub organization, a GitLab top-level group);
#: group: a Git-host group inside it (a GitLab subgroup); repository; cluster, and namespace
#: within a cluster; subscription, management_group holding subscriptions, and billing_account
#: (Azure; read only when configured: its rules sit beyond Reader).
SubjectKind = Literal[
    "organization", "group", "repository", "cluster", "namespace", "subscription", "management_group", "billing_account"
]


class Subject(_Frozen):
    """What evidence is about. `id` is stable across scans: `<source>:<name>`."""

    id: str = Field(description="Stable id, e.g. 'local:payments-api' or 'github:acme/payments-api'.")
    kind: SubjectKind
    name: str
    source: str = Field(description="Name of the collector that found the subject.")
    parent: str | None = Field(default=None, description="Id of the enclosing subject (a repository's organization).")
    url: str | None = None
    files_url: str | None = Field(
        default=None,
        description="Base URL (ending with /) under which the subject's repository-relative paths resolve.",
    )
    tags: tuple[str, ...] = Field(
        default=(), description="Labels the pipeline or collector attached, e.g. 'platform' for platform repositories."
    )


class Evidence(_Frozen):
    """One observation of one evidence kind about one subject."""

    kind: str = Field(description="Source-neutral evidence kind, e.g. 'iac.usage' (see scanner/kinds/).")
    subject: str = Field(description="Subject id.")
    status: EvidenceStatus
    data: dict[str, Any] = Field(default_factory=dict, description="Validated against the kind's data model.")
    reason: str | None = Field(default=None, description="Why the evidence was not observed.")
    locators: tuple[str, ...] = Field(default=(), description="Paths, URLs or object references behind the data.")
    collector: str
    collector_version: str
    observed_at: datetime


# Every field given, as the validator records it for a record built with all of them; shared by
# the records `typed_evidence` builds (pydantic copies the set before changing it, model_copy).
_EVERY_FIELD: set[str] = set(Evidence.model_fields)
# The slots every model instance has, set through their descriptors: object.__setattr__ would
# look each name up again (a record's fields cost half as much to set this way).
_new_record = object.__new__
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


def typed_evidence(fields: dict[str, Any]) -> Evidence:
    """The record of `fields`: every field of Evidence, each already of its type (the data a dict
    with string keys, the locators a tuple of str). What the validator would build, without its
    checks and its copy of the data: for records pecm's own code makes, most of a scan's objects."""
    record = _new_record(Evidence)
    _set_dict(record, fields)
    _set_fields_set(record, _EVERY_FIELD)
    _set_extra(record, None)
    _set_private(record, None)
    return record


class Problem(_Frozen):
    """Something the scan could not see or do, told in one line with what to do about it."""

    severity: Literal["warning", "error"] = "warning"
    source: str = Field(description="Collector, plugin or stage that met the problem.")
    subject: str | None = None
    message: str
    hint: str | None = None


class RequestCount(_Frozen):
    sent: int = 0
    charged: int = 0
    cost: int = 0  # e.g. GraphQL points


class SourceRun(_Frozen):
    """One collector's run: what it is, what it provides and how it went."""

    collector: str
    version: str
    provides: tuple[str, ...]
    status: Literal["ok", "partial", "failed"]
    subjects: int = 0
    evidence: int = 0
    started_at: datetime
    finished_at: datetime
    requests: dict[str, RequestCount] = Field(
        default_factory=dict, description="Requests per endpoint family, for API-backed collectors."
    )
    unreached: dict[str, str] = Field(
        default_factory=dict,
        description="Subject kinds of which the source may have subjects it never reached (the run failed or was cut"
        " short), with why: its kinds are unknown for those subjects, not absent.",
    )


class EvidenceBundle(_Frozen):
    """Everything collected in one scan: `pecm evaluate` re-runs the rules on it offline."""

    schema_version: Literal[1] = BUNDLE_SCHEMA_VERSION
    pecm_version: str
    created_at: datetime
    organization: str | None = Field(default=None, description="The config's `organization:`: whose platform was scanned.")
    shard: str | None = Field(default=None, description="'I/N' when this bundle is shard I of a scan in N shards.")
    config_fingerprint: str | None = Field(
        default=None,
        description="Digest of the settings that shape the evidence (sources, platform patterns, file limits): "
        "the shards of one scan share it.",
    )
    sources: tuple[SourceRun, ...] = ()
    subjects: tuple[Subject, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    problems: tuple[Problem, ...] = ()


# --- the assessment -------------------------------------------------------------------


@dataclass(frozen=True, slots=True, config=ConfigDict(extra="forbid"))
class EvidenceRef:
    """A pointer from a verdict back to the evidence behind it."""

    subject: str
    kind: str
    status: EvidenceStatus
    locators: tuple[str, ...] = ()
    reason: str | None = None


@dataclass(frozen=True, slots=True, config=ConfigDict(extra="forbid"))
class MetricValue:
    """An organization-wide aggregate. Unknown subjects widen [low, high]; low == high when all was seen."""

    name: str
    low: float | None = Field(description="Value if every unknown subject counted against; None when nothing was counted.")
    high: float | None = Field(description="Value if every unknown subject counted in favour.")
    matched: int = Field(default=0, description="Subjects whose evidence met the condition.")
    observed: int = Field(default=0, description="Subjects whose evidence decided the condition.")
    unknown: int = Field(default=0, description="Subjects whose evidence was unavailable or unsupported.")
    unreached: tuple[str, ...] = Field(
        default=(), description="Sources that did not reach all their subjects of this kind: any number more are unknown."
    )


class RuleResult(_Frozen):
    rule_id: str
    capability: Capability
    stage: Stage = Field(description="The stage the rule speaks for; a cap's is the first stage it withholds.")
    title: str
    outcome: Outcome
    caps: Stage | None = Field(
        default=None, description="A cap: the capability stays at or below this stage while the rule does not pass."
    )
    key: bool = Field(
        default=False, description="A key rule: its stage cannot be proven unless a configured source can judge it."
    )
    declared: str | None = Field(
        default=None, description="The config's declared fact the outcome rests on (e.g. 'dashboards: grafana')."
    )
    explanation: str = Field(description="The condition with the values it was decided on.")
    measured: str = Field(default="", description="The measured values against the thresholds, in plain words.")
    remediation: str
    needs: tuple[str, ...]
    metrics: tuple[MetricValue, ...] = ()
    beside: tuple[MetricValue, ...] = Field(
        default=(),
        description="Metrics reported beside the outcome to explain it, never deciding it "
        "(the share of external references beside the adoption rules).",
    )
    supporting: tuple[EvidenceRef, ...] = Field(default=(), description="Evidence that speaks for the rule.")
    opposing: tuple[EvidenceRef, ...] = Field(default=(), description="Evidence that speaks against it.")
    missing: tuple[EvidenceRef, ...] = Field(default=(), description="Evidence that could not be collected.")
    evidence_omitted: int = Field(default=0, description="References left out to keep the assessment small.")


class NotInferable(_Frozen):
    capability: Capability
    stage: Stage
    criterion: str
    reason: str
    core: bool = Field(
        default=False, description="Evidence alone cannot prove its stage (the ceiling still can)."
    )
    self_reported: bool = Field(
        default=False, description="A core criterion a self-assessment answer closed: its stage is self-reported."
    )


class CapabilityResult(_Frozen):
    capability: Capability
    title: str
    stage: Stage = Field(description="Proven stage: every applicable rule up to it passed.")
    ceiling: Stage = Field(description="Stage reachable if every unknown rule passed.")
    confidence: float = Field(
        ge=0, le=1, description="Rules evidence decided, divided by the applicable rules plus the core criteria."
    )
    next_stage: Stage | None
    blockers: tuple[str, ...] = Field(default=(), description="Rule ids (failed or unknown) that keep it from next_stage.")
    rules: tuple[RuleResult, ...] = ()
    not_inferable: tuple[NotInferable, ...] = ()
    self_reported: bool = Field(
        default=False, description="The stage rests on a core criterion closed by a self-assessment answer."
    )


class PackRef(_Frozen):
    name: str
    version: str
    source: str


class ScanMetadata(_Frozen):
    pecm_version: str
    organization: str | None = Field(default=None, description="The config's `organization:`: whose platform was scanned.")
    started_at: datetime
    finished_at: datetime
    shard: str | None = Field(
        default=None, description="'I/N' when only shard I of a scan in N shards was assessed: a partial result."
    )
    sources: tuple[SourceRun, ...] = ()
    subjects: dict[str, int] = Field(default_factory=dict, description="Subjects counted per subject kind.")
    evidence: int = 0
    problems: tuple[Problem, ...] = ()
    packs: tuple[PackRef, ...] = ()


class Assessment(_Frozen):
    schema_version: Literal[1] = ASSESSMENT_SCHEMA_VERSION
    scan: ScanMetadata
    capabilities: tuple[CapabilityResult, ...]
    metrics: tuple[MetricValue, ...] = ()
    file_bases: dict[str, str] = Field(
        default_factory=dict,
        description="Subject id -> base URL of its files, so that reports can link the paths evidence names.",
    )

    def capability(self, capability: Capability | str) -> CapabilityResult:
        wanted = Capability(capability)
        for result in self.capabilities:
            if result.capability is wanted:
                return result
        raise KeyError(wanted.value)
