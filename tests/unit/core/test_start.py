"""Start-up: pecm's generic package names are checked before use, and `--version` imports nothing of pecm."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scanner.start import SIBLINGS, shadowing_problem
from scanner.version import VERSION

ROOT = Path(__file__).resolve().parents[3]


def _pecm(*args: str, cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60
    )


def _package(folder: Path, name: str) -> Path:
    package = folder / name
    package.mkdir()
    (package / "__init__.py").write_text("raise SystemExit('a stranger package was imported')\n", encoding="utf-8")
    return package


@pytest.mark.parametrize("name", ["scanner", *SIBLINGS])
def test_the_top_level_init_files_hold_only_a_docstring(name: str) -> None:
    module = ast.parse((ROOT / name / "__init__.py").read_text(encoding="utf-8"))
    assert len(module.body) == 1 and isinstance(module.body[0], ast.Expr), f"{name}/__init__.py must stay free of code"
    assert isinstance(module.body[0].value, ast.Constant) and isinstance(module.body[0].value.value, str)


def test_an_installation_that_is_whole_starts() -> None:
    assert shadowing_problem() is None


def test_a_package_in_the_working_folder_that_shadows_one_of_pecm_is_one_line_and_exit_2(tmp_path: Path) -> None:
    shadow = _package(tmp_path, "reports")
    result = _pecm("--help", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith(f"pecm: error: {shadow} shadows pecm's package 'reports'") and "pipx or uv tool" in line
    assert result.stdout == ""


def test_a_package_of_the_same_name_earlier_on_the_path_is_named(tmp_path: Path) -> None:
    elsewhere = tmp_path / "site"
    elsewhere.mkdir()
    shadow = _package(elsewhere, "rules")
    result = _pecm("rules", "list", cwd=tmp_path, pythonpath=elsewhere)
    assert result.returncode == 2 and result.stderr.startswith(f"pecm: error: {shadow} shadows pecm's package 'rules'")


def test_version_is_answered_without_importing_the_application(tmp_path: Path) -> None:
    probe = (
        "import sys; sys.argv = ['pecm', '--version']\n"
        "from scanner.start import main\n"
        "main()\n"
        "loaded = [m for m in sys.modules if m.partition('.')[0] in ('rules', 'reports', 'collectors', 'click', 'pydantic')]\n"
        "print(sorted(loaded + [m for m in sys.modules if m == 'scanner.cli']))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.stdout.splitlines() == [f"pecm, version {VERSION}", "[]"], result.stderr


def test_gating_a_saved_assessment_imports_no_pipeline_rule_loader_renderer_or_collector(tmp_path: Path) -> None:
    saved = tmp_path / "assessment.json"
    scanned = _pecm("scan", str(ROOT / "examples" / "acme"), "--format", "json", "-o", str(saved), "--no-progress", cwd=tmp_path)
    assert scanned.returncode == 0, scanned.stderr
    probe = (
        "import atexit, sys\n"
        "unwanted = ('scanner.pipeline', 'scanner.plugins', 'scanner.config', 'rules.loader', 'reports.console', 'yaml', 'jinja2')\n"
        "atexit.register(lambda: print('loaded:', sorted(m for m in sys.modules if m in unwanted or m.startswith('collectors'))))\n"
        f"sys.argv = ['pecm', 'gate', '--assessment', {str(saved)!r}, '--min', 'all=initial']\n"
        "from scanner.start import main\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "loaded: []"


def test_a_local_json_scan_imports_no_github_collector_terminal_renderer_or_gap_analysis(tmp_path: Path) -> None:
    probe = (
        "import atexit, sys\n"
        "unwanted = ('collectors.github', 'github', 'reports.html', 'jinja2', 'sqlalchemy', 'rich', 'reports.console',"
        " 'reports.coverage', 'scanner.gaps', 'scanner.self_assessment', 'scanner.kinds.cloud', 'scanner.kinds.cluster',"
        " 'scanner.kinds.host_settings', 'scanner.kinds.delivery')\n"
        "atexit.register(lambda: print('loaded:', sorted(m for m in sys.modules if m in unwanted)))\n"
        f"sys.argv = ['pecm', 'scan', {str(ROOT / 'examples' / 'acme')!r}, '--format', 'json', '--no-progress']\n"
        "from scanner.start import main\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "loaded: []"
