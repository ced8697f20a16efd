"""`pecm survey`, `pecm gaps` and `pecm coverage`: self-assessment in, gaps out.

Standalone click commands; scanner/cli.py adds them to the `pecm` group. They share the
CLI's state, error handling and scan through scanner/commands/support.py.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from reports.gaps_report import render_gaps_console, render_gaps_markdown
from scanner.commands.support import (
    EXIT_USER_ERROR,
    CliState,
    assess,
    destination,
    fail,
    one_line_errors,
    read_assessment,
    run_scan,
    scan_config,
    write_file,
)
from scanner.errors import UserError
from scanner.gaps import analyse_gaps, kind_providers
from scanner.model import Stage, parse_stage
from scanner.self_assessment import (
    Answer,
    Respondent,
    SelfAssessment,
    SurveyQuestion,
    load_self_assessment,
    load_survey_questions,
    self_assessment_yaml,
)

DEFAULT_SURVEY_FILE = Path("self-assessment.yaml")
GAP_FORMATS = ("console", "markdown")



def _state(ctx: click.Context) -> Any:
    """The `pecm` group's state, or a fresh one when the command runs on its own."""
    return ctx.find_object(CliState) or CliState(0)


# --- pecm survey ------------------------------------------------------------------------


@click.command("survey")
@click.option(
    "--output", "-o", type=click.Path(path_type=Path, dir_okay=False), default=DEFAULT_SURVEY_FILE, show_default=True,
    help="Self-assessment file to write; an existing one gets this respondent's answers added.",
)
@click.option("--respondent", help="Who is answering (a team or a role); asked when left out.")
@click.option(
    "--non-interactive", "check_file", type=click.Path(path_type=Path, dir_okay=False),
    help="Ask nothing: validate FILE (YAML or CSV, made elsewhere); exit 0 if valid, 2 if not.",
)
@click.pass_context
def survey(ctx: click.Context, output: Path, respondent: str | None, check_file: Path | None) -> None:
    """Ask, capability by capability, which stage you are at (and aim for); write the answers."""
    state = _state(ctx)
    with one_line_errors(state):
        if check_file is not None:
            checked = load_self_assessment(check_file)
            count = sum(len(r.answers) for r in checked.respondents)
            click.echo(f"{check_file}: valid self-assessment ({len(checked.respondents)} respondent(s), {count} answers)")
            return
        existing = load_self_assessment(output) if output.exists() else SelfAssessment(respondents=())
        questions = load_survey_questions()
    # Ctrl-C or the end of input (click's Abort) cancels the survey before anything is written:
    # a user's act, exit 2 like other user errors, not click's "Aborted!" with exit 1 (the gate's
    # "below minimum"). SIGTERM while asking says so in one line (exit 143) instead of ending silently.
    try:
        with one_line_errors(state):
            name = (respondent or click.prompt("Who is answering (a team or a role)")).strip()
            if not name:
                raise UserError("--respondent: a name is needed (a team or a role)")
            existing.with_respondent(Respondent(name=name, answers={}))  # refuse a repeated name before asking
            click.echo(
                "For each capability, pick the stage that describes today best (its name or number), "
                "and optionally a target and a note."
            )
            answers = {question.capability: _ask(question) for question in questions}
    except click.Abort:
        click.echo()  # end the unanswered prompt's line, so that the error stands on its own
        fail(EXIT_USER_ERROR, "survey cancelled: no answers written")
    with one_line_errors(state):
        updated = existing.with_respondent(Respondent(name=name, answers=answers))
        write_file(output, self_assessment_yaml(updated))
    click.echo(f"Wrote {output} ({len(updated.respondents)} respondent(s)). Next: pecm gaps --self-assessment {output} PATH")


def _ask(question: SurveyQuestion) -> Answer:
    click.echo()
    click.secho(f"{question.title}: {question.question}", bold=True)
    for stage, text in question.stages.items():
        click.echo(f"  {stage.rank}. {stage.value:<11} {text}")
    current: Stage = click.prompt("Current stage", value_proc=_stage_answer)

    def target_of(text: str) -> Stage | None:
        if not text.strip():
            return None
        target = _stage_answer(text, "or nothing to skip")
        if target < current:
            raise click.BadParameter(f"the target is below the current stage ({current.value})")
        return target

    target = click.prompt("Target stage (Enter to skip)", default="", show_default=False, value_proc=target_of)
    note = click.prompt("Note, e.g. what holds you back (Enter to skip)", default="", show_default=False).strip()
    return Answer(current=current, target=target, note=note or None)


def _stage_answer(text: str, skip: str = "") -> Stage:
    stage = parse_stage(text)
    if stage is None:
        names = ", ".join(s.value for s in Stage)
        raise click.BadParameter(f"{text.strip()!r}: enter a stage ({names}) or its number 1-5" + (f", {skip}" if skip else ""))
    return stage


# --- pecm gaps --------------------------------------------------------------------------


@click.command("gaps")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--self-assessment", "-s", "self_assessment_path", type=click.Path(path_type=Path, dir_okay=False),
    help="The self-assessment file (YAML or CSV; see `pecm survey`).",
)
@click.option("--config", "-c", "config_path", type=click.Path(path_type=Path, dir_okay=False), help="Configuration file (see config.example.yaml).")
@click.option(
    "--assessment", "assessment_path", type=click.Path(path_type=Path, dir_okay=False),
    help="Compare with a saved assessment (`pecm scan --format json`) instead of scanning.",
)
@click.option("--format", "fmt", type=click.Choice(GAP_FORMATS), default="console", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write the report to FILE instead of standard output.")
@click.option("--progress/--no-progress", default=True, help="Show progress on standard error while scanning (TTY only).")
@click.pass_context
def gaps(
    ctx: click.Context,
    paths: tuple[Path, ...],
    self_assessment_path: Path | None,
    config_path: Path | None,
    assessment_path: Path | None,
    fmt: str,
    output: Path | None,
    progress: bool,
) -> None:
    """Compare the self-assessment with the evidence: aligned, over-, under-reported or unverifiable."""
    state = _state(ctx)
    with one_line_errors(state):
        if self_assessment_path is None:
            self_assessment_path = scan_config(config_path, ()).config.self_assessment
        if self_assessment_path is None:
            raise UserError("no self-assessment to compare", hint="give --self-assessment FILE or set self_assessment: in the config")
        reported = load_self_assessment(self_assessment_path)  # a bad file stops before any scan
        if assessment_path is not None:
            if paths:
                raise UserError("give either PATHs to scan or --assessment, not both")
            assessment = read_assessment(assessment_path, "--assessment")
        else:
            bundle, _, ruleset = run_scan(state, config_path, paths, progress)
            # the file compared is also the one whose answers close core criteria
            assessment = assess(bundle, replace(ruleset, self_reported=reported.agreed_stages()))
        analysis = analyse_gaps(assessment, reported, kind_providers(state.plugins.collectors))
        render = render_gaps_markdown if fmt == "markdown" else render_gaps_console
        with destination(output) as out:
            render(analysis, out)
