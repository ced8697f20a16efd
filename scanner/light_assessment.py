"""A saved assessment read for the gate: only what decides it, into light objects, no pydantic.

`pecm gate --assessment` is start-up and one read: building the pydantic model would cost
pydantic's first model (~0.1 s of CPU) and validating evidence references it never looks at.
This reader checks the type of every field it keeps (the gate then recomputes each stage from
the rule outcomes, so an edited label still fails) and gives up, returning None, at anything
else: the caller then reads the file with the full model, which tells what is wrong in one line.
Fields the gate does not read are not checked here; `pecm gaps` and the reports check them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from scanner.enums import Capability, EvidenceStatus, Outcome, Stage
from scanner.version import ASSESSMENT_SCHEMA_VERSION

E = TypeVar("E", bound=Enum)


@dataclass(frozen=True, slots=True)
class LightRef:
    status: EvidenceStatus


@dataclass(frozen=True, slots=True)
class LightRule:
    rule_id: str
    stage: Stage
    outcome: Outcome
    caps: Stage | None
    key: bool
    supporting: tuple[LightRef, ...]
    opposing: tuple[LightRef, ...]


@dataclass(frozen=True, slots=True)
class LightCriterion:
    stage: Stage
    criterion: str
    core: bool
    self_reported: bool


@dataclass(frozen=True, slots=True)
class LightCapability:
    capability: Capability
    stage: Stage
    ceiling: Stage
    confidence: float
    self_reported: bool
    rules: tuple[LightRule, ...]
    not_inferable: tuple[LightCriterion, ...]


@dataclass(frozen=True, slots=True)
class LightScan:
    organization: str | None
    shard: str | None
    subjects: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class LightAssessment:
    scan: LightScan
    capabilities: tuple[LightCapability, ...]

    def capability(self, capability: Capability) -> LightCapability:
        for result in self.capabilities:
            if result.capability is capability:
                return result
        raise KeyError(capability.value)


class _Unlike(Exception):
    """Not as pecm writes an assessment: the full model reads it and says why."""


def light_assessment(data: str | bytes) -> LightAssessment | None:
    """The gate's view of a saved assessment (its text, or its UTF-8 bytes), or None when it is
    not one as pecm writes it."""
    try:
        document = json.loads(data.decode("utf-8") if isinstance(data, bytes) else data)  # json would take UTF-16 too
        version = document.get("schema_version") if isinstance(document, dict) else None
        if type(version) is not int or version != ASSESSMENT_SCHEMA_VERSION:  # True == 1, but is no version
            raise _Unlike
        return LightAssessment(_scan(_field(document, "scan", dict)), tuple(map(_capability, _list(document, "capabilities"))))
    except (ValueError, _Unlike):  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
        return None


def _scan(scan: dict[str, Any]) -> LightScan:
    subjects = _field(scan, "subjects", dict, {})
    if not all(isinstance(count, int) and not isinstance(count, bool) for count in subjects.values()):
        raise _Unlike
    return LightScan(_optional_str(scan, "organization"), _optional_str(scan, "shard"), subjects)


def _capability(result: Any) -> LightCapability:
    confidence = _field(result, "confidence", (int, float))
    if isinstance(confidence, bool) or not 0 <= confidence <= 1:
        raise _Unlike
    return LightCapability(
        capability=_enum(result, "capability", Capability),
        stage=_enum(result, "stage", Stage),
        ceiling=_enum(result, "ceiling", Stage),
        confidence=float(confidence),
        self_reported=_field(result, "self_reported", bool, False),
        rules=tuple(map(_rule, _list(result, "rules", []))),
        not_inferable=tuple(map(_criterion, _list(result, "not_inferable", []))),
    )


def _rule(rule: Any) -> LightRule:
    caps = rule.get("caps") if isinstance(rule, dict) else None
    return LightRule(
        rule_id=_field(rule, "rule_id", str),
        stage=_enum(rule, "stage", Stage),
        outcome=_enum(rule, "outcome", Outcome),
        caps=None if caps is None else _enum(rule, "caps", Stage),
        key=_field(rule, "key", bool, False),
        supporting=tuple(map(_ref, _list(rule, "supporting", []))),
        opposing=tuple(map(_ref, _list(rule, "opposing", []))),
    )


# The gate reads a reference's status only: one object per status serves all of them.
_REFS = {status.value: LightRef(status) for status in EvidenceStatus}


def _ref(ref: Any) -> LightRef:
    status = ref.get("status") if isinstance(ref, dict) else None
    if not isinstance(status, str) or status not in _REFS:
        raise _Unlike
    return _REFS[status]


def _criterion(item: Any) -> LightCriterion:
    return LightCriterion(
        stage=_enum(item, "stage", Stage),
        criterion=_field(item, "criterion", str),
        core=_field(item, "core", bool, False),
        self_reported=_field(item, "self_reported", bool, False),
    )


_REQUIRED: Any = object()


def _field(container: Any, name: str, kind: type | tuple[type, ...], default: Any = _REQUIRED) -> Any:
    if not isinstance(container, dict):
        raise _Unlike
    value = container.get(name, default)
    if value is _REQUIRED or not isinstance(value, kind):
        raise _Unlike
    return value


def _list(container: Any, name: str, default: Any = _REQUIRED) -> list[Any]:
    value: list[Any] = _field(container, name, list, default)
    return value


def _optional_str(container: dict[str, Any], name: str) -> str | None:
    value = container.get(name)
    if value is not None and not isinstance(value, str):
        raise _Unlike
    return value


def _enum(container: Any, name: str, enum: type[E]) -> E:
    try:
        return enum(_field(container, name, str))
    except ValueError:
        raise _Unlike from None
