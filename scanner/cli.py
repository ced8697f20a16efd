"""The `pecm` command line. It owns files, paths, exit codes and what is printed.

Exit codes: 0 done; 2 user error (bad path, config, pack or file: one line, no traceback);
4 the scan itself failed (every source failed, or an internal error).
"""

from __future__ import annotations

import io
import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NoReturn, TextIO

import click
import platformdirs
from pydantic import ValidationError

import scanner
from reports.coverage import render_coverage
from reports.json_report import load_assessment
from reports.gaps_report import render_gaps_console, render_gaps_markdown
from rules.evaluate import evaluate
from rules.loader import load_pack
from scanner.config import (
    LoadedConfig,
    describe_validation_error,
    load_config,
    parse_config,
)
from scanner.contract import InteractiveRenderer
from scanner.errors import PecmError, ScanFailed, UserError, read_user_text
from scanner.gaps import analyse_gaps, kind_providers
from scanner.model import Assessment, Capability, EvidenceBundle
from scanner.pipeline import ScanPlan, collect, load_ruleset, plan_scan
from scanner.plugins import Plugins, discover
from scanner.history_commands import record_scan, recorded_trend, store_option
from scanner.scale_commands import shard_option
from scanner.secrets import RedactingFilter, SecretStore
from scanner.shard import Shard
from scanner.self_assessment import SelfAssessment, load_self_assessment

EXIT_OK, EXIT_USER_ERROR, EXIT_SCAN_FAILED = 0, 2, 4
_GAP_RENDERERS = {"console": render_gaps_console, "markdown": render_gaps_markdown}

log = logging.getLogger("pecm")


class _State:
    def __init__(self, verbose: int) -> None:
        self.verbose = verbose
        self.secrets = SecretStore(os.environ)
        self._plugins: Plugins | None = None

    @property
    def plugins(self) -> Plugins:
        if self._plugins is None:
            self._plugins = discover()
        return self._plugins


def _configure_logging(verbose: int, secrets: SecretStore) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name("pecm")
    handler.addFilter(RedactingFilter(secrets))
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    # Replace only our own handler: an embedding program (or pytest) keeps its own.
    root.handlers[:] = [h for h in root.handlers if h.get_name() != "pecm"] + [handler]
    root.setLevel({0: logging.ERROR, 1: logging.INFO}.get(verbose, logging.DEBUG))


def _fail(exit_code: int, message: str) -> NoReturn:
    click.echo(f"pecm: error: {message}", err=True)
    sys.exit(exit_code)


@contextmanager
def _errors(state: _State) -> Iterator[None]:
    """Turn pecm's errors into one line and an exit code; tracebacks only with -vv."""
    try:
        yield
    except UserError as exc:
        _fail(EXIT_USER_ERROR, state.secrets.redact(exc.one_line()))
    except ScanFailed as exc:
        _fail(EXIT_SCAN_FAILED, state.secrets.redact(exc.one_line()))
    except PecmError as exc:
        _fail(EXIT_SCAN_FAILED, state.secrets.redact(exc.one_line()))
    except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
        raise
    except BrokenPipeError:  # `pecm … | head`: the reader left; nothing more to say to anyone
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_OK)
    except Exception as exc:
        log.debug("internal error", exc_info=True)
        _fail(EXIT_SCAN_FAILED, state.secrets.redact(f"internal error: {type(exc).__name__}: {exc} (run with -vv for the traceback)"))


def _load(config_path: Path | None, paths: tuple[Path, ...]) -> LoadedConfig:
    if config_path is None:
        loaded = parse_config({}, "config", Path.cwd())
    else:
        loaded = load_config(config_path)
    if loaded.config.cache_dir is None:  # collectors keep re-scan caches in the user's cache directory
        config = loaded.config.model_copy(update={"cache_dir": Path(platformdirs.user_cache_dir("pecm"))})
        loaded = LoadedConfig(config, loaded.base_dir, loaded.label)
    if not paths:
        return loaded
    for path in paths:
        if not path.exists():
            raise UserError(f"{path}: no such file or directory")
    sources = dict(loaded.config.sources)
    local = dict(sources.get("local", {}))
    local["paths"] = [str(path.resolve()) for path in paths]  # command-line paths replace configured ones
    sources["local"] = local
    return LoadedConfig(loaded.config.model_copy(update={"sources": sources}), loaded.base_dir, loaded.label)


