"""The gate's light reading of a saved assessment (scanner/light_assessment.py): the same
decisions as on the full model, and None (the full model then says what is wrong) for anything
not as pecm writes it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from reports.json_report import assessment_json
from rules.stages import walk_stages
from scanner.commands.support import read_assessment, read_gate_view
from scanner.gate import GateCriteria, decide
from scanner.light_assessment import LightAssessment, light_assessment
from scanner.model import Assessment, Capability, Stage
from tests.unit.gate.builders import NA, D, F, M, P, R, U, assessment, at, capability
from tests.unit.reports.acme_scan import acme_assessment


def _built() -> list[Assessment]:
    return [
        acme_assessment(),
        assessment(at(Capability.GOVERNANCE, Stage.MANAGED), capability(Capability.ADOPTION, (R, P), (D, U), (M, F))),
        assessment(capability(Capability.MEASUREMENT, (R, NA), (D, U)), subjects=0),
        assessment(capability(Capability.INVESTMENT, (R, P), observed=False)),
    ]


CRITERIA = [
    GateCriteria(minimums=dict.fromkeys(Capability, stage), unknown=unknown, min_confidence=confidence)
    for stage in Stage
    for unknown in ("fail", "pass")
    for confidence in (None, 0.5)
]


@pytest.mark.parametrize("model", _built(), ids=["acme", "mixed", "no-subjects", "unobserved"])
def test_the_light_reading_decides_as_the_model_does(model: Assessment) -> None:
    light = light_assessment(assessment_json(model))
    assert light is not None
    for criteria in CRITERIA:
        assert decide(light, criteria, light) == decide(model, criteria, model)
    for read, stored in zip(light.capabilities, model.capabilities):
        verdict = walk_stages(read.rules, read.not_inferable)
        assert (verdict.stage, verdict.ceiling, verdict.confidence) == (stored.stage, stored.ceiling, stored.confidence)
        assert (read.capability, read.stage, read.ceiling, read.self_reported) == (
            stored.capability, stored.stage, stored.ceiling, stored.self_reported
        )


def _edited(change: Any) -> str:
    document = json.loads(assessment_json(acme_assessment()))
    change(document)
    return json.dumps(document)


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "[1, 2]",
        '{"schema_version": true, "scan": {}, "capabilities": []}',
        _edited(lambda d: d.update(schema_version=2)),
        _edited(lambda d: d.pop("scan")),
        _edited(lambda d: d["scan"].update(subjects={"repository": "8"})),
        _edited(lambda d: d["scan"].update(organization=7)),
        _edited(lambda d: d["capabilities"][0].update(confidence=True)),
        _edited(lambda d: d["capabilities"][0].update(confidence=1.5)),
        _edited(lambda d: d["capabilities"][1].update(stage="legendary")),
        _edited(lambda d: d["capabilities"][1].update(capability="security")),
        _edited(lambda d: d["capabilities"][2]["rules"][0].update(outcome="maybe")),
        _edited(lambda d: d["capabilities"][2]["rules"][0].update(caps=3)),
        _edited(lambda d: d["capabilities"][2]["rules"][0].update(key="yes")),
        _edited(lambda d: d["capabilities"][2]["rules"][0].pop("rule_id")),
        _edited(lambda d: d["capabilities"][2]["rules"][0].update(supporting=[{"status": "guessed"}])),
        _edited(lambda d: d["capabilities"][2]["rules"][0].update(opposing={})),
        _edited(lambda d: d["capabilities"][0]["not_inferable"][0].update(core=1)),
        _edited(lambda d: d["capabilities"].append("investment")),
    ],
)
def test_anything_not_as_pecm_writes_it_is_left_to_the_full_model(text: str) -> None:
    assert light_assessment(text) is None


def test_windows_line_ends_are_whitespace_to_both_readers(tmp_path: Path) -> None:
    saved = tmp_path / "assessment.json"
    saved.write_bytes(assessment_json(acme_assessment()).replace("\n", "\r\n").encode())
    assert isinstance(read_gate_view(saved, "--assessment"), LightAssessment)
    assert read_assessment(saved, "--assessment") == acme_assessment()
