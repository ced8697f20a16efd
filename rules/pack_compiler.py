"""Compile validated pack documents into definitions, checking every name they use.

Every error names the file, the rule id (or metric, param), and the field, so a typo in a
pack fails loudly at load instead of silently failing a rule.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from rules.conditions import (
    AllOf,
    AnyOf,
    EvidenceCondition,
    FieldRef,
    Not,
    condition_kinds,
    evidence_leaf,
    format_value,
)
from rules.definitions import (
    CapabilityDef,
    Elsewhere,
    MetricDef,
    MetricForm,
    MetricLeaf,
    MinSample,
    PackModel,
    ParamDef,
    RuleDef,
    WhenCondition,
)
from rules.errors import PackError
from rules.field_types import FieldShape, field_shape, fits
from rules.pack_schema import (
    CapabilityDoc,
    ConditionDoc,
    MetricDoc,
    MinSampleDoc,
    ModelDoc,
    ParamDoc,
    RuleDoc,
    WhenDoc,
)
from scanner.kinds import KindRegistry
from scanner.model import Capability, NotInferable, Stage, SubjectKind

_SNAKE = re.compile(r"[a-z][a-z0-9_]*")
_SUBJECT_KINDS: tuple[str, ...] = get_args(SubjectKind)
_STAGE_NAMES = [stage.value for stage in Stage]


@dataclass(frozen=True)
class Site:
    """Where something in a pack is, for error messages: file, owner (rule, metric…), field."""

    file: str
    owner: str = ""

    def error(self, field: str, message: str) -> PackError:
        parts = [part for part in (self.file, self.owner, field) if part]
        return PackError(": ".join(parts) + ": " + message)


# --- structure (pydantic) -------------------------------------------------------------------


def parse_document(model: type[BaseModel], raw: Any, file: str) -> Any:
    """Validate one YAML document against its pydantic model; errors become PackError."""
    if raw is None:
        raise PackError(f"{file}: the document is empty")
    if not isinstance(raw, dict):
        raise PackError(f"{file}: expected a mapping of keys at the top level, found {_type_name(raw)}")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise _from_validation_error(exc, raw, file) from None


def _from_validation_error(exc: ValidationError, raw: dict[str, Any], file: str) -> PackError:
    errors = exc.errors()
    first = errors[0]
    loc = list(first["loc"])
    owner, node = "", raw
    if len(loc) >= 2 and loc[0] == "capabilities" and isinstance(loc[1], int):
        owner, node, loc = f"capabilities[{loc[1]}]", _child(raw, "capabilities", loc[1]), loc[2:]
    if len(loc) >= 2 and loc[0] in ("rules", "metrics", "params", "not_inferable"):
        section, key = loc[0], loc[1]
        if section == "rules":
            rule_id = _child(node, "rules", key).get("id")
            owner = f"rule {rule_id}" if isinstance(rule_id, str) else _join(owner, f"rules[{key}]")
        elif section == "metrics":
            owner = f"metric {key}"
        elif section == "params":
            owner = f"param {key}"
        else:
            owner = _join(owner, f"not_inferable[{key}]")
        loc = loc[2:]
    if first["type"] == "extra_forbidden":
        message = "unknown key"
    elif first["type"] == "missing":
        message = "missing (required)"
    else:
        found = first["input"]
        message = f"{first['msg']}, got {format_value(found) if _plain(found) else _type_name(found)}"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return Site(file, owner).error(format_loc(loc) or "(top level)", message + more)


def format_loc(parts: Sequence[str | int]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _child(node: Any, section: str, index: Any) -> dict[str, Any]:
    try:
        child = node[section][index]
    except (KeyError, IndexError, TypeError):
        return {}
    return child if isinstance(child, dict) else {}


def _join(*parts: str) -> str:
    return ": ".join(part for part in parts if part)


def _plain(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool)) or value is None


def _type_name(value: Any) -> str:
    names: dict[type, str] = {list: "a list", dict: "a mapping", str: "a string"}
    return names.get(type(value), type(value).__name__)


# --- the model and params ------------------------------------------------------------------


def compile_model(doc: ModelDoc, file: str) -> PackModel:
    site = Site(file)
    if doc.stages != _STAGE_NAMES:
        raise site.error("model.stages", f"must be {', '.join(_STAGE_NAMES)} (in this order)")
    if not doc.capabilities:
        raise site.error("model.capabilities", "must list at least one capability")
    known = [capability.value for capability in Capability]
    entries: list[CapabilityDef] = []
    for index, entry in enumerate(doc.capabilities):
        if entry.id not in known:
            raise site.error(
                f"model.capabilities[{index}].id", f"unknown capability {entry.id!r} (known: {', '.join(known)})"
            )
        if any(seen.id.value == entry.id for seen in entries):
            raise site.error(f"model.capabilities[{index}].id", f"capability {entry.id!r} is listed twice")
        entries.append(CapabilityDef(Capability(entry.id), entry.title))
    return PackModel(stages=tuple(Stage), capabilities=tuple(entries))


def compile_params(docs: Mapping[str, ParamDoc], file: str) -> dict[str, ParamDef]:
    params: dict[str, ParamDef] = {}
    for name, doc in docs.items():
        site = Site(file, f"param {name}")
        if not _SNAKE.fullmatch(name):
            raise site.error("", "name must be snake_case (a-z, 0-9, _)")
        if doc.floor_of is not None:
            if doc.floor_of not in _SUBJECT_KINDS:
                raise site.error(
                    "floor_of", f"unknown subject kind {doc.floor_of!r} (known: {', '.join(_SUBJECT_KINDS)})"
                )
            problem = floor_share_problem(doc.default)
            if problem:
                raise site.error("default", problem)
        params[name] = ParamDef(
            name=name, default=doc.default, description=doc.description, source=file, floor_of=doc.floor_of
        )
    return params


def floor_share_problem(share: float) -> str | None:
    """Why `share` cannot be a floor's share of an organization's subjects, or None."""
    return None if 0 <= share <= 1 else f"a floor is a share of the subjects, between 0 and 1, got {format_value(share)}"


def compile_min_sample(docs: Sequence[MinSampleDoc], file: str, params: Collection[str]) -> tuple[MinSample, ...]:
    entries = []
    for index, doc in enumerate(docs):
        site = Site(file)
        if doc.of not in _SUBJECT_KINDS:
            raise site.error(
                f"min_sample[{index}].of", f"unknown subject kind {doc.of!r} (known: {', '.join(_SUBJECT_KINDS)})"
            )
        if doc.param not in params:
            raise site.error(f"min_sample[{index}].param", f"unknown param {doc.param!r} (declare it in params)")
        entries.append(MinSample(of=doc.of, tags=frozenset(doc.tags), param=doc.param))
    return tuple(entries)


# --- capability documents ------------------------------------------------------------------


@dataclass(frozen=True)
class PackScope:
    """What a capability document may refer to: the registry and the pack's own names."""

    kinds: KindRegistry
    capabilities: Collection[Capability]
    params: Mapping[str, ParamDef]


