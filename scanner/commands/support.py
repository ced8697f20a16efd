"""What the `pecm` commands share: the command-line state, one-line errors and exit codes,
reading the files a user names, writing reports, loading the rule set and running a scan.
scanner.cli and the modules of scanner/commands import it; it imports none of them.

Every command imports this module, so the engine, the pipeline, plugin discovery and the
models are imported inside the helpers that use them: a command pays only for what it runs."""

from __future__ import annotations

import io
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import click

from scanner.atomic_write import write_atomically
from scanner.commands.heap import collector_paused, frozen_heap
from scanner.errors import MAX_JSON_BYTES, PecmError, ScanFailed, Terminated, UserError, read_user_bytes
from scanner.secrets import RedactingFilter, SecretStore
from scanner.shard import Shard
from scanner.stdout_failure import discard_stdout, is_stdout_failure, stdout_failure_message

if TYPE_CHECKING:
    from rules.loader import RuleSet
    from scanner.config import LoadedConfig
    from scanner.contract import InteractiveRenderer
    from scanner.model import Assessment, EvidenceBundle
    from scanner.pipeline import ScanPlan
    from scanner.plugins import Plugins
    from scanner.verdict_views import AssessmentView

EXIT_OK, EXIT_USER_ERROR, EXIT_SCAN_FAILED = 0, 2, 4
EXIT_TERMINATED = 128 + signal.SIGTERM  # what a shell reports for a process ended by SIGTERM

log = logging.getLogger("pecm")


class CliState:
    def __init__(self, verbose: int) -> None:
        self.verbose = verbose
        self.secrets = SecretStore(os.environ)
        self._plugins: Plugins | None = None

    @property
    def plugins(self) -> Plugins:
        if self._plugins is None:
            from scanner.plugins import discover

            self._plugins = discover()
        return self._plugins


def configure_logging(verbose: int, secrets: SecretStore) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name("pecm")
    handler.addFilter(RedactingFilter(secrets))
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    # Replace only our own handler: an embedding program (or pytest) keeps its own.
    root.handlers[:] = [h for h in root.handlers if h.get_name() != "pecm"] + [handler]
    root.setLevel({0: logging.ERROR, 1: logging.INFO}.get(verbose, logging.DEBUG))


def fail(exit_code: int, message: str) -> NoReturn:
    click.echo(f"pecm: error: {message}", err=True)
    sys.exit(exit_code)


@contextmanager
def one_line_errors(state: CliState) -> Iterator[None]:
    """Turn pecm's errors into one line and an exit code; tracebacks only with -vv. SIGTERM
    meanwhile stops the command the same way (`_sigterm_raises`)."""
    try:
        with _sigterm_raises():
            yield
        sys.stdout.flush()  # a full device shows here for output still in the buffer
    except UserError as exc:
        fail(EXIT_USER_ERROR, state.secrets.redact(exc.one_line()))
    except ScanFailed as exc:
        fail(EXIT_SCAN_FAILED, state.secrets.redact(exc.one_line()))
    except PecmError as exc:
        fail(EXIT_SCAN_FAILED, state.secrets.redact(exc.one_line()))
    except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
        raise
    except Terminated:
        fail(EXIT_TERMINATED, "stopped by SIGTERM (no output was left half-written)")
    except BrokenPipeError:  # `pecm … | head`: the reader left; nothing more to say to anyone
        discard_stdout()
        sys.exit(EXIT_OK)
    except OSError as exc:
        if not is_stdout_failure(exc):
            _internal_error(state, exc)
        discard_stdout()
        fail(EXIT_USER_ERROR, stdout_failure_message(exc))
    except Exception as exc:
        _internal_error(state, exc)


def _internal_error(state: CliState, exc: Exception) -> NoReturn:
    log.debug("internal error", exc_info=True)
    fail(EXIT_SCAN_FAILED, state.secrets.redact(f"internal error: {type(exc).__name__}: {exc} (run with -vv for the traceback)"))


@contextmanager
def _sigterm_raises() -> Iterator[None]:
    """Meanwhile SIGTERM raises `Terminated` in the main thread, so a scan unwinds as on Ctrl-C:
    workers stopped, temporary files removed, then one line and exit 143. A second SIGTERM
    while stopping ends the process at once."""
    if threading.current_thread() is not threading.main_thread():  # only the main thread takes signals
        yield
        return

    def stop(signum: int, frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        raise Terminated()

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def scan_config(config_path: Path | None, paths: tuple[Path, ...]) -> LoadedConfig:
    import platformdirs

    from scanner.config import LoadedConfig, load_config, parse_config

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
        if not path.is_dir():
            raise UserError(f"{path}: not a folder", hint="give a repository folder or a folder of repositories")
    sources = dict(loaded.config.sources)
    local = dict(sources.get("local", {}))
    local["paths"] = [str(path.resolve()) for path in paths]  # command-line paths replace configured ones
    sources["local"] = local
    return LoadedConfig(loaded.config.model_copy(update={"sources": sources}), loaded.base_dir, loaded.label)


def renderer_for(state: CliState, name: str) -> Any:
    with collector_paused():  # plugins and the renderer's modules live until the command ends
        renderers = state.plugins.renderers
        if name not in renderers:
            raise UserError(f"--format {name}: no such format (available: {', '.join(sorted(renderers)) or 'none'})")
        return renderers[name]()


@contextmanager
def destination(output: Path | None) -> Iterator[TextIO]:
    if output is None:
        yield sys.stdout
        sys.stdout.flush()  # all of it out (or its failure known) before the command goes on
        return
    buffer = io.StringIO()
    yield buffer
    write_file(output, buffer.getvalue())


def write_file(path: Path, text: str) -> None:
    """Every file a command writes (reports, bundles, JUnit, answers): replaced whole, or left
    as it was with one line saying why."""
    try:
        write_atomically(path, text)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror or exc}") from None


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def assess(bundle: EvidenceBundle, ruleset: RuleSet) -> Assessment:
    """The rules evaluated on the bundle, with what is alive kept out of the cycle collector."""
    from rules.evaluate import evaluate

    with frozen_heap():
        return evaluate(bundle, ruleset)


