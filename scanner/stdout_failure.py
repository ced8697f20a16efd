"""Standard output that cannot be written (`pecm … > /dev/full`): told apart, said, silenced.

pecm writes its own files through scanner/commands/support.write_file, which names the file in a one-line
error; an OSError of a full or failing device that arrives unnamed is standard output's.
scanner.start uses this before the application is imported, so it needs nothing else.
"""

from __future__ import annotations

import errno
import os
import sys

_OUTPUT_DEVICE_ERRNOS = frozenset(
    getattr(errno, name) for name in ("ENOSPC", "EDQUOT", "EFBIG", "EIO") if hasattr(errno, name)  # no EDQUOT on Windows
)


def is_stdout_failure(exc: OSError) -> bool:
    return exc.errno in _OUTPUT_DEVICE_ERRNOS and exc.filename is None


def stdout_failure_message(exc: OSError) -> str:
    return f"cannot write to standard output: {exc.strerror or exc}"


def discard_stdout() -> None:
    """What is still buffered goes nowhere, so Python's own flush at exit does not fail again
    with a traceback."""
    try:
        descriptor = sys.stdout.fileno()
    except (OSError, ValueError):  # not a real file (click's test runner): nothing flushes at exit
        return
    os.dup2(os.open(os.devnull, os.O_WRONLY), descriptor)