def capability_of(doc: CapabilityDoc, file: str, scope: PackScope) -> Capability:
    allowed = [capability.value for capability in scope.capabilities]
    if doc.capability not in allowed:
        raise Site(file).error(
            "capability", f"unknown capability {doc.capability!r} (the model has: {', '.join(allowed)})"
        )
    return Capability(doc.capability)


def compile_metric(name: str, doc: MetricDoc, file: str, scope: PackScope) -> MetricDef:
    site = Site(file, f"metric {name}")
    if not _SNAKE.fullmatch(name):
        raise site.error("", "name must be snake_case (a-z, 0-9, _)")
    forms: list[MetricForm] = [form for form in get_args(MetricForm) if getattr(doc, form) is not None]
    if len(forms) != 1:
        raise site.error("share_of", "give exactly one of share_of, count_of, median_of")
    form = forms[0]
    subject_kind = getattr(doc, form)
    if subject_kind not in _SUBJECT_KINDS:
        raise site.error(form, f"unknown subject kind {subject_kind!r} (known: {', '.join(_SUBJECT_KINDS)})")
    if form == "share_of" and doc.where is None:
        raise site.error("where", "missing (share_of needs a condition)")
    if form == "median_of" and doc.value is None:
        raise site.error("value", "missing (median_of needs {kind, field} of a numeric field)")
    if form != "median_of" and doc.value is not None:
        raise site.error("value", "only median_of takes a value")
    if doc.among is not None and not doc.among.tags and doc.among.where is None:
        raise site.error("among", "give tags, where, or both")
    among_where = (
        _compile_condition(doc.among.where, "among.where", site, subject_kind, scope.kinds)
        if doc.among is not None and doc.among.where is not None
        else None
    )
    where = _compile_condition(doc.where, "where", site, subject_kind, scope.kinds) if doc.where else None
    value = _compile_value_ref(doc, site, subject_kind, scope.kinds) if doc.value else None
    kinds = condition_kinds(where) | condition_kinds(among_where) | ({value.kind} if value else set())
    return MetricDef(
        name=name,
        form=form,
        subject_kind=subject_kind,
        among_tags=tuple(sorted(set(doc.among.tags))) if doc.among else (),
        where=where,
        value=value,
        kinds=frozenset(kinds),
        source=file,
        among_where=among_where,
    )


