"""Benchmark: `pecm scan` of a generated tree (500 repositories, ~100,000 files) against a plain
directory walk of the same tree, measured in the same run. Target: ratio <= 3.

Both are timed in this process, warm, in turn for --runs rounds (best and median reported);
the scan examines in one process per available CPU (itself and forked workers) and keeps what is alive out of the
cycle collector as `pecm scan` does (scanner/commands/heap.py). The machine may be shared, so
the CPU time of each (the scanning process and its reaped workers) is reported beside the wall
time: it moves far less with the load. Most of what a scan adds to the walk does not grow
with the files: each repository's records and its few files read (the same in both trees
below), and a fixed part (the rule pack, the workers' start, evaluating, rendering). So a
second tree of the same repositories with a quarter of the files is measured in the same
rounds, and the per-file ratio (the scan's extra time over the walk's extra time between the
two trees) and the rest (per repository and fixed) are printed beside the ratio. A new `pecm scan` process is timed too, for
what a user waits for.

Run: .venv/bin/python benchmarks/scan_tree.py [--repositories 500] [--files 200] [--runs 7]
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import write_tree  # noqa: E402

from collectors.local.examine import available_cpus  # noqa: E402
from scanner.commands.heap import frozen_heap  # noqa: E402
from scanner.commands.support import assess, load_ruleset  # noqa: E402
from scanner.config import parse_config  # noqa: E402
from scanner.model import EvidenceBundle  # noqa: E402
from scanner.pipeline import collect, plan_scan  # noqa: E402
from scanner.plugins import discover  # noqa: E402
from scanner.secrets import SecretStore  # noqa: E402

T = TypeVar("T")


def plain_walk(root: Path) -> int:
    """The ideal: list every file once (os.walk, no reads)."""
    return sum(len(files) for _dirs, _subdirs, files in os.walk(root))


def walk_with_sizes(root: Path) -> int:
    """For context: what `find -size` or `du` do, a walk that also stats every file."""
    return sum(os.lstat(os.path.join(folder, name)).st_size for folder, _subdirs, files in os.walk(root) for name in files)


def pecm_scan(root: Path) -> EvidenceBundle:
    plugins = discover()
    loaded = parse_config({"sources": {"local": {"paths": [str(root)]}}}, "bench", root)
    plan, ruleset = plan_scan(loaded, plugins), load_ruleset(loaded, plugins)
    with frozen_heap():  # as run_scan and assess do for `pecm scan`
        bundle = collect(plan, plugins, secrets=SecretStore({}), clock=lambda: datetime.now(timezone.utc))
    assessment = assess(bundle, ruleset)
    plugins.renderers["json"]().render(assessment, io.StringIO())
    return bundle


def cold_cli_scan(root: Path) -> int:
    """What a user waits for: `pecm scan ROOT` in a new interpreter; its exit code."""
    command = [sys.executable, "-m", "scanner", "scan", str(root), "--format", "json", "--output", os.devnull, "--no-progress"]
    return subprocess.run(command, check=True).returncode


class Timings:
    """Each measurement once per round, in turn, so that all of them see the same machine
    (a shared machine's speed drifts between seconds); best and median over the rounds."""

    def __init__(self) -> None:
        self.seconds: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}
        self.results: dict[str, object] = {}

    def measure(self, name: str, action: Callable[[], T]) -> None:
        self.results.pop(name, None)  # a real scan starts without the last one's objects (they slow its GC)
        cpu = _cpu_seconds()
        start = time.perf_counter()
        self.results[name] = action()
        self.seconds.setdefault(name, []).append(time.perf_counter() - start)
        while multiprocessing.active_children():  # the workers end on their own; reaped, their CPU time counts
            time.sleep(0.002)
        self.cpu.setdefault(name, []).append(_cpu_seconds() - cpu)

    def best(self, name: str) -> float:
        return min(self.seconds[name])

    def median(self, name: str) -> float:
        return statistics.median(self.seconds[name])

    def cpu_median(self, name: str) -> float:
        return statistics.median(self.cpu[name])


