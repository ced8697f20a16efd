"""Benchmark: file-signal detection alone (`collectors.detect.detect`), this build against a
reference commit in the same run, and a check that both find exactly the same.

What detection is fed is what the scan benchmarks feed it, held in memory so that only
detection is timed: the 500-repository tree of `scan_tree.py` (listed as the local collector
lists it, without sizes) and the 1,000-repository organization of `github_scan.py` (with sizes,
as a Git host lists them). Each build runs in its own new process per round (the reference
checked out with `git worktree`), which build goes first alternating; each reports the CPU
time of its detection calls only. Medians per file and per repository, and their ratio, are
printed with the load average.

Before timing, both builds dump every finding (signals, paths, files read, problems, unknown
kinds) of both corpora and of every repository under `examples/`; the dumps must be equal,
or the benchmark stops and prints the first differences. `--dump FILE` writes this build's.

Run: .venv/bin/python benchmarks/detection.py [--reference COMMIT] [--rounds 7] [--dump FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = "23d9c9e"  # main when the detection work began
# A corpus: repository -> (path -> content).
Corpus = dict[str, dict[str, bytes]]
SIZED = {"github"}  # corpora whose lister knows the sizes (Git hosts); the local walk does not


def tree_corpus(repositories: int) -> Corpus:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import write_tree

    corpus: Corpus = {}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_tree(root, repositories)
        for repo in sorted(root.iterdir()):
            corpus[repo.name] = _read_folder(repo)
    return corpus


def github_corpus(repositories: int) -> Corpus:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    sys.path.insert(0, str(ROOT))
    from github_org import generate

    return {repo.name: dict(repo.files) for repo in generate(repositories).repos}


def examples_corpus() -> Corpus:
    return {
        f"{org.name}/{repo.name}": _read_folder(repo)
        for org in sorted((ROOT / "examples").iterdir())
        if org.is_dir()
        for repo in sorted(org.iterdir())
        if repo.is_dir()
    }


def _read_folder(folder: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for current, _subdirs, names in os.walk(folder):
        for name in names:
            path = Path(current, name)
            if path.is_file() and not path.is_symlink():
                files[path.relative_to(folder).as_posix()] = path.read_bytes()
    return files


# --- the child: runs in the build under test, with that build first on sys.path ----------------


CHILD = r"""
import json, pickle, sys, time
from collectors.detect import UnreadableFile, detect

corpora, sized, mode = pickle.load(open(sys.argv[1], "rb")), set(sys.argv[2].split(",")), sys.argv[3]
out = open(sys.argv[4], "w")
for name, corpus in corpora.items():
    cpu = 0.0
    files = 0
    for repo, contents in corpus.items():
        paths = list(contents)
        sizes = {path: len(data) for path, data in contents.items()} if name in sized else None
        read = contents.__getitem__
        start = time.process_time()
        detection = detect(paths, read, sizes=sizes)
        cpu += time.process_time() - start
        files += len(paths)
        if mode == "dump":
            record = {"corpus": name, "repo": repo, "signals": detection.signals, "locators": detection.locators,
                      "files_read": detection.files_read, "problems": detection.problems, "unknown": detection.unknown}
            out.write(json.dumps(record, sort_keys=True) + "\n")
    if mode == "time":
        out.write(json.dumps({"corpus": name, "cpu": cpu, "files": files, "repos": len(corpus)}) + "\n")
