"""The core and the commands apart, and no import cycle anywhere (issue 11 item 5).

Layers: the core (`scanner/` but its commands) imports only itself; collectors and the rules
engine import the core; renderers import the core and the rules engine (they render what it
made, an assessment or, for `pecm rules list --coverage`, the loaded pack); only the commands
(`scanner/commands/`, with the entry modules that start them) import the rules engine and the
renderers. Collectors are reached through plugin discovery, never imported by name.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.unit.core.import_graph import Import, cycles, imports

ROOT = Path(__file__).resolve().parents[3]
ENTRY = {"scanner.cli", "scanner.start", "scanner.__main__"}

ALLOWED = {
    "core": {"core"},
    "collectors": {"core", "collectors"},
    "rules": {"core", "rules"},
    "reports": {"core", "rules", "reports"},
    "commands": {"core", "collectors", "rules", "reports", "commands"},
}


def layer(module: str) -> str:
    if module in ENTRY or module == "scanner.commands" or module.startswith("scanner.commands."):
        return "commands"
    top = module.partition(".")[0]
    return "core" if top == "scanner" else top


def test_no_import_cycle_among_the_projects_modules() -> None:
    edges = imports(ROOT)
    assert len({edge.importer for edge in edges}) > 100  # the walk saw the project
    found = cycles(edges)
    described = [
        " → ".join(sorted(f"{e.importer}:{e.line}→{e.imported}" for e in edges if {e.importer, e.imported} <= set(cycle)))
        for cycle in found
    ]
    assert found == [], "\n".join(described)


def test_only_the_commands_import_the_rules_engine_and_the_renderers() -> None:
    crossing = [
        f"{edge.importer}:{edge.line} imports {edge.imported}"
        for edge in imports(ROOT)
        if layer(edge.imported) not in ALLOWED[layer(edge.importer)]
    ]
    assert crossing == []
    importers = {edge.importer for edge in imports(ROOT) if layer(edge.imported) in ("rules", "reports")}
    assert "scanner.pipeline" not in importers  # the scan plan loads no rule set
    assert {"scanner.commands.scan", "scanner.commands.gate"} <= importers


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    for package in ("scanner", "collectors", "rules", "reports"):
        (root / package).mkdir(exist_ok=True)
        (root / package / "__init__.py").touch()
    return root


def test_a_cycle_through_a_deferred_import_is_found_and_a_type_only_one_is_not(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "collectors/x/__init__.py": "from collectors.x.collector import X\n",
            "collectors/x/collector.py": "KINDS = ()\nclass X:\n    def collect(self):\n        from collectors.x import scan\n",
            "collectors/x/scan.py": "from collectors.x.collector import KINDS\n",
            "rules/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from rules.b import B\n",
            "rules/b.py": "from rules import a\nclass B: ...\n",
        },
    )
    edges = imports(root)
    assert Import("collectors.x.collector", "collectors.x.scan", 4) in edges
    assert not any(edge.importer == "rules.a" for edge in edges)
    assert cycles(edges) == [["collectors.x.collector", "collectors.x.scan"]]


def test_importing_a_module_of_another_package_runs_that_packages_init(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "reports/render.py": "from rules.engine.judge import judge\n",
            "rules/engine/__init__.py": "from rules.engine.judge import judge\nfrom reports import render\n",
            "rules/engine/judge.py": "def judge(): ...\n",
        },
    )
    assert cycles(imports(root)) == [["reports.render", "rules.engine"]]
