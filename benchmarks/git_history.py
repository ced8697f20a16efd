"""Benchmark: what reading a checkout's history in isolation costs against a plain `git log`.

pecm never lets git read a scanned checkout's own git directory (collectors/local/git_isolation):
it checks the object files, makes a private git directory and runs `git log` there. The ideal
is one `git log` run in the checkout itself, with the same arguments. Both are measured in
turn on the same repositories (one with its objects loose, one packed), in one process, and
the medians compared; the first round of each is the cold figure.

Run: .venv/bin/python benchmarks/git_history.py [--commits 300] [--rounds 21]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from collectors.local.git import _GIT_ENVIRONMENT, read_activity, read_head  # noqa: E402
from collectors.local.git_isolation import checked_common_dir, checked_objects, private_git_dir  # noqa: E402
from collectors.people import Mailmap, people  # noqa: E402

WINDOW_DAYS = 90


def make_repository(folder: Path, commits: int, packed: bool) -> Path:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(folder.parent),
           "GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.test",
           "GIT_COMMITTER_NAME": "Dev", "GIT_COMMITTER_EMAIL": "dev@example.test"}
    subprocess.run(["git", "init", "-q", "-b", "main", str(folder)], check=True, env=env)
    for number in range(commits):
        (folder / f"file{number % 50}.txt").write_text(f"{number}\n")
        subprocess.run(["git", "-C", str(folder), "add", "-A"], check=True, env=env)
        subprocess.run(["git", "-C", str(folder), "commit", "-q", "-m", f"change {number}"], check=True, env=env)
    if packed:
        subprocess.run(["git", "-C", str(folder), "gc", "-q"], check=True, env=env)
    return folder


def plain_git_log(root: Path, now: datetime) -> None:
    since = int((now - timedelta(days=WINDOW_DAYS)).timestamp())
    subprocess.run(
        ["git", "-C", str(root), "log", "--no-show-signature", "--name-only", "--no-renames", "--since", f"@{since}", "--until", f"@{int(now.timestamp())}",
         "--format=%x1f%H%x1f%an%x1f%ae%x1f%cI"],
        capture_output=True, env=_GIT_ENVIRONMENT, check=True,
    )


def isolated(root: Path, now: datetime) -> None:
    directory = str(root / ".git")
    common = checked_common_dir(str(root), directory)
    head = read_head(directory, common)
    assert head.commit is not None
    objects = checked_objects(common)
    with private_git_dir(head.commit, common) as private:
        read_activity("git", private, objects, now, WINDOW_DAYS, 60, people(Mailmap()))


def measure(runs: dict[str, Callable[[], None]], rounds: int) -> dict[str, list[float]]:
    """Each run in turn, round after round: drift on a shared machine hits both alike."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():
            started = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=21)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        for packed in (False, True):
            root = make_repository(Path(scratch) / f"repo-{'packed' if packed else 'loose'}", args.commits, packed)
            now = datetime.now(timezone.utc) + timedelta(minutes=1)
            files = sum(len(names) for _, _, names in os.walk(root / ".git" / "objects"))
            times = measure({"plain": lambda: plain_git_log(root, now), "isolated": lambda: isolated(root, now)}, args.rounds)
            plain, safe = statistics.median(times["plain"]), statistics.median(times["isolated"])
            print(f"{args.commits} commits, objects {'packed' if packed else 'loose'} ({files} files under .git/objects):")
            print(f"  plain git log in the checkout (ideal): median {plain * 1000:.1f} ms, cold {times['plain'][0] * 1000:.1f} ms")
            print(f"  isolated (checks, private git dir, git log, parsing): median {safe * 1000:.1f} ms, "
                  f"cold {times['isolated'][0] * 1000:.1f} ms")
            print(f"  ratio isolated / plain: {safe / plain:.2f} (medians of {args.rounds} alternated rounds)")


if __name__ == "__main__":
    main()
