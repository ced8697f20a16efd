"""One client per worker thread: HTTP sessions are not safe to share between threads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class PerThread(Generic[T]):
    """Makes a T on a thread's first `get`; `close` closes every one made, on any thread."""

    def __init__(self, make: Callable[[], T], close: Callable[[T], None]) -> None:
        self._make = make
        self._close = close
        self._local = threading.local()
        self._made: list[T] = []
        self._lock = threading.Lock()

    def get(self) -> T:
        made: T | None = getattr(self._local, "made", None)
        if made is None:
            made = self._make()
            self._local.made = made
            with self._lock:
                self._made.append(made)
        return made

    def close(self) -> None:
        with self._lock:
            for made in self._made:
                self._close(made)
            self._made.clear()