def _compile_value_ref(doc: MetricDoc, site: Site, subject_kind: str, kinds: KindRegistry) -> FieldRef:
    assert doc.value is not None
    _check_kind(doc.value.kind, "value.kind", site, subject_kind, kinds)
    _check_field(doc.value.kind, doc.value.field, "value.field", site, kinds)
    shape = field_shape(kinds, doc.value.kind, doc.value.field)
    if not shape.numeric:
        raise site.error("value.field", f"{doc.value.kind}.{doc.value.field} holds {shape.describe()}, not numbers")
    return FieldRef(doc.value.kind, doc.value.field, tuple(doc.value.field.split(".")))


def _compile_condition(
    doc: ConditionDoc, at: str, site: Site, subject_kind: str, kinds: KindRegistry
) -> EvidenceCondition:
    combinator = _combinator(doc, ("kind", "field", "op", "value"), at, site)
    if combinator == "all":
        return AllOf(
            tuple(
                _compile_condition(item, f"{at}.all[{i}]", site, subject_kind, kinds)
                for i, item in enumerate(doc.all_ or ())
            )
        )
    if combinator == "any":
        return AnyOf(
            tuple(
                _compile_condition(item, f"{at}.any[{i}]", site, subject_kind, kinds)
                for i, item in enumerate(doc.any_ or ())
            )
        )
    if combinator == "not":
        assert doc.not_ is not None
        return Not(_compile_condition(doc.not_, f"{at}.not", site, subject_kind, kinds))
    assert doc.kind is not None and doc.field is not None and doc.op is not None
    _check_kind(doc.kind, f"{at}.kind", site, subject_kind, kinds)
    _check_field(doc.kind, doc.field, f"{at}.field", site, kinds)
    problem = _value_problem(doc.op, doc.value, field_shape(kinds, doc.kind, doc.field), f"{doc.kind}.{doc.field}")
    if problem:
        raise site.error(f"{at}.value", problem)
    return evidence_leaf(doc.kind, doc.field, doc.op, doc.value)


def _combinator(doc: ConditionDoc | WhenDoc, leaf_keys: tuple[str, ...], at: str, site: Site) -> str | None:
    """Which of all/any/not the node is, or None for a complete leaf; anything else is an error."""
    used = [name for name in ("all", "any", "not") if getattr(doc, name + "_") is not None]
    given = [key for key in leaf_keys if key in doc.model_fields_set]
    if len(used) > 1 or (used and given):
        raise site.error(at, f"use either a leaf {{{', '.join(leaf_keys)}}} or one of all/any/not, not both")
    if used:
        items = getattr(doc, used[0] + "_")
        if isinstance(items, list) and not items:
            raise site.error(f"{at}.{used[0]}", "must list at least one condition")
        return used[0]
    missing = [key for key in leaf_keys if key not in given]
    if missing:
        raise site.error(f"{at}.{missing[0]}" if at else missing[0], "missing (required)")
    return None


