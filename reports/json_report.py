"""The assessment as JSON, and back: the machine-readable report and the gate's input.

The output follows `reports/schema/assessment.schema.json`: keys in model order, indented
two spaces, one trailing newline, so that saved assessments diff cleanly and golden files
stay stable.
"""

from __future__ import annotations

import json
from typing import Any, ClassVar, TextIO

from pydantic import ValidationError

from scanner.errors import UserError, decode_user_text
from scanner.model import ASSESSMENT_SCHEMA_VERSION, Assessment

_RESCAN_HINT = "re-run `pecm scan --format json` to produce a current assessment"


class JsonRenderer:
    name: ClassVar[str] = "json"
    description: ClassVar[str] = "The assessment as JSON (schema: reports/schema/assessment.schema.json)."

    def render(self, assessment: Assessment, out: TextIO) -> None:
        out.write(assessment_json(assessment))


def assessment_json(assessment: Assessment) -> str:
    return assessment.model_dump_json(indent=2) + "\n"


def load_assessment(data: str | bytes) -> Assessment:
    """Read a saved assessment (its text, or its UTF-8 bytes as read from the file); anything
    malformed is a UserError told in one line."""
    try:
        return Assessment.model_validate_json(data)  # one pass over the file when pecm wrote it
    except ValidationError:
        pass  # told below in the order that helps: not text, not JSON, not an object, another version, the schema
    text = decode_user_text(data, "The assessment") if isinstance(data, bytes) else data
    try:
        document: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise UserError(
            f"The assessment is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})",
            hint=_RESCAN_HINT,
        ) from None
    if not isinstance(document, dict):
        raise UserError(f"The assessment must be a JSON object, not {type(document).__name__}", hint=_RESCAN_HINT)
    # Checked before the model so that an assessment from another pecm version says so,
    # rather than failing on whichever field happened to change.
    version = document.get("schema_version")
    if version != ASSESSMENT_SCHEMA_VERSION:
        shown = json.dumps(version)[:40]  # whatever sits there, it must not flood the line
        raise UserError(
            f"The assessment has schema_version {shown}; this pecm reads version {ASSESSMENT_SCHEMA_VERSION}",
            hint=_RESCAN_HINT,
        )
    try:
        return Assessment.model_validate(document)
    except ValidationError as error:
        raise UserError(f"The assessment does not match its schema: {_first_error(error)}", hint=_RESCAN_HINT) from None


def _first_error(error: ValidationError) -> str:
    """The first validation error as `at a.b.0: message`, with how many more there are."""
    errors = error.errors(include_url=False)
    first = errors[0]
    location = ".".join(str(part) for part in first["loc"]) or "top level"
    message = " ".join(first["msg"].split())  # pydantic messages may span lines; ours is one line
    more = len(errors) - 1
    return f"at {location}: {message}" + (f" (and {more} more)" if more else "")
