"""Reading one pack file: the user-YAML reader (duplicate keys refused: PyYAML keeps the last
silently, which would drop a rule's `when` or a whole metric without a word), errors as PackError."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rules.errors import PackError
from scanner.user_yaml import read_user_yaml


def display_path(path: Path) -> str:
    """The path as the user will recognise it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def read_yaml(path: Path, shown: str | None = None) -> Any:
    """The file's document; errors name it as `shown` (default: its display_path)."""
    return read_user_yaml(path, shown if shown is not None else display_path(path), PackError)
