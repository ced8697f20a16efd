"""Benchmark: the Kubernetes collector against a fake cluster of 200 namespaces, 5,000
workloads and 300 policies, answering each request after 20 ms (as a remote API server would).

Prints requests sent versus the ideal (discovery plus one paged list per resource type), wall
time versus requests x latency / concurrency (target <= 1.5x) and the collector's CPU time beside
it, for lists read one at a time and by the collector's pool, alternated for --rounds rounds
(medians), the first scan of a cold process (imports and TLS set-up included), the fake's CPU per
scan (the same machine's cores), and peak Python memory. Each scan runs with the heap frozen, as
`pecm scan` collects (scanner/commands/heap.py): what is alive before it is left out of the
cycle collector's passes.

Run: .venv/bin/python benchmarks/kubernetes_scan.py [--latency-ms 20] [--rounds 7]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timezone
from multiprocessing.connection import Connection
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from collectors.kubernetes.collector import KubernetesCollector  # noqa: E402
from collectors.kubernetes.config import KubernetesConfig  # noqa: E402
from collectors.kubernetes.resources import READ  # noqa: E402
from scanner.commands.heap import frozen_heap  # noqa: E402
from scanner.model import Subject  # noqa: E402
from tests.collecting import CollectedScan, check_contract, context_for  # noqa: E402
from tests.fakes.kubernetes import payloads as p  # noqa: E402
from tests.fakes.kubernetes.cluster import Account, ClusterState  # noqa: E402
from tests.fakes.kubernetes.server import FakeKubernetes  # noqa: E402

TOKEN = "benchmark-token"


def large_cluster(namespaces: int, workloads: int, policies: int) -> ClusterState:
    state = ClusterState()
    state.accounts[TOKEN] = Account("system:serviceaccount:pecm:pecm")
    state.install("kyverno.io")
    names = [f"team-{index:03}" for index in range(namespaces)]
    state.add("", "namespaces", *(p.namespace(name, "restricted" if index % 2 else None) for index, name in enumerate(names)))
    state.add("", "resourcequotas", *(p.resource_quota(name) for name in names[::2]))
    state.add("", "limitranges", *(p.limit_range(name) for name in names[::3]))
    state.add("networking.k8s.io", "networkpolicies", *(p.default_deny(name) for name in names))
    state.add("rbac.authorization.k8s.io", "clusterroles", p.cluster_role("cluster-admin", p.EVERYTHING))
    state.add("rbac.authorization.k8s.io", "rolebindings",
              *(p.role_binding(name, "team", "ClusterRole", "edit", [p.subject("Group", name)]) for name in names))
    state.add("apps", "deployments", *(p.workload("Deployment", names[i % namespaces], f"svc-{i:04}") for i in range(workloads)))
    state.add("autoscaling", "horizontalpodautoscalers",
              *(p.autoscaler(names[i % namespaces], "Deployment", f"svc-{i:04}") for i in range(0, workloads, 2)))
    state.install("argoproj.io")
    state.add("argoproj.io", "applications", *(p.argo_application(name, self_heal=True) for name in names))
    state.add("kyverno.io", "clusterpolicies", *(p.kyverno_policy(f"policy-{i:03}", action="Enforce") for i in range(policies)))
    return state


def serve(args: argparse.Namespace, channel: Connection) -> None:
    """The fake cluster, in a process of its own: its JSON encoding must not share the GIL
    with the collector, as a real API server would not."""
    state = large_cluster(args.namespaces, args.workloads, args.policies)
    state.latency = args.latency_ms / 1000
    state.unchanging = True
    fake = FakeKubernetes(lambda: state).start()
    page = KubernetesConfig.model_fields["page_size"].default
    served = [r for r in READ if not r.group or r.group in state.groups]
    pages = [max(1, -(-len(state.objects.get((r.group, r.plural), [])) // page)) for r in served]
    # Discovery (/api, /apis), the review of the role's rules, then every page of every list.
    channel.send((fake.url, fake.ca_data(), 3 + sum(pages), max(pages)))
    channel.recv()  # until the benchmark is done
    channel.send((len(fake.requests), time.process_time()))
    fake.stop()


def _kubeconfig(path: Path, url: str, ca_data: str) -> Path:
    path.write_text(yaml.safe_dump({
        "apiVersion": "v1", "kind": "Config", "current-context": "bench",
        "clusters": [{"name": "bench", "cluster": {"server": url, "certificate-authority-data": ca_data}}],
        "users": [{"name": "bench", "user": {"token": TOKEN}}],
        "contexts": [{"name": "bench", "context": {"cluster": "bench", "user": "bench"}}],
    }), encoding="utf-8")
    return path


def _scan(kubeconfig: Path, concurrency: int, check: bool = False) -> tuple[float, float, CollectedScan]:
    """The collector's wall and CPU time alone (CPU of this process: the collector's threads; the
    fake runs in its own): the test kit's contract checks (which compare every subject with every
    record) run after the clock stops, when `check`."""
    now = datetime.now(timezone.utc)
    config = KubernetesConfig(kubeconfig=kubeconfig, concurrent_requests=concurrency)
    collector = KubernetesCollector()
    scan = CollectedScan()
    ctx = context_for(collector, config, scan, clock=lambda: now)
    with frozen_heap():
        cpu, start = time.process_time(), time.perf_counter()
        for item in collector.collect(ctx):
            if isinstance(item, Subject):
                scan.subjects.append(item)
            else:
                scan.evidence.append(item)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    if check:
        check_contract(scan, collector.provides)
    return wall, cpu, scan


def _load() -> str:
    return "load " + "/".join(f"{value:.1f}" for value in os.getloadavg())


def _cold(kubeconfig: Path, concurrency: int) -> tuple[float, float]:
    """The first scan of a fresh process: the client's import and TLS set-up are part of it. Its
    wall time, and the CPU time of the whole process (start-up and imports included)."""
    code = ("import sys; sys.path.insert(0, sys.argv[1]); from pathlib import Path; "
            "from benchmarks.kubernetes_scan import _scan; print(_scan(Path(sys.argv[2]), int(sys.argv[3]))[0])")
    root = str(Path(__file__).resolve().parents[1])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    answer = subprocess.run([sys.executable, "-c", code, root, str(kubeconfig), str(concurrency)],
                            capture_output=True, text=True, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return float(answer.stdout.split()[-1]), cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--namespaces", type=int, default=200)
    parser.add_argument("--workloads", type=int, default=5_000)
    parser.add_argument("--policies", type=int, default=300)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    pool = KubernetesConfig.model_fields["concurrent_requests"].default
    latency = args.latency_ms / 1000

    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve, args=(args, theirs), daemon=True)
    server.start()
    theirs.close()  # a server that dies ends the wait below (EOFError) instead of hanging it
    url, ca_data, ideal, longest = ours.recv()
    walls: dict[int, list[float]] = {1: [], pool: []}
    cpus: dict[int, list[float]] = {1: [], pool: []}
    with tempfile.TemporaryDirectory() as folder:
        kubeconfig = _kubeconfig(Path(folder) / "kubeconfig", url, ca_data)
        cold = [_cold(kubeconfig, pool) for _ in range(3)]
        cold_load = _load()
        _scan(kubeconfig, pool, check=True)  # warm-up (imports, TLS set-up), and the collector contract held
        loads = [_load()]
        for _ in range(args.rounds):
            for concurrency in walls:  # alternated, so a busy moment of the machine hits both
                wall, cpu, scan = _scan(kubeconfig, concurrency)
                walls[concurrency].append(wall)
                cpus[concurrency].append(cpu)
        loads.append(_load())
        tracemalloc.start()  # one more scan, for memory: tracing slows Python down several times
        _scan(kubeconfig, pool)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    ours.send("done")
    served, fake_cpu = ours.recv()
    server.join()
    sent = scan.requests.snapshot()["kubernetes:bench"].sent
    print(f"machine (1/5/15-minute load averages, {os.cpu_count()} cores): {loads[0]} before the timed rounds, {loads[1]} after")
    print(f"requests per scan: {sent} sent, {ideal} ideal ({sent / ideal:.2f}x); the fake served {served} in all, "
          f"with {fake_cpu:.2f} s of CPU ({fake_cpu / (served / sent) * 1000:.0f} ms per scan)")
    for concurrency, times in walls.items():
        floor = sent * latency / concurrency
        wall = statistics.median(times)
        print(f"concurrency {concurrency}: wall median {wall:.3f} s of {len(times)} (min {min(times):.3f}, max {max(times):.3f}); "
              f"requests x latency / {concurrency} = {floor:.3f} s ({wall / floor:.2f}x, target <= 1.5x); "
              f"collector CPU median {statistics.median(cpus[concurrency]) * 1000:.0f} ms")
    # With a worker to spare beside discovery's three requests, the longest list's first page goes with them.
    chain = (longest + (pool <= 3)) * latency
    print(f"the longest list alone: its {longest} pages one after another = {chain:.3f} s "
          f"(concurrency {pool}: {statistics.median(walls[pool]) / chain:.2f}x); no pool can go below it")
    floor = sent * latency / pool
    print(f"cold process, first scan (client import and TLS included), concurrency {pool}: "
          f"{', '.join(f'{t:.3f}' for t, _ in cold)} s; median {statistics.median(t for t, _ in cold) / floor:.2f}x the floor; "
          f"CPU of the whole process {', '.join(f'{c:.2f}' for _, c in cold)} s ({cold_load})")
    print(f"peak Python memory of a scan: {peak / 2**20:.1f} MiB")
    print(f"workloads.coverage: {scan.data('kubernetes:bench', 'workloads.coverage')}")


if __name__ == "__main__":
    main()
