"""`pecm history`, `pecm diff` and the `--store` option of `pecm scan`."""

from __future__ import annotations

import json

import click
from click.testing import CliRunner
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from scanner.commands.history import DEFAULT_STORE, diff, history, record_scan, recorded_trend, store_option
from scanner.history import HistoryStore
from scanner.model import Capability, Outcome, Stage
from tests.unit.history.history_inputs import OTHER_SCOPE, SCOPE, assessment, ref


def _two_scans(url: str) -> tuple[int, int]:
    first = record_scan(assessment(0, outcomes={Capability.INTERFACES: Outcome.FAIL}), url, SCOPE)
    second = record_scan(
        assessment(7, stages={Capability.INVESTMENT: Stage.DEFINED}, supporting={Capability.INTERFACES: (ref("local:portal"),)}),
        url,
        SCOPE,
    )
    return first, second


def test_history_lists_scans_with_their_stages(store_url: str) -> None:
    first, second = _two_scans(store_url)
    result = CliRunner().invoke(history, ["--store", store_url])
    assert result.exit_code == 0, result.output
    header, newest, oldest, _blank, legend, scope = result.output.splitlines()
    assert header.split()[:4] == ["scan", "started", "(UTC)", "investment"] and header.split()[-1] == "scope"
    assert newest.split()[:4] == [str(second), "2026-01-12", "09:00", "defined"] and newest.split()[-1] == SCOPE.key
    assert oldest.split()[:4] == [str(first), "2026-01-05", "09:00", "repeatable"] and oldest.split()[-1] == SCOPE.key
    assert (legend, scope) == ("Scopes:", f"  {SCOPE.key}  organization acme; sources local:/srv/repos; config 0123456789ab")


def test_the_trend_for_the_html_report(store_url: str) -> None:
    _two_scans(store_url)
    record_scan(assessment(14), store_url, OTHER_SCOPE)  # another folder: not part of this trend
    trend = recorded_trend(store_url, SCOPE)
    assert [(when.day, stages["investment"]) for when, stages in trend] == [(5, "repeatable"), (12, "defined")]
    assert [when.day for when, _ in recorded_trend(store_url, SCOPE, limit=1)] == [12]


def test_history_as_json(store_url: str) -> None:
    first, second = _two_scans(store_url)
    result = CliRunner().invoke(history, ["--store", store_url, "--format", "json", "--limit", "1"])
    assert result.exit_code == 0, result.output
    [scan] = json.loads(result.output)
    assert scan["id"] == second and scan["stages"]["investment"] == "defined" and scan["sources"] == "local:ok"
    assert scan["scope"] == {
        "key": SCOPE.key, "organization": "acme", "sources": ["local:/srv/repos"], "config_fingerprint": "0123456789ab", "shard": None
    }


def test_diff_of_the_last_two_scans(store_url: str) -> None:
    first, second = _two_scans(store_url)
    result = CliRunner().invoke(diff, ["--store", store_url])
    assert result.exit_code == 0, result.output
    assert f"scan {first} (2026-01-05 09:00 UTC) -> scan {second} (2026-01-12 09:00 UTC)" in result.output
    assert "Scope: organization acme; sources local:/srv/repos; config 0123456789ab" in result.output
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
    scan_id = record_scan(assessment(0), store_url, SCOPE)
    result = CliRunner().invoke(diff, ["--store", store_url])
    assert result.exit_code == 2
    assert result.output.startswith(f"pecm: error: no scan of the same scope before scan {scan_id} in ")
    assert len(result.output.splitlines()) == 1


def test_diff_without_arguments_compares_the_last_two_scans_of_the_latest_scope(store_url: str) -> None:
    first = record_scan(assessment(0), store_url, SCOPE)
    record_scan(assessment(3), store_url, OTHER_SCOPE)  # another folder in between
    third = record_scan(assessment(7, stages={Capability.INVESTMENT: Stage.DEFINED}), store_url, SCOPE)
    result = CliRunner().invoke(diff, ["--store", store_url, "--format", "json"])
    assert result.exit_code == 0, result.output
    changes = json.loads(result.output)
    assert (changes["old"]["id"], changes["new"]["id"]) == (first, third)
    assert [change["capability"] for change in changes["stages"]] == ["investment"]


def test_diff_across_scopes_is_refused_in_one_line_unless_asked_for(store_url: str) -> None:
    first = record_scan(assessment(0), store_url, SCOPE)
    other = record_scan(assessment(7), store_url, OTHER_SCOPE)
    refused = CliRunner().invoke(diff, [str(first), str(other), "--store", store_url])
    assert refused.exit_code == 2
    assert refused.output.splitlines() == [
        f"pecm: error: scan {first} (organization acme; sources local:/srv/repos; config 0123456789ab) and "
        f"scan {other} (organization acme; sources local:/srv/archive; config 0123456789ab) have different scopes "
        "(pass --across-scopes to compare them anyway)"
    ]
    allowed = CliRunner().invoke(diff, [str(first), str(other), "--store", store_url, "--across-scopes"])
    assert allowed.exit_code == 0, allowed.output
    assert "Scopes differ: organization acme; sources local:/srv/repos;" in allowed.output


def test_a_scan_recorded_without_a_scope_is_compared_only_with_its_like(store_url: str) -> None:
    old = record_scan(assessment(0), store_url, None)  # as scans recorded before history kept scopes
    new = record_scan(assessment(7), store_url, SCOPE)
    refused = CliRunner().invoke(diff, [str(old), str(new), "--store", store_url])
    assert refused.exit_code == 2 and f"scan {old} (scope not recorded) and scan {new} (organization acme;" in refused.output


def test_reading_a_store_that_does_not_exist_is_one_line_and_creates_nothing(tmp_path) -> None:
    missing = tmp_path / "typo" / "history.sqlite3"
    for command in (history, diff):
        result = CliRunner().invoke(command, ["--store", f"sqlite:///{missing}"])
        assert result.exit_code == 2
        assert result.output.splitlines() == [
            f"pecm: error: history store sqlite:///{missing}: no such database file "
            "(check the path, or record a scan there first with `pecm scan --store URL`)"
        ]
    assert not missing.exists() and not missing.parent.exists()


def test_reading_a_database_without_pecm_history_is_one_line_and_leaves_it_alone(store_url: str) -> None:
    engine = create_engine(store_url)
    with engine.begin() as conn:  # somebody else's database
        conn.execute(text("CREATE TABLE notes (body TEXT)"))
    for command in (history, diff):
        result = CliRunner().invoke(command, ["--store", store_url])
        assert result.exit_code == 2
        assert result.output.splitlines() == [
            f"pecm: error: history store {make_url(store_url).render_as_string(hide_password=True)}: no pecm history there "
            "(check the URL, or record a scan there first with `pecm scan --store URL`)"
        ]
    with engine.connect() as conn:
        assert inspect(conn).get_table_names() == ["notes"]
    engine.dispose()


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
