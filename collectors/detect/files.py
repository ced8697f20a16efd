"""What detection knows of a repository's files, and how it reads one on demand.

Detection never touches a filesystem: a collector lists the files (paths, and sizes where it
knows them) and hands over a `ReadFile` callable (a local checkout opens the file, a Git host fetches it over HTTP).
`FileReader` wraps that callable with the limits every source shares: size, binary content,
unreadable files, and one read per file at most.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import NamedTuple

logger = logging.getLogger(__name__)


class RepoFile(NamedTuple):
    """One listed file with its size: what detection queues to read, and what a Git host lists."""

    path: str  # POSIX path relative to the repository root, e.g. ".github/workflows/ci.yml"
    size: int | None = None  # bytes; None when the lister does not know (the reader then enforces the limit)


class UnreadableFile(Exception):
    """Raised by a ReadFile callable; str(exc) is the reason, e.g. "permission denied"."""


#: Reads one file on demand by its repository-relative path; raises UnreadableFile.
ReadFile = Callable[[str], bytes]

NOT_DETECTED = "signals in it are not detected"

_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def human_size(size: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} bytes"


class FileReader:
    """Reads candidate files through `read`, at most once each, within the shared limits.

    Every file that cannot be used becomes one line in `problems`; callers just get None.
    """

    def __init__(self, read: ReadFile, max_file_bytes: int) -> None:
        self._read = read
        self._max_file_bytes = max_file_bytes
        self._texts: dict[str, str | None] = {}
        self.files_read = 0
        self.problems: list[str] = []
        #: path -> what happened, for every file that could not be used (read or parsed).
        self.failed: dict[str, str] = {}

    def problem(self, path: str, what: str) -> None:
        self.problems.append(f"{path}: {what}")
        self.failed.setdefault(path, what.partition(" — ")[0])

    def text(self, file: RepoFile) -> str | None:
        """The file's content decoded as UTF-8 (bad bytes replaced) or, after a byte-order mark,
        UTF-16; None if unusable."""
        if file.path in self._texts:
            return self._texts[file.path]
        text = self._load(file)
        self._texts[file.path] = text
        return text

    def _load(self, file: RepoFile) -> str | None:
        if file.size is not None and file.size > self._max_file_bytes:
            self._too_large(file.path, file.size)
            return None
        self.files_read += 1
        try:
            raw = self._read(file.path)
        except (UnreadableFile, OSError) as exc:
            # OSError too: a file can vanish or change permissions between listing and reading.
            logger.debug("cannot read %s: %s", file.path, exc)
            self.problem(file.path, f"not read ({exc}) — {NOT_DETECTED}")
            return None
        if len(raw) > self._max_file_bytes:  # the listing's size was stale
            self._too_large(file.path, len(raw))
            return None
        if raw.startswith(_UTF16_BOMS):  # Windows tools write YAML and JSON so; NUL bytes are its ASCII
            try:
                return raw.decode("utf-16").removeprefix("\ufeff")
            except UnicodeDecodeError:
                self.problem(file.path, f"broken UTF-16 text, not read — {NOT_DETECTED}")
                return None
        if b"\0" in raw:
            self.problem(file.path, f"binary content (NUL bytes), not read — {NOT_DETECTED}")
            return None
        return raw.decode("utf-8", errors="replace").removeprefix("\ufeff")

    def _too_large(self, path: str, size: int) -> None:
        limit = human_size(self._max_file_bytes)
        self.problem(path, f"larger than {limit} ({human_size(size)}), not read — {NOT_DETECTED}")
