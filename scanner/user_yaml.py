"""The one reader of the YAML files a user writes: the config, rule packs, self-assessments.

PyYAML alone keeps the last of two repeated keys without a word (a second `rules:` drops
the first), lets a few lines of aliases stand for billions of values (an "alias bomb" that
whatever walks the result never finishes), and builds an alias of its own collection as a
structure that contains itself. Here a repeated key is refused with its line, and the
document's nodes are measured before anything is built: nesting depth and what the aliases
expand to are bounded, and an alias inside its own anchor is refused.
"""

from __future__ import annotations

from itertools import chain
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode

from scanner.errors import UserError, read_user_text
from scanner.yaml_documents import build_document

MAX_DEPTH = 64  # the config nests 4 levels, a rule's condition a dozen at most
MAX_ALIAS_NODES = 100_000  # values aliases may add beyond those written in the file
_MERGE = "tag:yaml.org,2002:merge"


# The C parser when PyYAML has it: the default pack loads ten times faster.
class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:  # `<<: *defaults`: its keys may be overridden, SafeLoader merges them
                continue
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicate = key in seen
            except TypeError:  # an unhashable key; SafeLoader reports it below
                continue
            if duplicate:
                raise ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


class _OutOfBounds(Exception):
    """The document nests too deep, expands too far or contains itself; the message says which, the node where."""

    def __init__(self, message: str, node: Node) -> None:
        super().__init__(message)
        self.node = node


def read_user_yaml(path: Path, label: str, error: type[UserError] = UserError) -> Any:
    """The single YAML document of a file the user wrote (None when empty); `error` in one
    line starting with `label` for anything unreadable, malformed or out of bounds."""
    text = read_user_text(path, label, error)
    loader = _UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _measure(node)
        return build_document(node, loader)
    except _OutOfBounds as exc:
        raise error(f"{label}: line {exc.node.start_mark.line + 1}: {exc}") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise error(f"{label}: {where}YAML syntax error: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise error(f"{label}: YAML syntax error: {exc}") from None
    except RecursionError:  # the pure-Python parser composes recursively; the C one stops at 1,000 levels
        raise error(f"{label}: nested more than {MAX_DEPTH} levels deep") from None
    finally:
        loader.dispose()


def _measure(root: Node) -> None:
    """Raise _OutOfBounds when the document nests too deep, when its aliases expand to too many
    values, or when an alias stands inside the collection it names (a value containing itself).
    Each collection is measured once, so an alias bomb is refused as fast as it is read; an
    alias of a scalar is one value, as written, so scalars need no bookkeeping."""
    measured: dict[int, tuple[int, int]] = {}  # id(collection) -> (values once expanded, levels below)
    open_collections: set[int] = set()
    written = 0  # values as they stand in the file

    def measure(node: Node, depth: int) -> tuple[int, int]:
        nonlocal written
        known = measured.get(id(node))
        if known is not None:  # an alias of a collection met before
            if depth + known[1] > MAX_DEPTH:
                raise _OutOfBounds(f"nested more than {MAX_DEPTH} levels deep through an alias", node)
            return known
        if id(node) in open_collections:
            raise _OutOfBounds("an alias refers to a collection that contains it", node)
        if depth > MAX_DEPTH:
            raise _OutOfBounds(f"nested more than {MAX_DEPTH} levels deep", node)
        open_collections.add(id(node))
        children = chain.from_iterable(node.value) if isinstance(node, MappingNode) else node.value
        size, below = 1, 0
        for child in children:
            if type(child) is ScalarNode:
                size += 1
                written += 1
            else:
                child_size, child_below = measure(child, depth + 1)
                size += child_size
                if child_below > below:
                    below = child_below
        open_collections.discard(id(node))
        written += 1
        if size - written > MAX_ALIAS_NODES:
            raise _OutOfBounds(f"aliases expand to more than {MAX_ALIAS_NODES} values (an alias bomb?)", node)
        measured[id(node)] = known = (size, below + 1)
        return known

    if not isinstance(root, ScalarNode):
        measure(root, 0)
