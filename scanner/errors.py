"""The three kinds of failure (see README, "Exit codes").

UserError: bad config, bad pack, bad path. Stops before collection, one line, exit 2.
SourceUnavailable: a collector cannot reach or authenticate to its source. Recorded as a
    problem; its evidence becomes unavailable; the other collectors go on.
Observation gaps (403, 404, unsupported) are not exceptions at all: they are evidence.
"""

from __future__ import annotations

from pathlib import Path


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


class ScanFailed(PecmError):
    """The scan produced nothing to assess: every configured source failed."""


def read_user_text(path: Path, label: str, error: type[UserError] = UserError) -> str:
    """The UTF-8 text of a file the user named (config, pack, bundle, assessment, answers);
    `error` in one line starting with `label` when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise error(f"{label}: not UTF-8 text") from None
    except OSError as exc:
        raise error(f"{label}: cannot read it: {exc.strerror or exc}") from None
