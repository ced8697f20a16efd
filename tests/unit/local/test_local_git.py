"""Git metadata from real repositories: HEAD from ref files, activity from `git log`."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from collectors.local.collector import GIT_DISABLED_REASON, NO_GIT_REASON, PLAIN_FOLDER_REASON
from collectors.local.git import Head, read_head
from scanner.model import EvidenceStatus
from tests.unit.local.gitrepos import commit, git, new_repo

REAL_GIT = shutil.which("git")
pytestmark = pytest.mark.skipif(REAL_GIT is None, reason="these tests build real repositories with git")


@pytest.fixture
def active_repo(tmp_path: Path) -> Path:
    """Window: 90 days before NOW (2026-06-01 12:00 UTC), i.e. from 2026-03-03 12:00."""
    repo = new_repo(tmp_path / "org" / "api")
    commit(repo, "2026-01-10T09:00:00+00:00", "old@acme.test")  # before the window
    commit(repo, "2026-04-01T09:00:00+00:00", "bob@acme.test")  # week 8 before NOW
    commit(repo, "2026-05-10T09:00:00+00:00", "ALICE@acme.test")  # week 3
    commit(repo, "2026-05-28T09:00:00+00:00", "bob@acme.test")  # week 0
    commit(repo, "2026-05-30T12:00:00+02:00", "alice@acme.test")  # week 0, 10:00 UTC
    commit(repo, "2026-07-01T09:00:00+00:00", "future@acme.test")  # after NOW: outside
    return repo


def test_activity_counts_commits_weeks_and_authors_in_the_window(active_repo: Path, scan_local) -> None:
    scan = scan_local(active_repo.parent)

    assert scan.data("local:api", "vcs.activity") == {
        "window_days": 90,
        "head_commit": git(active_repo, "rev-parse", "HEAD"),
        "last_commit_at": "2026-05-30T10:00:00+00:00",
        "commits": 4,
        "active_weeks": 3,
        "authors": 2,
        "docs_commits": 0,  # log.txt only
        "docs_active_weeks": 0,
    }
    assert scan.problems == []


def test_the_window_follows_the_configuration(active_repo: Path, scan_local) -> None:
    activity = scan_local(active_repo.parent, window_days=7).data("local:api", "vcs.activity")

    assert (activity["window_days"], activity["commits"], activity["active_weeks"], activity["authors"]) == (7, 2, 1, 2)


def test_a_stale_repository_still_says_when_it_last_changed(tmp_path: Path, scan_local) -> None:
    repo = new_repo(tmp_path / "org" / "old")
    commit(repo, "2025-02-03T04:05:06+00:00")

    activity = scan_local(repo.parent).data("local:old", "vcs.activity")

    assert (activity["commits"], activity["active_weeks"], activity["authors"]) == (0, 0, 0)
    assert activity["last_commit_at"] == "2025-02-03T04:05:06+00:00"


def test_head_is_read_from_packed_refs_and_detached_heads(active_repo: Path, scan_local) -> None:
    git(active_repo, "pack-refs", "--all")
    assert not (active_repo / ".git" / "refs" / "heads" / "main").exists()
    head = git(active_repo, "rev-parse", "HEAD")
    assert scan_local(active_repo).data("local:api", "vcs.activity")["head_commit"] == head

    git(active_repo, "checkout", "-q", "--detach", "HEAD~2")
    detached = git(active_repo, "rev-parse", "HEAD")
    activity = scan_local(active_repo).data("local:api", "vcs.activity")
    assert (activity["head_commit"], activity["commits"]) == (detached, 3)  # May 28, May 10, April 1


def test_a_linked_worktree_reads_its_own_head(active_repo: Path, tmp_path: Path, scan_local) -> None:
    worktree = tmp_path / "worktrees" / "feature"
    git(active_repo, "worktree", "add", "-q", "-b", "feature", str(worktree), "HEAD~3")

    activity = scan_local(worktree).data("local:feature", "vcs.activity")

    assert activity["head_commit"] == git(active_repo, "rev-parse", "HEAD~3")
    assert activity["commits"] == 2  # the April and early-May commits


def test_a_repository_without_commits_has_no_activity(tmp_path: Path, scan_local) -> None:
    new_repo(tmp_path / "org" / "fresh")

    activity = scan_local(tmp_path / "org").data("local:fresh", "vcs.activity")

    assert activity == {
        "window_days": 90,
        "head_commit": None,
        "last_commit_at": None,
        "commits": 0,
        "active_weeks": 0,
        "authors": 0,
        "docs_commits": 0,
        "docs_active_weeks": 0,
    }


def test_git_settings_of_the_scanning_process_do_not_leak_in(
    active_repo: Path, tmp_path: Path, scan_local, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = new_repo(tmp_path / "other")
    commit(other, "2026-05-31T00:00:00+00:00")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))  # as inside a git hook

    activity = scan_local(active_repo.parent).data("local:api", "vcs.activity")

    assert activity["commits"] == 4


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to hand the repository to another user")
def test_a_repository_owned_by_another_user_still_answers(active_repo: Path, scan_local) -> None:
    for path in [active_repo, *active_repo.rglob("*")]:
        os.lchown(path, 65534, 65534)

    scan = scan_local(active_repo.parent)

    assert scan.data("local:api", "vcs.activity")["commits"] == 4


def test_without_git_activity_is_unsupported_and_said_once(active_repo: Path, scan_local) -> None:
    new_repo(active_repo.parent / "second")

    scan = scan_local(active_repo.parent, git="pecm-test-no-such-git")

    for subject_id in ("local:api", "local:second"):
        activity = scan.of(subject_id, "vcs.activity")
        assert (activity.status, activity.reason) == (EvidenceStatus.UNSUPPORTED, NO_GIT_REASON)
    assert scan.messages() == ["git executable 'pecm-test-no-such-git' not found"]


def test_plain_folders_and_disabled_git_are_unsupported(active_repo: Path, scan_local) -> None:
    (active_repo.parent / "plain").mkdir()
    (active_repo.parent / "plain" / "README.md").write_text("no history\n")

    scan = scan_local(active_repo.parent, git=None)

    assert scan.of("local:plain", "vcs.activity").reason == PLAIN_FOLDER_REASON
    assert scan.of("local:api", "vcs.activity").reason == GIT_DISABLED_REASON
    assert scan.problems == []


def test_a_git_failure_makes_activity_unavailable_with_the_reason(active_repo: Path, scan_local) -> None:
    (active_repo / ".git" / "HEAD").write_text("0123456789abcdef0123456789abcdef01234567\n")

    scan = scan_local(active_repo.parent)

    activity = scan.of("local:api", "vcs.activity")
    assert activity.status is EvidenceStatus.UNAVAILABLE
    assert activity.reason is not None and activity.reason.startswith("git log exited with 128: ")
    assert scan.messages("local:api") == [f"api: {activity.reason}"]


def test_a_git_that_hangs_is_stopped_at_the_timeout(active_repo: Path, tmp_path: Path, scan_local) -> None:
    slow_git = tmp_path / "slow-git"
    slow_git.write_text("#!/bin/sh\nexec sleep 30\n")
    slow_git.chmod(0o755)

    scan = scan_local(active_repo.parent, git=str(slow_git), git_timeout_seconds=0.2)

    activity = scan.of("local:api", "vcs.activity")
    assert (activity.status, activity.reason) == (EvidenceStatus.UNAVAILABLE, "git log took longer than 0.2 s")


# --- HEAD from the ref files alone ----------------------------------------------------


def git_dir_with(tmp_path: Path, files: dict[str, str]) -> str:
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    return str(tmp_path)


SHA = "a" * 40


@pytest.mark.parametrize(
    ("files", "head"),
    [
        ({"HEAD": "ref: refs/heads/main\n", "refs/heads/main": f"{SHA}\n"}, Head(SHA)),
        (
            {
                "HEAD": "ref: refs/heads/main\n",
                "packed-refs": f"# pack-refs\n{'b' * 40} refs/heads/other\n{SHA} refs/heads/main\n^{'c' * 40}\n",
            },
            Head(SHA),
        ),
        (
            {"HEAD": "ref: refs/heads/alias\n", "refs/heads/alias": "ref: refs/heads/main\n", "refs/heads/main": SHA},
            Head(SHA),
        ),
        ({"HEAD": "ref: refs/heads/main\n"}, Head(None, unborn=True)),
        ({"HEAD": "ref: refs/heads/.invalid\n", "reftable/tables.list": ""}, Head(None)),
        ({"HEAD": "ref: refs/../../../etc/hostname\n"}, Head(None)),
        ({"HEAD": "not a ref\n"}, Head(None)),
        ({}, Head(None)),
    ],
    ids=["loose", "packed", "symbolic-chain", "unborn", "reftable", "escaping-ref", "garbage", "no-head"],
)
def test_read_head_from_ref_files(tmp_path: Path, files: dict[str, str], head: Head) -> None:
    directory = git_dir_with(tmp_path, files)
    assert read_head(directory, directory) == head


def test_read_head_does_not_block_on_a_fifo(tmp_path: Path, finishes) -> None:
    os.mkfifo(tmp_path / "HEAD")

    assert finishes(lambda: read_head(str(tmp_path), str(tmp_path)), tmp_path / "HEAD") == Head(None)
