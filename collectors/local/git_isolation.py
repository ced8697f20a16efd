"""What `git log` may read of a scanned checkout: its object files, and nothing that can run code.

A checkout's own git directory is not trusted. Its `config` can name programs (a promisor
remote's `core.sshCommand`, `core.fsmonitor`, `gpg.program`), include other files, or be a
FIFO; its `info/grafts` and `refs/replace` can rewrite history. So git never sees that
directory: it runs on a private git directory made for the occasion (an empty config, HEAD
set to the commit pecm read itself, the checkout's `shallow` list copied as data) and reads
only the checkout's object directory, after that directory was checked to hold nothing but
regular files and folders inside the checkout: no symbolic link, FIFO or device, and no
`alternates` pointing at objects elsewhere.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from tempfile import TemporaryDirectory

from collectors.local.text import READ_FLAGS, os_reason, printable

_MAX_OBJECT_DEPTH = 3  # objects/info/commit-graphs/<file> is the deepest place git keeps files
_ELSEWHERE = ("info/alternates", "info/http-alternates")
_MAX_SMALL_BYTES = 16 * 1024 * 1024


class HistoryRefused(Exception):
    """The checkout's git directory is not one pecm lets git read; str(exc) says why."""


def common_dir(git_directory: str) -> str:
    """Where shared refs and objects live: a linked worktree's git directory points there via `commondir`."""
    pointer = first_line(os.path.join(git_directory, "commondir"))
    return os.path.normpath(os.path.join(git_directory, pointer)) if pointer else git_directory


def checked_common_dir(root: str, git_directory: str) -> str:
    """The repository's common git directory, once it is known to belong to the checkout at `root`.

    It must lie inside the checkout, or be the main repository of a linked worktree that git
    itself registered: `<common>/worktrees/<name>/gitdir` names this checkout's `.git` file.
    A `.git` file pointing anywhere else is refused, so a checkout cannot send pecm into
    another repository.
    """
    real_root = os.path.realpath(root)
    real_git = os.path.realpath(git_directory)
    if _inside(real_git, real_root):
        common = os.path.realpath(common_dir(git_directory))
        if _inside(common, real_root):
            return common
        raise HistoryRefused("its commondir points outside the checkout: history not read")
    back_link = first_line(os.path.join(real_git, "gitdir"))
    registered = back_link is not None and os.path.realpath(back_link) == os.path.join(real_root, ".git")
    common = os.path.realpath(common_dir(real_git))
    if not registered or os.path.dirname(os.path.dirname(real_git)) != common:
        raise HistoryRefused("its .git file points outside the checkout, not at a worktree git registered: history not read")
    return common


def checked_objects(common: str) -> str:
    """The object directory of `common`, once every entry in it is a regular file or a folder."""
    objects = os.path.join(common, "objects")
    try:
        mode = os.lstat(objects).st_mode
    except OSError as exc:
        raise HistoryRefused(f"cannot read .git/objects: {os_reason(exc)}") from None
    if not stat.S_ISDIR(mode):
        raise HistoryRefused(".git/objects is not a folder (a symbolic link is not followed): history not read")
    for relative in _entries(objects, "", 0):
        if relative in _ELSEWHERE:
            raise HistoryRefused(
                f".git/objects/{relative} borrows objects from another repository: history not read"
            )
    return objects


@contextmanager
def private_git_dir(head_commit: str, common: str) -> Iterator[str]:
    """A throw-away git directory whose only history is the checkout's, seen from `head_commit`."""
    shallow = read_small(os.path.join(common, "shallow"))
    sha256 = len(head_commit) == 64
    with TemporaryDirectory(prefix="pecm-git-") as private:
        os.mkdir(os.path.join(private, "refs"))
        _write(os.path.join(private, "HEAD"), head_commit + "\n")
        _write(
            os.path.join(private, "config"),
            "[core]\n\trepositoryformatversion = 1\n\tbare = true\n[extensions]\n\tobjectFormat = sha256\n"
            if sha256
            else "[core]\n\trepositoryformatversion = 0\n\tbare = true\n",
        )
        if shallow:
            _write(os.path.join(private, "shallow"), shallow)
        yield private


def first_line(path: str) -> str | None:
    """The first line of a small regular file; None when it is absent, unreadable or anything else.

    The type is checked before opening (a device must never be opened) and again after
    (the file may have been swapped): a FIFO planted in `.git` must not hang the scan.
    """
    text = read_small(path, limit=4096)
    return text.split("\n", 1)[0].strip() if text is not None else None


def read_small(path: str, limit: int = _MAX_SMALL_BYTES) -> str | None:
    """A regular file's text (at most `limit` bytes), without ever opening anything else."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        descriptor = os.open(path, READ_FLAGS)
    except OSError:
        return None
    with open(descriptor, "rb") as opened:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None
        return opened.read(limit).decode("utf-8", errors="replace")


def _entries(folder: str, prefix: str, depth: int) -> Iterator[str]:
    """Relative paths of the files under `folder`; refuses anything that is neither file nor folder."""
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError as exc:
        raise HistoryRefused(f"cannot list .git/objects/{prefix}: {os_reason(exc)}") from None
    for entry in entries:
        relative = prefix + printable(entry.name)
        if entry.is_dir(follow_symlinks=False):
            if depth < _MAX_OBJECT_DEPTH:  # git reads nothing deeper
                yield from _entries(entry.path, relative + "/", depth + 1)
        elif entry.is_file(follow_symlinks=False):
            yield relative
        else:
            raise HistoryRefused(
                f".git/objects/{relative} is not a regular file (a link, FIFO or device is never opened): "
                "history not read"
            )


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as written:
        written.write(text)
