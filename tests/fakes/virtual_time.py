"""Virtual time for collectors that wait on servers: a sleep moves the clock instead of the test."""

from __future__ import annotations

import threading
from collections.abc import Callable


class VirtualTimer:
    """A `scanner.contract.Timer` whose time passes only when a collector sleeps.

    `now` and `advance` are the fake server's clock, so rate-limit resets the fake announces
    arrive as soon as the collector waits for them; `slept` records every wait.
    """

    def __init__(self, now: Callable[[], float], advance: Callable[[float], None]) -> None:
        self._now = now
        self._advance = advance
        self._lock = threading.Lock()
        self.slept: list[float] = []

    def time(self) -> float:
        return self._now()

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
        self._advance(seconds)
