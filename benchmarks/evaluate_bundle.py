"""Benchmark: evaluate the default rule pack on a generated bundle of 10,000 repositories.
Target: <= 1 s for the evaluation; reports peak memory too.

Run: .venv/bin/python benchmarks/evaluate_bundle.py [--repositories 10000]
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import bundle as make_bundle  # noqa: E402

from rules.catalog import PACK_DIR  # noqa: E402
from rules.evaluate import evaluate  # noqa: E402
from rules.loader import build_ruleset, load_pack  # noqa: E402
from scanner.kinds import KINDS, KindRegistry  # noqa: E402
from scanner.model import EvidenceBundle  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repositories", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    ruleset = build_ruleset([load_pack(PACK_DIR, KindRegistry(KINDS))])
    bundle = make_bundle(args.repositories)
    text = bundle.model_dump_json()
    start = time.perf_counter()
    bundle = EvidenceBundle.model_validate_json(text)
    load_s = time.perf_counter() - start

    best = float("inf")
    for _ in range(args.runs):
        start = time.perf_counter()
        assessment = evaluate(bundle, ruleset)
        best = min(best, time.perf_counter() - start)

    tracemalloc.start()
    evaluate(bundle, ruleset)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    rules = sum(len(c.rules) for c in assessment.capabilities)
    print(f"bundle: {args.repositories} repositories, {len(bundle.evidence)} evidence records, {len(text) / 1e6:.1f} MB JSON")
    print(f"rules: {rules}, metrics: {len(assessment.metrics)}")
    print(f"load bundle JSON: {load_s:.3f} s (not part of the target)")
    print(f"evaluate (best of {args.runs}): {best:.3f} s (target <= 1 s)")
    print(f"peak memory allocated during evaluation: {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
