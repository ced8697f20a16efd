"""The commands that scan or read evidence and rules: scan, evaluate, explain, rules, plugins.

Each is registered lazily on the `pecm` group by scanner.cli, so this module (and the rules
engine, the renderers and the pipeline it imports) loads only when one of them runs.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from rules.loader import load_pack
from scanner.commands.history import record_scan, recorded_trend, store_option
from scanner.commands.scale import shard_option
from scanner.commands.support import (
    CliState,
    assess,
    config_option,
    destination,
    format_option,
    interactive_renderer,
    load_ruleset,
    one_line_errors,
    output_option,
    read_bundle,
    renderer_for,
    run_scan,
    scan_config,
    write_file,
)
from scanner.errors import UserError
from scanner.model import Capability
from scanner.scope import ScanScope, scan_scope
from scanner.shard import Shard

if TYPE_CHECKING:
    from scanner.model import Assessment

log = logging.getLogger("pecm")

# The formats people read get the gaps beside the report; JSON and SARIF stay pure.
_GAP_FORMATS = ("console", "markdown")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@config_option
@format_option
@output_option
@click.option("--evidence-out", type=click.Path(path_type=Path, dir_okay=False), help="Also save the evidence bundle (for `pecm evaluate`).")
@click.option("--progress/--no-progress", default=True, help="Show progress on standard error while scanning (TTY only).")
@shard_option
@store_option
@click.pass_obj
def scan(
    state: CliState,
    paths: tuple[Path, ...],
    config_path: Path | None,
    fmt: str,
    output: Path | None,
    evidence_out: Path | None,
    progress: bool,
    shard: Shard | None,
    store_url: str | None,
) -> None:
    """Scan PATHs (folders of repositories, or one repository) and/or the configured sources."""
    with one_line_errors(state):
        renderer = renderer_for(state, fmt)
        bundle, plan, ruleset = run_scan(state, config_path, paths, progress, shard, store_url)
        if evidence_out is not None:
            write_file(evidence_out, bundle.model_dump_json(indent=2) + "\n")
        if shard is not None and not any(subject.kind == "repository" for subject in bundle.subjects):
            # Stages of no repository would read as a verdict. Not a failure either: an Indexed
            # Job may well run more shards than there are repositories.
            click.echo(f"pecm: {shard.empty_notice()}", err=True)
            return
        assessment = assess(bundle, ruleset)
        store = store_url or plan.loaded.config.history.store
        scope = scan_scope(plan, shard)
        reported = plan.loaded.config.self_assessment
        overlay = getattr(type(renderer), "from_self_assessment", None)  # renderers that draw answers and trends
        if overlay is not None and (reported is not None or store is not None):
            from scanner.self_assessment import SelfAssessment, load_self_assessment

            answers = load_self_assessment(reported) if reported is not None else SelfAssessment(respondents=())
            renderer = overlay(answers, history=_trend_if_readable(store, scope))
        # The report is out before the scan is recorded: a store that fails (locked, unreachable)
        # cannot cost the report, and a report that cannot be written records nothing.
        with destination(output) as out:
            renderer.render(assessment, out)
            if reported is not None and fmt in _GAP_FORMATS:
                out.write("\n")
                _render_gaps(state, assessment, reported, fmt, out)
        if store is not None:
            try:
                scan_id = record_scan(assessment, store, scope)
            except UserError as exc:
                raise UserError(f"scan not recorded (the report was written): {exc.message}", hint=exc.hint) from None
            click.echo(f"pecm: recorded scan {scan_id}", err=True)


def _render_gaps(state: CliState, assessment: Assessment, reported: Path, fmt: str, out: TextIO) -> None:
    # Imported here: rich and the gap analysis cost a JSON scan nothing.
    from reports.gaps_report import render_gaps_console, render_gaps_markdown
    from scanner.gaps import analyse_gaps, kind_providers
    from scanner.self_assessment import load_self_assessment

    gaps = analyse_gaps(assessment, load_self_assessment(reported), kind_providers(state.plugins.collectors))
    (render_gaps_markdown if fmt == "markdown" else render_gaps_console)(gaps, out)


def _trend_if_readable(store: str | None, scope: ScanScope) -> list[tuple[datetime, dict[str, str]]]:
    """The recorded stages the HTML report draws; a store that cannot be read costs the trend
    only (recording the scan afterwards reports the store's fault)."""
    if store is None:
        return []
    try:
        return recorded_trend(store, scope)
    except UserError as exc:
        log.warning("no trend in the report: %s", exc.message)
        return []


@click.command("evaluate")
@click.argument("evidence", type=click.Path(path_type=Path, dir_okay=False))
@config_option
@format_option
@output_option
@click.pass_obj
def evaluate_command(state: CliState, evidence: Path, config_path: Path | None, fmt: str, output: Path | None) -> None:
    """Re-run the rules on a saved evidence bundle, offline."""
    with one_line_errors(state):
        renderer = renderer_for(state, fmt)
        ruleset = load_ruleset(scan_config(config_path, ()), state.plugins)
        assessment = assess(read_bundle(evidence), ruleset)
        with destination(output) as out:
            renderer.render(assessment, out)


@click.command()
@click.argument("capability", type=click.Choice([c.value for c in Capability]))
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@config_option
@click.option("--evidence", type=click.Path(path_type=Path, dir_okay=False), help="Explain from a saved evidence bundle instead of scanning.")
@click.option("--progress/--no-progress", default=True, help="Show progress on standard error while scanning (TTY only).")
@click.pass_obj
def explain(
    state: CliState, capability: str, paths: tuple[Path, ...], config_path: Path | None, evidence: Path | None, progress: bool
) -> None:
    """Why CAPABILITY is at its stage, and what evidence would lift it to the next."""
    with one_line_errors(state):
        renderer = interactive_renderer(state)
        if evidence is not None:
            assessment = assess(read_bundle(evidence), load_ruleset(scan_config(config_path, ()), state.plugins))
        else:
            bundle, _, ruleset = run_scan(state, config_path, paths, progress)
            assessment = assess(bundle, ruleset)
        renderer.explain(assessment.capability(capability), sys.stdout)


@click.group()
def rules() -> None:
    """List, show and validate rule packs."""


@rules.command("list")
@config_option
@click.option("--coverage", is_flag=True, help="The capability × stage matrix: the rules, or 'not inferable', in each cell.")
@click.pass_obj
def rules_list(state: CliState, config_path: Path | None, coverage: bool) -> None:
    """Every rule of the packs in use, by capability and stage."""
    with one_line_errors(state):
        ruleset = load_ruleset(scan_config(config_path, ()), state.plugins)
        if coverage:
            from reports.coverage import render_coverage

            render_coverage(ruleset, sys.stdout)
            return
        for rule in ruleset.rules:
            stage = f"cap {rule.caps.value}" if rule.caps else rule.stage.value + (" key" if rule.key else "")
            click.echo(f"{rule.id:<48} {stage:<15} {rule.title}")
        for item in ruleset.not_inferable:
            stage = item.stage.value + (" core" if item.core else "")
            click.echo(f"{'(not inferable) ' + item.capability.value:<48} {stage:<15} {item.criterion}")


@rules.command("show")
@click.argument("rule_id")
@config_option
@click.pass_obj
def rules_show(state: CliState, rule_id: str, config_path: Path | None) -> None:
    """One rule in full: what it reads, its condition and its remediation."""
    with one_line_errors(state):
        ruleset = load_ruleset(scan_config(config_path, ()), state.plugins)
        rule = ruleset.rule(rule_id)
        if rule is None:
            raise UserError(f"no rule {rule_id!r} (see `pecm rules list`)")
        click.echo(json.dumps(rule.describe(), indent=2))


@rules.command("validate")
@click.argument("path", type=click.Path(path_type=Path, exists=True))
@click.pass_obj
def rules_validate(state: CliState, path: Path) -> None:
    """Check a rule pack (file or directory) without scanning."""
    with one_line_errors(state):
        pack = load_pack(path, state.plugins.kinds)
        click.echo(f"{path}: pack {pack.name} {pack.version} is valid ({len(pack.rules)} rules)")


@click.command()
@click.pass_obj
def plugins(state: CliState) -> None:
    """Installed plugins: evidence vocabularies, collectors, renderers, rule packs."""
    with one_line_errors(state):
        found = state.plugins
        found.load_all()
        for info in sorted(found.infos, key=lambda i: (i.group, i.name)):
            click.echo(f"{info.group:<16} {info.name:<12} {info.value:<45} {info.distribution}")
        for problem in found.problems:
            click.echo(f"problem: {problem.message}", err=True)