"""


def run_child(build: Path, corpora_file: Path, mode: str, out: Path) -> None:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["PYTHONPATH"] = str(build)  # before site-packages, where the editable install points at this build
    subprocess.run(
        [sys.executable, "-c", CHILD, str(corpora_file), ",".join(SIZED), mode, str(out)], cwd=build, env=env, check=True
    )


def differences(new: Path, old: Path) -> Iterator[str]:
    with new.open() as a, old.open() as b:
        for line_a, line_b in zip(a, b, strict=True):
            if line_a != line_b:
                record_a, record_b = json.loads(line_a), json.loads(line_b)
                for key in record_a:
                    if record_a[key] != record_b.get(key):
                        yield f"{record_a['corpus']}/{record_a['repo']} {key}: {record_b.get(key)!r} -> {record_a[key]!r}"


def load() -> str:
    return "load average " + ", ".join(f"{value:.2f}" for value in os.getloadavg())


def reference_tree(commit: str, folder: Path) -> Path:
    tree = folder / "reference"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(tree), commit], check=True)
    return tree


def compare_findings(builds: dict[str, Path], corpora_file: Path, folder: Path, dump: Path | None) -> None:
    outputs = {label: folder / f"{label}.jsonl" for label in builds}
    for label, build in builds.items():
        run_child(build, corpora_file, "dump", outputs[label])
    if dump is not None:
        dump.write_text(outputs["new"].read_text())
    found = list(differences(outputs["new"], outputs["reference"]))
    records = sum(1 for _ in outputs["new"].open())
    if found:
        print(f"FINDINGS DIFFER in {len(found)} fields:", *found[:20], sep="\n  ")
        sys.exit(1)
    print(f"findings identical: {records} repositories (signals, paths, files read, problems, unknown kinds)")


def time_rounds(builds: dict[str, Path], corpora_file: Path, folder: Path, rounds: int) -> dict[str, dict[str, list[Any]]]:
    results: dict[str, dict[str, list[Any]]] = {label: {} for label in builds}
    for round_ in range(rounds):
        order = list(builds) if round_ % 2 == 0 else list(reversed(builds))
        for label in order:
            out = folder / f"time-{label}.jsonl"
            run_child(builds[label], corpora_file, "time", out)
            for line in out.read_text().splitlines():
                record = json.loads(line)
                results[label].setdefault(record["corpus"], []).append(record)
        print(f"  round {round_ + 1}: {load()}", flush=True)
    return results


def report(results: dict[str, dict[str, list[Any]]]) -> None:
    for corpus in results["new"]:
        files, repos = results["new"][corpus][0]["files"], results["new"][corpus][0]["repos"]
        medians = {label: statistics.median(r["cpu"] for r in results[label][corpus]) for label in results}
        new, old = medians["new"], medians["reference"]
        print(
            f"{corpus}: {repos} repositories, {files} files; detection CPU median "
            f"new {new:.3f} s ({new / files * 1e6:.2f} µs a file, {new / repos * 1e3:.3f} ms a repository), "
            f"reference {old:.3f} s ({old / files * 1e6:.2f} µs a file, {old / repos * 1e3:.3f} ms a repository): "
            f"ratio {new / old:.2f}"
        )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reference", default=REFERENCE, help=f"commit of the reference build (default {REFERENCE})")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repositories", type=int, default=500, help="of the generated tree")
    parser.add_argument("--github-repositories", type=int, default=1000)
    parser.add_argument("--dump", type=Path, help="write this build's findings here (JSON lines)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        reference = reference_tree(args.reference, folder)
        try:
            builds = {"new": ROOT, "reference": reference}
            corpora = {"tree": tree_corpus(args.repositories), "github": github_corpus(args.github_repositories)}
            checked = folder / "checked.pickle"
            checked.write_bytes(pickle.dumps({**corpora, "examples": examples_corpus()}))
            print(f"{load()}; Python {sys.version.split()[0]}; reference build {args.reference}")
            compare_findings(builds, checked, folder, args.dump)
            timed = folder / "timed.pickle"
            timed.write_bytes(pickle.dumps(corpora))
            started = time.perf_counter()
            print(f"{args.rounds} alternated rounds, each build in a new process:")
            report(time_rounds(builds, timed, folder, args.rounds))
            print(f"({time.perf_counter() - started:.0f} s; {load()})")
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(reference)], check=True)


if __name__ == "__main__":
    main()
