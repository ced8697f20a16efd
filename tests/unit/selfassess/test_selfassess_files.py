"""Self-assessment files, YAML and CSV: what loads, and one clear line for what does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.errors import UserError
from scanner.model import Capability, Stage
from scanner.self_assessment import load_self_assessment, load_survey_questions, self_assessment_yaml

YAML_OK = """\
version: 1
respondents:
  - name: Platform team
    answers:
      investment: {current: defined, target: managed}
      adoption: 3
      governance: {current: 2, note: audits are manual}
  - name: Checkout team
    answers:
      investment: {current: Repeatable}
"""

CSV_OK = """\
capability,current,target,respondent
investment,defined,managed,Platform team
adoption,3,,Platform team
investment,repeatable,,Checkout team

"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, name: str, text: str) -> str:
    with pytest.raises(UserError) as caught:
        load_self_assessment(_write(tmp_path, name, text))
    line = caught.value.one_line()
    assert "\n" not in line
    assert name in line
    return line


def test_yaml_with_names_numbers_and_shorthand_loads(tmp_path: Path) -> None:
    loaded = load_self_assessment(_write(tmp_path, "sa.yaml", YAML_OK))
    assert [r.name for r in loaded.respondents] == ["Platform team", "Checkout team"]
    platform = loaded.respondents[0].answers
    assert (platform[Capability.INVESTMENT].current, platform[Capability.INVESTMENT].target) == (Stage.DEFINED, Stage.MANAGED)
    assert platform[Capability.ADOPTION].current is Stage.DEFINED
    assert platform[Capability.GOVERNANCE].note == "audits are manual"
    assert [name for name, _ in loaded.answers_for(Capability.INVESTMENT)] == ["Platform team", "Checkout team"]


def test_csv_with_several_respondents_loads_like_yaml(tmp_path: Path) -> None:
    from_csv = load_self_assessment(_write(tmp_path, "sa.csv", CSV_OK))
    assert [r.name for r in from_csv.respondents] == ["Platform team", "Checkout team"]
    assert from_csv.respondents[0].answers[Capability.ADOPTION].current is Stage.DEFINED
    assert from_csv.respondents[1].answers[Capability.INVESTMENT].target is None


def test_csv_saved_by_a_spreadsheet_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    path = tmp_path / "sa.csv"
    path.write_bytes(CSV_OK.encode("utf-8-sig"))  # what "CSV UTF-8" in spreadsheets writes
    assert load_self_assessment(path) == load_self_assessment(_write(tmp_path, "plain.csv", CSV_OK))


def test_csv_without_respondent_column_is_one_anonymous_respondent(tmp_path: Path) -> None:
    loaded = load_self_assessment(_write(tmp_path, "sa.csv", "capability,current\ngovernance,managed\n"))
    assert [r.name for r in loaded.respondents] == ["anonymous"]


def test_written_yaml_reads_back_the_same(tmp_path: Path) -> None:
    loaded = load_self_assessment(_write(tmp_path, "sa.yaml", YAML_OK))
    again = load_self_assessment(_write(tmp_path, "again.yaml", self_assessment_yaml(loaded)))
    assert again == loaded


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("respondents:\n  - name: a\n    answers:\n      investmnt: defined\n", "respondents[0].answers.investmnt: 'investmnt' is not a capability"),
        ("respondents:\n  - name: a\n    answers:\n      investment: {current: great}\n", "respondents[0].answers.investment: current: 'great' is not a stage"),
        ("respondents:\n  - name: a\n    answers:\n      investment: {current: 6}\n", "current: 6 is not a stage"),
        ("respondents:\n  - name: a\n    answers:\n      investment: {target: managed}\n", "investment: current: missing"),
        ("respondents:\n  - name: a\n    answers:\n      investment: {current: managed, target: defined}\n", "target: defined is below current managed"),
        ("respondents:\n  - name: a\n    answers:\n      investment: {current: managed, goal: x}\n", "investment.goal: unknown key"),
        ("respondents:\n  - name: a\n    answers:\n      investment: 2\n      investment: 3\n", "duplicate key 'investment'"),
        ("respondents:\n  - name: a\n    answers: {investment: 2}\n  - name: a\n    answers: {adoption: 2}\n", "respondents[1].name: respondent 'a' appears twice"),
        ("respondents:\n  - answers: {investment: 2}\n", "respondents[0].name: expected the respondent's name"),
        ("respondents: []\n", "respondents: expected a non-empty list"),
        ("version: 2\nrespondents: []\n", "version: 2 is not supported"),
        ("- just a list\n", "the file: expected a mapping"),
        ("respondents: [\n", "YAML syntax error"),
    ],
)
def test_malformed_yaml_is_one_line_naming_the_key(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in _error(tmp_path, "bad.yaml", text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("capability,current\ninvestmnt,defined\n", "row 2: 'investmnt' is not a capability"),
        ("capability,current\ninvestment,defined\nadoption,excellent\n", "row 3: current: 'excellent' is not a stage"),
        ("capability,target\ninvestment,defined\n", "row 1: missing column current"),
        ("capability,current,curent\ninvestment,defined,x\n", "row 1: unknown column 'curent'"),
        ("capability,current,respondent\ninvestment,2,a\ninvestment,3,b\ninvestment,4,a\n", "row 4: investment answered twice by 'a'"),
        ("capability,current\ninvestment,2,extra\n", "row 2: more cells than columns"),
        ("capability,current\n", "no answers"),
        ("capability,current\ninvestment,\n", "row 2: current: missing"),
        ("capability,current,respondent,respondent\ninvestment,2,a,b\n", "row 1: column 'respondent' appears twice"),
        ("capability,current, current\ninvestment,2,3\n", "row 1: column 'current' appears twice"),
    ],
)
def test_malformed_csv_is_one_line_naming_the_row(tmp_path: Path, text: str, expected: str) -> None:
    assert expected in _error(tmp_path, "bad.csv", text)


def test_unknown_suffix_and_missing_file_are_user_errors(tmp_path: Path) -> None:
    assert "unknown self-assessment format '.txt'" in _error(tmp_path, "sa.txt", "x")
    with pytest.raises(UserError, match="cannot read"):
        load_self_assessment(tmp_path / "absent.csv")


def test_survey_questions_give_five_plain_stages_for_every_capability() -> None:
    questions = load_survey_questions()
    assert [q.capability for q in questions] == list(Capability)
    assert all(list(q.stages) == list(Stage) and all(text.strip() for text in q.stages.values()) for q in questions)
