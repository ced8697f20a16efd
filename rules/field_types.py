"""What an evidence field holds, read from its kind's data model, so that a condition whose
value can never match the field (`present eq "true"`) fails at load instead of silently."""

from __future__ import annotations

import types
from dataclasses import dataclass
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel

from scanner.kinds import KindRegistry


@dataclass(frozen=True)
class FieldShape:
    """`base` is bool, int, float, str, list or any (free-form: not checked)."""

    base: str
    item: str = "any"  # the item shape of a list
    nullable: bool = False

    @property
    def numeric(self) -> bool:
        return self.base in ("int", "float", "any")

    def describe(self) -> str:
        if self.base == "list":
            return f"lists of {_NAMES.get(self.item, 'values')}"
        return _NAMES.get(self.base, "any value")


_NAMES = {"bool": "booleans", "int": "integers", "float": "numbers", "str": "strings"}
_SCALARS = {bool: "bool", int: "int", float: "float", str: "str"}


def field_shape(registry: KindRegistry, kind: str, path: str) -> FieldShape:
    """The shape of a field known to exist (`KindRegistry.has_field`)."""
    annotation: Any = registry[kind].data_model
    for part in path.split("."):
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return FieldShape("any")
        annotation = annotation.model_fields[part].annotation
    return _shape(annotation)


def _shape(annotation: Any) -> FieldShape:
    nullable = False
    if get_origin(annotation) in (Union, types.UnionType):
        members = [arg for arg in get_args(annotation) if arg is not type(None)]
        nullable = len(members) < len(get_args(annotation))
        if len(members) != 1:
            return FieldShape("any", nullable=True)
        annotation = members[0]
    if annotation in _SCALARS:
        return FieldShape(_SCALARS[annotation], nullable=nullable)
    if get_origin(annotation) in (list, tuple):
        items = get_args(annotation)
        return FieldShape("list", item=_SCALARS.get(items[0], "any") if items else "any", nullable=nullable)
    return FieldShape("any", nullable=True)


def fits(value: Any, base: str) -> bool:
    """Whether a pack value can be compared with field values of this base shape."""
    if base == "bool":
        return isinstance(value, bool)
    if base == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if base == "float":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if base == "str":
        return isinstance(value, str)
    return True
