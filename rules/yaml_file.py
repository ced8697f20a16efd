"""Reading one pack file: YAML with duplicate keys refused (PyYAML keeps the last silently,
which would drop a rule's `when` or a whole metric without a word)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode

from rules.errors import PackError
from scanner.errors import read_user_text
from scanner.yaml_documents import load_document


# The C parser when PyYAML has it: the default pack loads ten times faster.
class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            try:
                duplicate = key in seen
            except TypeError:  # an unhashable key; SafeLoader reports it below
                continue
            if duplicate:
                raise ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def display_path(path: Path) -> str:
    """The path as the user will recognise it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def read_yaml(path: Path) -> Any:
    shown = display_path(path)
    text = read_user_text(path, shown, PackError)
    try:
        return load_document(text, _UniqueKeyLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise PackError(f"{shown}: {where}YAML syntax error: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise PackError(f"{shown}: YAML syntax error: {exc}") from None
