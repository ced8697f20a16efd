"""Scan history on the command line: `pecm scan --store [URL]`, `pecm history`, `pecm diff`.

Standalone click pieces; scanner/cli.py applies `store_option` to `scan`, calls `record_scan`
after evaluating, and adds `history` and `diff` to the `pecm` group.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, TextIO

import click
from pydantic_core import to_jsonable_python

from scanner.commands.store import DEFAULT_STORE, open_store
from scanner.commands.support import CliState, one_line_errors
from scanner.model import Assessment, Capability
from scanner.scope import ScanScope

if TYPE_CHECKING:
    from scanner.history import RoledRef, ScanDiff, ScanSummary

STORE_ENV: Final = "PECM_HISTORY_STORE"
TREND_SCANS: Final = 12  # sparkline points in the HTML report: a year of monthly scans


def _check_store(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    # A bare `--store` takes the next argument as its value, so `pecm scan --store ./repos` would
    # make a folder the store: only URLs (or "default") are accepted.
    if value is None or value == DEFAULT_STORE or "://" in value:
        return value
    raise click.BadParameter(
        f"{value!r} is not a database URL (e.g. sqlite:////var/lib/pecm/history.sqlite3 or "
        "postgresql+psycopg://user@host/pecm); a bare --store takes the next argument, so put it after the PATHs",
        ctx,
        param,
    )


store_option = click.option(
    "--store",
    "store_url",
    metavar="[URL]",
    is_flag=False,
    flag_value=DEFAULT_STORE,
    default=None,
    callback=_check_store,
    help="Record the scan in the history store: a SQLAlchemy URL, or no value for an SQLite file "
    "in the user's data directory (see `pecm history`).",
)

_read_store_option = click.option(
    "--store",
    "store_url",
    metavar="URL",
    envvar=STORE_ENV,
    default=None,
    callback=_check_store,
    help=f"History store (SQLAlchemy URL; default: the SQLite file in the user's data directory; env {STORE_ENV}).",
)
_history_format_option = click.option(
    "--format", "fmt", type=click.Choice(["console", "json"]), default="console", show_default=True, help="Output format."
)


def record_scan(assessment: Assessment, store_url: str | None, scope: ScanScope | None) -> int:
    """Record one assessment of `scope`; `store_url` None or "default" means the default SQLite file."""
    with open_store(store_url) as store:
        return store.record(assessment, scope)


def recorded_trend(
    store_url: str | None, scope: ScanScope | None, limit: int = TREND_SCANS
) -> list[tuple[datetime, dict[str, str]]]:
    """The stages of the last `limit` recorded scans of `scope`, oldest first: `HtmlRenderer(history=...)`."""
    with open_store(store_url) as store:
        return store.trend(limit, scope)


_CAPABILITIES = [capability.value for capability in Capability]


_NO_SCOPE = "-"  # the scope column of a scan recorded before history kept scopes


def _write_history(scans: list[ScanSummary], out: TextIO) -> None:
    if not scans:
        out.write("No scans recorded yet (record one with `pecm scan --store`).\n")
        return
    columns = "".join(f"{name:<14}" for name in _CAPABILITIES)
    out.write(f"{'scan':>6}  {'started (UTC)':<16}  {columns}scope\n")
    scopes: dict[str, str] = {}  # key -> description, in order of first appearance
    for scan in scans:
        stages = "".join(f"{scan.stages.get(name, '-'):<14}" for name in _CAPABILITIES)
        key = scan.scope.key if scan.scope is not None else _NO_SCOPE
        scopes.setdefault(key, scan.scope_line())
        out.write(f"{scan.id:>6}  {scan.started_at:%Y-%m-%d %H:%M}  {stages}{key}\n")
    out.write("\nScopes:\n")
    out.writelines(f"  {key}  {description}\n" for key, description in scopes.items())


def _scan_label(scan: ScanSummary) -> str:
    return f"scan {scan.id} ({scan.started_at:%Y-%m-%d %H:%M} UTC)"


def _ref_line(item: RoledRef) -> str:
    ref = item.ref
    where = f" {', '.join(ref.locators)}" if ref.locators else ""
    why = f" ({ref.reason})" if ref.reason else ""
    return f"{item.role} {ref.kind} [{ref.status.value}] {ref.subject}{where}{why}"


def _write_diff(diff: ScanDiff, out: TextIO) -> None:
    out.write(f"{_scan_label(diff.old)} -> {_scan_label(diff.new)}\n")
    if _scope_json(diff.old) == _scope_json(diff.new):
        out.write(f"Scope: {diff.new.scope_line()}\n")
    else:  # only with --across-scopes
        out.write(f"Scopes differ: {diff.old.scope_line()} -> {diff.new.scope_line()}\n")
    if diff.unchanged:
        out.write("No changes in stages, rule outcomes or evidence.\n")
        return
    if diff.stages:
        out.write("\nStages:\n")
        for stage in diff.stages:
            moved = f"{stage.old_stage or '-'} -> {stage.new_stage or '-'}" if stage.old_stage != stage.new_stage else str(stage.new_stage)
            ceiling = f" (ceiling {stage.old_ceiling or '-'} -> {stage.new_ceiling or '-'})" if stage.old_ceiling != stage.new_ceiling else ""
            out.write(f"  {stage.capability:<13} {moved}{ceiling}\n")
    if diff.outcomes:
        out.write("\nRule outcomes:\n")
        for outcome in diff.outcomes:
            out.write(f"  {outcome.rule_id}: {outcome.old_outcome or '-'} -> {outcome.new_outcome or '-'}\n")
            if outcome.new_explanation:
                out.write(f"      {outcome.new_explanation}\n")
    if diff.evidence:
        out.write("\nEvidence:\n")
        for change in diff.evidence:
            out.write(f"  {change.rule_id}\n")
            out.writelines(f"    + {_ref_line(item)}\n" for item in change.added)
            out.writelines(f"    - {_ref_line(item)}\n" for item in change.removed)


def _scan_json(scan: ScanSummary) -> dict[str, Any]:
    return {
        "id": scan.id,
        "started_at": scan.started_at.isoformat(),
        "finished_at": scan.finished_at.isoformat(),
        "pecm_version": scan.pecm_version,
        "sources": scan.sources,
        "stages": scan.stages,
        "scope": _scope_json(scan),
    }


def _scope_json(scan: ScanSummary) -> dict[str, Any] | None:
    return {"key": scan.scope.key, **scan.scope.as_json()} if scan.scope is not None else None


def _refs_json(items: tuple[RoledRef, ...]) -> list[dict[str, Any]]:
    return [{"role": item.role, **to_jsonable_python(item.ref)} for item in items]


def _diff_json(diff: ScanDiff) -> dict[str, Any]:
    return {
        "old": _scan_json(diff.old),
        "new": _scan_json(diff.new),
        "stages": [vars(change) for change in diff.stages],
        "outcomes": [vars(change) for change in diff.outcomes],
        "evidence": [
            {"rule_id": change.rule_id, "added": _refs_json(change.added), "removed": _refs_json(change.removed)}
            for change in diff.evidence
        ],
    }


@click.command("history")
@_read_store_option
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="Show at most N scans, newest first.")
@_history_format_option
@click.pass_context
def history(ctx: click.Context, store_url: str | None, limit: int, fmt: str) -> None:
    """Recorded scans, newest first, with the stage of each capability."""
    state = ctx.find_object(CliState) or CliState(0)
    with one_line_errors(state), open_store(store_url, create=False) as store:
        scans = store.scans(limit)
        out = sys.stdout
        if fmt == "json":
            out.write(json.dumps([_scan_json(scan) for scan in scans], indent=2) + "\n")
        else:
            _write_history(scans, out)


@click.command("diff")
@click.argument("old", required=False)
@click.argument("new", default="latest")
@_read_store_option
@click.option(
    "--across-scopes", is_flag=True, help="Compare scans of different scopes (folders, organizations, configuration, shard)."
)
@_history_format_option
@click.pass_context
def diff(ctx: click.Context, old: str | None, new: str, store_url: str | None, across_scopes: bool, fmt: str) -> None:
    """What changed from scan OLD to scan NEW (ids, 'latest' or 'latest~N'). Without arguments:
    the latest scan and the scan of the same scope before it."""
    state = ctx.find_object(CliState) or CliState(0)
    with one_line_errors(state), open_store(store_url, create=False) as store:
        changes = store.diff(old, new, across_scopes=across_scopes)
        out = sys.stdout
        if fmt == "json":
            out.write(json.dumps(_diff_json(changes), indent=2) + "\n")
        else:
            _write_diff(changes, out)
