"""`pecm merge` and the `--shard` option on the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from scanner.commands.scale import merge, shard_option
from scanner.shard import Shard
from tests.unit.scale.scale_inputs import EXAMPLE, scan_bundle

TIME_KEYS = {"started_at", "finished_at", "created_at", "observed_at"}


def _without_times(node: Any) -> Any:
    if isinstance(node, dict):
        return {key: _without_times(value) for key, value in node.items() if key not in TIME_KEYS}
    if isinstance(node, list):
        return [_without_times(value) for value in node]
    return node


@pytest.fixture(scope="module")
def shard_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    folder = tmp_path_factory.mktemp("bundles")
    single = folder / "single.json"
    single.write_text(scan_bundle([EXAMPLE], folder).model_dump_json(), encoding="utf-8")
    paths = []
    for index in range(3):
        path = folder / f"shard-{index + 1}.json"
        path.write_text(scan_bundle([EXAMPLE], folder, Shard(index, 3)).model_dump_json(), encoding="utf-8")
        paths.append(path)
    return single, paths


def _merge(*args: str) -> Any:
    return CliRunner().invoke(merge, list(args))


def test_merge_renders_the_assessment_of_one_process(shard_files: tuple[Path, list[Path]], tmp_path: Path) -> None:
    single, shards = shard_files
    out, evidence = tmp_path / "merged.json", tmp_path / "evidence.json"
    result = _merge(*map(str, shards), "--format", "json", "-o", str(out), "--evidence-out", str(evidence))
    assert result.exit_code == 0, result.output
    expected = _merge(str(single), "--format", "json", "-o", str(tmp_path / "single.json"))
    assert expected.exit_code == 0, expected.output
    merged_report = _without_times(json.loads(out.read_text(encoding="utf-8")))
    single_report = _without_times(json.loads((tmp_path / "single.json").read_text(encoding="utf-8")))
    for report in (merged_report, single_report):
        report["scan"]["problems"].sort(key=json.dumps)
    assert merged_report == single_report
    assert json.loads(evidence.read_text(encoding="utf-8"))["subjects"] == json.loads(single.read_text(encoding="utf-8"))["subjects"]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ('{"schema_version": 1}', "not an evidence bundle"),
    ],
)
def test_malformed_bundles_exit_2_in_one_line(shard_files: tuple[Path, list[Path]], tmp_path: Path, content: str, fragment: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    result = _merge(str(shard_files[1][0]), str(bad))
    assert result.exit_code == 2
    assert fragment in result.output and "bad.json" in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


def test_mismatched_bundles_exit_2_in_one_line(shard_files: tuple[Path, list[Path]], tmp_path: Path) -> None:
    other = json.loads(shard_files[1][1].read_text(encoding="utf-8"))
    other["pecm_version"] = "0.0.0-other"
    mismatched = tmp_path / "other.json"
    mismatched.write_text(json.dumps(other), encoding="utf-8")
    result = _merge(str(shard_files[1][0]), str(mismatched))
    assert result.exit_code == 2
    assert "other.json was made by pecm 0.0.0-other" in result.output and result.output.count("\n") == 1


def test_a_missing_bundle_exits_2(tmp_path: Path) -> None:
    result = _merge(str(tmp_path / "absent.json"))
    assert result.exit_code == 2 and "absent.json" in result.output


@click.command()
@shard_option
def _shows_shard(shard: Shard | None) -> None:
    click.echo(repr(shard))


def test_the_shard_option_gives_a_shard() -> None:
    assert CliRunner().invoke(_shows_shard, ["--shard", "2/4"]).output.strip() == repr(Shard(1, 4))
    assert CliRunner().invoke(_shows_shard, []).output.strip() == "None"


def test_a_bad_shard_is_a_usage_error_in_one_line() -> None:
    result = CliRunner().invoke(_shows_shard, ["--shard", "5/4"])
    assert result.exit_code == 2
    assert "'5/4' is not a shard: I/N needs 1 <= I <= N" in result.output


def test_merging_scans_of_different_folders_is_refused_in_one_line(tmp_path: Path) -> None:
    """Two unrelated scans (here: the example organization, and two of its repositories listed
    one by one) used to merge into one result with exit 0."""
    whole, part = tmp_path / "whole.json", tmp_path / "part.json"
    whole.write_text(scan_bundle([EXAMPLE], tmp_path, Shard(0, 2)).model_dump_json(), encoding="utf-8")
    part.write_text(
        scan_bundle([EXAMPLE / "payments-api", EXAMPLE / "legacy-app"], tmp_path, Shard(1, 2)).model_dump_json(), encoding="utf-8"
    )
    result = _merge(str(whole), str(part))
    assert result.exit_code == 2
    assert result.output.startswith(f"pecm: error: {part} and {whole} were made with different configurations (fingerprints ")
    assert len(result.output.splitlines()) == 1


def test_shards_of_one_scan_record_what_identifies_it(shard_files: tuple[Path, list[Path]]) -> None:
    bundles = [json.loads(path.read_text(encoding="utf-8")) for path in shard_files[1]]
    assert [bundle["shard"] for bundle in bundles] == ["1/3", "2/3", "3/3"]
    assert len({bundle["config_fingerprint"] for bundle in bundles}) == 1 and bundles[0]["config_fingerprint"]


def test_merge_tags_repositories_other_shards_consume_as_platform(tmp_path: Path) -> None:
    """ci-library is consumed by orders-service: whichever shards they fall in, the merge tags
    it platform (issue 13, point 10), as one process does."""
    globex = EXAMPLE.parent / "globex"
    paths = []
    for index in range(3):
        path = tmp_path / f"shard-{index + 1}.json"
        path.write_text(scan_bundle([globex], tmp_path, Shard(index, 3)).model_dump_json(), encoding="utf-8")
        paths.append(path)
    evidence = tmp_path / "evidence.json"
    result = _merge(*map(str, paths), "--format", "json", "-o", str(tmp_path / "merged.json"), "--evidence-out", str(evidence))
    assert result.exit_code == 0, result.output
    merged = json.loads(evidence.read_text(encoding="utf-8"))
    tags = {subject["name"]: subject["tags"] for subject in merged["subjects"]}
    assert tags["ci-library"] == ["platform"] and tags["orders-service"] == []
    cross = {e["subject"]: e["data"] for e in merged["evidence"] if e["kind"] == "repo.cross_references"}
    assert cross["local:orders-service"] == {"applied_by": ["gitops-central"], "consumed_by": [], "created_from_here": []}
