"""Scale-out on the command line: `pecm scan --shard I/N` and `pecm merge BUNDLE…`.

Standalone click pieces; scanner/cli.py applies `shard_option` to `scan` and adds `merge` to
the `pecm` group.
"""

from __future__ import annotations

from pathlib import Path

import click

from scanner.commands.support import (
    CliState,
    assess,
    destination,
    load_ruleset,
    one_line_errors,
    read_bundle,
    renderer_for,
    scan_config,
    write_file,
)
from scanner.errors import UserError
from scanner.merge import ShardBundle, merge_bundles, recompute_cross_subject, retag_platform
from scanner.shard import Shard


def _parse_shard(ctx: click.Context, param: click.Parameter, value: str | None) -> Shard | None:
    if value is None:
        return None
    try:
        return Shard.parse(value)
    except UserError as exc:
        raise click.BadParameter(exc.one_line(), ctx, param) from None


shard_option = click.option(
    "--shard",
    metavar="I/N",
    callback=_parse_shard,
    help="Scan shard I of N (e.g. 2/4): a stable share of the repositories; combine the shards' "
    "--evidence-out bundles with `pecm merge`.",
)



@click.command("merge")
@click.argument("bundles", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--config", "-c", "config_path", type=click.Path(path_type=Path, dir_okay=False), help="Configuration file (its rules are evaluated).")
@click.option("--format", "fmt", default="console", show_default=True, help="Report format (see `pecm plugins`).")
@click.option("--output", "-o", type=click.Path(path_type=Path, dir_okay=False), help="Write the report to FILE instead of standard output.")
@click.option("--evidence-out", type=click.Path(path_type=Path, dir_okay=False), help="Also save the merged evidence bundle.")
@click.pass_context
def merge(
    ctx: click.Context, bundles: tuple[Path, ...], config_path: Path | None, fmt: str, output: Path | None, evidence_out: Path | None
) -> None:
    """Combine the evidence bundles of `pecm scan --shard` runs into one assessment."""
    state = ctx.find_object(CliState) or CliState(0)
    with one_line_errors(state):
        renderer = renderer_for(state, fmt)
        loaded = scan_config(config_path, ())
        ruleset = load_ruleset(loaded, state.plugins)
        merged = merge_bundles([ShardBundle(str(path), read_bundle(path)) for path in bundles])
        merged = recompute_cross_subject(merged, state.plugins.collectors)
        merged = retag_platform(merged, loaded.config.platform.teams)
        if evidence_out is not None:
            write_file(evidence_out, merged.model_dump_json(indent=2) + "\n")
        assessment = assess(merged, ruleset)
        with destination(output) as out:
            renderer.render(assessment, out)
