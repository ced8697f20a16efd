"""A scanned checkout is data: nothing in its `.git` makes pecm run a program, hang, or read elsewhere."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from scanner.model import EvidenceStatus
from tests.unit.local.gitrepos import commit, git, new_repo

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="these tests build real repositories with git")

WHEN = "2026-05-20T09:00:00+00:00"  # inside the 90-day window before the tests' NOW


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = new_repo(tmp_path / "org" / "app")
    commit(repo, "2026-05-01T09:00:00+00:00")
    commit(repo, WHEN)
    return repo


def configure(repo: Path, text: str) -> None:
    with open(repo / ".git" / "config", "a", encoding="utf-8") as config:
        config.write(text)


def test_a_promisor_remote_with_an_ssh_command_never_runs_it(repo: Path, tmp_path: Path, scan_local) -> None:
    """The partial-clone attack: a missing object makes git fetch it lazily through `core.sshCommand`."""
    marker = tmp_path / "ran"
    parent = git(repo, "rev-parse", "HEAD~1")
    (repo / ".git" / "objects" / parent[:2] / parent[2:]).unlink()
    configure(
        repo,
        "[core]\n\trepositoryformatversion = 1\n\tsshCommand = touch " + str(marker) + "; false\n"
        "[extensions]\n\tpartialClone = origin\n"
        '[remote "origin"]\n\turl = ssh://git.invalid/app.git\n\tpromisor = true\n',
    )

    activity = scan_local(repo.parent).of("local:app", "vcs.activity")

    assert not marker.exists()
    assert activity.status is EvidenceStatus.UNAVAILABLE  # the history is incomplete, and says so
    assert "git log exited with 128" in (activity.reason or "")


@pytest.mark.parametrize(
    "setting",
    [
        "[core]\n\tfsmonitor = touch {marker}\n",
        "[log]\n\tshowSignature = true\n[gpg]\n\tprogram = touch {marker}\n",
    ],
    ids=["fsmonitor", "signature-program"],
)
def test_settings_that_name_a_program_are_never_read(repo: Path, tmp_path: Path, setting: str, scan_local) -> None:
    marker = tmp_path / "ran"
    configure(repo, setting.format(marker=marker))

    activity = scan_local(repo.parent).data("local:app", "vcs.activity")

    assert not marker.exists()
    assert activity["commits"] == 2


def test_grafts_and_replace_refs_cannot_rewrite_the_history_counted(repo: Path, scan_local) -> None:
    head = git(repo, "rev-parse", "HEAD")
    (repo / ".git" / "info").mkdir(exist_ok=True)
    (repo / ".git" / "info" / "grafts").write_text(head + "\n")  # HEAD without parents

    assert scan_local(repo.parent).data("local:app", "vcs.activity")["commits"] == 2


def test_a_fifo_as_config_or_included_file_does_not_stall_the_repository(repo: Path, tmp_path: Path, scan_local) -> None:
    fifo = tmp_path / "included"
    os.mkfifo(fifo)
    configure(repo, f"[include]\n\tpath = {fifo}\n")
    other = new_repo(tmp_path / "org" / "other")
    commit(other, WHEN)
    (other / ".git" / "config").unlink()
    os.mkfifo(other / ".git" / "config")

    scan = scan_local(repo.parent, git_timeout_seconds=20)

    assert scan.data("local:app", "vcs.activity")["commits"] == 2  # was: "git log took longer than 20 s"
    assert scan.data("local:other", "vcs.activity")["commits"] == 1


def test_a_fifo_among_the_objects_is_refused_without_opening_it(repo: Path, scan_local) -> None:
    fifo = repo / ".git" / "objects" / "pack" / "pack-planted.pack"
    os.mkfifo(fifo)
    opened = _watch_opening(fifo)

    activity = scan_local(repo.parent, git_timeout_seconds=20).of("local:app", "vcs.activity")

    assert activity.status is EvidenceStatus.UNAVAILABLE
    assert activity.reason == (
        ".git/objects/pack/pack-planted.pack is not a regular file (a link, FIFO or device is never opened): "
        "history not read"
    )
    assert not opened()


def test_a_head_that_is_a_fifo_is_never_opened(repo: Path, scan_local) -> None:
    head = repo / ".git" / "HEAD"
    head.unlink()
    os.mkfifo(head)
    opened = _watch_opening(head)

    activity = scan_local(repo.parent).of("local:app", "vcs.activity")

    assert activity.status is EvidenceStatus.UNAVAILABLE
    assert not opened()


@pytest.mark.parametrize("name", ["alternates", "http-alternates"])
def test_objects_borrowed_from_elsewhere_are_not_read(repo: Path, tmp_path: Path, name: str, scan_local) -> None:
    elsewhere = new_repo(tmp_path / "elsewhere")
    (repo / ".git" / "objects" / "info" / name).write_text(str(elsewhere / ".git" / "objects") + "\n")

    activity = scan_local(repo.parent).of("local:app", "vcs.activity")

    assert activity.status is EvidenceStatus.UNAVAILABLE
    assert activity.reason == f".git/objects/info/{name} borrows objects from another repository: history not read"


def test_a_symbolic_link_inside_the_objects_is_refused(repo: Path, tmp_path: Path, scan_local) -> None:
    secret = new_repo(tmp_path / "secret")
    commit(secret, WHEN)
    pack = repo / ".git" / "objects" / "pack"
    shutil.rmtree(pack)
    pack.symlink_to(secret / ".git" / "objects" / "pack")

    activity = scan_local(repo.parent).of("local:app", "vcs.activity")

    assert activity.status is EvidenceStatus.UNAVAILABLE
    assert activity.reason is not None and activity.reason.startswith(".git/objects/pack is not a regular file")


def test_a_git_file_cannot_send_pecm_into_another_repository(tmp_path: Path, scan_local) -> None:
    secret = new_repo(tmp_path / "secret")
    for day in range(1, 6):
        commit(secret, f"2026-05-0{day}T09:00:00+00:00")
    checkout = tmp_path / "org" / "innocent"
    checkout.mkdir(parents=True)
    (checkout / ".git").write_text(f"gitdir: {secret / '.git'}\n")

    activity = scan_local(checkout.parent).of("local:innocent", "vcs.activity")

    assert activity.status is EvidenceStatus.UNAVAILABLE
    assert "points outside the checkout" in (activity.reason or "")


def test_a_symbolic_link_as_git_directory_is_not_followed_elsewhere(tmp_path: Path, scan_local) -> None:
    secret = new_repo(tmp_path / "secret")
    commit(secret, WHEN)
    checkout = tmp_path / "org" / "innocent"
    checkout.mkdir(parents=True)
    (checkout / ".git").symlink_to(secret / ".git")

    activity = scan_local(checkout.parent).of("local:innocent", "vcs.activity")

    assert activity.status is EvidenceStatus.UNAVAILABLE
    assert activity.data.get("head_commit") is None


def test_a_shallow_clone_still_counts_its_history(tmp_path: Path, repo: Path, scan_local) -> None:
    commit(repo, "2026-05-25T09:00:00+00:00")
    shallow = tmp_path / "org2" / "shallow"
    shallow.parent.mkdir()
    git(shallow.parent, "clone", "-q", "--depth", "2", f"file://{repo}", str(shallow))

    assert scan_local(shallow.parent).data("local:shallow", "vcs.activity")["commits"] == 2


def _watch_opening(fifo: Path) -> "_Opened":
    """A writer blocked on `fifo` until some reader opens it: afterwards, whether anyone did."""
    done = threading.Event()

    def writer() -> None:
        try:
            descriptor = os.open(fifo, os.O_WRONLY)  # blocks until a reader opens the FIFO
        except OSError:
            return
        os.close(descriptor)
        done.set()

    threading.Thread(target=writer, daemon=True).start()
    return _Opened(fifo, done)


class _Opened:
    def __init__(self, fifo: Path, done: threading.Event) -> None:
        self._fifo, self._done = fifo, done

    def __call__(self) -> bool:
        opened = self._done.wait(0.5)
        if not opened:  # release the writer thread by opening the reading end ourselves
            os.close(os.open(self._fifo, os.O_RDONLY | os.O_NONBLOCK))
        return opened
