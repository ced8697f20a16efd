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
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from github_org import generate  # noqa: E402

from rules.evaluate import evaluate  # noqa: E402
from scanner.config import parse_config  # noqa: E402
from scanner.pipeline import collect, plan_scan  # noqa: E402
from scanner.plugins import discover  # noqa: E402
from scanner.secrets import SecretStore  # noqa: E402
from tests.fakes.github.server import FakeGitHub  # noqa: E402

# The least a scan can ask per repository for the same evidence: its file tree (no API lists
# many repositories' trees at once) and, when detection needs any file, one archive or file.
# Organization listing, teams and batched GraphQL metadata are amortized over all repositories.
IDEAL_PER_REPOSITORY = 2


def scan(fake: FakeGitHub, cache_dir: Path, workers: int) -> tuple[float, int]:
    plugins = discover()
    config = {
        "sources": {"github": {"organizations": [fake.org.login], "base_url": fake.url, "token_env": "GITHUB_TOKEN"}},
        "limits": {"max_workers": workers},
        "cache_dir": str(cache_dir),
    }
    plan = plan_scan(parse_config(config, "benchmark", ROOT), plugins)
    start = time.perf_counter()
    bundle = collect(plan, plugins, secrets=SecretStore({"GITHUB_TOKEN": fake.token}),
                     clock=lambda: datetime.now(timezone.utc))
    evaluate(bundle, plan.ruleset)
    elapsed = time.perf_counter() - start
    return elapsed, sum(1 for s in bundle.subjects if s.kind == "repository")


def report(label: str, fake: FakeGitHub, elapsed: float, repositories: int, latency: float, workers: int) -> None:
    stats = fake.stats
    sent, charged = stats.requests, stats.charged + stats.graphql_cost
    ideal_time = sent * latency / workers
    print(f"{label}: {repositories} repositories in {elapsed:.1f} s")
    print(f"  requests sent:    {sent} ({sent / repositories:.2f} per repository)")
    print(f"  charged:          {charged} ({charged / repositories:.3f} per repository; REST {stats.charged}, "
          f"GraphQL points {stats.graphql_cost})")
    print(f"  by family (sent): {dict(sorted(stats.by_family.items()))}")
    print(f"  wall time vs sent x latency / concurrency = {ideal_time:.1f} s: ratio {elapsed / ideal_time:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repositories", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every response")
    parser.add_argument("--workers", type=int, default=8, help="collector concurrency (limits.max_workers)")
    args = parser.parse_args()

    org = generate(args.repositories)
    with tempfile.TemporaryDirectory(prefix="pecm-gh-bench-") as cache, FakeGitHub(lambda: org).running() as fake:
        fake.faults.delay(route="*", seconds=args.latency)
        full_s, repositories = scan(fake, Path(cache), args.workers)
        report("full scan", fake, full_s, repositories, args.latency, args.workers)
        full_charged = fake.stats.charged + fake.stats.graphql_cost
        print(f"  ideal charged: {IDEAL_PER_REPOSITORY} per repository; ratio "
              f"{full_charged / repositories / IDEAL_PER_REPOSITORY:.2f} (target <= 4 per repository)")
        fake.stats.clear()
        again_s, repositories = scan(fake, Path(cache), args.workers)
        report("unchanged re-scan", fake, again_s, repositories, args.latency, args.workers)
        print(f"  re-scan wall time is {again_s / full_s:.0%} of the full scan (target <= 25%, <= 0.05 charged per repository)")


if __name__ == "__main__":
    main()
