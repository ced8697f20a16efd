"""The fakes' clock: time that tests (and a collector's virtual sleeps) move forward.

`FakeClock()` follows real time plus an offset, for fakes whose payloads are dated relative to
now; `FakeClock(start=…)` stands still until advanced, so a fake's own timestamps prove that a
collector waited in virtual time (a real sleep would leave it where it was).
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

from tests.fakes.virtual_time import VirtualTimer


class FakeClock:
    def __init__(self, start: float | None = None) -> None:
        self._start = start
        self._offset = 0.0
        self._lock = threading.Lock()

    def time(self) -> float:
        with self._lock:
            base = time.time() if self._start is None else self._start
            return base + self._offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), tz=timezone.utc)

    @property
    def advanced(self) -> float:
        """Seconds added by `advance` since the last reset."""
        with self._lock:
            return self._offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += seconds

    def reset(self) -> None:
        with self._lock:
            self._offset = 0.0

    def timer(self) -> VirtualTimer:
        """A collector's timer on this clock: its sleeps advance the fake's time and take none."""
        return VirtualTimer(self.time, self.advance)
