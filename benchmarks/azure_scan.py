"""Benchmark: the Azure collector against a fake tenant of 50 subscriptions x 2,000 resources,
answering each request after 50 ms (as Azure Resource Manager would, from a distance).

Prints, for each of the two paths issue 16 names, requests sent versus the ideal: the
per-subscription lists (the subscription listing, one list per evidence kind and subscription,
each policy definition once, and the deployments and deployment stacks of each resource group)
and Resource Graph (ceil(resources / 1000) pages of the provenance query, read by offset, one
page of resource groups per 1,000, one page of monitoring counts); wall time versus requests x latency /
workers (target <= 1.5x), beside the CPU time of the collector and of the fake (both on the same cores); the same scan as a new process (imports and TLS set-up included); peak
Python memory; and the machine's load average with every figure (figures taken under load are
noisy). Warm scans in this process and cold ones in a new process are alternated, `--rounds`
times each, and their medians printed.

Run: .venv/bin/python benchmarks/azure_scan.py [--subscriptions 50] [--resources 2000] [--latency-ms 50]
     [--subscription-scope-only]  (resource_group_scope off: the figures issue 16 was first measured with)
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timezone
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from collectors.azure.collector import AzureCollector  # noqa: E402
from collectors.azure.config import AzureConfig  # noqa: E402
from scanner.contract import Limits  # noqa: E402
from tests.collecting import CollectedScan, collect_with  # noqa: E402
from tests.fakes.azure import payloads as p  # noqa: E402
from tests.fakes.azure.samples import sample_definitions, sample_subscriptions  # noqa: E402
from tests.fakes.azure.server import CLIENT_ID, CLIENT_SECRET, TENANT_ID, FakeAzure, FakeSubscription  # noqa: E402

PAGE = 100  # items per ARM list page: every per-subscription list here fits in one
GRAPH_PAGE = 1000
PER_SUBSCRIPTION = 13  # lists per subscription: 5 first-slice kinds, 4 governance, deployments, stacks, template specs, autoscale


def tenant(subscriptions: int, resources: int) -> list[FakeSubscription]:
    """Subscriptions shaped like the sample's production one, each with `resources` resources (a third tagged)."""
    (template, _sandbox) = sample_subscriptions()
    estate = []
    for index in range(subscriptions):
        subscription_id = f"{index:08d}-0000-4000-8000-000000000000"
        fake = FakeSubscription(**{**vars(template), "subscription_id": subscription_id, "name": f"team-{index:02d}"})
        fake.resources = [
            p.resource(subscription_id, f"rg-{n % 20}", "Microsoft.Storage/storageAccounts", f"st{n:05d}",
                       {"managed-by": "terraform"} if n % 3 == 0 else None)
            for n in range(resources)
        ]
        estate.append(fake)
    return estate


def serve(args: argparse.Namespace, channel: Connection) -> None:
    """The fake tenant, in a process of its own: its JSON encoding must not share the GIL with the collector."""
    with tempfile.TemporaryDirectory() as folder:
        estate = tenant(args.subscriptions, args.resources)
        fake = FakeAzure(estate, Path(folder), definitions=sample_definitions(), page_size=PAGE, graph_page_size=GRAPH_PAGE)
        fake.latency = args.latency_ms / 1000
        with fake.running():
            channel.send((fake.url, str(fake.ca_bundle), sum(len(s.resource_groups()) for s in estate)))
            while (asked := channel.recv()) != "done":  # "count": requests served; "cpu": the fake's CPU time so far
                channel.send(len(fake.requests) if asked == "count" else time.process_time())


def ideal_requests(subscriptions: int, resources: int, groups: int) -> tuple[int, int]:
    """(per-subscription lists, Resource Graph pages) a scan of the tenant needs at the least; `groups`:
    the tenant's resource groups, 0 when their scope is not read."""
    definitions = 5  # the production sample's assignments name 5 definitions and initiative members
    lists = 1 + PER_SUBSCRIPTION * subscriptions + definitions + 2 * groups  # deployments and stacks of each group
    graph = math.ceil(subscriptions * resources / GRAPH_PAGE) + (math.ceil(groups / GRAPH_PAGE) if groups else 0) + 1
    return lists, graph


def load() -> str:
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def config(url: str, ca_bundle: str, groups: bool) -> AzureConfig:
    return AzureConfig(authentication="client_secret", tenant_id=TENANT_ID, client_id=CLIENT_ID, arm_url=url, authority=url,
                       resource_group_scope=groups,
                       ca_bundle=Path(ca_bundle))


