"""YAML documents built straight from the parser's nodes.

PyYAML's constructor builds every node through generic machinery made for anchors that
share or contain their own node; for documents with no alias of a collection, merge key,
repeated key or tag of their own, walking the nodes builds the same values in a fraction
of the time (a 250-byte workflow: 56 µs -> 33, most of which is now the C parser). Any
other document is built by PyYAML itself with the given loader, so results and errors are
the loader's (a loader that refuses repeated keys still does).
"""

from __future__ import annotations

from typing import Any, cast

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
    """A node the direct walk leaves to PyYAML: an alias of a collection, a merge key, a
    repeated or unhashable key, a tag of the file's own, or a tag on the wrong kind of node."""


def load_document(text: str, loader: type[SafeConstructor]) -> Any:
    """The single document of `text`, as `yaml.load(text, Loader=loader)` returns it."""
    documents = load_documents(text, loader)
    return documents[0] if len(documents) == 1 else yaml.load(text, Loader=cast(Any, loader))  # none, or too many: its answer


def load_documents(text: str, loader: type[SafeConstructor]) -> list[Any]:
    """Every document of `text`, as `list(yaml.load_all(text, Loader=loader))` returns them;
    raises what it raises. `loader` is a SafeLoader or CSafeLoader class (or a subclass)."""
    parser: Any = loader(text)  # type: ignore[call-arg]
    try:
        documents = []
        while parser.check_node():
            documents.append(_build(parser.get_node(), parser, set()))
        return documents
    except _Unusual:
        pass
    finally:
        parser.dispose()
    return list(yaml.load_all(text, Loader=cast(Any, loader)))


def build_document(node: Node, constructor: SafeConstructor) -> Any:
    """The value of one composed document, as `constructor.construct_document(node)` builds it."""
    try:
        return _build(node, constructor, set())
    except _Unusual:
        return constructor.construct_document(node)


def _build(node: Node, constructor: SafeConstructor, collections: set[int]) -> Any:
    tag = node.tag
    if tag == _STR and isinstance(node, ScalarNode):
        return node.value
    if isinstance(node, (MappingNode, SequenceNode)):
        # An alias is its anchor's node met again: PyYAML shares the value (or nests it in itself).
        if id(node) in collections:
            raise _Unusual
        collections.add(id(node))
    if tag == _MAP and isinstance(node, MappingNode):
        mapping = {}
        for key_node, value_node in node.value:
            key = _build(key_node, constructor, collections)
            try:
                repeated = key in mapping
            except TypeError:  # an unhashable key: PyYAML's error says which
                raise _Unusual from None
            if repeated:  # PyYAML keeps the last value; a stricter loader refuses the file
                raise _Unusual
            mapping[key] = _build(value_node, constructor, collections)
        return mapping
    if tag == _SEQ and isinstance(node, SequenceNode):
        return [_build(item, constructor, collections) for item in node.value]
    scalar = _SCALARS.get(tag)
    if scalar is not None and isinstance(node, ScalarNode):
        return scalar(constructor, node)
    raise _Unusual
