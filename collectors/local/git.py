"""Git metadata of a checkout: HEAD from the ref files, commit activity from one `git log`.

HEAD is read from `.git/HEAD`, loose refs and `packed-refs` directly: no subprocess, and it
works without git installed. Activity needs history, so it asks git, under a fixed
environment: nothing is inherited from the scanning process (no GIT_DIR from a surrounding
hook, no user config changing `git log` output), git never prompts, and the repository's
own config cannot make `git log` run programs (signature checks, fsmonitor).
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import TextIO

from collectors.local.text import READ_FLAGS, os_reason

_COMMIT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_MAX_REF_DEPTH = 5  # symbolic refs pointing at symbolic refs; git itself stops at 5
_WEEK = timedelta(days=7)
_FIELD = "\x1f"

_GIT_ENVIRONMENT = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "LC_ALL": "C",
}
# safe.directory: checkouts owned by another user (a shared mirror, a container volume) still
# answer; the two settings after it keep that from letting their config run anything.
_GIT_OPTIONS = ("-c", "safe.directory=*", "-c", "core.fsmonitor=false", "-c", "log.showSignature=false")


@dataclass(frozen=True)
class Head:
    commit: str | None
    unborn: bool = False  # HEAD names a branch that has no commit yet


@dataclass(frozen=True)
class Activity:
    commits: int
    active_weeks: int
    authors: int
    last_commit_at: str | None


class GitFailed(Exception):
    """`git log` could not answer; str(exc) says why."""


def git_dir(root: str) -> str | None:
    """The repository's git directory: `.git`, or where a worktree's `.git` file points."""
    dot_git = os.path.join(root, ".git")
    try:
        mode = os.stat(dot_git).st_mode  # one call: most folders of a plain tree have no .git at all
    except OSError:
        return None
    if stat.S_ISDIR(mode):
        return dot_git
    first_line = _first_line(dot_git)
    if first_line is None or not first_line.startswith("gitdir:"):
        return None
    target = os.path.join(root, first_line.removeprefix("gitdir:").strip())
    return target if os.path.isdir(target) else None


def read_head(git_directory: str) -> Head:
    """HEAD's commit from the ref files; `Head(None)` when they cannot say (e.g. reftable)."""
    common = _common_dir(git_directory)
    content = _first_line(os.path.join(git_directory, "HEAD"))
    for _ in range(_MAX_REF_DEPTH):
        if content is None:
            return Head(None)
        if _COMMIT_ID.fullmatch(content):
            return Head(content)
        if not content.startswith("ref:"):
            return Head(None)
        ref = content.removeprefix("ref:").strip()
        if not ref.startswith("refs/") or ".." in ref.split("/"):
            return Head(None)
        content = _first_line(os.path.join(common, ref))
        if content is None:
            packed = _packed_ref(common, ref)
            if packed is not None:
                return Head(packed)
            unborn = not os.path.isdir(os.path.join(common, "reftable"))
            return Head(None, unborn=unborn)
    return Head(None)


def read_activity(git: str, root: str, now: datetime, window_days: int, timeout: float) -> Activity:
    """Commits reachable from HEAD with a commit date in (now - window_days, now]."""
    since = now - timedelta(days=window_days)
    window = ("--since", f"@{int(since.timestamp())}", "--until", f"@{int(now.timestamp())}")
    lines = _git(git, root, ("log", "--no-show-signature", *window, f"--format=%H{_FIELD}%ae{_FIELD}%cI"), timeout)
    times: list[datetime] = []
    authors: set[str] = set()
    for line in lines:
        parts = line.split(_FIELD)
        if len(parts) != 3:
            continue
        committed = _parse_time(parts[2])
        if committed is None:
            continue
        times.append(committed)
        authors.add(parts[1].strip().lower())
    if times:
        newest: datetime | None = max(times)
    else:
        # Nothing in the window: one more cheap question, so a stale repository still says how stale.
        older = _git(git, root, ("log", "--no-show-signature", "-1", "--until", window[3], "--format=%cI"), timeout)
        newest = _parse_time(older[0]) if older else None
    weeks = {int((now - committed) / _WEEK) for committed in times}
    return Activity(
        commits=len(times),
        active_weeks=len(weeks),
        authors=len(authors),
        last_commit_at=newest.astimezone(timezone.utc).isoformat() if newest else None,
    )


def _git(git: str, root: str, arguments: tuple[str, ...], timeout: float) -> list[str]:
    command = [git, *_GIT_OPTIONS, "-C", root, *arguments]
    try:
        finished = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=_GIT_ENVIRONMENT,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GitFailed(f"git {arguments[0]} took longer than {timeout:g} s") from None
    except OSError as exc:
        raise GitFailed(f"git could not be started: {os_reason(exc)}") from None
    if finished.returncode != 0:
        detail = finished.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise GitFailed(
            f"git {arguments[0]} exited with {finished.returncode}: {detail[0] if detail else 'no message'}"
        )
    return finished.stdout.decode("utf-8", errors="replace").splitlines()


def _common_dir(git_directory: str) -> str:
    """Where shared refs live: a linked worktree's git directory points there via `commondir`."""
    pointer = _first_line(os.path.join(git_directory, "commondir"))
    return os.path.normpath(os.path.join(git_directory, pointer)) if pointer else git_directory


def _packed_ref(common: str, ref: str) -> str | None:
    with _open_regular(os.path.join(common, "packed-refs")) as packed:
        for line in packed or ():
            commit, _, name = line.rstrip("\n").partition(" ")
            if name == ref and _COMMIT_ID.fullmatch(commit):
                return commit
    return None


def _first_line(path: str) -> str | None:
    with _open_regular(path) as ref_file:
        return ref_file.readline(4096).strip() if ref_file else None


@contextmanager
def _open_regular(path: str) -> Iterator[TextIO | None]:
    """The file as text, or None when it is absent, unreadable or not a regular file.

    Opened non-blocking and checked before reading: a FIFO planted in `.git` must not hang the scan.
    """
    try:
        descriptor = os.open(path, READ_FLAGS)
    except OSError:
        yield None
        return
    with open(descriptor, encoding="utf-8", errors="replace") as opened:
        yield opened if stat.S_ISREG(os.fstat(descriptor).st_mode) else None


def _parse_time(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
