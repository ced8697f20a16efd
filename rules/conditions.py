"""Compiled conditions: evidence leaves for a metric's `where`, and the all/any/not nodes
shared with a rule's `when`.

A leaf is compiled once at load time into a dotted path and a plain test function, so
evaluation over ten thousand subjects does no parsing and builds no objects.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from dataclasses import field as dataclass_field  # `field` is also a leaf attribute below
from typing import Any


@dataclass(frozen=True)
class AllOf:
    items: tuple[Any, ...]  # nodes of one tree: evidence conditions, or a rule's `when`


@dataclass(frozen=True)
class AnyOf:
    items: tuple[Any, ...]


@dataclass(frozen=True)
class Not:
    item: Any


def leaves(node: Any) -> list[Any]:
    """The leaves of a condition tree, left to right."""
    if isinstance(node, (AllOf, AnyOf)):
        return [leaf for item in node.items for leaf in leaves(item)]
    if isinstance(node, Not):
        return leaves(node.item)
    return [node]


@dataclass(frozen=True)
class EvidenceLeaf:
    """`{kind, field, op, value}`: holds for one subject's observed evidence data."""

    kind: str
    field: str
    op: str
    value_key: Hashable  # the value with its type, so that `eq: 1` and `eq: true` stay distinct
    value: Any = dataclass_field(compare=False)
    path: tuple[str, ...] = dataclass_field(compare=False)
    test: Callable[[Any], bool] = dataclass_field(compare=False, repr=False)


@dataclass(frozen=True)
class FieldRef:
    """`{kind, field}`: the numeric field a `median_of` metric takes the median of."""

    kind: str
    field: str
    path: tuple[str, ...]


EvidenceCondition = EvidenceLeaf | AllOf | AnyOf | Not


def evidence_leaf(kind: str, field_path: str, op: str, value: Any) -> EvidenceLeaf:
    """Compile a leaf whose value already fits its operator (see pack_compiler)."""
    return EvidenceLeaf(
        kind=kind,
        field=field_path,
        op=op,
        value_key=_freeze(value),
        value=value,
        path=tuple(field_path.split(".")),
        test=_make_test(op, value),
    )


def condition_kinds(node: EvidenceCondition | None) -> frozenset[str]:
    if node is None:
        return frozenset()
    return frozenset(leaf.kind for leaf in leaves(node))


def describe_condition(node: EvidenceCondition) -> str:
    """Readable text, e.g. `ownership.codeowners.present = true`."""
    if isinstance(node, AllOf):
        return "(" + " and ".join(describe_condition(item) for item in node.items) + ")"
    if isinstance(node, AnyOf):
        return "(" + " or ".join(describe_condition(item) for item in node.items) + ")"
    if isinstance(node, Not):
        return "not " + describe_condition(node.item)
    subject = f"{node.kind}.{node.field}"
    if node.op == "exists":
        return f"{subject} {'is set' if node.value else 'is not set'}"
    return f"{subject} {OP_SYMBOLS.get(node.op, node.op)} {format_value(node.value)}"


OP_SYMBOLS = {"eq": "=", "ne": "≠", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤"}


def format_value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(format_value(item) for item in value) + "]"
    return json.dumps(value)


def field_value(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    """The value at a dotted path, or None where the path leaves the data."""
    value: Any = data
    for part in path:
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _freeze(value: Any) -> Hashable:
    if isinstance(value, list):
        return ("list", tuple(_freeze(item) for item in value))
    return (type(value).__name__, value)


def _is_number(value: Any) -> bool:
    # bool is an int subclass, but `true > 0.5` is not a comparison anyone means
    return value.__class__ is int or value.__class__ is float


def _make_test(op: str, value: Any) -> Callable[[Any], bool]:
    """A test of one field value; it never raises, whatever the (possibly foreign) data holds."""
    if op == "eq":
        return lambda found: found == value
    if op == "ne":
        return lambda found: found != value
    if op == "gt":
        return lambda found: _is_number(found) and found > value
    if op == "gte":
        return lambda found: _is_number(found) and found >= value
    if op == "lt":
        return lambda found: _is_number(found) and found < value
    if op == "lte":
        return lambda found: _is_number(found) and found <= value
    if op == "in":
        return lambda found: found in value
    if op == "contains":
        return lambda found: (
            (isinstance(found, list) and value in found)
            or (isinstance(found, str) and isinstance(value, str) and value in found)
        )
    if op == "exists":
        return lambda found: (found is not None) is value
    if op == "matches":
        pattern = re.compile(value)
        return lambda found: isinstance(found, str) and pattern.search(found) is not None
    raise ValueError(f"unknown operator {op!r}")
