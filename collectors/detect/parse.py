"""Safe parsing of repository files: YAML and JSON that may be hostile or broken.

Everything here turns bad input into one problem line and a None result, never an exception.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, NamedTuple

import yaml

from collectors.detect.files import FileReader, RepoFile
from collectors.detect.parsed import ParsedCache
from scanner.yaml_documents import load_documents

# The C loader is an order of magnitude faster; the pure-Python one behaves the same.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: An alias bomb ("billion laughs") is a small file whose aliases expand to an enormous tree.
#: Real CI files and manifests use a few aliases for small shared blocks; a document with more
#: aliases than this, or whose aliases expand past MAX_YAML_EXPANDED_NODES, is refused.
MAX_YAML_ALIASES = 100
MAX_YAML_EXPANDED_NODES = 100_000

#: Nodes a structural walk visits at most; bounds work on whatever a file holds.
MAX_WALK_NODES = 20_000

_FIX = "fix or ignore the file"
# Bounded (parsed.py): the same workflow or catalog text recurs across repositories.
_PARSED = ParsedCache()
_YAML_COMMENT_LINE = re.compile(r"^[ \t]*#.*$", re.M)
_SLASH_COMMENT_LINE = re.compile(r"^[ \t]*//.*$", re.M)


# An anchor (`&name`) starts a node: only text holding one can hold a working alias.
_ANCHOR = re.compile(r"(?:^|[\s\[{,])&[\w-]")


def _is_alias_bomb(text: str) -> bool:
    """Count each document's aliases and the size they expand to, from parse events alone
    (nothing is built). Raises yaml.YAMLError on malformed text."""
    if "&" not in text or not _ANCHOR.search(text):  # the substring test first: 0.04 µs, the pattern's 2.6
        return False
    aliases = 0
    anchored: dict[str, int] = {}  # anchor -> nodes under it once expanded
    open_nodes: list[list[Any]] = []  # [expanded size so far, anchor] per open collection
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
            if isinstance(event, yaml.AliasEvent):
                aliases += 1
                size = anchored.get(event.anchor or "", 1)
            else:
                size = 1
                if event.anchor:
                    anchored[event.anchor] = 1
            if open_nodes:
                open_nodes[-1][0] += size
        elif isinstance(event, yaml.CollectionStartEvent):
            open_nodes.append([1, event.anchor])
        elif isinstance(event, yaml.CollectionEndEvent):
            size, anchor = open_nodes.pop()
            if anchor:
                anchored[anchor] = size
            if open_nodes:
                open_nodes[-1][0] += size
        elif isinstance(event, yaml.DocumentStartEvent):
            aliases = 0
            anchored.clear()
        if aliases > MAX_YAML_ALIASES or (open_nodes and open_nodes[-1][0] > MAX_YAML_EXPANDED_NODES):
            return True
    return False


def refuse_alias_bomb(path: str, text: str, reader: FileReader) -> bool:
    """True, with a problem recorded, if the YAML text is an alias bomb. Malformed text is
    left to whoever parses it (a Helm template need not be valid YAML)."""
    try:
        bomb = _is_alias_bomb(text)
    except yaml.YAMLError:
        return False
    if bomb:
        reader.problem(
            path,
            f"YAML aliases past the limit (more than {MAX_YAML_ALIASES} in a document, or expanding "
            f"past {MAX_YAML_EXPANDED_NODES:,} nodes): a possible alias bomb, not parsed — "
            "remove the aliases or ignore the file",
        )
    return bomb


def _documents(text: str) -> list[Any]:
    return _PARSED.documents(text, _parse)


def _parse(text: str) -> list[Any]:
    return load_documents(text, _LOADER)


def _where(exc: Exception) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return f" (line {mark.line + 1})" if mark is not None else ""


def load_yaml(path: str, text: str, reader: FileReader) -> list[Any] | None:
    """All documents of a YAML file, or None (with a problem recorded) if it cannot be trusted."""
    if refuse_alias_bomb(path, text, reader):
        return None
    try:
        return _documents(text)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        reader.problem(path, f"malformed YAML{_where(exc)}: {problem} — {_FIX}")
    except (ValueError, TypeError, RecursionError) as exc:
        # Raised by constructors on values YAML allows but Python cannot build (a date like
        # 2024-13-45, a structure nested thousands deep).
        reader.problem(path, f"malformed YAML: {type(exc).__name__}: {exc} — {_FIX}")
    return None


def load_yaml_quietly(text: str) -> list[Any]:
    """The documents of a file already known by its heads to hold manifests, or [] where it is
    not valid YAML: a Helm template holding manifests is not, and that is no problem to report.
    Call only after `refuse_alias_bomb`."""
    try:
        return _documents(text)
    except (yaml.YAMLError, ValueError, TypeError, RecursionError):
        return []


def load_answer_yaml(text: str) -> list[Any]:
    """The documents of YAML a host's API answered with (a policy people wrote), bounded as a
    file's are: [] where it is not valid YAML or is an alias bomb. Nothing is reported."""
    try:
        return [] if _is_alias_bomb(text) else load_yaml_quietly(text)
    except yaml.YAMLError:
        return []


