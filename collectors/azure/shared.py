"""Reads the workers of one scan share: each read once, by whichever worker needs it first."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class ReadOnce(Generic[K, V]):
    """Values each read once per scan. A worker that needs several claims those no other worker
    has claimed yet and reads them one at a time, then waits for the rest: workers that need the
    same pages or definitions read them side by side, instead of one reading while the others
    idle behind a lock. Only workers read, so the scan's concurrency stays its number of workers."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reads: dict[K, Future[V]] = {}

    def get(self, keys: Sequence[K], read: Callable[[K], V]) -> list[V]:
        """The value of each key, in order; a read that raised raises in every worker that needs it."""
        while (claim := self._claim(keys)) is not None:
            key, future = claim
            try:
                future.set_result(read(key))
            except Exception as exc:
                future.set_exception(exc)
        return [self._reads[key].result() for key in keys]

    def _claim(self, keys: Sequence[K]) -> tuple[K, Future[V]] | None:
        with self._lock:
            key = next((key for key in keys if key not in self._reads), None)
            if key is None:
                return None
            future = self._reads[key] = Future()
            return key, future
