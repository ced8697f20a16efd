from __future__ import annotations

import io
import json
from importlib.metadata import entry_points

import pytest
from jsonschema import Draft202012Validator

from reports.console import ConsoleRenderer
from reports.json_report import JsonRenderer, load_assessment
from reports.schema import generate
from scanner.contract import RendererPlugin
from scanner.errors import UserError
from scanner.model import Assessment, EvidenceBundle


def render(assessment: Assessment) -> str:
    out = io.StringIO()
    JsonRenderer().render(assessment, out)
    return out.getvalue()


def validator(file_name: str) -> Draft202012Validator:
    return Draft202012Validator(json.loads(generate()[file_name]))


def test_output_validates_against_the_published_schema(assessment: Assessment) -> None:
    errors = [error.message for error in validator("assessment.schema.json").iter_errors(json.loads(render(assessment)))]
    assert errors == []


def test_the_schema_rejects_what_the_model_rejects(assessment: Assessment) -> None:
    document = json.loads(render(assessment))
    document["capabilities"][0]["stage"] = "legendary"
    assert not validator("assessment.schema.json").is_valid(document)


def test_round_trips_losslessly(assessment: Assessment) -> None:
    assert load_assessment(render(assessment)) == assessment


def test_output_is_deterministic_indented_and_ends_with_a_newline(assessment: Assessment) -> None:
    text = render(assessment)
    assert text == render(assessment)
    assert text == render(load_assessment(text))
    assert text.endswith("}\n") and not text.endswith("\n\n")
    assert text.splitlines()[1] == '  "schema_version": 1,'


def test_keys_follow_model_order(assessment: Assessment) -> None:
    document = json.loads(render(assessment))
    assert list(document) == list(Assessment.model_fields)
    assert list(document["capabilities"][0]) == list(type(assessment.capabilities[0]).model_fields)


def test_evidence_bundle_validates_against_its_schema_and_round_trips(bundle: EvidenceBundle) -> None:
    text = bundle.model_dump_json(indent=2)
    errors = [error.message for error in validator("evidence-bundle.schema.json").iter_errors(json.loads(text))]
    assert errors == []
    assert EvidenceBundle.model_validate_json(text) == bundle


def test_bundle_schema_rejects_an_unknown_evidence_status(bundle: EvidenceBundle) -> None:
    document = json.loads(bundle.model_dump_json())
    document["evidence"][0]["status"] = "guessed"
    assert not validator("evidence-bundle.schema.json").is_valid(document)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"schema_version": 1,', "not valid JSON (line 1, column"),
        ("", "not valid JSON"),
        ("[1, 2]", "must be a JSON object, not list"),
        ('{"scan": {}}', "schema_version null; this pecm reads version 1"),
        ('{"schema_version": 2}', "schema_version 2; this pecm reads version 1"),
        ('{"schema_version": "1"}', 'schema_version "1"'),
        ('{"schema_version": 1, "capabilities": []}', "does not match its schema: at scan: Field required"),
    ],
)
def test_malformed_input_is_a_one_line_user_error(text: str, expected: str) -> None:
    with pytest.raises(UserError) as caught:
        load_assessment(text)
    line = caught.value.one_line()
    assert expected in line
    assert "\n" not in line
    assert caught.value.hint


def test_a_bad_field_deep_inside_is_located_and_counted(assessment: Assessment) -> None:
    document = json.loads(render(assessment))
    document["capabilities"][1]["confidence"] = 3
    document["capabilities"][2]["stage"] = "legendary"
    with pytest.raises(UserError) as caught:
        load_assessment(json.dumps(document))
    assert "at capabilities.1.confidence:" in caught.value.message
    assert "(and 1 more)" in caught.value.message


def test_renderers_are_registered_under_their_names() -> None:
    registered = {entry.name: entry.load() for entry in entry_points(group="pecm.renderers")}
    assert registered["json"] is JsonRenderer and registered["console"] is ConsoleRenderer
    for name, renderer in registered.items():
        assert renderer.name == name and renderer.description
        assert isinstance(renderer(), RendererPlugin)
