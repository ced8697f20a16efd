"""What every kind is made of: its spec, the base of its data model, and the shapes file signals share."""

# No `from __future__ import annotations` here: pydantic would compile every field's annotation
# from its text as each model class is made (this module's classes are made in every scan).
from dataclasses import dataclass
from functools import cached_property
from importlib import import_module
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scanner.model import SubjectKind

MAX_PATHS = 20  # paths kept per tool of a signal: enough to show where, small enough for 10k repositories


@dataclass(frozen=True)
class KindSpec:
    name: str
    subject_kind: SubjectKind
    # The data model, or where it is defined ("module:Class"): imported on first use, so that a
    # process pays for the model classes of the kinds it records, not of the whole vocabulary.
    model: type[BaseModel] | str
    description: str

    @cached_property
    def data_model(self) -> type[BaseModel]:
        if not isinstance(self.model, str):
            return self.model
        module, _, name = self.model.partition(":")
        model = getattr(import_module(module), name)
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise TypeError(f"evidence kind {self.name!r}: {self.model} is no pydantic model")
        return model


class KindData(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


_PLAIN = (type(None), bool, int, float, str)


def data_defaults(model: type[BaseModel]) -> dict[str, Any] | None:
    """`model().model_dump(mode="json")` read from the fields' defaults, without building the
    model's validator and serializer (most of a kind's cost in a scan that never validates its
    data); None where that would not be exact or the model has required fields."""
    decorators = model.__pydantic_decorators__
    if model.model_computed_fields or decorators.field_serializers or decorators.model_serializers:
        return None
    data: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if field.is_required() or field.exclude:
            return None
        # `list` and `dict` called here: `field.get_default` first asks whether the factory takes
        # the validated data, which parses the builtin's signature from its text (most of the cost).
        factory = field.default_factory
        if factory is list or factory is dict:
            value: Any = factory()
        else:
            value = field.get_default(call_default_factory=True)
        if not (type(value) in _PLAIN or (type(value) in (list, dict) and not value)):
            return None  # an enum, a model, a non-empty container: the serializer decides
        data[name] = value
    return data


def model_defaults(model: type[BaseModel]) -> dict[str, Any] | None:
    """`model().model_dump(mode="json")`: from the fields where that is exact (`data_defaults`),
    else from the model; None where the model has required fields."""
    data = data_defaults(model)
    if data is not None:
        return data
    try:
        dumped: dict[str, Any] = model.__pydantic_serializer__.to_python(model(), mode="json")
    except (ValidationError, TypeError):  # required fields: there are no defaults
        return None
    return dumped


class Signal(KindData):
    present: bool = False
    paths: list[str] = Field(default_factory=list)
    live: bool = Field(
        default=False,
        description="Found in a live file, not only in test fixtures, samples, documentation or generated files.",
    )
    path_count: int = Field(default=0, description="Files the signal was found in, all of them (paths is capped).")
    templated: list[str] = Field(
        default_factory=list, description="Of the paths, templated files (*.j2, *.tpl) read with template blocks stripped."
    )


class ToolSignal(Signal):
    tools: list[str] = Field(default_factory=list, description="Sorted names of the tools found.")
    live_tools: list[str] = Field(default_factory=list, description="The tools found in live files.")
