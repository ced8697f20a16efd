"""`pecm survey` end to end through click's runner, answers typed in."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from scanner.commands.assessment import survey
from scanner.model import Capability, Stage
from scanner.self_assessment import load_self_assessment

# Per capability (model order): current stage, target and note (empty line: none).
ANSWERS = ["3", "4", "", "2", "", "", "4", "5", "", "3", "", "", "3", "4", "", "3", "", ""]


def _survey(*args: str, typed: list[str]) -> Result:
    return CliRunner().invoke(survey, list(args), input="\n".join(typed) + "\n", catch_exceptions=False)


def test_survey_shows_the_stages_and_writes_the_answers(tmp_path: Path) -> None:
    output = tmp_path / "sa.yaml"
    result = _survey("--output", str(output), typed=["Platform team", *ANSWERS])
    assert result.exit_code == 0, result.output
    assert "Who is answering" in result.output
    assert "5. optimizing" in result.output and "Provisioning & Management" in result.output
    [respondent] = load_self_assessment(output).respondents
    assert respondent.name == "Platform team"
    assert [(a.current, a.target) for a in respondent.answers.values()] == [
        (Stage.DEFINED, Stage.MANAGED),
        (Stage.REPEATABLE, None),
        (Stage.MANAGED, Stage.OPTIMIZING),
        (Stage.DEFINED, None),
        (Stage.DEFINED, Stage.MANAGED),
        (Stage.DEFINED, None),
    ]


def test_bad_answers_are_asked_again(tmp_path: Path) -> None:
    output = tmp_path / "sa.yaml"
    # 9 is no stage; a target (1) below the current stage (3) is refused
    typed = ["9", "3", "1", "4", *ANSWERS[2:]]
    result = _survey("--output", str(output), "--respondent", "ops", typed=typed)
    assert result.exit_code == 0, result.output
    assert "'9': enter a stage (initial, repeatable, defined, managed, optimizing) or its number 1-5" in result.output
    assert "target is below the current stage (defined)" in result.output
    answer = load_self_assessment(output).respondents[0].answers[Capability.INVESTMENT]
    assert (answer.current, answer.target) == (Stage.DEFINED, Stage.MANAGED)


def test_a_second_respondent_is_added_and_a_repeated_one_refused(tmp_path: Path) -> None:
    output = tmp_path / "sa.yaml"
    assert _survey("-o", str(output), "--respondent", "platform", typed=ANSWERS).exit_code == 0
    assert _survey("-o", str(output), "--respondent", "checkout", typed=ANSWERS).exit_code == 0
    assert [r.name for r in load_self_assessment(output).respondents] == ["platform", "checkout"]
    again = _survey("-o", str(output), "--respondent", "platform", typed=ANSWERS)
    assert again.exit_code == 2
    assert "'platform' has already answered" in again.output
    assert len(load_self_assessment(output).respondents) == 2


def test_non_interactive_validates_a_file_made_elsewhere(tmp_path: Path) -> None:
    good = tmp_path / "sa.csv"
    good.write_text("capability,current,respondent\ninvestment,2,a\nadoption,3,b\n")
    result = _survey("--non-interactive", str(good), typed=[])
    assert result.exit_code == 0
    assert "valid self-assessment (2 respondent(s), 2 answers)" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("capability,current\ninvestment,7\n")
    result = _survey("--non-interactive", str(bad), typed=[])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"pecm: error: {bad}: row 2: current: '7' is not a stage (a stage name (initial, repeatable, defined, managed, optimizing) or its number 1-5)"]


def test_stage_names_are_answers_as_well_as_numbers_and_a_note_is_kept(tmp_path: Path) -> None:
    output = tmp_path / "sa.yaml"
    typed = ["Defined", "optimizing", "We still open a ticket for new databases.", *ANSWERS[3:]]
    result = _survey("--output", str(output), "--respondent", "ops", typed=typed)
    assert result.exit_code == 0, result.output
    answer = load_self_assessment(output).respondents[0].answers[Capability.INVESTMENT]
    assert (answer.current, answer.target, answer.note) == (
        Stage.DEFINED,
        Stage.OPTIMIZING,
        "We still open a ticket for new databases.",
    )
    assert load_self_assessment(output).respondents[0].answers[Capability.ADOPTION].note is None


def test_input_ending_early_cancels_with_one_line_and_writes_nothing(tmp_path: Path) -> None:
    output = tmp_path / "sa.yaml"
    result = CliRunner().invoke(
        survey, ["--output", str(output), "--respondent", "ops"], input="\n".join(ANSWERS[:4]) + "\n"
    )
    assert result.exit_code == 2
    assert result.stderr.strip() == "pecm: error: survey cancelled: no answers written"
    assert "Aborted" not in result.output + result.stderr
    assert not output.exists()
