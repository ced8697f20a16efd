"""File-system text and flags shared by the walk, the reads and the git metadata."""

from __future__ import annotations

import os

#: How files are opened for reading: never blocking on a FIFO, never through a final symlink
#: (listed links are already resolved), binary. Flags a platform lacks (Windows) count as 0.
READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)

_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(name: str) -> str:
    """Escape what cannot be shown on one line: undecodable bytes, control characters, backslash.

    `name` is a file-system string as os.scandir returns it (undecodable bytes arrive as
    surrogate escapes). Backslash itself is escaped so that distinct names never map to the
    same text: `\\x..` only ever stands for an undecodable byte (`b"a\\xff"` becomes `a\\xff`),
    `\\u....`/`\\U........` for an unprintable character, and a literal backslash is doubled.
    """
    if name.isprintable() and "\\" not in name:
        return name
    return "".join(_escape(char) for char in name)


def _escape(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8, kept by surrogateescape
        return f"\\x{code - 0xDC00:02x}"
    if char.isprintable():
        return char
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def os_reason(exc: OSError) -> str:
    """'permission denied', not "[Errno 13] Permission denied: '/full/path'" (the caller names the path)."""
    return exc.strerror.lower() if exc.strerror else type(exc).__name__
