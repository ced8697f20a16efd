"""Benchmark: scan a fake GitHub organization of 1,000 repositories with 50 ms of latency on
every response, then scan it again with nothing changed.

Prints requests sent and charged (GraphQL by GitHub's point rules) per repository, wall time,
CPU time of the scanning process, and the ideal each is compared with. Targets (issues 3 and
14): <= 2.5 charged requests per repository on a full scan; <= 0.05 per repository on the
unchanged re-scan, in <= 25% of the full scan's wall time; full-scan wall time within 1.5x of
sent requests x latency / concurrency; with --reference, the scanning process's CPU per
repository <= 0.5x the reference build's.

--reference PATH: a checkout of another build (e.g. `git worktree add --detach ../ref 62da397`).
Full scans of the same fake by this build and by that one alternate, each in a new process
importing its build's code, for --rounds rounds; their median CPU per repository is compared.

Run: .venv/bin/python benchmarks/github_scan.py [--repositories 1000] [--latency 0.05] [--reference PATH]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
_BUILD = sys.argv[sys.argv.index("--build") + 1] if "--build" in sys.argv else str(ROOT)  # whose code scans
sys.path[:0] = [_BUILD, str(ROOT), str(ROOT / "benchmarks")]

from github_org import generate  # noqa: E402

from rules.evaluate import evaluate  # noqa: E402
from scanner.config import parse_config  # noqa: E402
from scanner.pipeline import collect, plan_scan  # noqa: E402
from scanner.plugins import discover  # noqa: E402
from scanner.secrets import SecretStore  # noqa: E402
from tests.fakes.github.server import FakeGitHub  # noqa: E402

try:
    from scanner.commands.support import load_ruleset  # noqa: E402
except ImportError:  # the reference build of --reference may predate it
    load_ruleset = None  # type: ignore[assignment]

# The least a scan can ask per repository for the same evidence: its file tree (no API lists
# many repositories' trees at once) and, when detection needs any file, one archive or file.
# Organization listing, teams and batched GraphQL metadata are amortized over all repositories.
IDEAL_PER_REPOSITORY = 2


class RemoteFake:
    """The fake GitHub in a process of its own: in the scanner's process it would compete with
    the collector for the GIL and make the scan look slower than it is."""

    def __init__(self, repositories: int, latency: float) -> None:
        self._conn, child = multiprocessing.Pipe()
        self._process = multiprocessing.Process(target=_serve, args=(child, repositories, latency), daemon=True)
        self._process.start()
        self.url, self.token, self.login = self._conn.recv()

    def stats(self) -> dict[str, Any]:
        self._conn.send("stats")
        return self._conn.recv()

    def clear(self) -> None:
        self._conn.send("clear")
        self._conn.recv()

    def next_hour(self) -> None:
        """A new rate-limit window: a full scan spends half of a token's hourly 5,000 requests."""
        self._conn.send("next_hour")
        self._conn.recv()

    def stop(self) -> None:
        self._conn.send("stop")
        self._process.join(timeout=10)


def _warm(fake: FakeGitHub) -> None:
    """Build every tree and tarball once before the clock starts: the fake memoizes them, so the
    timed scan measures the collector and the injected latency, not the fake's own CPU."""
    headers = {"Authorization": f"token {fake.token}"}
    for repo in fake.org.repos:
        for path in (f"/repos/{fake.org.login}/{repo.name}/git/trees/{repo.default_branch}?recursive=1",
                     f"/repos/{fake.org.login}/{repo.name}/tarball/{repo.default_branch}"):
            with urllib.request.urlopen(urllib.request.Request(fake.url + path, headers=headers)) as answer:
                answer.read()
    fake.stats.clear()


def _serve(conn: Connection, repositories: int, latency: float) -> None:
    org = generate(repositories)
    with FakeGitHub(lambda: org).running() as fake:
        _warm(fake)
        fake.faults.delay(route="*", seconds=latency)
        conn.send((fake.url, fake.token, fake.org.login))
        while (command := conn.recv()) != "stop":
            if command == "clear":
                fake.stats.clear()
                conn.send(None)
            elif command == "next_hour":
                fake.clock.advance(3600)
                conn.send(None)
            else:
                stats = fake.stats
                conn.send({"sent": stats.requests, "rest": stats.charged, "points": stats.graphql_cost,
                           "by_family": dict(sorted(stats.by_family.items()))})


