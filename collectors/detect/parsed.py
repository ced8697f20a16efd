"""Parsed YAML kept by text, for the files that recur across an organization's repositories.

Repositories made from one template carry the same workflows, catalog entries and manifests,
and composing a file's nodes is most of what scanning it costs. `ParsedCache` keeps the
documents of the last texts parsed, pickled: every caller gets its own copy (what one
repository's checks might change never reaches another's), with the sharing aliases made,
and unpickling costs a fraction of parsing again. Only the documents of texts that parsed
are kept: a text that fails is parsed again, so each file that holds it reports its problem.
Only values the safe loaders build are pickled (dicts, lists, strings, numbers, dates, bytes,
sets), and only bytes pickled here are ever unpickled.
"""

from __future__ import annotations

import pickle
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

#: Texts kept at most, and the longest kept: a few MiB at worst, per process.
MAX_TEXTS = 128
MAX_TEXT_CHARS = 16_384


class ParsedCache:
    """The documents of recently parsed texts, least recently used dropped first. Safe to
    share between threads: each step is one atomic operation of the ordered dict."""

    def __init__(self, max_texts: int = MAX_TEXTS, max_text_chars: int = MAX_TEXT_CHARS) -> None:
        self._max_texts = max_texts
        self._max_text_chars = max_text_chars
        self._pickled: OrderedDict[str, bytes] = OrderedDict()

    def documents(self, text: str, parse: Callable[[str], list[Any]]) -> list[Any]:
        """`parse(text)`, or a copy of what it returned for the same text before; what `parse`
        raises propagates, and nothing is kept then."""
        if len(text) > self._max_text_chars:
            return parse(text)
        pickled = self._pickled.get(text)
        if pickled is not None:
            try:
                self._pickled.move_to_end(text)
            except KeyError:  # dropped meanwhile by another thread: the copy is still good
                pass
            documents: list[Any] = pickle.loads(pickled)
            return documents
        documents = parse(text)
        try:
            pickled = pickle.dumps(documents, protocol=pickle.HIGHEST_PROTOCOL)
        except (RecursionError, pickle.PicklingError, TypeError, ValueError):
            return documents  # nested past the pickler's depth: parsed each time
        self._pickled[text] = pickled
        while len(self._pickled) > self._max_texts:
            try:
                self._pickled.popitem(last=False)
            except KeyError:
                break
        return documents

    def __len__(self) -> int:
        return len(self._pickled)
