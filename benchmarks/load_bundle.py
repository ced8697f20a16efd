"""Benchmark: loading a saved evidence bundle and a saved assessment, this build against a
reference build (another commit checked out with `git worktree`; default: main when this work
began). Targets: loading time <= 0.5x the reference, peak memory per evidence record <= 0.35x.

The bundles are generated (benchmarks/generate.py) and saved as `pecm scan --evidence-out`
saves them; the assessment is the default pack's on the first bundle, each build evaluating
it with its own pack and writing its own (their formats differ). Each load runs in a new
process, the two builds alternated (A B, then B A, ...), through what the commands call
(`read_bundle`; `read_assessment` for `pecm gaps`, and for the gate `read_gate_view` where the
build has it), the modules they use imported beforehand (what importing costs is
benchmarks/startup.py's). Compared: medians of the CPU time of the load (steadier than wall
time on a shared machine) and of the peak memory it added (peak resident size during the load
minus the resident size before it, both from /proc/self/status) per evidence record.

Run: .venv/bin/python benchmarks/load_bundle.py [--reference COMMIT] [--repositories 10000 50000] [--rounds 5]
     [--assessment-only]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import bundle as make_bundle  # noqa: E402
from startup import ROOT, environment, reference_tree  # noqa: E402

REFERENCE = "62da397"  # main when the loading work began

# Run in the build's own folder, so that it imports that build. The reference keeps the
# command helpers in scanner/cli_support.py (asked by path: the editable install's finder
# would find this build's scanner.commands for it).
_SUPPORT = """
from pathlib import Path
if Path("scanner/commands/support.py").is_file():
    import scanner.commands.support as support
else:
    import scanner.cli_support as support
"""

_CHILD = _SUPPORT + """
import json, sys, time
import reports.json_report, scanner.config, scanner.model  # imported before: start-up is another benchmark
read_gate_view = getattr(support, "read_gate_view", support.read_assessment)  # the reference gate read the model
if read_gate_view is not support.read_assessment:
    import scanner.light_assessment
readers = {"bundle": support.read_bundle, "assessment": support.read_assessment, "gate": read_gate_view}

def memory(field):  # VmRSS now, VmHWM its peak: this process's own (ru_maxrss would count the forking parent's)
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith(field + ":"))

what, path = sys.argv[1], Path(sys.argv[2])
before = memory("VmRSS")
start = time.process_time()
loaded = readers[what](path, "--assessment") if what != "bundle" else readers[what](path)
cpu = time.process_time() - start
peak = memory("VmHWM")
records = len(loaded.evidence) if what == "bundle" else 1
print(json.dumps({"cpu": cpu, "added": max(peak - before, 0), "records": records}))
"""

# The build's default pack's assessment of a saved bundle, written where asked.
_ASSESS = _SUPPORT + """
import sys
from reports.json_report import assessment_json
from rules.catalog import PACK_DIR
from rules.evaluate import evaluate
from rules.loader import build_ruleset, load_pack
from scanner.kinds import KINDS, KindRegistry
ruleset = build_ruleset([load_pack(PACK_DIR, KindRegistry(KINDS))])
Path(sys.argv[2]).write_text(assessment_json(evaluate(support.read_bundle(Path(sys.argv[1])), ruleset)), encoding="utf-8")
"""


def assess(tree: Path, bundle: Path, out: Path) -> Path:
    subprocess.run([sys.executable, "-c", _ASSESS, str(bundle), str(out)], cwd=tree, check=True, env=environment())
    return out


def load(tree: Path, what: str, path: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-c", _CHILD, what, str(path)], cwd=tree, check=True, capture_output=True, text=True,
        env=environment(),
    )
    figures: dict[str, float] = json.loads(result.stdout)
    return figures


def compare(label: str, what: str, paths: dict[str, Path], reference: Path, rounds: int) -> None:
    """`paths`: the file each build loads ("new", "reference")."""
    runs: dict[str, list[dict[str, float]]] = {"new": [], "reference": []}
    trees = {"new": ROOT, "reference": reference}
    for round_ in range(rounds):
        for build in ("new", "reference") if round_ % 2 == 0 else ("reference", "new"):
            runs[build].append(load(trees[build], what, paths[build]))
    cpu = {build: statistics.median(run["cpu"] for run in found) for build, found in runs.items()}
    print(f"{label}: CPU median new {cpu['new'] * 1000:.1f} ms, reference {cpu['reference'] * 1000:.1f} ms "
          f"-> ratio {cpu['new'] / cpu['reference']:.2f} (target <= 0.5)")
    if what == "bundle":
        per = {build: statistics.median(run["added"] / run["records"] for run in found) for build, found in runs.items()}
        records = int(runs["new"][0]["records"])
        print(f"{label}: peak memory per record ({records:,} records) median new {per['new']:.0f} B, reference "
              f"{per['reference']:.0f} B -> ratio {per['new'] / per['reference']:.2f} (target <= 0.35)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reference", default=REFERENCE, help=f"commit of the reference build (default {REFERENCE})")
    parser.add_argument("--repositories", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--assessment-only", action="store_true", help="only the assessment of the first bundle")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="pecm-load-") as scratch:
        folder = Path(scratch)
        reference = reference_tree(args.reference, folder)
        try:
            print(f"{args.rounds} alternated rounds; reference build {args.reference}; Python {sys.version.split()[0]}")
            for index, repositories in enumerate(args.repositories):
                if index > 0 and args.assessment_only:
                    break
                path = folder / f"bundle-{repositories}.json"
                path.write_text(make_bundle(repositories).model_dump_json(indent=2) + "\n", encoding="utf-8")
                if not args.assessment_only:
                    size = path.stat().st_size / 1e6
                    both = {"new": path, "reference": path}
                    compare(f"bundle of {repositories:,} repositories ({size:.0f} MB)", "bundle", both, reference, args.rounds)
                if index == 0:
                    saved = {"new": assess(ROOT, path, folder / "assessment-new.json"),
                             "reference": assess(reference, path, folder / "assessment-reference.json")}
                    sizes = " and ".join(f"{saved[build].stat().st_size / 1e6:.2f}" for build in ("new", "reference"))
                    label = f"assessment of {repositories:,} repositories ({sizes} MB)"
                    compare(f"{label}, full model (pecm gaps)", "assessment", saved, reference, args.rounds)
                    compare(f"{label}, for the gate", "gate", saved, reference, args.rounds)
                path.unlink()
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(reference)], check=True)


if __name__ == "__main__":
    main()
