"""No collector reaches into another: what two sources share lives in a shared module
(collectors/base.py, collectors/githost/, collectors/detect/, ...), never in one of them."""

from __future__ import annotations

import ast
from pathlib import Path

import collectors

ROOT = Path(collectors.__file__).parent
SOURCES = ("local", "github", "gitlab", "azure", "kubernetes")


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_collector_imports_another_collector() -> None:
    crossings = []
    for source in SOURCES:
        others = tuple(f"collectors.{other}" for other in SOURCES if other != source)
        for path in sorted((ROOT / source).rglob("*.py")):
            for name in sorted(_imported(path)):
                if name.startswith(others) and name.split(".")[1] in SOURCES:
                    crossings.append(f"{path.relative_to(ROOT)} imports {name}")
    assert crossings == []


def test_the_shared_modules_import_no_collector() -> None:
    shared = [path for path in ROOT.rglob("*.py") if path.relative_to(ROOT).parts[0] not in SOURCES]
    assert shared, "the shared modules were not found"
    crossings = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted(shared)
        for name in sorted(_imported(path))
        if name.startswith("collectors.") and name.split(".")[1] in SOURCES
    ]
    assert crossings == []
