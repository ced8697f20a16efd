"""`pecm gaps` and `pecm rules list --coverage` end to end on the example organization, through click's runner."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from scanner.cli import main
from scanner.commands.assessment import gaps

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "acme"
SELF_ASSESSMENT = EXAMPLE / "self-assessment.yaml"
GOLDEN = ROOT / "tests" / "golden" / "acme-gaps.txt"

# The commands as the `pecm` group will carry them; built here so the test needs no wiring.
pecm = click.Group("pecm")
pecm.add_command(gaps)


def _run(*args: str) -> Result:
    return CliRunner().invoke(pecm, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def saved_assessment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scan") / "assessment.json"
    result = CliRunner().invoke(main, ["scan", str(EXAMPLE), "--format", "json", "-o", str(path), "--no-progress"])
    assert result.exit_code == 0, result.output
    return path


def test_gaps_console_output_matches_golden(update_golden: bool) -> None:
    result = _run("gaps", "--self-assessment", str(SELF_ASSESSMENT), str(EXAMPLE), "--no-progress")
    assert result.exit_code == 0, result.output
    actual = _without_trailing_spaces(result.output)
    if update_golden:
        GOLDEN.write_text(actual, encoding="utf-8")
    assert actual == GOLDEN.read_text(encoding="utf-8"), "run pytest --update-golden after an intended change"


def _without_trailing_spaces(text: str) -> str:
    """rich pads table cells to the width; editors strip that from golden files."""
    return "".join(line.rstrip() + "\n" for line in text.splitlines())


def test_example_has_over_and_under_reported_capabilities() -> None:
    result = _run("gaps", "-s", str(SELF_ASSESSMENT), str(EXAMPLE), "--no-progress")
    assert "over-reported" in result.output and "under-reported" in result.output
    assert "Respondents disagree" in result.output and "Roadmap to the targets" in result.output


def test_a_saved_assessment_gives_the_same_gaps_as_a_fresh_scan(saved_assessment: Path) -> None:
    fresh = _run("gaps", "-s", str(SELF_ASSESSMENT), str(EXAMPLE), "--no-progress")
    saved = _run("gaps", "-s", str(SELF_ASSESSMENT), "--assessment", str(saved_assessment))
    assert saved.exit_code == 0, saved.output
    assert saved.output == fresh.output


def test_markdown_to_a_file(saved_assessment: Path, tmp_path: Path) -> None:
    output = tmp_path / "gaps.md"
    result = _run("gaps", "-s", str(SELF_ASSESSMENT), "--assessment", str(saved_assessment), "--format", "markdown", "-o", str(output))
    assert result.exit_code == 0, result.output
    text = output.read_text()
    assert text.startswith("# Inferred versus reported maturity\n")
    assert "| adoption | repeatable | repeatable | Platform team | managed | **over-reported** |" in text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("-s", "{bad}", str(EXAMPLE)), "bad.csv: row 2: 'investmnt' is not a capability"),
        (("-s", "{missing}", str(EXAMPLE)), "cannot read"),
        (("-s", str(SELF_ASSESSMENT), "--assessment", "{bad}"), "The assessment is not valid JSON"),
        (("-s", str(SELF_ASSESSMENT), "--assessment", "{bad}", str(EXAMPLE)), "either PATHs to scan or --assessment"),
        (("-s", str(SELF_ASSESSMENT), "{missing}"), "no such file or directory"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, args: tuple[str, ...], expected: str) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("capability,current\ninvestmnt,2\n")
    filled = [arg.format(bad=bad, missing=tmp_path / "missing.csv") for arg in args]
    result = _run("gaps", *filled, "--no-progress")
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()
    assert line.startswith("pecm: error: ") and expected in line


def test_coverage_command_shows_the_matrix() -> None:
    result = CliRunner().invoke(main, ["rules", "list", "--coverage"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Every cell above initial has a rule or is marked not inferable." in result.output
    assert "governance.default_branches_protected" in result.output


def test_the_config_key_self_assessment_feeds_scan_and_gaps(tmp_path: Path) -> None:
    config = tmp_path / "pecm.yaml"
    config.write_text(f"sources:\n  local:\n    paths: [{EXAMPLE}]\nself_assessment: {EXAMPLE / 'self-assessment.yaml'}\n")
    scanned = CliRunner().invoke(main, ["scan", "--config", str(config), "--no-progress"], catch_exceptions=False)
    assert scanned.exit_code == 0, scanned.output
    assert "Inferred versus reported" in scanned.output and "over-reported" in scanned.output
    compared = CliRunner().invoke(main, ["gaps", "--config", str(config), "--no-progress"], catch_exceptions=False)
    assert compared.exit_code == 0 and "under-reported" in compared.output


def test_gaps_without_a_self_assessment_is_a_user_error() -> None:
    result = CliRunner().invoke(main, ["gaps", str(EXAMPLE)])
    assert result.exit_code == 2 and "no self-assessment to compare" in result.output


def test_a_markdown_scan_report_carries_the_gaps_too(tmp_path: Path) -> None:
    config = tmp_path / "pecm.yaml"
    config.write_text(f"sources:\n  local:\n    paths: [{EXAMPLE}]\nself_assessment: {EXAMPLE / 'self-assessment.yaml'}\n")
    result = CliRunner().invoke(main, ["scan", "--config", str(config), "--format", "markdown", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "over-reported" in result.output
    as_json = CliRunner().invoke(main, ["scan", "--config", str(config), "--format", "json", "--no-progress"])
    assert "over-reported" not in as_json.output  # the JSON report stays the assessment alone


def test_an_html_scan_report_overlays_the_self_reported_stages(tmp_path: Path) -> None:
    config = tmp_path / "pecm.yaml"
    config.write_text(f"sources:\n  local:\n    paths: [{EXAMPLE}]\nself_assessment: {EXAMPLE / 'self-assessment.yaml'}\n")
    page = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["scan", "--config", str(config), "--format", "html", "-o", str(page), "--no-progress"])
    assert result.exit_code == 0, result.output
    plain = CliRunner().invoke(main, ["scan", str(EXAMPLE), "--format", "html", "--no-progress"])
    assert "self-reported" in page.read_text() and "self-reported" not in plain.output


def test_a_csv_with_a_repeated_column_is_refused_in_one_line_before_scanning(tmp_path: Path) -> None:
    answers = tmp_path / "sa.csv"
    answers.write_text("capability,current,respondent,respondent\ninvestment,2,Platform team,Checkout team\n")
    result = CliRunner().invoke(main, ["gaps", "-s", str(answers), str(EXAMPLE), "--no-progress"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"pecm: error: {answers}: row 1: column 'respondent' appears twice "
        "(keep one column of each name; one row answers for one respondent)"
    ]
