"""DORA figures tracked across scans: what the history store says of the earlier scans of a
scope reaches the rules as `history.dora_series`, never as a decided fail for want of history."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from scanner.cli import main
from scanner.commands.history_evidence import NO_EARLIER_SCAN

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "acme"
RULE = "measurement.dora_tracked_across_scans"


def config(tmp_path: Path, declared: str = "") -> str:
    path = tmp_path / "pecm.yaml"
    path.write_text(f"organization: acme\nsources:\n  local:\n    paths: [{EXAMPLE}]\n{declared}")
    return str(path)


def scan(tmp_path: Path, *args: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The assessment and the evidence bundle of one `pecm scan`."""
    bundle = tmp_path / "evidence.json"
    result = CliRunner().invoke(
        main, ["scan", *args, "--format", "json", "--evidence-out", str(bundle), "--no-progress"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), json.loads(bundle.read_text())


def rule(assessment: dict[str, Any]) -> dict[str, Any]:
    measurement = next(entry for entry in assessment["capabilities"] if entry["capability"] == "measurement")
    return next(entry for entry in measurement["rules"] if entry["rule_id"] == RULE)


def series(bundle: dict[str, Any]) -> dict[str, Any]:
    (record,) = [item for item in bundle["evidence"] if item["kind"] == "history.dora_series"]
    return record


def test_without_a_store_no_source_can_judge_it_and_managed_is_ceiling_only(tmp_path: Path) -> None:
    assessment, bundle = scan(tmp_path, "--config", config(tmp_path))
    found = rule(assessment)
    assert found["outcome"] == "not_applicable" and found["key"] is True
    assert "decided by the history store" in found["explanation"]
    assert all(source["collector"] != "history" for source in bundle["sources"])


def test_the_first_recorded_scan_is_unknown_not_failed(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    assessment, bundle = scan(tmp_path, "--config", config(tmp_path), "--store", store)
    assert rule(assessment)["outcome"] == "unknown"
    record = series(bundle)
    assert record["status"] == "unavailable"
    assert record["reason"].startswith("no earlier scan could be read from the history store") and "no such database file" in record["reason"]


def test_earlier_scans_with_dora_inputs_are_counted(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    # DORA inputs tracked in another tool: each scan's measurement.dora_inputs_recorded passes.
    declared = config(tmp_path, "declared: {dora: sleuth}\n")
    for _ in range(2):
        scan(tmp_path, "--config", declared, "--store", store)
    assessment, bundle = scan(tmp_path, "--config", declared, "--store", store)
    record = series(bundle)
    assert record["status"] == "observed"
    assert (record["data"]["earlier_scans"], record["data"]["tracked_scans"]) == (2, 2)
    # Another scope (no declaration: another configuration) has no earlier scan of its own.
    other, bundle = scan(tmp_path, "--config", config(tmp_path), "--store", store)
    assert (series(bundle)["status"], series(bundle)["reason"]) == ("unavailable", NO_EARLIER_SCAN)
    assert rule(other)["outcome"] == "unknown"


def test_earlier_scans_without_dora_inputs_fail_only_when_declared_nowhere_else(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    none = config(tmp_path, "declared: {dora: none}\n")
    for _ in range(2):
        scan(tmp_path, "--config", none, "--store", store)
    assessment, bundle = scan(tmp_path, "--config", none, "--store", store)
    assert series(bundle)["data"]["tracked_scans"] == 0
    assert rule(assessment)["outcome"] == "fail"
