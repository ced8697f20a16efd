"""The `read` callable detection is given: bytes of a listed file, within the size limit."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable

from collectors.detect import UnreadableFile
from collectors.local.text import READ_FLAGS, os_reason


class FileReader:
    """Reads files of one listing by their listed path, and remembers which it could not read.

    Files are opened non-blocking and checked to be regular after opening, so a file swapped
    for a FIFO since the listing still cannot block the scan; the size is checked on the open
    file and again while reading, so a file that grew past the limit is refused too.
    """

    def __init__(self, locate: Callable[[str], str | None], max_bytes: int) -> None:
        self._locate = locate  # listed path -> file to open; None when the path was not listed
        self._max_bytes = max_bytes
        self.refused: set[str] = set()

    def __call__(self, path: str) -> bytes:
        try:
            return self._read(path)
        except UnreadableFile:
            self.refused.add(path)
            raise

    def _read(self, path: str) -> bytes:
        location = self._locate(path)
        if location is None:
            raise UnreadableFile("not in the repository listing")
        too_large = UnreadableFile(f"larger than {self._max_bytes} bytes")
        try:
            descriptor = os.open(location, READ_FLAGS)
        except OSError as exc:
            raise UnreadableFile(os_reason(exc)) from None
        try:
            status = os.fstat(descriptor)
            if not stat.S_ISREG(status.st_mode):
                raise UnreadableFile("not a regular file")
            if status.st_size > self._max_bytes:
                raise too_large
            content = _read_to_end(descriptor, status.st_size, self._max_bytes + 1)
        except OSError as exc:
            raise UnreadableFile(os_reason(exc)) from None
        finally:
            os.close(descriptor)
        if len(content) > self._max_bytes:
            raise too_large
        return content


def _read_to_end(descriptor: int, expected: int, limit: int) -> bytes:
    """At most `limit` bytes. Plain os.read calls sized from fstat: a buffered read of
    `limit` bytes allocates that much for every file (measured: 22 µs a file against 5)."""
    chunks: list[bytes] = []
    size = 0
    want = expected + 1  # one more than expected: a file that grew since fstat is noticed
    while size < limit:
        chunk = os.read(descriptor, min(want, limit - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        want = _CHUNK
    return b"".join(chunks)


_CHUNK = 1 << 16
