"""Benchmark: scan a fake GitHub organization of 1,000 repositories with 50 ms of latency on
every response, then scan it again with nothing changed.

Prints requests sent and charged (GraphQL by GitHub's point rules) per repository, wall time,
and the ideal each is compared with. Targets (issue 3): <= 4 charged requests per repository
on a full scan; <= 0.05 per repository on the unchanged re-scan, in <= 25% of the full scan's
wall time; full-scan wall time within 1.5x of sent requests x latency / concurrency.

Run: .venv/bin/python benchmarks/github_scan.py [--repositories 1000] [--latency 0.05]
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from github_org import generate  # noqa: E402

from rules.evaluate import evaluate  # noqa: E402
from scanner.commands.support import load_ruleset  # noqa: E402
from scanner.config import parse_config  # noqa: E402
from scanner.pipeline import collect, plan_scan  # noqa: E402
from scanner.plugins import discover  # noqa: E402
from scanner.secrets import SecretStore  # noqa: E402
from tests.fakes.github.server import FakeGitHub  # noqa: E402

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
            else:
                stats = fake.stats
                conn.send({"sent": stats.requests, "rest": stats.charged, "points": stats.graphql_cost,
                           "by_family": dict(sorted(stats.by_family.items()))})


def scan(fake: RemoteFake, cache_dir: Path, workers: int) -> tuple[float, int]:
    plugins = discover()
    config = {
        "sources": {"github": {"organizations": [fake.login], "base_url": fake.url, "token_env": "GITHUB_TOKEN"}},
        "limits": {"max_workers": workers},
        "cache_dir": str(cache_dir),
    }
    loaded = parse_config(config, "benchmark", ROOT)
    plan, ruleset = plan_scan(loaded, plugins), load_ruleset(loaded, plugins)
    start = time.perf_counter()
    bundle = collect(plan, plugins, secrets=SecretStore({"GITHUB_TOKEN": fake.token}),
                     clock=lambda: datetime.now(timezone.utc))
    evaluate(bundle, ruleset)
    elapsed = time.perf_counter() - start
    return elapsed, sum(1 for s in bundle.subjects if s.kind == "repository")


def report(label: str, stats: dict[str, Any], elapsed: float, repositories: int, latency: float, workers: int) -> int:
    sent, charged = stats["sent"], stats["rest"] + stats["points"]
    ideal_time = sent * latency / workers
    print(f"{label}: {repositories} repositories in {elapsed:.1f} s")
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
    args = parser.parse_args()

    fake = RemoteFake(args.repositories, args.latency)
    try:
        with tempfile.TemporaryDirectory(prefix="pecm-gh-bench-") as cache:
            full_s, repositories = scan(fake, Path(cache), args.workers)
            charged = report("full scan", fake.stats(), full_s, repositories, args.latency, args.workers)
            print(f"  ideal charged: {IDEAL_PER_REPOSITORY} per repository; ratio "
                  f"{charged / repositories / IDEAL_PER_REPOSITORY:.2f} (target <= 4 charged per repository)")
            fake.clear()
            again_s, repositories = scan(fake, Path(cache), args.workers)
            report("unchanged re-scan", fake.stats(), again_s, repositories, args.latency, args.workers)
            print(f"  re-scan wall time is {again_s / full_s:.0%} of the full scan "
                  "(target <= 25%, <= 0.05 charged per repository)")
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