def read_bundle(path: Path) -> EvidenceBundle:
    from scanner.bundle_file import load_bundle

    with collector_paused():
        return load_bundle(path)


def interactive_renderer(state: CliState) -> InteractiveRenderer:
    from scanner.contract import InteractiveRenderer

    renderer = renderer_for(state, "console")
    if not isinstance(renderer, InteractiveRenderer):
        raise UserError("the installed console renderer cannot explain or show progress", hint="reinstall pecm")
    return renderer


def read_assessment(path: Path, flag: str) -> Assessment:
    """A saved assessment JSON named by `flag` (--assessment, --baseline): one line on any fault."""
    return _assessment_model(read_user_bytes(path, f"{flag} {path}", limit=MAX_JSON_BYTES), path, flag)


def read_gate_view(path: Path, flag: str) -> AssessmentView:
    """What the gate reads of a saved assessment: light objects when the file is as pecm writes
    it (no pydantic: scanner/light_assessment.py), else the full model, or its one-line error."""
    from scanner.light_assessment import light_assessment

    data = read_user_bytes(path, f"{flag} {path}", limit=MAX_JSON_BYTES)
    with collector_paused():
        light = light_assessment(data)
    return light if light is not None else _assessment_model(data, path, flag)


def _assessment_model(data: bytes, path: Path, flag: str) -> Assessment:
    from reports.json_report import load_assessment

    try:
        with collector_paused():
            return load_assessment(data)
    except UserError as exc:
        raise UserError(f"{flag} {path}: {exc.message}", hint=exc.hint) from None


def load_ruleset(loaded: LoadedConfig, plugins: Plugins) -> RuleSet:
    """The rule set a command evaluates with: the packs the config names (or the default pack),
    its parameters, disabled rules, declarations and the self-assessment it agrees with."""
    from rules.loader import build_ruleset, load_pack

    rules = loaded.config.rules
    paths = ([plugins.rule_packs["default"]] if rules.default_pack and "default" in plugins.rule_packs else []) + list(
        rules.packs
    )
    if not paths:
        raise UserError("no rule pack to evaluate", hint="set rules.default_pack: true or list rules.packs")
    packs = [load_pack(path, plugins.kinds, loaded.config.cache_dir) for path in paths]
    reported = loaded.config.self_assessment
    agreed = None
    if reported is not None:  # its models and readers cost a scan without one nothing
        from scanner.self_assessment import load_self_assessment

        agreed = load_self_assessment(reported).agreed_stages()
    return build_ruleset(
        packs,
        params=rules.params,
        disabled=rules.disable,
        self_reported=agreed,
        declarations=loaded.config.declared,
    )


def run_scan(
    state: CliState,
    config_path: Path | None,
    paths: tuple[Path, ...],
    show_progress: bool,
    shard: Shard | None = None,
    store_url: str | None = None,
) -> tuple[EvidenceBundle, ScanPlan, RuleSet]:
    """Plan, load the rule set, then collect: a bad config or pack stops before any collection.
    Then add what the history store (`store_url`, else the config's) says of the earlier scans
    of this scope (history.dora_series)."""
    with ExitStack() as collecting:
        # The modules, config, plugins and rule set live until the command ends: no cycle
        # collection traverses them while they are made, and the heap is frozen before the
        # collector resumes (their few thousand objects of cyclic garbage are collected once
        # the heap is unfrozen).
        with collector_paused():
            from scanner.commands.history_evidence import with_dora_history
            from scanner.pipeline import collect, plan_scan
            from scanner.scope import scan_scope

            loaded = scan_config(config_path, paths)
            plugins = state.plugins
            plan = plan_scan(loaded, plugins)
            ruleset = load_ruleset(loaded, plugins)
            collecting.enter_context(frozen_heap())
        # Progress goes to stderr, and only at -v 0 on a terminal: log lines would tangle with the
        # live display. Without it the console renderer (rich) is not even imported.
        enabled = show_progress and state.verbose == 0 and _is_terminal(sys.stderr)
        display = interactive_renderer(state).progress(sys.stderr) if enabled else _NoProgress()
        with display as progress:
            bundle = collect(plan, plugins, secrets=state.secrets, clock=utc_now, progress=progress.advance, shard=shard)
    store = store_url or loaded.config.history.store
    return with_dora_history(bundle, store, scan_scope(plan, shard), utc_now()), plan, ruleset


class _NoProgress:
    def __enter__(self) -> _NoProgress:
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass

    def advance(self, collector: str, subject_id: str) -> None:
        pass


def _is_terminal(out: TextIO) -> bool:
    # reports.terminal.is_tty, without importing rich for a scan that shows no progress
    try:
        return out.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed file
        return False


format_option = click.option("--format", "fmt", default="console", show_default=True, help="Report format (see `pecm plugins`).")
output_option = click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write the report to FILE instead of standard output.")
config_option = click.option("--config", "-c", "config_path", type=click.Path(path_type=Path, dir_okay=False), help="Configuration file (see config.example.yaml).")
