"""Benchmark (issue 14): scan a fake GitHub organization of 1,000 repositories with 50 ms of
latency on every response, then scan it again with nothing changed, and compare the scanning
process's CPU with a reference build's.

Every scan runs in a new process importing its build's code (a cold process, as `pecm scan`
is); the fake runs in a process of its own. Each round runs, alternated: this build's full scan,
its unchanged re-scan (same cache), and the reference build's full scan. Printed per round and as
medians over --rounds, with the machine's load average:
- charged requests per repository (GraphQL by GitHub's point rules): <= 2.5 on the full scan,
  <= 0.05 on the unchanged re-scan;
- wall time of the full scan against sent requests x latency / concurrency: <= 1.5x;
- the re-scan's wall time against the full scan's (issue 3's target: <= 25%);
- CPU of the scanning process per repository against the reference build's: <= 0.5x.
The reference (default 62da397, the build issue 14's "today" was measured on) is checked out
into a temporary `git worktree` unless --reference names a checkout. Both builds are
byte-compiled first, as an installed pecm is, and each scan runs with the heap frozen as `pecm scan`
runs it (the reference's collect and evaluate freeze it themselves).

Run: .venv/bin/python benchmarks/github_scan.py [--repositories 1000] [--latency 0.05] [--rounds 3] [--reference COMMIT|PATH]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import shutil
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
from startup import byte_compiled, reference_tree  # noqa: E402

from rules.evaluate import evaluate  # noqa: E402
from scanner.config import parse_config  # noqa: E402
from scanner.pipeline import collect, plan_scan  # noqa: E402
from scanner.plugins import discover  # noqa: E402
from scanner.secrets import SecretStore  # noqa: E402
from tests.fakes.github.server import FakeGitHub  # noqa: E402

try:
    from scanner.commands.heap import frozen_heap  # noqa: E402
    from scanner.commands.support import load_ruleset  # noqa: E402
except ImportError:  # the reference build of --reference may predate them: its collect freezes the heap itself
    frozen_heap = contextlib.nullcontext  # type: ignore[assignment]
    load_ruleset = None  # type: ignore[assignment]

# The least a scan can ask per repository for the same evidence: its file tree (no API lists
# many repositories' trees at once) and, when detection needs any file, one archive or file.
# Organization listing, teams and batched GraphQL metadata are amortized over all repositories.
IDEAL_PER_REPOSITORY = 2
REFERENCE = "62da397"  # the build issue 14's CPU per repository was measured on


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
    # As `pecm scan` runs them (run_scan, assess): what is alive kept out of the cycle collector.
    with frozen_heap():
        bundle = collect(plan, plugins, secrets=SecretStore({"GITHUB_TOKEN": token}), clock=lambda: datetime.now(timezone.utc))
    with frozen_heap():
        evaluate(bundle, ruleset)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return elapsed, cpu, sum(1 for s in bundle.subjects if s.kind == "repository")


def scan_in_new_process(build: Path, fake: RemoteFake, cache: Path, workers: int) -> dict[str, Any]:
    """One scan by `build`'s code in a process of its own, with `cache` as its cache folder:
    its wall and CPU seconds, repositories, the fake's counts and the load average around it."""
    fake.clear()
    command = [sys.executable, str(Path(__file__).resolve()), "--build", str(build), "--one-scan",
               json.dumps([fake.url, fake.token, fake.login, str(cache)]), "--workers", str(workers)]
    before = os.getloadavg()[0]
    answer: dict[str, Any] = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout.splitlines()[-1])
    answer.update(fake.stats(), load=(before + os.getloadavg()[0]) / 2)
    return answer


def one_round(fake: RemoteFake, reference: Path, folder: Path, workers: int, flip: bool) -> dict[str, dict[str, Any]]:
    """This build's full scan and re-scan, and the reference's full scan, alternating which build
    goes first from round to round (both see the same drift in the machine's load)."""
    fake.next_hour()  # a new rate-limit window: a full scan spends half of a token's hourly 5,000 requests
    runs: dict[str, dict[str, Any]] = {}
    builds = [("reference", reference), ("full", ROOT)] if flip else [("full", ROOT), ("reference", reference)]
    for label, build in builds:
        cache = folder / f"{label}-cache"
        runs[label] = scan_in_new_process(build, fake, cache, workers)
        if label == "full":
            runs["re-scan"] = scan_in_new_process(build, fake, cache, workers)
    for cache in folder.iterdir():
        shutil.rmtree(cache)
    return runs


def against_ideal(run: dict[str, Any], latency: float, workers: int) -> float | None:
    """Wall time against sent x latency / concurrency; None without latency (no ideal to compare with)."""
    ideal = run["sent"] * latency / workers
    return run["wall"] / ideal if ideal > 0 else None