def _check_kind(kind: str, at: str, site: Site, subject_kind: str, kinds: KindRegistry) -> None:
    if kind not in kinds:
        close = difflib.get_close_matches(kind, kinds.names(), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise site.error(at, f"unknown evidence kind {kind!r}{hint}")
    described = kinds[kind].subject_kind
    if described != subject_kind:
        raise site.error(at, f"{kind} describes {described} subjects, but the metric counts {subject_kind} subjects")


def _check_field(kind: str, field: str, at: str, site: Site, kinds: KindRegistry) -> None:
    if not kinds.has_field(kind, field):
        fields = ", ".join(kinds[kind].data_model.model_fields)
        raise site.error(at, f"{kind} has no field {field!r} (fields: {fields})")


def _value_problem(op: str, value: Any, shape: FieldShape, field: str) -> str | None:
    """Why `value` can never be compared with `field` by `op`, or None when it can."""
    holds = f"{field} holds {shape.describe()}"
    if op == "exists":
        return None if isinstance(value, bool) else f"exists takes true or false, got {format_value(value)}"
    if op == "matches":
        if not isinstance(value, str):
            return f"matches takes a regular expression (a string), got {format_value(value)}"
        if shape.base not in ("str", "any"):
            return f"matches needs a string field; {holds}"
        try:
            re.compile(value)
        except re.error as exc:
            return f"invalid regular expression {format_value(value)}: {exc}"
        return None
    if op in ("gt", "gte", "lt", "lte"):
        if not fits(value, "float"):
            return f"{op} takes a number, got {format_value(value)}"
        return None if shape.numeric else f"{op} needs a numeric field; {holds}"
    if op == "in":
        if not isinstance(value, list) or not value:
            return "in takes a non-empty list of values"
        if shape.base == "list":
            return f"in compares one value with a list; {holds}, so use contains"
        wrong = [item for item in value if not _fits_scalar(item, shape)]
        return f"{format_value(wrong[0])} can never equal a value of {field}; {holds}" if wrong else None
    if op == "contains":
        if shape.base == "list":
            return (
                None if fits(value, shape.item) else f"{format_value(value)} can never be an item of {field}; {holds}"
            )
        if shape.base == "str":
            return None if isinstance(value, str) else f"contains on a string field takes a string; {holds}"
        return None if shape.base == "any" else f"contains needs a list or string field; {holds}"
    # eq, ne
    if shape.base == "list":
        if isinstance(value, list) and all(fits(item, shape.item) for item in value):
            return None
        return f"{op} compares the whole list; {holds} (to test one item, use contains)"
    return None if _fits_scalar(value, shape) else f"{format_value(value)} can never equal a value of {field}; {holds}"


def _fits_scalar(value: Any, shape: FieldShape) -> bool:
    if value is None:
        return shape.nullable or shape.base == "any"
    return not isinstance(value, (list, dict)) and fits(value, shape.base)


def compile_rule(
    doc: RuleDoc, capability: Capability, file: str, scope: PackScope, metrics: Mapping[str, MetricDef]
) -> RuleDef:
    site = Site(file, f"rule {doc.id}")
    prefix, _, local = doc.id.partition(".")
    if prefix != capability.value:
        raise site.error("id", f"must start with '{capability.value}.' (the capability of its document)")
    if not _SNAKE.fullmatch(local):
        raise site.error("id", f"must be {capability.value}.<snake_case name> (a-z, 0-9, _)")
    stage, caps = _rule_stage(doc, site)
    if doc.key and (caps is not None or not doc.decided_by):
        raise site.error("key", "a key rule is a stage rule and names the source that decides it in decided_by")
    if doc.decided_by and not doc.key:
        raise site.error("decided_by", "only a key rule takes decided_by")
    for index, kind in enumerate(doc.needs):
        if kind not in scope.kinds:
            raise site.error(f"needs[{index}]", f"unknown evidence kind {kind!r}")
    when = _compile_when(doc.when, "when", site, scope, metrics)
    read = sorted(set().union(*(metrics[name].kinds for name in _metric_names(when))))
    if sorted(set(doc.needs)) != read or len(doc.needs) != len(set(doc.needs)):
        raise site.error("needs", f"lists {_kind_list(doc.needs)} but its metrics read {_kind_list(read)}")
    for index, name in enumerate(doc.beside):
        if name not in metrics:
            raise site.error(f"beside[{index}]", f"unknown metric {name!r}")
    return RuleDef(
        id=doc.id,
        capability=capability,
        stage=stage,
        title=doc.title,
        needs=tuple(sorted(doc.needs)),
        when=when,
        remediation=doc.remediation.strip(),
        source=file,
        caps=caps,
        key=doc.key,
        decided_by=doc.decided_by or "",
        elsewhere=_elsewhere(doc, site),
        beside=tuple(doc.beside),
    )


def _elsewhere(doc: RuleDoc, site: Site) -> Elsewhere | None:
    if doc.may_live_elsewhere is None:
        return None
    if not _SNAKE.fullmatch(doc.may_live_elsewhere.declare):
        raise site.error("may_live_elsewhere.declare", "must be a snake_case config key (a-z, 0-9, _)")
    return Elsewhere(declare=doc.may_live_elsewhere.declare, hint=doc.may_live_elsewhere.hint.strip())


def _rule_stage(doc: RuleDoc, site: Site) -> tuple[Stage, Stage | None]:
    """(the stage a rule speaks for, the stage it caps at): a cap withholds the stage above its cap."""
    if (doc.stage is None) == (doc.caps is None):
        raise site.error("stage", "give exactly one of stage (a stage rule) or caps (a cap)")
    field, name = ("stage", doc.stage) if doc.stage is not None else ("caps", doc.caps)
    if name not in _STAGE_NAMES:
        raise site.error(field, f"unknown stage {name!r} (stages: {', '.join(_STAGE_NAMES)})")
    stage = Stage(name)
    if doc.caps is not None:
        above = stage.next()
        if above is None:
            raise site.error("caps", "'optimizing' caps nothing: it is the top stage")
        return above, stage
    if stage is Stage.INITIAL:
        raise site.error("stage", "'initial' needs no evidence; rules start at 'repeatable'")
    return stage, None


def _kind_list(kinds: Sequence[str]) -> str:
    return "[" + ", ".join(kinds) + "]"


def _metric_names(node: WhenCondition) -> set[str]:
    if isinstance(node, (AllOf, AnyOf)):
        return set().union(*(_metric_names(item) for item in node.items))
    if isinstance(node, Not):
        return _metric_names(node.item)
    return {node.metric}


def _compile_when(
    doc: WhenDoc, at: str, site: Site, scope: PackScope, metrics: Mapping[str, MetricDef]
) -> WhenCondition:
    combinator = _combinator(doc, ("metric", "op", "value"), at, site)
    if combinator == "all":
        return AllOf(
            tuple(_compile_when(item, f"{at}.all[{i}]", site, scope, metrics) for i, item in enumerate(doc.all_ or ()))
        )
    if combinator == "any":
        return AnyOf(
            tuple(_compile_when(item, f"{at}.any[{i}]", site, scope, metrics) for i, item in enumerate(doc.any_ or ()))
        )
    if combinator == "not":
        assert doc.not_ is not None
        return Not(_compile_when(doc.not_, f"{at}.not", site, scope, metrics))
    assert doc.metric is not None and doc.op is not None
    if doc.metric not in metrics:
        close = difflib.get_close_matches(doc.metric, list(metrics), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise site.error(f"{at}.metric", f"unknown metric {doc.metric!r}{hint}")
    value = doc.value
    if fits(value, "float"):
        return MetricLeaf(metric=doc.metric, op=doc.op, threshold=float(value))
    if isinstance(value, dict) and set(value) == {"param"} and isinstance(value["param"], str):
        if value["param"] not in scope.params:
            raise site.error(f"{at}.value.param", f"unknown param {value['param']!r} (declare it in the pack's params)")
        floor_of = scope.params[value["param"]].floor_of
        if floor_of is not None and metrics[doc.metric].form != "count_of":
            raise site.error(
                f"{at}.value.param",
                f"{value['param']} is a floor (floor_of: {floor_of}): compare it with a count_of metric, "
                f"not a {metrics[doc.metric].form.removesuffix('_of')}",
            )
        return MetricLeaf(metric=doc.metric, op=doc.op, threshold=None, param=value["param"], floor_of=floor_of)
    raise site.error(
        f"{at}.value",
        f"expected a number or {{param: NAME}}, got {format_value(value) if _plain(value) else _type_name(value)}",
    )


def compile_not_inferable(capability: Capability, entries: Sequence[Any], file: str) -> list[NotInferable]:
    compiled = []
    for index, entry in enumerate(entries):
        if entry.stage not in _STAGE_NAMES:
            site = Site(file, f"capability {capability.value}")
            raise site.error(
                f"not_inferable[{index}].stage", f"unknown stage {entry.stage!r} (stages: {', '.join(_STAGE_NAMES)})"
            )
        compiled.append(
            NotInferable(
                capability=capability,
                stage=Stage(entry.stage),
                criterion=entry.criterion,
                reason=entry.reason,
                core=entry.core,
            )
        )
    return compiled
