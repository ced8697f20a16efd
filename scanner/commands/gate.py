"""`pecm gate`: fail a pipeline when maturity falls below a floor, on a fresh scan or a saved assessment.

The command owns files, environment and exit codes; the decision itself is scanner.gate.
Registered on the `pecm` group by scanner.cli (`main.add_command(gate)`).
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from rules.stages import walk_stages
from scanner.commands.support import CliState, assess, one_line_errors, read_gate_view, run_scan, write_file
from scanner.errors import UserError
from scanner.gate import EXIT_PASSED, GateResult, Verdict, criteria_from, decide, require_criteria
from scanner.verdict_views import AssessmentView

if TYPE_CHECKING:
    from scanner.config import GateConfig

_LABEL = {Verdict.PASS: "pass", Verdict.FAIL: "FAIL", Verdict.UNDECIDED: "UNDECIDED", Verdict.SKIPPED: "skip"}


@dataclass(frozen=True)
class GitHubActions:
    """What the runner's environment tells the gate; `None` outside GitHub Actions."""

    step_summary: Path | None

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> GitHubActions | None:
        if environ.get("GITHUB_ACTIONS") != "true":
            return None
        summary = environ.get("GITHUB_STEP_SUMMARY")
        return cls(Path(summary) if summary else None)


@click.command("gate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--config", "-c", "config_path", type=click.Path(path_type=Path, dir_okay=False), help="Configuration file (see config.example.yaml).")
@click.option("--assessment", "assessment_path", type=click.Path(path_type=Path, dir_okay=False), help="Gate a saved assessment (`pecm scan --format json`) instead of scanning.")
@click.option("--min", "minimums", multiple=True, metavar="CAPABILITY=STAGE", help="Minimum stage (a name or its number 1-5), e.g. governance=defined, governance=3 or all=repeatable. Repeatable; a named capability overrides all=.")
@click.option("--min-confidence", metavar="0.0-1.0", help="Every capability's confidence (share of its rules evidence decided) must reach it.")
@click.option("--unknown", metavar="fail|pass", help="Unknown rules: fail (default) keeps the gate from passing; pass counts them as passed.")
@click.option("--baseline", type=click.Path(path_type=Path, dir_okay=False), help="A saved assessment: fail if a capability dropped a stage since.")
@click.option("--junit", type=click.Path(path_type=Path, dir_okay=False), help="Also write the result as JUnit XML, one test case per capability.")
@click.option("--progress/--no-progress", default=True, help="Show progress on standard error while scanning (TTY only).")
@click.pass_context
def gate(
    ctx: click.Context,
    paths: tuple[Path, ...],
    config_path: Path | None,
    assessment_path: Path | None,
    minimums: tuple[str, ...],
    min_confidence: str | None,
    unknown: str | None,
    baseline: Path | None,
    junit: Path | None,
    progress: bool,
) -> None:
    """Fail CI when maturity falls below a floor: exit 1 below it, 3 when evidence cannot tell.

    Scans PATHs and/or the configured sources like `pecm scan`, or gates a saved --assessment.
    Exit codes: 0 passed; 1 below a minimum or regressed since --baseline; 3 insufficient
    evidence to decide; 2 usage or configuration error; 4 the scan failed. See docs/gate.md.
    """
    state = ctx.find_object(CliState) or CliState(verbose=0)
    github = GitHubActions.from_environ(os.environ)
    with one_line_errors(state):
        if assessment_path is not None and paths:
            raise UserError("give PATHs to scan or --assessment FILE, not both")
        configured = _gate_config(config_path)
        criteria = criteria_from(configured, minimums, min_confidence, unknown)
        baseline_path = baseline if baseline is not None or configured is None else configured.baseline
        previous = read_gate_view(baseline_path, "--baseline") if baseline_path is not None else None
        require_criteria(criteria, previous)
        if assessment_path is not None:
            assessment: AssessmentView = read_gate_view(assessment_path, "--assessment")
            if assessment.scan.shard is not None:
                raise UserError(
                    f"--assessment {assessment_path}: the assessment of shard {assessment.scan.shard} covers a share of "
                    "the repositories only",
                    hint="merge every shard's evidence bundle with `pecm merge`, then gate the merged assessment",
                )
            check_stored_stages(assessment, f"--assessment {assessment_path}")
        else:
            bundle, _, ruleset = run_scan(state, config_path, paths, progress)
            assessment = assess(bundle, ruleset)
        result = decide(assessment, criteria, previous)
        render_console(result, sys.stdout)
        if junit is not None:
            from reports.junit import render as render_junit  # only gates that write JUnit pay for XML

            write_file(junit, _rendered(render_junit, result))
        if github is not None:
            _report_to_github(github, result)
    ctx.exit(result.exit_code)


def check_stored_stages(assessment: AssessmentView, label: str) -> None:
    """Refuse a saved assessment whose stored stage, ceiling or confidence is not what its own rule
    outcomes give: the gate decides from the outcomes, and an edited label must not pass it."""
    for result in assessment.capabilities:
        verdict = walk_stages(result.rules, result.not_inferable)  # as rules.evaluate.stage_verdict does
        stored = (result.stage, result.ceiling, result.confidence, result.self_reported)
        if stored != (verdict.stage, verdict.ceiling, verdict.confidence, verdict.self_reported):
            raise UserError(
                f"{label}: {result.capability.value} is stored as stage {result.stage.value}, ceiling"
                f" {result.ceiling.value}, confidence {result.confidence:.0%}, but its rule outcomes give"
                f" {verdict.stage.value}, {verdict.ceiling.value}, {verdict.confidence:.0%}",
                hint="the file was edited or written by another pecm version; gate a fresh `pecm scan --format json`",
            )


def _gate_config(config_path: Path | None) -> GateConfig | None:
    """The config's `gate:` section, its baseline resolved against the config file's folder; None
    without a config file (the gate's defaults apply)."""
    if config_path is None:
        return None
    from scanner.config import load_config  # YAML and the config models, only when there is a config

    return load_config(config_path).config.gate  # a relative baseline is resolved like every config path


def render_console(result: GateResult, out: TextIO) -> None:
    """The organization, one line per capability (verdict, capability, stage, why), the outcome."""
    if result.organization:
        out.write(f"{result.organization}: pecm gate\n")
    for decision in result.decisions:
        stage = decision.stage.value if decision.stage else "-"
        out.write(f"{_LABEL[decision.verdict]:<9}  {decision.capability.value:<12}  {stage:<10}  {decision.reason}\n")
    out.write(result.summary + "\n")
    if result.exit_code != EXIT_PASSED:
        out.write("`pecm explain CAPABILITY` shows the evidence behind each stage.\n")


def _rendered(render: Callable[[GateResult, TextIO], None], result: GateResult) -> str:
    buffer = io.StringIO()
    render(result, buffer)
    return buffer.getvalue()


def _report_to_github(github: GitHubActions, result: GateResult) -> None:
    """Annotations and job summary; a summary that cannot be written does not change the verdict."""
    from reports.github_actions import render_annotations, render_summary

    render_annotations(result, sys.stdout)
    if github.step_summary is None:
        click.echo("pecm: warning: GITHUB_STEP_SUMMARY is not set: no job summary written", err=True)
        return
    try:
        with github.step_summary.open("a", encoding="utf-8") as summary:  # other steps append to it too
            render_summary(result, summary)
    except OSError as exc:
        click.echo(f"pecm: warning: cannot write the job summary {github.step_summary}: {exc.strerror or exc}", err=True)
