"""Rich consoles for terminals and for files alike."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console

NON_TTY_WIDTH = 80  # files and pipes get a fixed width: reproducible, and readable anywhere


def output_console(out: TextIO) -> Console:
    """A rich Console writing to `out`: colour only on a terminal, fixed width elsewhere.

    rich itself honours NO_COLOR and the terminal's size; forcing `force_terminal=False`
    off a TTY keeps FORCE_COLOR from putting escape codes into files.
    """
    tty = is_tty(out)
    return Console(
        file=out,
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