def _renderer(state: _State, name: str) -> Any:
    renderers = state.plugins.renderers
    if name not in renderers:
        raise UserError(f"--format {name}: no such format (available: {', '.join(sorted(renderers)) or 'none'})")
    return renderers[name]()


@contextmanager
def _destination(output: Path | None) -> Iterator[TextIO]:
    if output is None:
        yield sys.stdout
        return
    buffer = io.StringIO()
    yield buffer
    _write(output, buffer.getvalue())


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _read_bundle(path: Path) -> EvidenceBundle:
    text = read_user_text(path, str(path))
    try:
        return EvidenceBundle.model_validate_json(text)
    except ValidationError as exc:
        if any(error["type"] == "json_invalid" for error in exc.errors()):
            raise UserError(f"{path}: not valid JSON ({exc.errors()[0]['msg']})") from None
        raise UserError(describe_validation_error(exc, f"{path}: not an evidence bundle:")) from None


def _interactive(state: _State) -> InteractiveRenderer:
    renderer = _renderer(state, "console")
    if not isinstance(renderer, InteractiveRenderer):
        raise UserError("the installed console renderer cannot explain or show progress", hint="reinstall pecm")
    return renderer


def _read_assessment(path: Path, flag: str) -> Assessment:
    """A saved assessment JSON named by `flag` (--assessment, --baseline): one line on any fault."""
    text = read_user_text(path, f"{flag} {path}")
    try:
        return load_assessment(text)
    except UserError as exc:
        raise UserError(f"{flag} {path}: {exc.message}", hint=exc.hint) from None


def _scan(
    state: _State, config_path: Path | None, paths: tuple[Path, ...], show_progress: bool, shard: Shard | None = None
) -> tuple[EvidenceBundle, ScanPlan]:
    loaded = _load(config_path, paths)
    plugins = state.plugins
    plan = plan_scan(loaded, plugins)
    # Progress goes to stderr, and only at -v 0: log lines would tangle with the live display.
    enabled = show_progress and state.verbose == 0
    with _interactive(state).progress(sys.stderr, enabled) as progress:
        bundle = collect(plan, plugins, secrets=state.secrets, clock=_utc_now, progress=progress.advance, shard=shard)
    return bundle, plan


format_option = click.option("--format", "fmt", default="console", show_default=True, help="Report format (see `pecm plugins`).")
output_option = click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write the report to FILE instead of standard output.")
config_option = click.option("--config", "-c", "config_path", type=click.Path(path_type=Path, dir_okay=False), help="Configuration file (see config.example.yaml).")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(scanner.__version__, prog_name="pecm")
@click.option("-v", "--verbose", count=True, help="More logging on standard error (-vv for debug).")
@click.pass_context
def main(ctx: click.Context, verbose: int) -> None:
    """pecm: where your platform engineering really stands, from evidence."""
    state = _State(verbose)
    _configure_logging(verbose, state.secrets)
    ctx.obj = state


@main.command()
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
    state: _State,
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
    with _errors(state):
        renderer = _renderer(state, fmt)
        bundle, plan = _scan(state, config_path, paths, progress, shard)
        if evidence_out is not None:
            _write(evidence_out, bundle.model_dump_json(indent=2) + "\n")
        assessment = evaluate(bundle, plan.ruleset)
        store = store_url or plan.loaded.config.history.store
        if store is not None:  # recorded before rendering: a failed render still keeps the scan
            click.echo(f"pecm: recorded scan {record_scan(assessment, store)}", err=True)
        reported = plan.loaded.config.self_assessment
        overlay = getattr(type(renderer), "from_self_assessment", None)  # renderers that draw answers and trends
        if overlay is not None and (reported is not None or store is not None):
            answers = load_self_assessment(reported) if reported is not None else SelfAssessment(respondents=())
            renderer = overlay(answers, history=recorded_trend(store) if store is not None else ())
        with _destination(output) as out:
            renderer.render(assessment, out)
            render_gaps = _GAP_RENDERERS.get(fmt)  # for the formats people read; JSON and SARIF stay pure
            if reported is not None and render_gaps is not None:
                out.write("\n")
                gaps = analyse_gaps(assessment, load_self_assessment(reported), kind_providers(state.plugins.collectors))
                render_gaps(gaps, out)


