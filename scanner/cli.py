"""The `pecm` command line. It owns files, paths, exit codes and what is printed.

Exit codes: 0 done; 2 user error (bad path, config, pack or file, an output that cannot be
written, a history store that cannot record: one line, no traceback); 4 the scan itself failed
(every source failed, or an internal error); 143 stopped by SIGTERM.

The group knows its commands by name and module: a command's module (and the engine,
renderers and collectors it uses) is imported only when that command runs, or when --help
lists them, so `pecm gate --assessment` does not pay for the pipeline or the rule loader.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

import click

from scanner.commands.heap import collector_paused
from scanner.commands.support import CliState, configure_logging
from scanner.version import VERSION

COMMANDS: Mapping[str, str] = {
    "scan": "scanner.commands.scan:scan",
    "evaluate": "scanner.commands.scan:evaluate_command",
    "explain": "scanner.commands.scan:explain",
    "rules": "scanner.commands.scan:rules",
    "plugins": "scanner.commands.scan:plugins",
    "survey": "scanner.commands.assessment:survey",
    "gaps": "scanner.commands.assessment:gaps",
    "gate": "scanner.commands.gate:gate",
    "merge": "scanner.commands.scale:merge",
    "history": "scanner.commands.history:history",
    "diff": "scanner.commands.history:diff",
}


class LazyGroup(click.Group):
    """A group whose commands are imported by name when first needed."""

    def __init__(self, *args: Any, commands: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._where = commands

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(self._where)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        where = self._where.get(cmd_name)
        if where is None:
            return None
        module, _, name = where.partition(":")
        with collector_paused():  # a command's modules live until it ends: see scanner.start
            command = getattr(importlib.import_module(module), name)
        assert isinstance(command, click.Command), where
        return command


@click.group(cls=LazyGroup, commands=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(VERSION, prog_name="pecm")
@click.option("-v", "--verbose", count=True, help="More logging on standard error (-vv for debug).")
@click.pass_context
def main(ctx: click.Context, verbose: int) -> None:
    """pecm: where your platform engineering really stands, from evidence."""
    state = CliState(verbose)
    configure_logging(verbose, state.secrets)
    ctx.obj = state
