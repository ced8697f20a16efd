"""Git metadata of a checkout: HEAD from the ref files, commit activity from one `git log`.

HEAD is read from `.git/HEAD`, loose refs and `packed-refs` directly: no subprocess, and it
works without git installed. Activity needs history, so it asks git, under a fixed
environment: nothing is inherited from the scanning process (no GIT_DIR from a surrounding
hook, no user or system config), git never prompts, and git runs on a private git directory
that reads only the checkout's checked object files (`git_isolation`): the checkout's own
config, hooks, grafts and replace refs are never seen, so they cannot make git run a
program, fetch, or read outside the checkout.
"""

from __future__ import annotations

import os
import re
import stat
import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from collectors.local.git_isolation import HistoryRefused, checked_common_dir, first_line, read_small
from collectors.local.text import os_reason
from collectors.people import Person
from scanner.scopes import DOCS, scope_of

_COMMIT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_MAX_REF_DEPTH = 5  # symbolic refs pointing at symbolic refs; git itself stops at 5
_WEEK = timedelta(days=7)
_FIELD = "\x1f"
# Starts a commit's line; the lines after it, up to the next, are the paths it touched. git
# C-quotes a path holding a control character, so no path line starts with it (and, unlike
# \x1e, str.splitlines does not split on it).
_RECORD = _FIELD
_DOC_SUFFIXES = (".md", ".mdx", ".rst", ".adoc")
_DOC_CONFIGS = frozenset({"mkdocs.yml", "mkdocs.yaml"})
_RELEASE_NOTES = ("changelog", "changes", "history", "release")  # written by release tooling, not kept by people

_GIT_ENVIRONMENT = {
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_NO_REPLACE_OBJECTS": "1",
    "GIT_NO_LAZY_FETCH": "1",  # git >= 2.44; the private git directory has no promisor remote anyway
    "GIT_OPTIONAL_LOCKS": "0",
    "LC_ALL": "C",
}
_GIT_OPTIONS = ("-c", "protocol.allow=never")


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
    docs_commits: int = 0  # commits by people (not bots) touching documentation
    docs_active_weeks: int = 0


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
    pointer = first_line(dot_git)
    if pointer is None or not pointer.startswith("gitdir:"):
        return None
    target = os.path.join(root, pointer.removeprefix("gitdir:").strip())
    return target if os.path.isdir(target) else None


def read_head(git_directory: str, common: str) -> Head:
    """HEAD's commit from the ref files; `Head(None)` when they cannot say (e.g. reftable).

    `common` is where shared refs live (`git_isolation.checked_common_dir`).
    """
    content = first_line(os.path.join(git_directory, "HEAD"))
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
        content = first_line(os.path.join(common, ref))
        if content is None:
            packed = _packed_ref(common, ref)
            if packed is not None:
                return Head(packed)
            unborn = not os.path.isdir(os.path.join(common, "reftable"))
            return Head(None, unborn=unborn)
    return Head(None)


def read_activity(
    git: str, private_git_dir: str, objects: str, now: datetime, window_days: int, timeout: float, person: Person
) -> Activity:
    """Commits reachable from HEAD with a commit date in (now - window_days, now]. Authors
    and active weeks count people: `person` maps an author's name and address to who they
    are, or None for a bot. The same log lists each commit's paths (`--name-only`), so the
    commits people made to documentation cost no second pass.

    `private_git_dir` and `objects` come from `git_isolation`: git reads nothing else.
    """
    repository = {**_GIT_ENVIRONMENT, "GIT_DIR": private_git_dir, "GIT_OBJECT_DIRECTORY": objects}
    since = now - timedelta(days=window_days)
    window = ("--since", f"@{int(since.timestamp())}", "--until", f"@{int(now.timestamp())}")
    # %ae, not %aE: git applies no .mailmap, `person` does (from data, never from git config).
    log_format = f"--format={_RECORD}%H{_FIELD}%an{_FIELD}%ae{_FIELD}%cI"
    lines = _git(git, repository, ("log", "--no-show-signature", "--name-only", "--no-renames", *window, log_format), timeout)
    times: list[datetime] = []
    authors: set[str] = set()
    weeks: set[int] = set()
    docs_commits = 0
    docs_weeks: set[int] = set()
    week: int | None = None  # the current commit's week, while it is a person's and touched no docs yet
    for line in lines:
        if not line.startswith(_RECORD):
            if week is not None and line and _is_documentation(line):
                docs_commits += 1
                docs_weeks.add(week)
                week = None
            continue
        week = None
        parts = line[1:].split(_FIELD)
        if len(parts) != 4:
            continue
        committed = _parse_time(parts[3])
        if committed is None:
            continue
        times.append(committed)
        author = person(parts[1], parts[2])
        if author is not None:
            authors.add(author)
            week = int((now - committed) / _WEEK)
            weeks.add(week)
    if times:
        newest: datetime | None = max(times)
    else:
        # Nothing in the window: one more cheap question, so a stale repository still says how stale.
        older = _git(git, repository, ("log", "--no-show-signature", "-1", "--until", window[3], "--format=%cI"), timeout)
        newest = _parse_time(older[0]) if older else None
    return Activity(
        commits=len(times),
        active_weeks=len(weeks),
        authors=len(authors),
        last_commit_at=newest.astimezone(timezone.utc).isoformat() if newest else None,
        docs_commits=docs_commits,
        docs_active_weeks=len(docs_weeks),
    )


def _is_documentation(path: str) -> bool:
    """A docs folder's file, a Markdown / reStructuredText / AsciiDoc page or an MkDocs config;
    not release notes. `path` may be C-quoted by git (unusual characters)."""
    path = path[1:-1] if len(path) > 1 and path.startswith('"') and path.endswith('"') else path
    name = path.rpartition("/")[2].lower()
    if name.startswith(_RELEASE_NOTES):
        return False
    return name.endswith(_DOC_SUFFIXES) or name in _DOC_CONFIGS or scope_of(path) == DOCS


_REMOTE_URL = re.compile(r"^[ \t]*url[ \t]*=[ \t]*(\S+)[ \t]*$", re.M)
_MAX_CONFIG_BYTES = 64 * 1024  # a hostile checkout's config is data, and bounded


def remote_urls(root: str, git_directory: str) -> list[str]:
    """The URLs of the checkout's remotes, read from its config file as text (never by running
    git, whose config can run commands; includes are not followed): they tell which
    organization the repository belongs to. None from a git directory outside the checkout."""
    try:
        common = checked_common_dir(root, git_directory)
    except HistoryRefused:
        return []
    config = read_small(os.path.join(common, "config"), limit=_MAX_CONFIG_BYTES)
    return _REMOTE_URL.findall(config) if config is not None else []


def _git(git: str, environment: dict[str, str], arguments: tuple[str, ...], timeout: float) -> list[str]:
    command = [git, *_GIT_OPTIONS, *arguments]
    try:
        finished = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=environment,
            cwd=environment["GIT_DIR"],
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


def _packed_ref(common: str, ref: str) -> str | None:
    for line in (read_small(os.path.join(common, "packed-refs")) or "").splitlines():
        commit, _, name = line.partition(" ")
        if name == ref and _COMMIT_ID.fullmatch(commit):
            return commit
    return None


def _parse_time(text: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