def _cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (the scan's workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repositories", type=int, default=500)
    parser.add_argument("--files", type=int, default=200, help="files per repository (the second tree: a quarter)")
    parser.add_argument("--runs", type=int, default=7, help="rounds")
    parser.add_argument(
        "--distinct", action="store_true", help="no text shared by two repositories (as in an organization that copies nothing)"
    )
    args = parser.parse_args()
    timings = Timings()
    with tempfile.TemporaryDirectory(prefix="pecm-bench-") as tmp:
        root, small = Path(tmp) / "tree", Path(tmp) / "small"
        files = write_tree(root, args.repositories, args.files, distinct=args.distinct)
        small_files = write_tree(small, args.repositories, args.files // 4, distinct=args.distinct)
        for _ in range(args.runs):
            timings.measure("walk", lambda: plain_walk(root))
            timings.measure("walk+stat", lambda: walk_with_sizes(root))
            timings.measure("scan", lambda: pecm_scan(root))
            timings.measure("small walk", lambda: plain_walk(small))
            timings.measure("small scan", lambda: pecm_scan(small))
        for _ in range(args.runs):
            timings.measure("cold", lambda: cold_cli_scan(root))
            timings.measure("python", lambda: subprocess.run([sys.executable, "-c", "pass"], check=True).returncode)
    bundle = timings.results["scan"]
    assert isinstance(bundle, EvidenceBundle)
    walk_s, scan_s = timings.best("walk"), timings.best("scan")
    files_read = sum(e.data.get("files_read", 0) for e in bundle.evidence if e.kind == "repo.inventory")
    print(f"tree: {args.repositories} repositories, {files} files{', no text shared' if args.distinct else ''} (walk saw {timings.results['walk']}); load {load()}")
    print(f"best of {args.runs} rounds, each running the walks and the scans in turn; medians in brackets")
    print(
        f"plain directory walk (ideal): {walk_s:.3f} s [{timings.median('walk'):.3f}]"
        f"  (with a stat per file: {timings.best('walk+stat'):.3f} s)"
    )
    print(
        f"pecm scan (collect + evaluate + render json): {scan_s:.3f} s [{timings.median('scan'):.3f}]"
        f" for {len(bundle.subjects)} repositories, {files_read} files read"
    )
    print(
        f"ratio: {scan_s / walk_s:.2f} (target <= 3) [{timings.median('scan') / timings.median('walk'):.2f}];"
        f" against the walk with stats: {scan_s / timings.best('walk+stat'):.2f}"
    )
    print(
        f"CPU time (medians; the scan's with its workers'): walk {timings.cpu_median('walk'):.3f} s,"
        f" scan {timings.cpu_median('scan'):.3f} s: ratio {timings.cpu_median('scan') / timings.cpu_median('walk'):.2f}"
        f" ({available_cpus()} CPUs: the scan may spread over them, the walk uses one)"
    )
    more_scan = timings.median("scan") - timings.median("small scan")
    more_walk = timings.median("walk") - timings.median("small walk")
    per_file = more_scan / more_walk
    print(
        f"same repositories with {small_files} files: walk {timings.median('small walk'):.3f} s, scan"
        f" {timings.median('small scan'):.3f} s (ratio {timings.median('small scan') / timings.median('small walk'):.2f});"
        f" per-file ratio over the {files - small_files} more files: {per_file:.2f} (medians);"
        f" per repository and fixed (the scan beyond per-file ratio x walk): {timings.median('scan') - per_file * timings.median('walk'):.3f} s"
    )
    print(
        f"for context, `pecm scan` as a new process (imports and interpreter start included): {timings.best('cold'):.3f} s"
        f" [{timings.median('cold'):.3f}] (the interpreter alone starts in {timings.best('python'):.3f} s);"
        f" processes examining: {available_cpus()}; load {load()}"
    )


def load() -> str:
    """The machine's load averages: figures taken on a busy machine say so."""
    return "average " + " ".join(f"{figure:.1f}" for figure in os.getloadavg())


if __name__ == "__main__":
    main()
