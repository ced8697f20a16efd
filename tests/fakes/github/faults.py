"""Fault injection: server errors, delays, dropped connections and secondary rate limits per route glob."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Literal

FaultKind = Literal["error", "delay", "drop", "secondary_limit", "link_loop"]


@dataclass
class Fault:
    kind: FaultKind
    route: str  # fnmatch glob on the request path, without the query
    every: int = 1  # hit every k-th matching request
    share: float | None = None  # instead of `every`: hit this seeded-random share of matches
    times: int | None = None  # stop after this many hits
    status: int = 502
    seconds: float = 0.0  # delay
    retry_after: int | None = 1  # secondary limit; None: no Retry-After header, as GitHub often answers
    html: bool = False  # error: an HTML page (a proxy's, or GitHub's own unicorn page) instead of JSON
    seed: int = 0
    matched: int = 0
    hits: int = 0
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def fires(self, path: str) -> bool:
        if not fnmatchcase(path, self.route) or (self.times is not None and self.hits >= self.times):
            return False
        self.matched += 1
        hit = self._rng.random() < self.share if self.share is not None else self.matched % self.every == 0
        if hit:
            self.hits += 1
        return hit


class Faults:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def error(
        self,
        route: str = "*",
        status: int = 502,
        every: int = 1,
        times: int | None = None,
        share: float | None = None,
        seed: int = 0,
        html: bool = False,
    ) -> Fault:
        """Answer matching requests with `status` and GitHub's server-error body (or an HTML page)."""
        return self._add(Fault("error", route, every, share, times, status=status, seed=seed, html=html))

    def delay(self, route: str = "*", seconds: float = 0.1, every: int = 1, times: int | None = None) -> Fault:
        """Sleep before answering matching requests."""
        return self._add(Fault("delay", route, every, None, times, seconds=seconds))

    def drop(
        self, route: str = "*", every: int = 1, times: int | None = None, share: float | None = None, seed: int = 0
    ) -> Fault:
        """Close the connection without any response."""
        return self._add(Fault("drop", route, every, share, times, seed=seed))

    def secondary_limit(
        self, route: str = "*", retry_after: int | None = 1, status: int = 403, every: int = 1, times: int | None = 1
    ) -> Fault:
        """Answer with GitHub's secondary-rate-limit body, a Retry-After header unless `retry_after` is
        None, and the primary budget's headers (which GitHub sends on every answer)."""
        return self._add(Fault("secondary_limit", route, every, None, times, status=status, retry_after=retry_after))

    def link_loop(self, route: str = "*", times: int | None = None) -> Fault:
        """Answer normally, but with a `Link: rel="next"` pointing at the page just served."""
        return self._add(Fault("link_loop", route, 1, None, times))

    def firing(self, path: str) -> list[Fault]:
        """The faults that hit this request (each matching fault counts the request once)."""
        with self._lock:
            return [fault for fault in self._faults if fault.fires(path)]

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def _add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault
