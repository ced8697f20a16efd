"""A compiled rule pack kept in pecm's cache directory, so that a scan reads one JSON file
instead of parsing, validating and compiling the pack's YAML (and importing what does that).

The key is a digest of everything the compiled form depends on: pecm's version, the sources
of the modules that compile a pack, the kinds' fields (what a rule may read), the names the
pack's files are shown by and their bytes. The entry is plain JSON whose objects are rebuilt
only as the classes named in `_CLASSES` (never code, never pickle); an entry that cannot be
read or does not decode is a miss, and a miss compiles the pack as before and writes the entry
atomically (a cache may be lost, never half-written).
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel

import scanner.enums
import scanner.kinds
from rules.conditions import AllOf, AnyOf, EvidenceLeaf, FieldRef, Not, evidence_leaf
from rules.definitions import (
    CapabilityDef,
    Elsewhere,
    MetricDef,
    MetricLeaf,
    MinSample,
    PackModel,
    ParamDef,
    RuleDef,
    RulePack,
)
from rules.errors import PackError
from scanner.atomic_write import write_atomically
from scanner.errors import read_user_bytes
from scanner.kinds import KindRegistry
from scanner.model import Capability, NotInferable, Stage
from scanner.version import VERSION

FORMAT = 1  # bump when the encoding below changes
FOLDER = "rule-packs"
# The modules whose code decides what a pack compiles to: an edited one (same version, as in
# a checkout) must not meet an entry compiled by the code before it.
_COMPILER_SOURCES = ("loader.py", "pack_compiler.py", "pack_schema.py", "definitions.py", "conditions.py",
                     "field_types.py", "pack_cache.py", "yaml_file.py")
_CORE_KINDS = "scanner.kinds."
_ENUMS: dict[str, type[enum.Enum]] = {"Capability": Capability, "Stage": Stage}


def cached_pack(shown: dict[Path, str], kinds: KindRegistry, cache_dir: Path, compile_pack: Callable[[], RulePack]) -> RulePack:
    """The pack whose files are `shown` (each file, the pack's folder first, and the name it is
    shown by): from its cache entry when that was compiled from the same of everything, else
    `compile_pack()`, kept. One entry per pack location: a changed pack replaces its entry."""
    key = _key(shown, kinds)
    if key is None:
        return compile_pack()
    location = hashlib.sha256("\0".join(f"{file.resolve()}\0{name}" for file, name in shown.items()).encode())
    entry = cache_dir / FOLDER / f"{location.hexdigest()[:32]}.json"
    pack = _read(entry, key)
    if pack is None:
        pack = compile_pack()
        _write(entry, key, pack)
    return pack


def _key(shown: dict[Path, str], kinds: KindRegistry) -> str | None:
    """The digest of what the compiled pack depends on, or None when a file cannot be read
    (compiling will say why)."""
    digest = hashlib.sha256(f"pecm {VERSION} rule-pack cache {FORMAT}\0".encode())
    try:
        for source in _sources():
            digest.update(hashlib.sha256(source.read_bytes()).digest())
        for file, name in shown.items():
            digest.update(f"{name}\0".encode())
            if not file.is_dir():
                digest.update(hashlib.sha256(read_user_bytes(file, name, PackError)).digest())
    except (OSError, PackError):
        return None
    digest.update(json.dumps(_kind_fields(kinds)).encode())
    return digest.hexdigest()


def _sources() -> list[Path]:
    kinds = Path(scanner.kinds.__file__).parent
    return [Path(__file__).with_name(name) for name in _COMPILER_SOURCES] + [Path(scanner.enums.__file__)] + sorted(
        kinds.glob("*.py")
    )


def _kind_fields(kinds: KindRegistry) -> list[Any]:
    """What a pack's checks read of the kinds: names, subjects and models; the fields of a
    plugin's models (and of the models those nest) too. The core vocabulary's are in its
    sources, hashed beside the compiler's: its deferred families are never imported for this."""
    models: dict[type[BaseModel], None] = {}
    described: list[Any] = []
    for name in kinds.names():
        spec = kinds[name]
        model = spec.model if isinstance(spec.model, str) else _model_name(spec.model)
        described.append([name, spec.subject_kind, model])
        if not model.startswith(_CORE_KINDS):
            _collect(spec.data_model, models)
    described.append([[_model_name(model), [[field, repr(info.annotation)] for field, info in model.model_fields.items()]]
                      for model in models])
    return described


