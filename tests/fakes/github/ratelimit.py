"""Primary rate-limit budgets: one window per (token, resource), like GitHub's hourly windows."""

from __future__ import annotations

import threading
from dataclasses import dataclass

from tests.fakes.http.clock import FakeClock

WINDOW_SECONDS = 3600


@dataclass(frozen=True)
class Budget:
    resource: str
    limit: int
    used: int
    reset: int  # epoch seconds

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Used": str(self.used),
            "X-RateLimit-Reset": str(self.reset),
            "X-RateLimit-Resource": self.resource,
        }


class RateLimiter:
    def __init__(self, clock: FakeClock) -> None:
        self._clock = clock
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}  # (key, resource) -> (window start, used)
        self._lock = threading.Lock()

    def peek(self, key: str, resource: str, limit: int) -> Budget:
        with self._lock:
            return self._budget(key, resource, limit)

    def try_charge(self, key: str, resource: str, limit: int, amount: int) -> Budget | None:
        """Charge `amount` if the window still holds it (check and charge are one step); None otherwise."""
        with self._lock:
            start, used = self._current(key, resource, self._clock.time())
            if used + amount > limit:
                return None
            self._windows[(key, resource)] = (start, used + amount)
            return self._budget(key, resource, limit)

    def refund(self, key: str, resource: str, amount: int) -> None:
        with self._lock:
            start, used = self._current(key, resource, self._clock.time())
            self._windows[(key, resource)] = (start, max(0, used - amount))

    def clear(self) -> None:
        with self._lock:
            self._windows.clear()

    def _current(self, key: str, resource: str, now: float) -> tuple[float, int]:
        start, used = self._windows.get((key, resource), (now, 0))
        if now >= start + WINDOW_SECONDS:  # the window has reset: a fresh budget
            return now, 0
        return start, used

    def _budget(self, key: str, resource: str, limit: int) -> Budget:
        now = self._clock.time()
        start, used = self._current(key, resource, now)
        return Budget(resource=resource, limit=limit, used=used, reset=int(start + WINDOW_SECONDS))