def read_yaml_mapping(file: RepoFile, reader: FileReader) -> tuple[str, dict[Any, Any]] | None:
    """The file's text and its first YAML document when that is a mapping; None otherwise
    (unreadable and malformed files are already recorded as problems by then)."""
    text = reader.text(file)
    documents = load_yaml(file.path, text, reader) if text is not None else None
    if text is None or not documents or not isinstance(documents[0], dict):
        return None
    return text, documents[0]


def load_json(path: str, text: str, reader: FileReader) -> Any | None:
    """The parsed JSON value, or None (with a problem recorded)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        reader.problem(path, f"malformed JSON (line {exc.lineno}): {exc.msg} — {_FIX}")
    except RecursionError:
        reader.problem(path, f"malformed JSON: nested too deeply — {_FIX}")
    return None


def iter_mappings(value: Any) -> Iterator[dict[Any, Any]]:
    """Every mapping inside `value`, each visited once, at most MAX_WALK_NODES nodes.

    YAML aliases share objects, so a naive walk of a small file can take exponential time;
    visiting each container once keeps it linear.
    """
    seen: set[int] = set()
    pending = [value]
    visited = 0
    while pending and visited < MAX_WALK_NODES:
        node = pending.pop()
        if not isinstance(node, (dict, list)) or id(node) in seen:
            continue
        seen.add(id(node))
        visited += 1
        if isinstance(node, dict):
            yield node
            pending.extend(node.values())
        else:
            pending.extend(node)


def may_hold_any_case(text: str, words: tuple[str, ...]) -> bool:
    """Whether a case-insensitive pattern that needs one of `words` (lower-case ASCII) may match
    `text`: substring tests on the lower-cased text, a fraction of the cost of such a pattern's
    search. Text that is not ASCII always may: re.I also matches `ſ` to s and the Kelvin sign to k."""
    if not text.isascii():
        return True
    lowered = text.lower()
    return any(word in lowered for word in words)


class WordsFirst(NamedTuple):
    """A pattern and words one of which each of its matches holds, tried first as substring
    tests: a pattern of many alternatives (above all `\\b`-led ones) is tried at every position
    of the text, a substring test skips through it."""

    pattern: re.Pattern[str]
    words: tuple[str, ...]

    def search(self, text: str) -> bool:
        for word in self.words:
            if word in text:
                return self.pattern.search(text) is not None
        return False


def strip_comment_lines(text: str, *, slash: bool = False) -> str:
    """Text without whole-line comments, so a commented-out command does not count."""
    if ("//" if slash else "#") not in text:  # most pipelines have no comment: skip the pattern's pass
        return text
    return (_SLASH_COMMENT_LINE if slash else _YAML_COMMENT_LINE).sub("", text)


# Jinja and Go template blocks. Statements and comments go (a whole line when they fill it);
# each expression becomes `0`, which keeps YAML and JSON around it valid in most files
# (`name: {{ name }}`, `"port": {{ port }}`, `"{{ id }}"`).
_TEMPLATE_LINE = re.compile(r"^[ \t]*(?:\{%.*?%\}|\{#.*?#\}|\{\{-?[ \t]*(?:/\*.*?\*/|(?:if|else|end|range|with|define|template|block)\b[^}]*)-?\}\})[ \t]*\n", re.M | re.S)
_TEMPLATE_BLOCK = re.compile(r"\{%.*?%\}|\{#.*?#\}", re.S)
_TEMPLATE_EXPRESSION = re.compile(r"\{\{.*?\}\}", re.S)


def strip_template(text: str) -> str:
    """A templated file's text with its template blocks stripped: tolerant, not a renderer."""
    if "{" not in text:
        return text
    text = _TEMPLATE_LINE.sub("", text)
    return _TEMPLATE_EXPRESSION.sub("0", _TEMPLATE_BLOCK.sub("", text))


def has_template_blocks(text: str) -> bool:
    return "{%" in text or "{{" in text


_TRAILING_COMMA = re.compile(r",(\s*[\]}])")


def load_template_json(text: str) -> Any | None:
    """JSON rendered from a stripped template (loops leave trailing commas), or None, quietly."""
    try:
        return json.loads(_TRAILING_COMMA.sub(r"\1", text))
    except (json.JSONDecodeError, RecursionError):
        return None


def as_list(value: Any) -> list[Any]:
    """YAML keys that take one item or a list of them, always as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