def _collect(annotation: Any, models: dict[type[BaseModel], None]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in models:
            return
        models[annotation] = None
        for info in annotation.model_fields.values():
            _collect(info.annotation, models)
        return
    for argument in get_args(annotation):
        _collect(argument, models)


def _model_name(model: type) -> str:
    return f"{model.__module__}.{model.__qualname__}"


def _read(entry: Path, key: str) -> RulePack | None:
    try:
        kept = json.loads(entry.read_bytes(), object_hook=_decoded)
        if type(kept) is not dict or kept.get("key") != key:
            return None  # another pack's, or this pack's before a change: compiled again
        pack = kept["pack"]
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError, re.error):
        return None  # unreadable, or not an entry this code wrote: compiled again
    return pack if type(pack) is RulePack else None


def _write(entry: Path, key: str, pack: RulePack) -> None:
    try:
        write_atomically(entry, json.dumps({"key": key, "pack": _encode(pack)}, separators=(",", ":")), durable=False)
    except (OSError, TypeError, ValueError):
        pass  # no cache (a read-only home, a value JSON cannot hold): the next scan compiles again


_CLASSES: dict[str, type] = {
    cls.__name__: cls
    for cls in (RulePack, PackModel, CapabilityDef, ParamDef, MinSample, MetricDef, MetricLeaf, RuleDef, Elsewhere, AllOf,
                AnyOf, Not, FieldRef)
}


def _encode(value: Any) -> Any:
    """JSON for a compiled pack: lists as arrays; other containers, enums and objects as JSON
    objects tagged with what to rebuild (tags start with "$": no field or name does)."""
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, enum.Enum):
        if _ENUMS.get(type(value).__name__) is not type(value):
            raise TypeError(f"cannot keep {type(value).__name__} in the rule-pack cache")
        return {"$E": type(value).__name__, "v": value.value}
    if type(value) is list:
        return [_encode(item) for item in value]
    if type(value) is tuple:
        return {"$T": [_encode(item) for item in value]}
    if type(value) is frozenset:
        return {"$F": sorted((_encode(item) for item in value), key=json.dumps)}  # in one order, as written
    if type(value) is dict:  # as pairs: a mapping's keys are names a pack chose
        return {"$D": [[_encode(key), _encode(item)] for key, item in value.items()]}
    if type(value) is EvidenceLeaf:  # its test is made from the rest
        return {"$C": "EvidenceLeaf", "kind": value.kind, "field": value.field, "op": value.op, "value": _encode(value.value)}
    if type(value) is NotInferable:
        return {"$C": "NotInferable", **{name: _encode(getattr(value, name)) for name in NotInferable.model_fields}}
    if is_dataclass(value) and _CLASSES.get(type(value).__name__) is type(value):
        return {"$C": type(value).__name__, **{item.name: _encode(getattr(value, item.name)) for item in fields(value)}}
    raise TypeError(f"cannot keep {type(value).__name__} in the rule-pack cache")


def _decoded(tagged: dict[str, Any]) -> Any:
    """One JSON object of an entry, rebuilt (json calls it innermost first)."""
    if "$C" in tagged:
        name = tagged.pop("$C")
        if name == "EvidenceLeaf":
            return evidence_leaf(tagged["kind"], tagged["field"], tagged["op"], tagged["value"])
        if name == "NotInferable":
            return NotInferable(**tagged)
        return _CLASSES[name](**tagged)
    if "$T" in tagged:
        return tuple(tagged["$T"])
    if "$E" in tagged:
        return _ENUMS[tagged["$E"]](tagged["v"])
    if "$F" in tagged:
        return frozenset(tagged["$F"])
    if "$D" in tagged:
        return {key: item for key, item in tagged["$D"]}
    return tagged  # the entry itself
