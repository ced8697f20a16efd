"""The shape of rule-pack YAML documents (see docs/rule-packs.md).

These models check structure only: unknown keys, missing keys, types. Whether a kind,
field, metric or param exists is checked when the documents are compiled
(rules/pack_compiler.py), because that needs the kind registry and the whole pack.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat

EVIDENCE_OPS = ("eq", "ne", "gt", "gte", "lt", "lte", "in", "contains", "exists", "matches")
METRIC_OPS = ("eq", "ne", "gt", "gte", "lt", "lte")

EvidenceOp = Literal["eq", "ne", "gt", "gte", "lt", "lte", "in", "contains", "exists", "matches"]
MetricOp = Literal["eq", "ne", "gt", "gte", "lt", "lte"]


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CapabilityEntry(_Doc):
    id: str
    title: str


class ModelDoc(_Doc):
    stages: list[str]
    capabilities: list[CapabilityEntry]


class ParamDoc(_Doc):
    default: StrictFloat
    description: str = ""
    # A share of the scan's subjects of this kind: the threshold it gives a rule is the floor
    # max(1, ceil(share x their number)), so a count scales with the organization.
    floor_of: str | None = None


class ConditionDoc(_Doc):
    """A leaf `{kind, field, op, value}` or one of `all`, `any`, `not` (checked when compiled)."""

    kind: str | None = None
    field: str | None = None
    op: EvidenceOp | None = None
    value: Any = None
    all_: list[ConditionDoc] | None = Field(default=None, alias="all")
    any_: list[ConditionDoc] | None = Field(default=None, alias="any")
    not_: ConditionDoc | None = Field(default=None, alias="not")


class ValueRefDoc(_Doc):
    kind: str
    field: str


class AmongDoc(_Doc):
    """Which subjects a metric counts: those with all these tags, and for which `where` holds."""

    tags: list[str] = Field(default_factory=list)
    where: ConditionDoc | None = None


class MetricDoc(_Doc):
    """Exactly one of share_of, count_of, median_of (checked when compiled)."""

    share_of: str | None = None
    count_of: str | None = None
    median_of: str | None = None
    among: AmongDoc | None = None
    where: ConditionDoc | None = None
    value: ValueRefDoc | None = None


class WhenDoc(_Doc):
    """A leaf `{metric, op, value}` or one of `all`, `any`, `not` (checked when compiled)."""

    metric: str | None = None
    op: MetricOp | None = None
    value: Any = None  # a number or {param: NAME}; checked when compiled for a clearer message
    all_: list[WhenDoc] | None = Field(default=None, alias="all")
    any_: list[WhenDoc] | None = Field(default=None, alias="any")
    not_: WhenDoc | None = Field(default=None, alias="not")


class ElsewhereDoc(_Doc):
    """Evidence that may live outside the configured sources: the `declared:` key stating it, who could see it."""

    declare: str
    hint: str


class RuleDoc(_Doc):
    """A stage rule (`stage`) or a cap (`caps`: the highest stage the capability keeps while it fails)."""

    id: str
    stage: str | None = None
    caps: str | None = None
    key: bool = False
    decided_by: str | None = None
    may_live_elsewhere: ElsewhereDoc | None = None
    title: str
    needs: list[str]
    when: WhenDoc
    remediation: str
    beside: list[str] = Field(default_factory=list)  # metrics reported beside the outcome; they never decide it


class NotInferableDoc(_Doc):
    stage: str
    criterion: str
    reason: str
    core: bool = False  # evidence alone cannot prove the stage; a self-assessment answer can close it


class CapabilityDoc(_Doc):
    capability: str
    metrics: dict[str, MetricDoc] = Field(default_factory=dict)
    rules: list[RuleDoc] = Field(default_factory=list)
    not_inferable: list[NotInferableDoc] = Field(default_factory=list)


class MinSampleDoc(_Doc):
    """The fewest subjects a share or median over `of` (with these tags) may be decided on."""

    of: str
    tags: list[str] = Field(default_factory=list)
    param: str


class ManifestDoc(_Doc):
    """pack.yaml of a directory pack."""

    name: str
    version: str
    description: str = ""
    model: ModelDoc | None = None
    params: dict[str, ParamDoc] = Field(default_factory=dict)
    min_sample: list[MinSampleDoc] = Field(default_factory=list)


class SingleFilePackDoc(ManifestDoc):
    """A pack in one file: the pack.yaml keys plus the capability documents."""

    capabilities: list[CapabilityDoc]
