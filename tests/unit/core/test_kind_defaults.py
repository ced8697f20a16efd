"""A kind's defaults read from its fields: exactly what its model would dump, without building
the model's validator (a scan records most kinds as "nothing found" and validates few)."""

from __future__ import annotations

import enum
import inspect
import sys
from types import FrameType
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field, computed_field, field_serializer

from scanner.kinds import FILE_SIGNAL_KINDS, KINDS, KindSpec
from scanner.kinds.spec import KindData, data_defaults


@pytest.mark.parametrize("spec", KINDS, ids=lambda spec: spec.name)
def test_every_kind_s_defaults_are_what_its_model_dumps(spec: KindSpec) -> None:
    defaults = data_defaults(spec.data_model)
    if defaults is not None:
        assert defaults == spec.data_model().model_dump(mode="json")
        assert [type(value) for value in defaults.values()] == [
            type(value) for value in spec.data_model().model_dump(mode="json").values()
        ]


def test_every_file_signal_kind_has_defaults_without_its_model() -> None:
    assert all(data_defaults(spec.data_model) is not None for spec in KINDS if spec.name in FILE_SIGNAL_KINDS)


def test_reading_the_defaults_builds_no_validator() -> None:
    class Plain(KindData):
        present: bool = False
        paths: list[str] = Field(default_factory=list)
        count: int = 0
        name: str | None = None

    assert data_defaults(Plain) == {"present": False, "paths": [], "count": 0, "name": None}
    assert not Plain.__pydantic_complete__


def test_reading_the_defaults_of_every_file_signal_kind_reads_no_signature() -> None:
    # pydantic's `get_default` asks whether a `list` factory takes the validated data, which
    # parses the builtin's signature from its text: most of what reading the defaults cost.
    read: list[str] = []

    def watch(frame: FrameType, event: str, arg: Any) -> None:
        if event == "call" and frame.f_code is inspect.signature.__code__:
            read.append(frame.f_back.f_code.co_name if frame.f_back else "?")

    sys.setprofile(watch)
    try:
        for spec in KINDS:
            if spec.name in FILE_SIGNAL_KINDS:
                data_defaults(spec.data_model)
    finally:
        sys.setprofile(None)
    assert read == []


def test_another_factory_s_default_is_still_read() -> None:
    class Made(KindData):
        name: str = Field(default_factory=lambda: "x")
        tags: list[str] = Field(default_factory=list)

    assert data_defaults(Made) == {"name": "x", "tags": []}


class _Colour(str, enum.Enum):
    RED = "red"


class _Inner(BaseModel):
    present: bool = False


class _Required(KindData):
    name: str


class _Enum(KindData):
    colour: _Colour = _Colour.RED


class _Nested(KindData):
    inner: _Inner = Field(default_factory=_Inner)


class _Filled(KindData):
    tools: list[str] = Field(default_factory=lambda: ["a"])


class _Computed(KindData):
    count: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def double(self) -> int:
        return 2 * self.count


class _Serialized(KindData):
    count: int = 0

    @field_serializer("count")
    def _count(self, value: int) -> str:
        return str(value)


class _Excluded(KindData):
    model_config = ConfigDict(extra="forbid")
    secret: str = Field(default="", exclude=True)


@pytest.mark.parametrize("model", [_Required, _Enum, _Nested, _Filled, _Computed, _Serialized, _Excluded])
def test_what_only_the_serializer_can_tell_is_left_to_it(model: type[BaseModel]) -> None:
    assert data_defaults(model) is None
