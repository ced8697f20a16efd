"""What every pecm command pays before it starts: the CLI and plugin discovery load no library
the command may not use (PyGithub took a quarter of a second, SQLAlchemy 0.15 s)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "acme"

PROBE = """
import sys
import scanner.cli
from scanner.plugins import discover
plugins = discover()
assert "github" in plugins.collectors, sorted(plugins.collectors)
print(",".join(sorted(name for name in ("github", "requests", "jwt", "sqlalchemy") if name in sys.modules)))
"""


def test_starting_loads_no_git_host_client_and_no_database_library() -> None:
    loaded = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60)
    assert loaded.stdout.strip() == ""


GATE_PROBE = """
import sys
from scanner.cli import main
try:
    main(["gate", "--min", "all=initial", "--assessment", sys.argv[1]])
except SystemExit as stop:
    assert stop.code == 0, stop.code
heavy = ("pydantic", "yaml", "jinja2", "collectors", "reports", "rules.evaluate", "rules.loader", "scanner.model")
print(",".join(sorted(name for name in heavy if name in sys.modules)))
"""


def test_gating_a_saved_assessment_imports_neither_pydantic_nor_the_engine(tmp_path: Path) -> None:
    """`pecm gate --assessment` reads the file into light objects and walks the stages: pydantic's
    first model alone would cost it ~0.1 s of CPU, the rule loader and renderers more."""
    saved = tmp_path / "assessment.json"
    subprocess.run(
        [sys.executable, "-m", "scanner", "scan", str(EXAMPLE), "--format", "json", "-o", str(saved), "--no-progress"],
        capture_output=True, check=True, timeout=120,
    )
    loaded = subprocess.run([sys.executable, "-c", GATE_PROBE, str(saved)], capture_output=True, text=True, timeout=60)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.splitlines()[-1] == ""


COLLECTIONS_PROBE = """
import gc, sys
before_freeze = [0, 0, 0]  # cycle collections by generation, until the scan freezes the heap
frozen = []
gc.callbacks.append(lambda phase, info: phase == "start" and not frozen and before_freeze.__setitem__(
    info["generation"], before_freeze[info["generation"]] + 1))
freeze = gc.freeze
gc.freeze = lambda: (frozen.append(True), freeze())[1]
sys.argv = ["pecm", "scan", sys.argv[1], "--format", "json", "--no-progress", "-o", sys.argv[2]]
from scanner.start import main
try:
    main()
finally:
    print(before_freeze)
"""


def test_a_scan_starts_without_traversing_what_it_imports_and_loads(tmp_path: Path) -> None:
    """Imports, plugins, config and the rule set live until the command ends: collections while
    they were made (106 young, 10 middle and a full one before this) traversed them for nothing."""
    ran = subprocess.run(
        [sys.executable, "-c", COLLECTIONS_PROBE, str(EXAMPLE), str(tmp_path / "assessment.json")],
        capture_output=True, text=True, timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    young, middle, full = ast.literal_eval(ran.stdout.splitlines()[-1])
    assert (middle, full) == (0, 0)
    assert young <= 10  # the interpreter's own start, and one as each pause ends


def test_loading_a_config_does_not_import_the_gate() -> None:
    """Every scan loads a config; only `pecm gate` decides (its classes and views cost a scan)."""
    probe = "import sys; import scanner.config; print('scanner.gate' in sys.modules)"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    assert loaded.stdout.strip() == "False"


TEARDOWN_PROBE = """
import atexit, gc, sys
# Registered first, so it runs last of the exit functions: just before the interpreter's teardown.
atexit.register(lambda: print(gc.isenabled(), len(gc.get_objects()), gc.get_freeze_count() > 0))
sys.argv = ["pecm", "scan", sys.argv[1], "--format", "json", "--no-progress", "-o", sys.argv[2]]
from scanner.start import main
main()
"""


def test_a_command_leaves_what_it_made_to_the_teardown_without_full_collections(tmp_path: Path) -> None:
    """The teardown's full collections would traverse every module, class, validator and
    record only to find them still referenced: after the command, nothing is left to them."""
    ran = subprocess.run(
        [sys.executable, "-c", TEARDOWN_PROBE, str(EXAMPLE), str(tmp_path / "assessment.json")],
        capture_output=True, text=True, timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    enabled, tracked, frozen = ran.stdout.split()
    assert (enabled, frozen) == ("False", "True")
    assert int(tracked) < 100  # what the exit functions made; all else is frozen
    assert (tmp_path / "assessment.json").stat().st_size > 0
