"""`pecm rules list --coverage`: which rules (or not-inferable criteria) cover each cell of the
capability × stage matrix, so a gap in a rule pack shows before any scan."""

from __future__ import annotations

from typing import TextIO

from rich import box
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from reports.terminal import output_console
from rules.loader import RuleSet
from scanner.model import Capability, Stage

NOT_INFERABLE = "not inferable"
NOT_COVERED = "NOT COVERED"
FLOOR = "floor"  # `initial` needs no evidence


def coverage_cells(ruleset: RuleSet) -> dict[tuple[Capability, Stage], tuple[str, ...]]:
    """Per cell of the model: its stage rules' ids, then NOT_INFERABLE if a criterion there is; () if none.

    Caps prove no stage, so they cover no cell (`render_coverage` lists them at their cap).
    """
    cells: dict[tuple[Capability, Stage], list[str]] = {
        (entry.id, stage): [] for entry in ruleset.model.capabilities for stage in ruleset.model.stages
    }
    for rule in ruleset.rules:
        if rule.caps is None:
            cells[(rule.capability, rule.stage)].append(rule.id)
    for item in ruleset.not_inferable:
        if NOT_INFERABLE not in cells[(item.capability, item.stage)]:
            cells[(item.capability, item.stage)].append(NOT_INFERABLE)
    return {cell: tuple(entries) for cell, entries in cells.items()}


def render_coverage(ruleset: RuleSet, out: TextIO) -> None:
    console = output_console(out)
    cells = coverage_cells(ruleset)
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), pad_edge=False, show_edge=False)
    table.add_column("Capability", no_wrap=True, style="bold")
    for stage in ruleset.model.stages:
        table.add_column(stage.value, overflow="fold")
    for entry in ruleset.model.capabilities:
        table.add_row(
            entry.id.value, *(_summary(ruleset, entry.id, stage, cells[(entry.id, stage)]) for stage in ruleset.model.stages)
        )
    console.print(
        Text(
            "Rules per capability and stage (n/i: a criterion there is not inferable; core: one that keeps "
            "evidence alone from proving the stage; key: rules the stage cannot be proven without; cap: a rule "
            "holds the capability at this stage while it fails)",
            style="bold",
        )
    )
    console.print(table)
    uncovered = [cell for cell, entries in cells.items() if cell[1] is not Stage.INITIAL and not entries]
    console.print()
    if uncovered:
        names = ", ".join(f"{capability.value}/{stage.value}" for capability, stage in uncovered)
        console.print(Text(f"{len(uncovered)} cell(s) neither covered by a rule nor marked not inferable: {names}", style="red"))
    else:
        console.print(Text("Every cell above initial has a rule or is marked not inferable.", style="green"))
    for entry in ruleset.model.capabilities:
        console.print()
        console.print(Text(f"{entry.id.value} — {entry.title}", style="bold underline"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        for stage in ruleset.model.stages:
            caps = [f"cap: {rule.id}" for rule in ruleset.rules if rule.capability is entry.id and rule.caps is stage]
            if stage is Stage.INITIAL:  # the floor: shown only for the caps that hold a capability there
                if caps:
                    grid.add_row(stage.value, Text("\n".join(caps)))
                continue
            criteria = [
                f"{NOT_INFERABLE}{' (core)' if item.core else ''}: {item.criterion}"
                for item in ruleset.not_inferable
                if (item.capability, item.stage) == (entry.id, stage)
            ]
            keys = {rule.id for rule in ruleset.rules if rule.key}
            rules = [f"{name} (key)" if name in keys else name for name in cells[(entry.id, stage)] if name != NOT_INFERABLE]
            grid.add_row(stage.value, Text("\n".join((*rules, *criteria, *caps)) or NOT_COVERED))
        console.print(Padding(grid, (0, 0, 0, 2), expand=False))


def _summary(ruleset: RuleSet, capability: Capability, stage: Stage, entries: tuple[str, ...]) -> Text:
    caps = sum(1 for rule in ruleset.rules if rule.capability is capability and rule.caps is stage)
    capped = ["cap"] if caps else []
    if stage is Stage.INITIAL:
        return Text(" + ".join([FLOOR, *capped]), style="dim")
    keys = sum(1 for rule in ruleset.rules if rule.id in entries and rule.key)
    core = any(item.core for item in ruleset.not_inferable if (item.capability, item.stage) == (capability, stage))
    rules = sum(1 for entry in entries if entry != NOT_INFERABLE)
    parts = [f"{rules} rule{'s' if rules != 1 else ''}" + (f", {keys} key" if keys else "")] if rules else []
    parts += [("core" if core else "n/i")] if NOT_INFERABLE in entries else []
    parts += capped
    if not parts:
        return Text(NOT_COVERED, style="red")
    return Text(" + ".join(parts), style="" if rules else "yellow")