def scan(url: str, token: str, login: str, cache_dir: Path, workers: int) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds of this process, repositories) of one scan."""
    plugins = discover()
    config = {
        "sources": {"github": {"organizations": [login], "base_url": url, "token_env": "GITHUB_TOKEN"}},
        "limits": {"max_workers": workers},
        "cache_dir": str(cache_dir),
    }
    loaded = parse_config(config, "benchmark", ROOT)
    plan = plan_scan(loaded, plugins)
    # A reference build from before the commands package (62da397) keeps the rule set in the plan.
    ruleset = load_ruleset(loaded, plugins) if load_ruleset is not None else plan.ruleset
    start, cpu = time.perf_counter(), time.process_time()
    bundle = collect(plan, plugins, secrets=SecretStore({"GITHUB_TOKEN": token}), clock=lambda: datetime.now(timezone.utc))
    evaluate(bundle, ruleset)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return elapsed, cpu, sum(1 for s in bundle.subjects if s.kind == "repository")


def scan_in_new_process(build: Path, fake: RemoteFake, workers: int) -> tuple[float, int]:
    """A full scan (empty cache) by `build`'s code in a process of its own: (CPU seconds, repositories)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--build", str(build), "--one-scan",
               json.dumps([fake.url, fake.token, fake.login]), "--workers", str(workers)]
    answer = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout.splitlines()[-1])
    return float(answer["cpu"]), int(answer["repositories"])


def compare_cpu(fake: RemoteFake, reference: Path, rounds: int, workers: int) -> None:
    """This build against `reference`, alternated so that both see the same machine load."""
    per_repository: dict[str, list[float]] = {"this build": [], "reference": []}
    for _round in range(rounds):
        for label, build in (("this build", ROOT), ("reference", reference)):
            fake.next_hour()
            cpu, repositories = scan_in_new_process(build, fake, workers)
            per_repository[label].append(cpu / repositories * 1000)
    ours, theirs = (statistics.median(per_repository[label]) for label in ("this build", "reference"))
    for label, values in per_repository.items():
        print(f"  {label}: CPU per repository {', '.join(f'{value:.1f}' for value in values)} ms")
    print(f"CPU of the scanning process per repository (median of {rounds} alternated full scans): "
          f"{ours:.1f} ms against {theirs:.1f} ms for {reference}: ratio {ours / theirs:.2f} (target <= 0.5)")


def report(
    label: str, stats: dict[str, Any], elapsed: float, cpu: float, repositories: int, latency: float, workers: int
) -> int:
    sent, charged = stats["sent"], stats["rest"] + stats["points"]
    ideal_time = sent * latency / workers
    print(f"{label}: {repositories} repositories in {elapsed:.1f} s; "
          f"CPU of the scanning process {cpu:.2f} s ({cpu / repositories * 1000:.1f} ms per repository)")
    print(f"  requests sent:    {sent} ({sent / repositories:.2f} per repository)")
    print(f"  charged:          {charged} ({charged / repositories:.3f} per repository; REST {stats['rest']}, "
          f"GraphQL points {stats['points']})")
    print(f"  by family (sent): {stats['by_family']}")
    print(f"  wall time vs sent x latency / concurrency = {ideal_time:.1f} s: ratio {elapsed / ideal_time:.2f}")
    return charged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repositories", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every response")
    parser.add_argument("--workers", type=int, default=4, help="collector concurrency (limits.max_workers; 4 is the default)")
    parser.add_argument("--reference", type=Path, help="a checkout of the build to compare CPU time with")
    parser.add_argument("--rounds", type=int, default=3, help="alternated full scans per build with --reference")
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)  # read before the imports above
    parser.add_argument("--one-scan", help=argparse.SUPPRESS)  # [url, token, login]: one full scan, JSON out
    args = parser.parse_args()

    if args.one_scan:
        url, token, login = json.loads(args.one_scan)
        with tempfile.TemporaryDirectory(prefix="pecm-gh-bench-") as cache:
            _, cpu, repositories = scan(url, token, login, Path(cache), args.workers)
        print(json.dumps({"cpu": cpu, "repositories": repositories}))
        return

    fake = RemoteFake(args.repositories, args.latency)
    try:
        with tempfile.TemporaryDirectory(prefix="pecm-gh-bench-") as cache:
            full_s, cpu, repositories = scan(fake.url, fake.token, fake.login, Path(cache), args.workers)
            charged = report("full scan", fake.stats(), full_s, cpu, repositories, args.latency, args.workers)
            print(f"  ideal charged: {IDEAL_PER_REPOSITORY} per repository; ratio "
                  f"{charged / repositories / IDEAL_PER_REPOSITORY:.2f} (target <= 2.5 charged per repository)")
            fake.clear()
            again_s, cpu, repositories = scan(fake.url, fake.token, fake.login, Path(cache), args.workers)
            report("unchanged re-scan", fake.stats(), again_s, cpu, repositories, args.latency, args.workers)
            print(f"  re-scan wall time is {again_s / full_s:.0%} of the full scan "
                  "(target <= 25%, <= 0.05 charged per repository)")
        if args.reference is not None:
            compare_cpu(fake, args.reference.resolve(), args.rounds, args.workers)
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