def scan_once(url: str, ca_bundle: str, workers: int, groups: bool) -> CollectedScan:
    now = datetime.now(timezone.utc)
    return collect_with(AzureCollector(), config(url, ca_bundle, groups), clock=lambda: now,
                        secrets={"AZURE_CLIENT_SECRET": CLIENT_SECRET}, limits=Limits(max_workers=workers))


def cold(url: str, ca_bundle: str, workers: int, groups: bool) -> float:
    """Wall time of a new Python process that imports the collector and scans once."""
    start = time.perf_counter()
    subprocess.run([sys.executable, __file__, "--child", json.dumps([url, ca_bundle, workers, groups])], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscriptions", type=int, default=50)
    parser.add_argument("--resources", type=int, default=2_000, help="per subscription")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--workers", type=int, default=Limits().max_workers)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--subscription-scope-only", action="store_true", help="resource_group_scope off")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        scan_once(*json.loads(args.child))
        return

    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve, args=(args, theirs), daemon=True)
    server.start()
    theirs.close()  # a server that dies ends the wait below (EOFError) instead of hanging it
    url, ca_bundle, tenant_groups = ours.recv()
    groups = not args.subscription_scope_only
    before = load()
    scan_once(url, ca_bundle, args.workers, groups)  # warm-up: imports, TLS set-up, token
    warm: list[float] = []
    cpu: list[float] = []
    fake_cpu: list[float] = []
    cold_walls: list[float] = []
    scan: CollectedScan | None = None
    for _round in range(args.rounds):  # alternated, so that a slow spell of the machine weighs on both
        ours.send("cpu")
        served_cpu = ours.recv()
        start, used = time.perf_counter(), time.process_time()
        scan = scan_once(url, ca_bundle, args.workers, groups)
        warm.append(time.perf_counter() - start)
        cpu.append(time.process_time() - used)
        ours.send("cpu")
        fake_cpu.append(ours.recv() - served_cpu)  # the fake shares the 2 cores: its CPU weighs on the wall too
        cold_walls.append(cold(url, ca_bundle, args.workers, groups))
    tracemalloc.start()  # one more scan, for memory: tracing slows Python down several times
    scan_once(url, ca_bundle, args.workers, groups)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    ours.send("count")
    served = ours.recv()
    ours.send("done")
    server.join()

    assert scan is not None
    counts = scan.requests.snapshot()
    sent = sum(count.sent for count in counts.values())
    graph = counts["azure:resources"].sent if "azure:resources" in counts else 0
    ideal_lists, ideal_graph = ideal_requests(args.subscriptions, args.resources, tenant_groups if groups else 0)
    floor = sent * args.latency_ms / 1000 / args.workers
    wall = statistics.median(warm)
    print(f"tenant: {args.subscriptions} subscriptions x {args.resources} resources, {args.latency_ms:g} ms per answer, "
          f"{args.workers} workers, resource groups {'read' if groups else 'not read'} ({tenant_groups}); "
          f"{before} before, {load()} after")
    print(f"per-subscription lists: {sent - graph} sent, {ideal_lists} ideal ({(sent - graph) / ideal_lists:.2f}x), "
          f"{(sent - graph) / args.subscriptions:.1f} per subscription")
    print(f"Resource Graph: {graph} pages sent, {ideal_graph} ideal ({graph / ideal_graph:.2f}x)")
    print(f"requests per scan: {sent} sent, {ideal_lists + ideal_graph} ideal; the fake served {served} in "
          f"{2 * args.rounds + 2} scans (token requests included)")
    print(f"wall (median of {args.rounds}): {wall:.2f} s, range {min(warm):.2f}-{max(warm):.2f} s "
          f"(collector CPU {statistics.median(cpu):.2f} s, the fake's {statistics.median(fake_cpu):.2f} s); requests x latency / workers = {floor:.2f} s "
          f"({wall / floor:.2f}x, target <= 1.5x)")
    print(f"as a new process (median of {args.rounds}): {statistics.median(cold_walls):.2f} s, "
          f"range {min(cold_walls):.2f}-{max(cold_walls):.2f} s ({statistics.median(cold_walls) / floor:.2f}x)")
    print(f"peak Python memory of a scan: {peak / 2**20:.1f} MiB")
    first: dict[str, Any] = scan.data(f"azure:{0:08d}-0000-4000-8000-000000000000", "cloud.resource_provenance")
    print(f"cloud.resource_provenance of the first subscription: {first}")


if __name__ == "__main__":
    main()