@main.command("evaluate")
@click.argument("evidence", type=click.Path(path_type=Path, dir_okay=False))
@config_option
@format_option
@output_option
@click.pass_obj
def evaluate_command(state: _State, evidence: Path, config_path: Path | None, fmt: str, output: Path | None) -> None:
    """Re-run the rules on a saved evidence bundle, offline."""
    with _errors(state):
        renderer = _renderer(state, fmt)
        ruleset = load_ruleset(_load(config_path, ()), state.plugins)
        assessment = evaluate(_read_bundle(evidence), ruleset)
        with _destination(output) as out:
            renderer.render(assessment, out)


@main.command()
@click.argument("capability", type=click.Choice([c.value for c in Capability]))
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@config_option
@click.option("--evidence", type=click.Path(path_type=Path, dir_okay=False), help="Explain from a saved evidence bundle instead of scanning.")
@click.pass_obj
def explain(state: _State, capability: str, paths: tuple[Path, ...], config_path: Path | None, evidence: Path | None) -> None:
    """Why CAPABILITY is at its stage, and what evidence would lift it to the next."""
    with _errors(state):
        renderer = _interactive(state)
        if evidence is not None:
            assessment = evaluate(_read_bundle(evidence), load_ruleset(_load(config_path, ()), state.plugins))
        else:
            bundle, plan = _scan(state, config_path, paths, True)
            assessment = evaluate(bundle, plan.ruleset)
        renderer.explain(assessment.capability(capability), sys.stdout)


@main.group()
def rules() -> None:
    """List, show and validate rule packs."""


@rules.command("list")
@config_option
@click.option("--coverage", is_flag=True, help="The capability × stage matrix: the rules, or 'not inferable', in each cell.")
@click.pass_obj
def rules_list(state: _State, config_path: Path | None, coverage: bool) -> None:
    """Every rule of the packs in use, by capability and stage."""
    with _errors(state):
        ruleset = load_ruleset(_load(config_path, ()), state.plugins)
        if coverage:
            render_coverage(ruleset, sys.stdout)
            return
        for rule in ruleset.rules:
            click.echo(f"{rule.id:<48} {rule.stage.value:<11} {rule.title}")
        for item in ruleset.not_inferable:
            click.echo(f"{'(not inferable) ' + item.capability.value:<48} {item.stage.value:<11} {item.criterion}")


@rules.command("show")
@click.argument("rule_id")
@config_option
@click.pass_obj
def rules_show(state: _State, rule_id: str, config_path: Path | None) -> None:
    """One rule in full: what it reads, its condition and its remediation."""
    with _errors(state):
        ruleset = load_ruleset(_load(config_path, ()), state.plugins)
        rule = ruleset.rule(rule_id)
        if rule is None:
            raise UserError(f"no rule {rule_id!r} (see `pecm rules list`)")
        click.echo(json.dumps(rule.describe(), indent=2))


@rules.command("validate")
@click.argument("path", type=click.Path(path_type=Path, exists=True))
@click.pass_obj
def rules_validate(state: _State, path: Path) -> None:
    """Check a rule pack (file or directory) without scanning."""
    with _errors(state):
        pack = load_pack(path, state.plugins.kinds)
        click.echo(f"{path}: pack {pack.name} {pack.version} is valid ({len(pack.rules)} rules)")


@main.command()
@click.pass_obj
def plugins(state: _State) -> None:
    """Installed plugins: evidence vocabularies, collectors, renderers, rule packs."""
    with _errors(state):
        found = state.plugins
        for info in sorted(found.infos, key=lambda i: (i.group, i.name)):
            click.echo(f"{info.group:<16} {info.name:<12} {info.value:<45} {info.distribution}")
        for problem in found.problems:
            click.echo(f"problem: {problem.message}", err=True)


# Commands kept in modules of their own; they reach this module's helpers at run time.
from scanner.assessment_commands import gaps, survey  # noqa: E402
from scanner.gate_command import gate  # noqa: E402
from scanner.history_commands import diff, history  # noqa: E402
from scanner.scale_commands import merge  # noqa: E402

main.add_command(survey)
main.add_command(gaps)
main.add_command(gate)
main.add_command(merge)
main.add_command(history)
main.add_command(diff)
