"""Benchmark: scan a fake GitLab group of 1,000 projects in 50 subgroups with 50 ms of latency on
every response, then scan it again with nothing changed (issue 17).

The token's role decides what GitLab shows it (`--role`, a Reporter by default, as the README
recommends): below Maintainer, GraphQL leaves out every project's branch rules and REST is asked.
Prints requests per project on the full scan (target <= 4) and on the unchanged re-scan (target
<= 0.1), requests by endpoint, wall time against requests x latency / concurrency (target <= 1.5x),
CPU time of the scanning process, and a full scan by a new process (`--cold` rounds: wall time
with the imports, and its peak resident memory). The fake runs in a process of its own, so that
it does not compete with the scanner for the GIL, and builds its archives before the scans (7.9 s
of CPU for the 1,000, which a real GitLab spends on its own machine, not the scanner's); the
load average is printed before and after, since the machine's other work moves wall times.

Run: .venv/bin/python benchmarks/gitlab_scan.py [--projects 1000] [--subgroups 50] [--latency 0.05] [--tier free] [--role reporter]
     .venv/bin/python benchmarks/gitlab_scan.py --quick   (20 projects, no latency: a smoke run)
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from gitlab_group import GROUP, NOW, TOKEN, generate  # noqa: E402

from rules.evaluate import evaluate  # noqa: E402
from scanner.commands.support import load_ruleset  # noqa: E402
from scanner.config import parse_config  # noqa: E402
from scanner.pipeline import collect, plan_scan  # noqa: E402
from scanner.plugins import discover  # noqa: E402
from scanner.secrets import SecretStore  # noqa: E402
from tests.fakes.gitlab.api import archive_of  # noqa: E402
from tests.fakes.gitlab.model import Tier  # noqa: E402
from tests.fakes.gitlab.server import FakeGitLab  # noqa: E402

FULL_TARGET = 4.0  # requests per project (issue 17)
RESCAN_TARGET = 0.1
WALL_TARGET = 1.5  # x requests x latency / concurrency
ROLES = ("reporter", "maintainer", "owner")


class RemoteFake:
    """The fake GitLab in a process of its own, answering after `latency` seconds."""

    def __init__(self, projects: int, subgroups: int, latency: float, tier: Tier = "free", role: str = "reporter") -> None:
        self._conn, child = multiprocessing.Pipe()
        self._process = multiprocessing.Process(
            target=_serve, args=(child, projects, subgroups, latency, tier, role), daemon=True
        )
        self._process.start()
        self.url = self._conn.recv()

    def by_route(self) -> dict[str, int]:
        """Requests per endpoint since the last `clear`."""
        self._conn.send("stats")
        answer: dict[str, int] = self._conn.recv()
        return answer

    def clear(self) -> None:
        self._conn.send("clear")
        self._conn.recv()

    def stop(self) -> None:
        self._conn.send("stop")
        self._process.join(timeout=10)


def _serve(conn: Connection, projects: int, subgroups: int, latency: float, tier: Tier, role: str) -> None:
    instance = generate(projects, subgroups)
    instance.tier = tier  # paid tiers add approval rules, approval settings and push rules per protected project
    if role == "maintainer":  # sees the branch rules over GraphQL
        instance.maintainer_tokens.add(TOKEN)
    elif role == "owner":  # besides, the group's and its subgroups' directory links and approval settings
        instance.owner_tokens.add(TOKEN)
    for project in instance.projects:  # built before the scans: a real GitLab builds them on its own CPU, not ours
        if project.default_branch is not None:
            archive_of(project, project.default_branch)
    fake = FakeGitLab(lambda: instance).start()
    try:
        if latency:
            fake.faults.delay("*", seconds=latency)
        conn.send(fake.url)
        while (command := conn.recv()) != "stop":
            if command == "clear":
                fake.exchanges.clear()
                conn.send(None)
            else:
                conn.send(dict(fake.exchanges.per_route()))
    finally:
        fake.stop()


def scan(url: str, cache_dir: Path, workers: int) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of this process, projects) of one scan, evaluation included."""
    plugins = discover()
    config = {
        "sources": {"gitlab": {"groups": [GROUP], "base_url": url, "token_env": "GITLAB_TOKEN"}},
        "limits": {"max_workers": workers},
        "cache_dir": str(cache_dir),
    }
    loaded = parse_config(config, "benchmark", ROOT)
    plan = plan_scan(loaded, plugins)
    ruleset = load_ruleset(loaded, plugins)
    start, cpu = time.perf_counter(), time.process_time()
    bundle = collect(plan, plugins, secrets=SecretStore({"GITLAB_TOKEN": TOKEN}), clock=lambda: NOW)
    evaluate(bundle, ruleset)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    failed = [problem.message for problem in bundle.problems if problem.severity == "error"]
    if failed:
        raise SystemExit(f"the scan failed: {failed[0]}")
    return elapsed, cpu, sum(1 for subject in bundle.subjects if subject.kind == "repository")


