"""YAML documents built straight from the parser's nodes.

PyYAML's constructor builds every node through generic machinery made for anchors that
share or contain their own node; for documents with no anchor, merge key or tag of their
own, walking the nodes builds the same values in a fraction of the time (a 250-byte
workflow: 56 µs -> 33, most of which is now the C parser). Any other document is built by
PyYAML itself, so results and errors are PyYAML's.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_STR, _MAP, _SEQ = (f"tag:yaml.org,2002:{name}" for name in ("str", "map", "seq"))
# Plain scalars the resolver types (null, true, 12, 1.5, 2024-01-31): PyYAML's own constructors.
_SCALARS = {
    f"tag:yaml.org,2002:{name}": SafeConstructor.yaml_constructors[f"tag:yaml.org,2002:{name}"]
    for name in ("null", "bool", "int", "float", "timestamp")
}


class _Unusual(Exception):
    """A node the direct walk leaves to PyYAML: a merge key, a tag of the file's own, an
    unhashable key, or a tag on the wrong kind of node."""


def load_documents(text: str, loader: type[SafeConstructor]) -> list[Any]:
    """Every document of `text`, as `list(yaml.load_all(text, Loader=loader))` returns them;
    raises what it raises. `loader` is a SafeLoader or CSafeLoader class (or a subclass)."""
    if "&" not in text:  # anchors can share or nest nodes: left to PyYAML
        parser: Any = loader(text)  # type: ignore[call-arg]
        try:
            documents = []
            while parser.check_node():
                documents.append(_build(parser.get_node(), parser))
            return documents
        except _Unusual:
            pass
        finally:
            parser.dispose()
    return list(yaml.load_all(text, Loader=loader))


def _build(node: Node, constructor: SafeConstructor) -> Any:
    tag = node.tag
    if tag == _STR and isinstance(node, ScalarNode):
        return node.value
    if tag == _MAP and isinstance(node, MappingNode):
        mapping = {}
        for key_node, value_node in node.value:
            key, value = _build(key_node, constructor), _build(value_node, constructor)
            try:
                mapping[key] = value
            except TypeError:  # an unhashable key: PyYAML's error says which
                raise _Unusual from None
        return mapping
    if tag == _SEQ and isinstance(node, SequenceNode):
        return [_build(item, constructor) for item in node.value]
    scalar = _SCALARS.get(tag)
    if scalar is not None and isinstance(node, ScalarNode):
        return scalar(constructor, node)
    raise _Unusual
