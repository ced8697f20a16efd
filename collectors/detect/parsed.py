"""What detection derived from a text, kept for the files that recur across an organization's
repositories.

Repositories made from one template carry the same workflows, catalog entries and manifests,
and parsing and walking a file is most of what scanning it costs. `TextMemo` keeps what was
derived from the last texts seen, by the text itself (a dict lookup: equal texts only, no
hash that two texts could share). `ParsedCache` keeps parsed YAML documents pickled: every
caller gets its own copy (what one repository's checks might change never reaches
another's), with the sharing aliases made, and unpickling costs a fraction of parsing again.
Only what texts that parsed gave is kept: a text that fails is parsed again, so each file
that holds it reports its problem. Only values the safe loaders build are pickled (dicts,
lists, strings, numbers, dates, bytes, sets), and only bytes pickled here are unpickled.
"""

from __future__ import annotations

import pickle
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, TypeVar

#: Texts kept at most per memo, and the longest kept: a few MiB at worst, per process.
MAX_TEXTS = 128
MAX_TEXT_CHARS = 16_384

T = TypeVar("T")


class TextMemo(Generic[T]):
    """A value per recent text, least recently used dropped first. Safe to share between
    threads: each step is one atomic operation of the ordered dict."""

    def __init__(self, max_texts: int = MAX_TEXTS, max_text_chars: int = MAX_TEXT_CHARS) -> None:
        self._max_texts = max_texts
        self._max_text_chars = max_text_chars
        self._values: OrderedDict[str, T] = OrderedDict()

    def get(self, text: str) -> T | None:
        value = self._values.get(text)
        if value is not None:
            try:
                self._values.move_to_end(text)
            except KeyError:  # dropped meanwhile by another thread: the value is still good
                pass
        return value

    def put(self, text: str, value: T) -> None:
        if len(text) > self._max_text_chars:
            return
        self._values[text] = value
        while len(self._values) > self._max_texts:
            try:
                self._values.popitem(last=False)
            except KeyError:
                break

    def __len__(self) -> int:
        return len(self._values)


class ParsedCache:
    """The documents of recently parsed texts, each caller with a copy of its own."""

    def __init__(self, max_texts: int = MAX_TEXTS, max_text_chars: int = MAX_TEXT_CHARS) -> None:
        self._max_text_chars = max_text_chars
        self._pickled: TextMemo[bytes] = TextMemo(max_texts, max_text_chars)

    def documents(self, text: str, parse: Callable[[str], list[Any]]) -> list[Any]:
        """`parse(text)`, or a copy of what it returned for the same text before; what `parse`
        raises propagates, and nothing is kept then."""
        if len(text) > self._max_text_chars:
            return parse(text)
        pickled = self._pickled.get(text)
        if pickled is not None:
            documents: list[Any] = pickle.loads(pickled)
            return documents
        documents = parse(text)
        try:
            self._pickled.put(text, pickle.dumps(documents, protocol=pickle.HIGHEST_PROTOCOL))
        except (RecursionError, pickle.PicklingError, TypeError, ValueError):
            pass  # nested past the pickler's depth: parsed each time
        return documents

    def __len__(self) -> int:
        return len(self._pickled)
