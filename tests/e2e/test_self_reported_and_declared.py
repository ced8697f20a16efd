"""Core criteria closed by a self-assessment and facts declared in the config, end to end on the
example organization: the verdict they allow, and the label that follows it into every report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scanner.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "acme"
# Measurement's defined stage rests on a key rule a local scan cannot judge (DORA inputs), and
# managed on dashboards and alerts that may live in a Grafana instance: the config declares them.
DECLARED = "declared: {dora: sleuth, dashboards: grafana, alerting: grafana}\n"
ANSWERS = """respondents:
  - name: Platform team
    answers:
      measurement: {current: managed}
  - name: Checkout team
    answers:
      measurement: {current: optimizing}
"""


def config(tmp_path: Path, self_assessment: bool) -> Path:
    answers = tmp_path / "self-assessment.yaml"
    answers.write_text(ANSWERS)
    path = tmp_path / "pecm.yaml"
    reported = f"self_assessment: {answers}\n" if self_assessment else ""
    path.write_text(f"sources:\n  local:\n    paths: [{EXAMPLE}]\n{DECLARED}{reported}")
    return path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--no-progress"], catch_exceptions=False)


def measurement(result: Result) -> dict:
    assert result.exit_code == 0, result.output
    return next(entry for entry in json.loads(result.stdout)["capabilities"] if entry["capability"] == "measurement")


def test_evidence_and_declarations_alone_leave_a_core_criterion_open(tmp_path: Path) -> None:
    result = measurement(invoke("scan", "--config", str(config(tmp_path, False)), "--format", "json"))
    assert (result["stage"], result["ceiling"], result["self_reported"]) == ("defined", "optimizing", False)
    dora = next(rule for rule in result["rules"] if rule["rule_id"] == "measurement.dora_inputs_recorded")
    assert (dora["outcome"], dora["declared"]) == ("pass", "dora: sleuth")
    core = next(item for item in result["not_inferable"] if item["stage"] == "managed")
    assert (core["core"], core["self_reported"]) == (True, False)


def test_a_self_assessment_closes_it_and_every_report_says_self_reported(tmp_path: Path) -> None:
    cfg = str(config(tmp_path, True))
    result = measurement(invoke("scan", "--config", cfg, "--format", "json"))
    assert (result["stage"], result["self_reported"]) == ("managed", True)
    console = invoke("scan", "--config", cfg)
    assert "managed (self-reported)" in console.stdout
    for fmt in ("markdown", "html"):
        assert "managed (self-reported)" in invoke("scan", "--config", cfg, "--format", fmt).stdout, fmt
    sarif = json.loads(invoke("scan", "--config", cfg, "--format", "sarif").stdout)
    assert sarif["runs"][0]["properties"]["capabilities"]["measurement"]["self_reported"] is True
    gate = invoke("gate", "--config", cfg, "--min", "measurement=managed")
    assert gate.exit_code == 0 and "meets minimum managed (self-reported)" in gate.stdout
    explained = CliRunner().invoke(main, ["explain", "measurement", "--config", cfg], catch_exceptions=False)
    assert "Stage managed (self-reported)" in explained.stdout
    gaps = invoke("gaps", "--config", cfg)
    assert gaps.exit_code == 0 and "managed (self-reported)" in gaps.stdout


def test_the_gate_never_counts_an_open_core_criterion_as_passed(tmp_path: Path) -> None:
    gate = invoke("gate", "--config", str(config(tmp_path, False)), "--min", "measurement=managed", "--unknown", "pass")
    assert gate.exit_code == 3, gate.output
    assert "only people can tell: Metrics are tied to business outcomes" in gate.stdout


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        ("{dashbords: grafana}", "config declared.dashbords: no rule reads this declaration (known: alerting, catalog,"),
        ("{dashboards: ''}", "declared.dashboards: String should have at least 1 character"),
        ("{dashboards: 5}", "declared.dashboards: Input should be a valid string"),
        ("[grafana]", "declared: Input should be a valid dictionary"),
    ],
)
def test_a_bad_declaration_is_one_line_and_exit_2(tmp_path: Path, declared: str, message: str) -> None:
    path = tmp_path / "pecm.yaml"
    path.write_text(f"sources:\n  local:\n    paths: [{EXAMPLE}]\ndeclared: {declared}\n")
    result = CliRunner().invoke(main, ["scan", "--config", str(path), "--no-progress"])
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("pecm: error: ") and message in line
