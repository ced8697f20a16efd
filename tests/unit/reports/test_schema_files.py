from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from reports.schema import PUBLISHED, SCHEMA_DIR, generate, write


def test_committed_schema_files_match_the_models() -> None:
    for file_name, text in generate().items():
        committed = SCHEMA_DIR / file_name
        assert committed.is_file(), f"{committed} is missing: run `python -m reports.schema`"
        assert committed.read_text(encoding="utf-8") == text, (
            f"{committed} is out of date with scanner/model.py: run `python -m reports.schema` and commit the result"
        )


def test_schemas_are_valid_draft_2020_12_with_distinct_ids() -> None:
    schemas = [json.loads(text) for text in generate().values()]
    for schema in schemas:
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert list(schema)[:2] == ["$schema", "$id"]
    assert len({schema["$id"] for schema in schemas}) == len(PUBLISHED) == 2


def test_write_produces_the_generated_files(tmp_path: Path) -> None:
    written = write(tmp_path)
    assert sorted(path.name for path in written) == ["assessment.schema.json", "evidence-bundle.schema.json"]
    for path in written:
        assert path.read_text(encoding="utf-8") == generate()[path.name]
