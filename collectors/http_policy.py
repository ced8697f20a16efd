"""How every collector that speaks HTTP waits: rate limits, retries and page loops.

One `RateGate` per source, shared by all its workers, so that a limit one worker meets pauses
them all. Two kinds of limit, as GitHub and GitLab document them:
- a *primary* limit (the hourly budget is spent): wait for the reset the answer names, when it
  is within `max_wait`; otherwise the resource closes until that reset;
- a *secondary* limit (too many requests too fast): wait `Retry-After`, or a minute when the
  answer gives none, doubling while the limit persists. Never the hourly reset, which servers
  send on every answer.
A closed resource reopens once its time has passed. All waiting of a source is bounded in
total (`wait_budget`): past it, the resource closes and the source stops cleanly. Time comes from the collect context's
`Timer`, so tests run in virtual time.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

from scanner.contract import Timer

SECONDARY_WAIT_SECONDS = 60.0  # GitHub: "wait at least one minute before retrying"
_MAX_SECONDARY_DOUBLINGS = 3
MAX_PAGES = 1000


@dataclass(frozen=True)
class Refusal:
    """What a rate-limited answer said."""

    primary: bool  # the budget is spent (remaining 0); otherwise a secondary limit
    retry_after: float | None  # seconds, from Retry-After
    reset: float | None  # epoch seconds, from the budget headers


class RateGate:
    """The rate-limit state of one source's resources, shared by all its worker threads."""

    def __init__(self, timer: Timer, *, max_wait: float, wait_budget: float) -> None:
        self._timer = timer
        self._max_wait = max_wait
        self._budget = wait_budget
        self._lock = threading.Lock()
        self._paused: dict[str, tuple[float, bool]] = {}  # resource -> (epoch before which nobody sends, primary?)
        self._closed: dict[str, float] = {}  # resource -> epoch at which it reopens
        self._secondary_streak: dict[str, int] = {}
        self._waited = 0.0  # seconds of waiting charged to the budget
        self._counted_until = 0.0  # waiting up to this epoch is already charged

    def before(self, resource: str) -> float | None:
        """Wait while `resource` is paused. None: send now; a number: closed until that epoch."""
        while True:
            with self._lock:
                now = self._timer.time()
                closed = self._closed.get(resource)
                if closed is not None:
                    if now < closed:
                        return closed
                    del self._closed[resource]
                paused = self._paused.get(resource)
                if paused is None or now >= paused[0]:
                    self._paused.pop(resource, None)
                    return None
                until, primary = paused
                if (primary and until - now > self._max_wait) or not self._charge(now, until):
                    self._closed[resource] = until
                    return until
            self._timer.sleep(until - now)

    def observe(self, resource: str, headers: Mapping[str, str]) -> None:
        """Budget headers of any answer: a spent budget pauses the resource until its reset."""
        remaining, reset = headers.get("x-ratelimit-remaining"), headers.get("x-ratelimit-reset")
        if remaining is None or reset is None or _number(remaining) > 0:
            return
        self._pause(resource, _number(reset) + 1, primary=True)  # the reset second is still in the old window

    def refused(self, resource: str, refusal: Refusal) -> None:
        """A rate-limited answer: pause the resource for every worker."""
        now = self._timer.time()
        if refusal.primary and refusal.retry_after is None and refusal.reset is not None:
            self._pause(resource, refusal.reset + 1, primary=True)
            return
        with self._lock:
            streak = self._secondary_streak.get(resource, 0)
            self._secondary_streak[resource] = streak + 1
        wait = refusal.retry_after
        if wait is None:
            wait = SECONDARY_WAIT_SECONDS * 2 ** min(streak, _MAX_SECONDARY_DOUBLINGS)
        self._pause(resource, now + wait, primary=refusal.primary)

    def succeeded(self, resource: str) -> None:
        with self._lock:
            self._secondary_streak.pop(resource, None)

    def _pause(self, resource: str, until: float, *, primary: bool) -> None:
        with self._lock:
            current = self._paused.get(resource)
            if current is None or until > current[0]:
                self._paused[resource] = (until, primary)

    def _charge(self, now: float, until: float) -> bool:
        """Charge the budget for waiting until `until`; False when the budget cannot pay."""
        extra = until - max(now, self._counted_until)
        if extra <= 0:
            return True
        if self._waited + extra > self._budget:
            return False
        self._waited += extra
        self._counted_until = until
        return True


class PageTrail:
    """The pages of one list already read: a next link seen before, or too many pages, ends it."""

    def __init__(self, first: str, max_pages: int = MAX_PAGES) -> None:
        self._seen = {first}
        self._max_pages = max_pages

    def problem(self, next_url: str) -> str | None:
        """Why `next_url` must not be followed, or None."""
        if next_url in self._seen:
            return "the server's next-page link points at a page already read"
        if len(self._seen) >= self._max_pages:
            return f"more than {self._max_pages} pages"
        self._seen.add(next_url)
        return None


def retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _number(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        return 0.0