def ratio(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def describe(label: str, run: dict[str, Any], latency: float, workers: int) -> None:
    repositories, sent, charged = run["repositories"], run["sent"], run["rest"] + run["points"]
    ideal, against = sent * latency / workers, against_ideal(run, latency, workers)
    print(f"  {label}: {repositories} repositories, wall {run['wall']:.1f} s ({ratio(against)}{'' if against is None else 'x'} sent x "
          f"latency / concurrency = {ideal:.1f} s), CPU {run['cpu'] / repositories * 1000:.1f} ms per repository, "
          f"{sent} sent, {charged / repositories:.3f} charged per repository (REST {run['rest']}, GraphQL points "
          f"{run['points']}), load {run['load']:.1f}")


def summary(rounds: list[dict[str, dict[str, Any]]], latency: float, workers: int) -> None:
    def median(label: str, figure: Any) -> float:
        return statistics.median(figure(found[label]) for found in rounds)

    full, again = rounds[0]["full"], rounds[0]["re-scan"]
    print(f"Medians of {len(rounds)} rounds (load average {median('full', lambda run: run['load']):.1f} during the full scans, "
          f"{os.cpu_count()} cores):")
    print(f"  by family (full scan, sent): {full['by_family']}")
    print(f"  by family (re-scan, sent):   {again['by_family']}")
    charged = median("full", lambda run: (run["rest"] + run["points"]) / run["repositories"])
    print(f"  charged per repository, full scan: {charged:.3f} (target <= 2.5; ideal {IDEAL_PER_REPOSITORY})")
    charged = median("re-scan", lambda run: (run["rest"] + run["points"]) / run["repositories"])
    print(f"  charged per repository, unchanged re-scan: {charged:.3f} (target <= 0.05)")
    walls = [wall for found in rounds if (wall := against_ideal(found["full"], latency, workers)) is not None]
    wall = statistics.median(walls) if walls else None
    print(f"  full-scan wall time / (sent x latency / concurrency): {ratio(wall)} (target <= 1.5)")
    share = statistics.median(found["re-scan"]["wall"] / found["full"]["wall"] for found in rounds)
    print(f"  re-scan wall time / full-scan wall time: {share:.0%} (target <= 25%)")
    ours, theirs = (median(label, lambda run: run["cpu"] / run["repositories"]) * 1000 for label in ("full", "reference"))
    print(f"  CPU of the scanning process per repository (new processes): {ours:.1f} ms against {theirs:.1f} ms for the "
          f"reference: ratio {ours / theirs:.2f} (target <= 0.5)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repositories", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every response")
    parser.add_argument("--workers", type=int, default=4, help="collector concurrency (limits.max_workers; 4 is the default)")
    parser.add_argument("--reference", default=REFERENCE,
                        help=f"the build to compare CPU time with: a commit (default {REFERENCE}) or a checkout's path")
    parser.add_argument("--rounds", type=int, default=3, help="alternated rounds")
    parser.add_argument("--build", type=Path, help=argparse.SUPPRESS)  # read before the imports above
    parser.add_argument("--one-scan", help=argparse.SUPPRESS)  # [url, token, login, cache]: one scan, JSON out
    args = parser.parse_args()

    if args.one_scan:
        url, token, login, cache = json.loads(args.one_scan)
        wall, cpu, repositories = scan(url, token, login, Path(cache), args.workers)
        print(json.dumps({"wall": wall, "cpu": cpu, "repositories": repositories}))
        return

    with tempfile.TemporaryDirectory(prefix="pecm-gh-bench-") as scratch:
        folder = Path(scratch)
        given = Path(args.reference)
        reference = given.resolve() if given.is_dir() else reference_tree(args.reference, folder)
        caches = folder / "caches"
        caches.mkdir()
        for tree in (ROOT, reference):  # as installed: the lazily imported collector is not compiled inside the timed scan
            byte_compiled(tree)
        fake = RemoteFake(args.repositories, args.latency)
        try:
            print(f"{args.repositories} repositories, {args.latency * 1000:.0f} ms per response, {args.workers} workers, "
                  f"reference build {args.reference}; Python {sys.version.split()[0]}")
            rounds = []
            for number in range(args.rounds):
                found = one_round(fake, reference, caches, args.workers, flip=number % 2 == 1)
                print(f"round {number + 1}:")
                for label in ("full", "re-scan", "reference"):
                    describe(label, found[label], args.latency, args.workers)
                rounds.append(found)
            summary(rounds, args.latency, args.workers)
        finally:
            fake.stop()
            if reference != given.resolve():
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(reference)], check=True)


if __name__ == "__main__":
    main()
