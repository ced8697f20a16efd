"""`pecm history`, `pecm diff` and the `--store` option of `pecm scan`."""

from __future__ import annotations

import json

import click
from click.testing import CliRunner

from scanner.history import HistoryStore
from scanner.history_commands import DEFAULT_STORE, diff, history, record_scan, recorded_trend, store_option
from scanner.model import Capability, Outcome, Stage
from tests.unit.history.history_inputs import assessment, ref


def _two_scans(url: str) -> tuple[int, int]:
    first = record_scan(assessment(0, outcomes={Capability.INTERFACES: Outcome.FAIL}), url)
    second = record_scan(
        assessment(7, stages={Capability.INVESTMENT: Stage.DEFINED}, supporting={Capability.INTERFACES: (ref("local:portal"),)}),
        url,
    )
    return first, second


def test_history_lists_scans_with_their_stages(store_url: str) -> None:
    first, second = _two_scans(store_url)
    result = CliRunner().invoke(history, ["--store", store_url])
    assert result.exit_code == 0, result.output
    header, newest, oldest = result.output.splitlines()
    assert header.split()[:4] == ["scan", "started", "(UTC)", "investment"]
    assert newest.split()[:4] == [str(second), "2026-01-12", "09:00", "defined"]
    assert oldest.split()[:4] == [str(first), "2026-01-05", "09:00", "repeatable"]


def test_the_trend_for_the_html_report(store_url: str) -> None:
    _two_scans(store_url)
    trend = recorded_trend(store_url)
    assert [(when.day, stages["investment"]) for when, stages in trend] == [(5, "repeatable"), (12, "defined")]
    assert [when.day for when, _ in recorded_trend(store_url, limit=1)] == [12]


def test_history_as_json(store_url: str) -> None:
    first, second = _two_scans(store_url)
    result = CliRunner().invoke(history, ["--store", store_url, "--format", "json", "--limit", "1"])
    assert result.exit_code == 0, result.output
    [scan] = json.loads(result.output)
    assert scan["id"] == second and scan["stages"]["investment"] == "defined" and scan["sources"] == "local:ok"


def test_diff_of_the_last_two_scans(store_url: str) -> None:
    first, second = _two_scans(store_url)
    result = CliRunner().invoke(diff, ["--store", store_url])
    assert result.exit_code == 0, result.output
    assert f"scan {first} (2026-01-05 09:00 UTC) -> scan {second} (2026-01-12 09:00 UTC)" in result.output
    assert "investment    repeatable -> defined" in result.output
    assert "interfaces.rule: fail -> pass" in result.output
    assert "+ supporting iac.usage [observed] local:portal portal/main.tf" in result.output


def test_diff_as_json_between_named_scans(store_url: str) -> None:
    first, second = _two_scans(store_url)
    result = CliRunner().invoke(diff, [str(second), str(first), "--store", store_url, "--format", "json"])
    assert result.exit_code == 0, result.output
    changes = json.loads(result.output)
    assert changes["stages"] == [
        {"capability": "investment", "old_stage": "defined", "new_stage": "repeatable", "old_ceiling": "defined", "new_ceiling": "defined"}
    ]
    assert changes["evidence"][0]["removed"][0]["subject"] == "local:portal"


def test_diff_with_one_scan_is_one_line_and_exit_2(store_url: str) -> None:
    record_scan(assessment(0), store_url)
    result = CliRunner().invoke(diff, ["--store", store_url])
    assert result.exit_code == 2
    assert result.output.startswith("pecm: error: no scan latest~1 in ") and "1 scan(s) recorded" in result.output


def test_an_empty_store_says_how_to_fill_it(store_url: str) -> None:
    HistoryStore(store_url).close()
    result = CliRunner().invoke(history, ["--store", store_url])
    assert result.exit_code == 0 and "pecm scan --store" in result.output


@click.command()
@click.argument("paths", nargs=-1)
@store_option
def _scan(paths: tuple[str, ...], store_url: str | None) -> None:
    click.echo(f"{paths} {store_url}")


def test_store_option_without_a_value_means_the_default_store() -> None:
    assert CliRunner().invoke(_scan, ["repos", "--store"]).output == f"('repos',) {DEFAULT_STORE}\n"
    assert CliRunner().invoke(_scan, ["repos"]).output == "('repos',) None\n"
    assert CliRunner().invoke(_scan, ["--store=sqlite:///h.db", "repos"]).output == "('repos',) sqlite:///h.db\n"


def test_store_option_refuses_a_path_taken_for_its_value() -> None:
    result = CliRunner().invoke(_scan, ["--store", "repos"])
    assert result.exit_code == 2 and "not a database URL" in result.output
