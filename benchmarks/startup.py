"""Benchmark: what pecm costs before it does any work.

- `pecm --version` against `python -c 'import click'` (target <= 1.5x);
- `pecm gate --assessment` (each build gating its own saved scan of examples/acme) against a
  reference build: another commit checked out with `git worktree` (target <= 0.5x);
- for context, a cold `pecm scan examples/acme --format json` against the same reference;
- a cold `pecm scan` of a generated tree of 500 repositories (benchmarks/generate.py, 200 files
  each: the tree benchmarks/scan_tree.py scans) against the same reference (target <= 0.8x).

Each pair is run in alternated rounds (A B, then B A, ...) as new processes; the medians of
wall time and of CPU time (user + system of the child) are compared. Both builds are
byte-compiled first, as an installed pecm is. On a shared machine the
CPU time is the steadier figure.

Run: .venv/bin/python benchmarks/startup.py [--reference COMMIT] [--rounds 15] [--scan-rounds 7]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import write_tree  # noqa: E402

REFERENCE = "6def0d9"  # main when the start-up work began
EXAMPLE = ROOT / "examples" / "acme"


@dataclass
class Command:
    label: str
    argv: list[str]
    cwd: Path  # `python -m scanner` imports pecm from here: the build under test
    cache: Path | None = None  # a user cache emptied before every run
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def run_once(self) -> None:
        env = environment()
        if self.cache is not None:
            shutil.rmtree(self.cache, ignore_errors=True)
            env["XDG_CACHE_HOME"] = str(self.cache)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(self.argv, cwd=self.cwd, check=True, stdout=subprocess.DEVNULL, env=env)
        self.wall.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)


_USER_CACHE: dict[str, str] = {}  # XDG_CACHE_HOME of the runs: the benchmark's own, never the user's


def environment() -> dict[str, str]:
    return {**{key: value for key, value in os.environ.items() if key != "PYTHONPATH"}, **_USER_CACHE}


def _pecm(*args: str) -> list[str]:
    return [sys.executable, "-m", "scanner", *args]


def _saved_scan(tree: Path, folder: Path) -> Path:
    out = folder / "assessment.json"
    subprocess.run(
        _pecm("scan", str(EXAMPLE), "--format", "json", "-o", str(out), "--no-progress"),
        cwd=tree,
        check=True,
        env=environment(),
    )
    return out


def _compare(new: Command, old: Command, rounds: int, target: str) -> None:
    for round_ in range(rounds):
        for command in (new, old) if round_ % 2 == 0 else (old, new):
            command.run_once()
    for what in ("wall", "cpu"):
        a, b = statistics.median(getattr(new, what)), statistics.median(getattr(old, what))
        print(f"  {what:<4} median: {new.label} {a:.3f} s, {old.label} {b:.3f} s -> ratio {a / b:.2f} ({target})")


def byte_compiled(tree: Path) -> None:
    """Byte-compile the tree's packages, as installing pecm does. Otherwise, with
    PYTHONDONTWRITEBYTECODE set, every round compiles every module from source (the larger
    build pays more), and a __pycache__ left in one tree but not the other skews the ratio."""
    packages = [name for name in ("scanner", "collectors", "rules", "reports") if (tree / name).is_dir()]
    env = {key: value for key, value in environment().items() if key != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", *packages], cwd=tree, check=True, env=env,
                   stdout=subprocess.DEVNULL)


def reference_tree(commit: str, folder: Path) -> Path:
    tree = folder / "reference"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(tree), commit], check=True)
    return tree


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference", default=REFERENCE, help=f"commit of the reference build (default {REFERENCE})")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--scan-rounds", type=int, default=7, help="rounds of the 500-repository scan")
    parser.add_argument("--repositories", type=int, default=500, help="repositories of the generated tree")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="pecm-startup-") as scratch:
        folder = Path(scratch)
        _USER_CACHE["XDG_CACHE_HOME"] = str(folder / "user-cache")
        reference = reference_tree(args.reference, folder)
        try:
            for tree in (ROOT, reference):
                byte_compiled(tree)
            print(f"load average {' '.join(f'{figure:.1f}' for figure in os.getloadavg())}")
            print(f"{args.rounds} alternated rounds; reference build {args.reference}; Python {sys.version.split()[0]}")
            print("pecm --version vs python -c 'import click':")
            version = Command("pecm --version", _pecm("--version"), ROOT)
            click = Command("import click", [sys.executable, "-c", "import click"], ROOT)
            _compare(version, click, args.rounds, "target <= 1.5")

            print("pecm gate --assessment, this build vs the reference:")
            (folder / "new").mkdir()
            (folder / "old").mkdir()
            gate = ("gate", "--min", "all=initial", "--assessment")
            new = Command("new", _pecm(*gate, str(_saved_scan(ROOT, folder / "new"))), ROOT)
            old = Command("reference", _pecm(*gate, str(_saved_scan(reference, folder / "old"))), reference)
            _compare(new, old, args.rounds, "target <= 0.5")

            print("pecm scan examples/acme --format json as a new process, this build vs the reference:")
            scan = ("scan", str(EXAMPLE), "--format", "json", "--no-progress")
            _compare(Command("new", _pecm(*scan), ROOT), Command("reference", _pecm(*scan), reference), args.rounds, "context")

            tree = folder / "tree"
            files = write_tree(tree, args.repositories, 200)
            print(f"pecm scan of {args.repositories} repositories ({files} files) as a new process, this build vs the reference:")
            scan = ("scan", str(tree), "--format", "json", "--no-progress")
            _compare(Command("new", _pecm(*scan), ROOT), Command("reference", _pecm(*scan), reference), args.scan_rounds,
                     "target <= 0.8")
            print("the same, each run with an empty user cache (the rule pack compiled again):")
            empty = folder / "empty-cache"
            _compare(Command("new", _pecm(*scan), ROOT, empty), Command("reference", _pecm(*scan), reference, empty),
                     args.scan_rounds, "context")
            print(f"load average {' '.join(f'{figure:.1f}' for figure in os.getloadavg())}")
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(reference)], check=True)


if __name__ == "__main__":
    main()
