"""The three kinds of failure (see README, "Exit codes").

UserError: bad config, bad pack, bad path. Stops before collection, one line, exit 2.
SourceUnavailable: a collector cannot reach or authenticate to its source. Recorded as a
    problem; its evidence becomes unavailable; the other collectors go on.
CredentialsUnusable: a SourceUnavailable the user can fix, credentials missing or refused. When
    every source stopped for that reason, the scan is a user error (exit 2), not a failed one.
Observation gaps (403, 404, unsupported) are not exceptions at all: they are evidence.
Terminated: not a failure but a request to stop (SIGTERM); the CLI exits 143.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO


class PecmError(Exception):
    """Base of pecm's own errors. `hint` says what the user can do about it."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class UserError(PecmError):
    """Input the user can fix: configuration, rule packs, paths, files given on the command line."""


class SourceUnavailable(PecmError):
    """A collector could not reach, or was refused by, its whole source."""


class CredentialsUnusable(SourceUnavailable):
    """The source refused the credentials the configuration names (revoked, expired, wrong), or
    the variable meant to hold them is empty."""


class ScanFailed(PecmError):
    """The scan produced nothing to assess: every configured source failed."""


# Files a user names are read whole into memory: these bounds keep a wrong path (a log, a
# disk image) from exhausting it. YAML and CSV are written by hand or by a survey; evidence
# bundles and saved assessments grow with the organization (10,000 repositories: ~55 MB).
MAX_TEXT_BYTES = 10 * 2**20
MAX_JSON_BYTES = 1024 * 2**20


class Terminated(BaseException):
    """The process was asked to stop (SIGTERM). A BaseException, like KeyboardInterrupt: the
    `except Exception` that keeps one plugin's bug from costing the others must not swallow it."""


def read_user_text(path: Path, label: str, error: type[PecmError] = UserError, limit: int = MAX_TEXT_BYTES) -> str:
    """The UTF-8 text of a file the user named (config, pack, bundle, answers), with universal
    newlines; `error` in one line starting with `label` when it cannot be read (see
    `read_user_bytes`) or is not UTF-8."""
    text = decode_user_text(read_user_bytes(path, label, error, limit), label, error)
    return text.replace("\r\n", "\n").replace("\r", "\n")  # universal newlines, as text files are read


def read_user_bytes(path: Path, label: str, error: type[PecmError] = UserError, limit: int = MAX_TEXT_BYTES) -> bytes:
    """The bytes of a file the user named, for a parser that takes them as they are (a saved
    assessment: decoding it to text first cost a fifth of reading it); `error` in one line
    starting with `label` when it cannot be read, is not a regular file (a FIFO would block,
    /dev/zero never ends) or holds more than `limit` bytes."""
    with open_user_file(path, label, error) as file:
        data = _read_or_fail(file, limit + 1, label, error)
    if len(data) > limit:
        size = f"{limit // 2**20} MiB" if limit >= 2**20 else f"{limit // 2**10} KiB"
        raise error(f"{label}: larger than {size}, the most pecm reads from such a file")
    return data


def decode_user_text(data: bytes, label: str, error: type[PecmError] = UserError) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise error(f"{label}: not UTF-8 text") from None


@contextmanager
def open_user_file(path: Path, label: str, error: type[PecmError] = UserError) -> Iterator[IO[bytes]]:
    """A file the user named, open for reading bytes; `error` in one line starting with `label`
    when it cannot be opened or is not a regular file. Never blocks on a FIFO nor opens a device."""
    try:
        kind = file_kind(os.stat(path).st_mode)  # before opening: opening some devices acts on them
        if kind is not None:
            raise error(f"{label}: not a regular file but {kind}")
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise error(f"{label}: cannot read it: {exc.strerror or exc}") from None
    with os.fdopen(descriptor, "rb") as file:
        status = os.fstat(file.fileno())  # the path may have been replaced since the stat above
        kind = file_kind(status.st_mode)
        if kind is not None:
            raise error(f"{label}: not a regular file but {kind}")
        yield file


def _read_or_fail(file: IO[bytes], most: int, label: str, error: type[PecmError]) -> bytes:
    """At most `most` bytes of the file."""
    try:
        data = file.read(most)
    except OSError as exc:
        raise error(f"{label}: cannot read it: {exc.strerror or exc}") from None
    # Kernel files (/proc, /sys) call themselves regular files of size 0 yet have content.
    if data and os.fstat(file.fileno()).st_size == 0:
        raise error(f"{label}: not a regular file but a /proc or /sys entry")
    return data


def file_kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"
