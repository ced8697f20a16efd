"""Validation of JUnit XML against tests/unit/gate/junit.xsd, shared by the unit and e2e tests."""

from __future__ import annotations

from pathlib import Path

import xmlschema

SCHEMA = xmlschema.XMLSchema(Path(__file__).with_name("junit.xsd"))


def assert_valid_junit(text: str) -> None:
    SCHEMA.validate(text)  # raises with the offending path and reason
