"""A shard's own report: a shard without repositories says so instead of showing stages, and
a shard with repositories is marked partial wherever it shows stages."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from scanner.cli import main
from scanner.shard import Shard, shard_of

NOTICE = (
    "Partial result: shard {} of 2. These stages count only this shard's repositories; "
    "`pecm merge` of every shard's evidence bundle gives the assessment."
)


def _scan(*args: str) -> Result:
    return CliRunner().invoke(main, ["scan", *args, "--no-progress"], catch_exceptions=False)


@pytest.fixture
def one_repository(tmp_path: Path) -> Path:
    """An organization of one repository: of two shards, exactly one holds it."""
    repo = tmp_path / "org" / "api"
    repo.mkdir(parents=True)
    (repo / "CODEOWNERS").write_text("* @acme/api\n")
    return tmp_path / "org"


def _shards() -> tuple[Shard, Shard]:
    holding = shard_of("local:api", 2)
    return Shard(holding, 2), Shard(1 - holding, 2)


def test_a_shard_without_repositories_says_so_in_one_line_and_shows_no_stages(one_repository: Path, tmp_path: Path) -> None:
    _holding, empty = _shards()
    evidence, report, store = tmp_path / "evidence.json", tmp_path / "report.json", tmp_path / "history.sqlite3"

    result = _scan(str(one_repository), "--shard", str(empty), "--format", "json", "-o", str(report),
                   "--evidence-out", str(evidence), "--store", f"sqlite:///{store}")

    assert result.exit_code == 0  # an Indexed Job may run more shards than there are repositories
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"pecm: shard {empty.index + 1} of 2 holds no repository: no report written, nothing recorded (exit 0); "
        "`pecm merge` of every shard's evidence bundle gives the assessment"
    ]
    assert json.loads(evidence.read_text())["shard"] == str(empty)  # still there for `pecm merge`
    assert not report.exists() and not store.exists()


def test_a_console_scan_of_an_empty_shard_prints_no_maturity_table(one_repository: Path) -> None:
    _holding, empty = _shards()
    result = _scan(str(one_repository), "--shard", str(empty))
    assert result.exit_code == 0
    assert "Capability" not in result.output and "initial" not in result.output


@pytest.mark.parametrize("fmt", ["console", "markdown", "html"])
def test_a_shard_report_says_it_is_partial_wherever_it_shows_stages(one_repository: Path, fmt: str) -> None:
    holding, _empty = _shards()
    result = _scan(str(one_repository), "--shard", str(holding), "--format", fmt)
    assert result.exit_code == 0, result.output
    notice = NOTICE.format(holding.index + 1)
    # Markdown escapes the backticks, HTML the apostrophes; the console wraps lines.
    shown = " ".join(html.unescape(result.stdout).replace("\\`", "`").split())
    assert notice in shown


def test_a_report_of_the_whole_scan_is_not_marked_partial(one_repository: Path) -> None:
    result = _scan(str(one_repository), "--format", "markdown")
    assert result.exit_code == 0 and "Partial result" not in result.stdout


@pytest.mark.parametrize("fmt", ["console", "markdown"])
def test_gaps_against_a_shard_assessment_say_the_proven_stages_are_partial(one_repository: Path, tmp_path: Path, fmt: str) -> None:
    holding, _empty = _shards()
    saved = tmp_path / "assessment.json"
    assert _scan(str(one_repository), "--shard", str(holding), "--format", "json", "-o", str(saved)).exit_code == 0
    answers = Path(__file__).resolve().parents[3] / "examples" / "acme" / "self-assessment.yaml"
    result = CliRunner().invoke(main, ["gaps", "-s", str(answers), "--assessment", str(saved), "--format", fmt])
    assert result.exit_code == 0, result.output
    shown = " ".join(result.stdout.replace("\\`", "`").split())
    assert NOTICE.format(holding.index + 1) in shown
