"""Reading a saved evidence bundle so that a large one costs its records and little more.

pydantic parses a JSON document whole before it validates any of it: for a bundle that parse
tree takes about 1.4 KB per evidence record until the last record is built (measured on
240,000 records), more than the records themselves. A bundle pecm wrote (indented by two)
closes each evidence record on a line of its own at a known indentation, and a newline can
only be whitespace in JSON, so the records are validated a couple of hundred at a time as the
file is read, and the rest of the document apart. Any other layout (minified, re-indented, a
repeated key) is read whole, with the same result. Records that say the same then share the
objects that say it (`_compact`): on 240,000 records, 0.8 KB each instead of 3.3.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import IO, Any

from pydantic import TypeAdapter, ValidationError

from scanner.config import describe_validation_error
from scanner.errors import MAX_JSON_BYTES, UserError, open_user_file, read_user_text
from scanner.model import Evidence, EvidenceBundle

BLOCK = 2**16  # read at a time: about 200 records, whose parse stays in the CPU caches (1 MiB: 30% slower)

# pecm writes bundles indented by two: the evidence key at the top level, each record's brace
# at four spaces on a line of its own, deeper lines further in.
_EVIDENCE_OPENS = b'\n  "evidence": [\n'
_RECORD_CLOSES = b"\n    },\n"
_EVIDENCE_CLOSES = b"\n    }\n  ]"
_BRACE = len(b"\n    }")  # a record's text ends with its brace, without what follows


class _OtherLayout(Exception):
    """The file is not laid out as pecm writes bundles: read it whole."""


def load_bundle(path: Path, limit: int = MAX_JSON_BYTES, block: int = BLOCK) -> EvidenceBundle:
    """The bundle saved at `path`; a UserError in one line naming it when it is not one."""
    try:
        with open_user_file(path, str(path)) as file:
            try:
                return _read_in_parts(file, limit, block)
            except (_OtherLayout, ValidationError):
                pass  # read whole below, where an error is told as for any bundle
        return _read_whole(path, limit)
    except ValidationError as exc:
        if any(error["type"] == "json_invalid" for error in exc.errors()):
            raise UserError(f"{path}: not valid JSON ({exc.errors()[0]['msg']})") from None
        raise UserError(describe_validation_error(exc, f"{path}: not an evidence bundle:")) from None


def _read_whole(path: Path, limit: int) -> EvidenceBundle:
    bundle = EvidenceBundle.model_validate_json(read_user_text(path, str(path), limit=limit))
    _compact(bundle.evidence, _Alike())
    return bundle


def _read_in_parts(file: IO[bytes], limit: int, block: int) -> EvidenceBundle:
    if os.fstat(file.fileno()).st_size == 0:
        raise _OtherLayout  # empty, or a kernel file: reading it whole says which
    blocks = _bounded_blocks(file, limit, block)
    head = bytearray()
    for read in blocks:
        start = max(len(head) - len(_EVIDENCE_OPENS) + 1, 0)  # each byte searched once
        head += read
        opens = head.find(_EVIDENCE_OPENS, start)
        if opens >= 0:
            break
    else:
        raise _OtherLayout
    buffer = bytes(head[opens + len(_EVIDENCE_OPENS) :])
    del head[opens + len(_EVIDENCE_OPENS) - 1 :]  # up to the list's "["
    evidence: list[Evidence] = []
    alike = _Alike()
    searched = 0  # the close of the evidence list is looked for once in each byte
    while (closes := buffer.find(_EVIDENCE_CLOSES, searched)) < 0:
        cut = buffer.rfind(_RECORD_CLOSES)
        if cut >= 0:
            evidence.extend(_validate_part(buffer[: cut + _BRACE], alike))
            buffer = buffer[cut + len(_RECORD_CLOSES) :]
        more = next(blocks, None)
        if more is None:
            raise _OtherLayout
        searched = max(len(buffer) - len(_EVIDENCE_CLOSES), 0)
        buffer += more
    evidence.extend(_validate_part(buffer[: closes + _BRACE], alike))
    rest = b"".join([head, buffer[closes + _BRACE :], *blocks])  # the evidence now an empty list
    if _repeats_a_key(rest):
        raise _OtherLayout  # which of two "evidence" keys counts is the whole parser's call
    bundle = EvidenceBundle.model_validate_json(rest)
    if bundle.evidence:
        raise _OtherLayout
    return bundle.model_copy(update={"evidence": tuple(evidence)})


def _bounded_blocks(file: IO[bytes], limit: int, size: int) -> Iterator[bytes]:
    read = 0
    while block := file.read(size):
        read += len(block)
        if read > limit:
            raise _OtherLayout  # reading it whole tells the size in the usual words
        yield block


@cache
def _records() -> TypeAdapter[tuple[Evidence, ...]]:
    return TypeAdapter(tuple[Evidence, ...])


def _validate_part(records: bytes, alike: _Alike) -> tuple[Evidence, ...]:
    part = _records().validate_json(b"[" + records + b"]")
    _compact(part, alike)
    return part


@dataclass
class _Alike:
    """What the last records said, carried from one part to the next."""

    given: set[str] = field(default_factory=lambda: set(Evidence.model_fields))
    data: dict[str, dict[str, Any]] = field(default_factory=dict)  # per kind


def _compact(records: tuple[Evidence, ...], alike: _Alike) -> None:
    """Records that say the same share one object for it: the set of fields given (all of them
    in a file pecm wrote; pydantic copies the set before changing it) and the data of the kind
    (most records say "nothing of this kind here": four in five in a local scan). Evidence data
    is never changed in place once recorded (the records are frozen), so sharing it is safe."""
    given, every, last = alike.given, len(alike.given), alike.data
    for record in records:
        if len(record.__pydantic_fields_set__) == every:
            object.__setattr__(record, "__pydantic_fields_set__", given)
        fields = record.__dict__
        data, kind = fields["data"], fields["kind"]
        seen = last.get(kind)
        if seen == data:
            fields["data"] = seen
        else:
            last[kind] = data


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as the list of its pairs, repeated keys kept."""


def _repeats_a_key(document: bytes) -> bool:
    """Whether the document's top-level object names a key twice."""
    try:
        top = json.loads(document, object_pairs_hook=_Pairs)
    except ValueError:
        return False  # not JSON: pydantic says so in its words
    keys = [key for key, _ in top] if isinstance(top, _Pairs) else []
    return len(keys) != len(set(keys))
