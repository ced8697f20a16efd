"""Files replaced whole or not at all.

A file rewritten in place is truncated first: a full disk, or a process stopped midway, leaves
a broken file where a valid one was. Writing a temporary file in the same directory, syncing
it to disk and renaming it over the target (os.replace: atomic on POSIX and Windows) keeps the
previous file until the new one is complete.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

_CREATE_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


def write_atomically(path: Path, text: str, *, durable: bool = True) -> None:
    """Replace `path` with `text` (UTF-8): on any failure `path` keeps its previous content and
    the temporary file is removed. `durable=False` skips syncing to disk (caches, which may be
    lost but never be half-written). Raises OSError.

    A target that exists and is not a regular file (a FIFO, /dev/stdout) is written in place:
    there is no file to rename over, and renaming would replace the device node itself.
    """
    target = Path(os.path.realpath(path))  # through a symlink: the link keeps naming the file
    if target.exists() and not target.is_file():
        with target.open("w", encoding="utf-8") as stream:
            stream.write(text)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    handle = os.open(temporary, _CREATE_NEW, 0o666)  # the umask applies, as for any new file
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            if target.exists():  # a private file (an evidence bundle made 0600) stays private
                os.chmod(temporary, stat.S_IMODE(target.stat().st_mode))
            stream.write(text)
            stream.flush()
            if durable:
                os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    if durable:
        _sync_directory(target.parent)


def _sync_directory(directory: Path) -> None:
    """The rename reaches the disk with its directory; best effort (Windows cannot open one)."""
    try:
        handle = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