def report(label: str, routes: dict[str, int], elapsed: float, cpu: float, projects: int, latency: float, workers: int) -> float:
    """Print one scan's figures; its requests per project."""
    sent = sum(routes.values())
    per_project = sent / max(projects, 1)
    print(f"{label}: {projects} projects in {elapsed:.2f} s; CPU of the scanning process {cpu:.2f} s "
          f"({cpu / max(projects, 1) * 1000:.1f} ms per project)")
    print(f"  requests:    {sent} ({per_project:.3f} per project)")
    by_endpoint = ", ".join(f"{route} {count} ({count / max(projects, 1):.3f})" for route, count in Counter(routes).most_common())
    print(f"  by endpoint (per project): {by_endpoint or 'none'}")
    ideal = sent * latency / workers
    if ideal > 0:
        print(f"  wall time vs requests x latency / concurrency = {ideal:.2f} s: ratio {elapsed / ideal:.2f} "
              f"(target <= {WALL_TARGET})")
    return per_project


def cold_scan(url: str, workers: int) -> tuple[float, float]:
    """A full scan (empty cache) by a new process: (wall seconds including start-up, peak RSS in MiB)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--one-scan", url, "--workers", str(workers)]
    start = time.perf_counter()
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    elapsed = time.perf_counter() - start
    return elapsed, float(json.loads(output.splitlines()[-1])["peak_mib"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--subgroups", type=int, default=50, help="subgroups of the top-level group (one is the platform's)")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every response")
    parser.add_argument("--workers", type=int, default=4, help="collector concurrency (limits.max_workers; 4 is the default)")
    parser.add_argument("--cold", type=int, default=1, help="full scans by a new process (wall time, peak memory)")
    parser.add_argument("--tier", choices=("free", "premium", "ultimate"), default="free",
                        help="the fake's licence tier")
    parser.add_argument("--role", choices=ROLES, default="reporter",
                        help="the token's user's role in the group (default: a Reporter, as the README recommends)")
    parser.add_argument("--quick", action="store_true", help="20 projects in 2 subgroups, no latency: a smoke run")
    parser.add_argument("--one-scan", help=argparse.SUPPRESS)  # URL: one full scan, JSON out (the cold process)
    args = parser.parse_args()
    if args.quick:
        args.projects, args.subgroups, args.latency = 20, 2, 0.0

    if args.one_scan:
        with tempfile.TemporaryDirectory(prefix="pecm-gl-bench-") as cache:
            scan(args.one_scan, Path(cache), args.workers)
        peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        print(json.dumps({"peak_mib": peak_kib / 1024}))
        return

    print(f"fake GitLab: {args.projects} projects in {args.subgroups} subgroups, {args.latency * 1000:.0f} ms per answer, "
          f"{args.workers} workers, {args.tier} tier, {args.role} token; load average {os.getloadavg()[0]:.1f}")
    fake = RemoteFake(args.projects, args.subgroups, args.latency, args.tier, args.role)
    try:
        with tempfile.TemporaryDirectory(prefix="pecm-gl-bench-") as cache:
            full_s, cpu, projects = scan(fake.url, Path(cache), args.workers)
            full = report("full scan", fake.by_route(), full_s, cpu, projects, args.latency, args.workers)
            print(f"  requests per project {full:.3f} (target <= {FULL_TARGET}): ratio {full / FULL_TARGET:.2f}")
            fake.clear()
            again_s, cpu, projects = scan(fake.url, Path(cache), args.workers)
            again = report("unchanged re-scan", fake.by_route(), again_s, cpu, projects, args.latency, args.workers)
            print(f"  requests per project {again:.3f} (target <= {RESCAN_TARGET}): ratio {again / RESCAN_TARGET:.2f}; "
                  f"wall time {again_s / full_s:.0%} of the full scan")
        for round_ in range(args.cold):
            fake.clear()
            wall, peak = cold_scan(fake.url, args.workers)
            print(f"new process, full scan {round_ + 1}: {wall:.2f} s wall including start-up; "
                  f"peak resident memory {peak:.1f} MiB")
    finally:
        fake.stop()
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
