"""The published JSON Schemas of pecm's two file formats, generated from the pydantic models.

The schema files are committed beside this module so that users and other tools can read
them without pecm; a test keeps them equal to what `generate()` returns. After changing
`scanner/model.py`, run `python -m reports.schema` to rewrite them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from scanner.atomic_write import write_atomically
from scanner.model import (
    ASSESSMENT_SCHEMA_VERSION,
    BUNDLE_SCHEMA_VERSION,
    Assessment,
    EvidenceBundle,
)

SCHEMA_DIR = Path(__file__).parent
DIALECT = "https://json-schema.org/draft/2020-12/schema"
# A URN rather than a web address: pecm has no site that serves the files, and an $id is a
# name, not a location.
ID_PREFIX = "urn:pecm:schema"

# file name -> (model, its schema_version): the version goes into the $id, so a new format
# version is a new schema rather than a silent change of the old one.
PUBLISHED: dict[str, tuple[type[BaseModel], int]] = {
    "evidence-bundle.schema.json": (EvidenceBundle, BUNDLE_SCHEMA_VERSION),
    "assessment.schema.json": (Assessment, ASSESSMENT_SCHEMA_VERSION),
}


def schema_for(file_name: str) -> dict[str, Any]:
    """The JSON Schema of one published file, `$schema` and `$id` first."""
    model, version = PUBLISHED[file_name]
    stem = file_name.removesuffix(".schema.json")
    return {"$schema": DIALECT, "$id": f"{ID_PREFIX}:{stem}:{version}", **model.model_json_schema()}


def generate() -> dict[str, str]:
    """The text of every published schema file, by file name."""
    return {
        file_name: json.dumps(schema_for(file_name), indent=2, ensure_ascii=False) + "\n"
        for file_name in PUBLISHED
    }


def write(directory: Path = SCHEMA_DIR) -> list[Path]:
    """Write every schema file into `directory`; returns the paths written."""
    written = []
    for file_name, text in generate().items():
        path = directory / file_name
        write_atomically(path, text)
        written.append(path)
    return written
