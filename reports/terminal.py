"""Rich consoles for terminals and for files alike."""

from __future__ import annotations

from typing import TextIO, cast

from rich.console import Console

NON_TTY_WIDTH = 80  # files and pipes get a fixed width: reproducible, and readable anywhere


def output_console(out: TextIO) -> Console:
    """A rich Console writing to `out`: colour only on a terminal, fixed width elsewhere.

    rich itself honours NO_COLOR and the terminal's size; forcing `force_terminal=False`
    off a TTY keeps FORCE_COLOR from putting escape codes into files.
    """
    tty = is_tty(out)
    return Console(
        file=out if tty else cast(TextIO, _TrimmedLines(out)),
        force_terminal=None if tty else False,
        force_jupyter=False,
        width=None if tty else NON_TTY_WIDTH,
        markup=False,
        emoji=False,
        highlight=False,
    )


def is_tty(out: TextIO) -> bool:
    try:
        return out.isatty()
    except (AttributeError, ValueError):  # no isatty, or a closed file
        return False


class _TrimmedLines:
    """Passes text on to `out` without the blanks rich pads table cells and wrapped lines with:
    a file or a pipe gets no trailing spaces (a README quoting the output stays exact)."""

    # Not an io.TextIOBase: its finalizer would flush into `out` after the caller closed it.
    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._partial = ""  # the end of the last line written, until its newline comes

    def write(self, text: str) -> int:
        *lines, self._partial = (self._partial + text).split("\n")
        if lines:
            self._out.write("".join(line.rstrip(" ") + "\n" for line in lines))
        return len(text)

    def flush(self) -> None:
        self._out.write(self._partial)
        self._partial = ""
        self._out.flush()

    def isatty(self) -> bool:
        return False
