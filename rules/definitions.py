"""What a compiled rule pack holds: the model, params, metrics and rules, ready to evaluate."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from rules.conditions import AllOf, AnyOf, EvidenceCondition, FieldRef, Not, leaves
from scanner.model import Capability, NotInferable, Stage

MetricForm = Literal["share_of", "count_of", "median_of"]


@dataclass(frozen=True)
class CapabilityDef:
    id: Capability
    title: str


@dataclass(frozen=True)
class PackModel:
    stages: tuple[Stage, ...]
    capabilities: tuple[CapabilityDef, ...]

    def title(self, capability: Capability) -> str:
        return next(entry.title for entry in self.capabilities if entry.id is capability)


@dataclass(frozen=True)
class ParamDef:
    name: str
    default: float
    description: str
    source: str
    floor_of: str | None = None  # a share of these subjects: the threshold is max(1, ceil(share x their number))


@dataclass(frozen=True)
class MinSample:
    """`min_sample` of pack.yaml: shares and medians over `of` subjects carrying `tags`."""

    of: str
    tags: frozenset[str]
    param: str

    def fits(self, metric: MetricDef) -> bool:
        return metric.form != "count_of" and metric.subject_kind == self.of and self.tags <= set(metric.among_tags)


@dataclass(frozen=True)
class MetricDef:
    name: str
    form: MetricForm
    subject_kind: str
    among_tags: tuple[str, ...]
    where: EvidenceCondition | None
    value: FieldRef | None  # median_of only
    kinds: frozenset[str]  # every evidence kind the metric reads
    source: str
    among_where: EvidenceCondition | None = None  # the subjects it is about: a share's denominator
    min_sample: float = 0  # shares and medians over fewer subjects decide nothing; set by build_ruleset


@dataclass(frozen=True)
class MetricLeaf:
    """`{metric, op, value}` of a rule's `when`; `threshold` is None until params are resolved.

    With `floor_of` (a param's), `threshold` is a share of the scan's subjects of that kind,
    and the leaf compares with the floor it gives (see `floor`)."""

    metric: str
    op: str
    threshold: float | None
    param: str | None = None
    floor_of: str | None = None

    def floor(self, subjects: int) -> float:
        """The threshold for a scan with `subjects` subjects of the `floor_of` kind."""
        assert self.threshold is not None
        if self.floor_of is None:
            return self.threshold
        # rounded first: 0.07 x 100 is 7.000000000000001 in floating point, and must stay 7
        return float(max(1, math.ceil(round(self.threshold * subjects, 9))))


WhenCondition = MetricLeaf | AllOf | AnyOf | Not


@dataclass(frozen=True)
class Elsewhere:
    """`may_live_elsewhere`: the `declared:` config key that states the evidence, and who could see it."""

    declare: str
    hint: str


@dataclass(frozen=True)
class RuleDef:
    id: str
    capability: Capability
    stage: Stage  # a cap's: the first stage it withholds
    title: str
    needs: tuple[str, ...]
    when: WhenCondition
    remediation: str
    source: str
    caps: Stage | None = None  # a cap: the capability stays at or below this while the rule does not pass
    key: bool = False  # the behaviour its stage is about: unless a source can judge it, the stage is ceiling-only
    decided_by: str = ""  # a key rule's: the source or config key that would decide it
    elsewhere: Elsewhere | None = None  # evidence not found here may live elsewhere: not found is unknown
    beside: tuple[str, ...] = ()  # metrics reported beside the outcome to explain it; they never decide it

    @property
    def metric_names(self) -> tuple[str, ...]:
        return tuple(sorted({leaf.metric for leaf in leaves(self.when)}))

    def describe(self) -> dict[str, Any]:
        """The rule as plain data (for `pecm rules show`)."""
        return {
            "id": self.id,
            "capability": self.capability.value,
            "stage": self.stage.value,
            **({"caps": self.caps.value} if self.caps else {}),
            **({"key": True, "decided_by": self.decided_by} if self.key else {}),
            **(
                {"may_live_elsewhere": {"declare": self.elsewhere.declare, "hint": self.elsewhere.hint}}
                if self.elsewhere
                else {}
            ),
            "title": self.title,
            "needs": list(self.needs),
            "when": _describe_when(self.when),
            "remediation": self.remediation,
            **({"beside": list(self.beside)} if self.beside else {}),
            "source": self.source,
        }


def _describe_when(node: WhenCondition) -> dict[str, Any]:
    if isinstance(node, AllOf):
        return {"all": [_describe_when(item) for item in node.items]}
    if isinstance(node, AnyOf):
        return {"any": [_describe_when(item) for item in node.items]}
    if isinstance(node, Not):
        return {"not": _describe_when(node.item)}
    described: dict[str, Any] = {"metric": node.metric, "op": node.op, "value": node.threshold}
    if node.param is not None:
        described["param"] = node.param
    if node.floor_of is not None:
        described["floor_of"] = node.floor_of
    return described


@dataclass(frozen=True)
class RulePack:
    name: str
    version: str
    source: str  # the pack's path, as shown to the user
    model: PackModel | None  # None in an add-on pack that uses the first pack's model
    params: Mapping[str, ParamDef]
    metrics: Mapping[str, MetricDef]
    rules: tuple[RuleDef, ...]
    not_inferable: tuple[NotInferable, ...]
    min_sample: tuple[MinSample, ...] = ()
