"""Fault injection for any fake: error answers in the service's own shape, dropped connections,
slow answers, rate limits with or without Retry-After, and fixed (misbehaving) answers.

Faults are tried in the order they were added; delays are served and the search goes on; the
first answering fault that hits decides the request, and faults after it do not see it (so
faults on one path added one after another are served as a queue). `every`, `share` and `times`
pick which matching requests a fault hits. The service's error bodies come from its `ErrorShapes`.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Protocol

from .exchange import Request, Response

PathMatch = Callable[[str], bool]


class ErrorShapes(Protocol):
    """How one service words its failures."""

    def error(self, request: Request, status: int, reason: str | None, html: bool) -> Response:
        """The service's error answer for `status` (`html`: a proxy's HTML page instead)."""
        ...

    def rate_limited(self, request: Request, status: int) -> Response:
        """The service's answer when throttling; the kit adds Retry-After."""
        ...


@dataclass
class Fault:
    kind: str  # "error", "rate_limit", "respond", "drop", "delay", or a service's own (GitHub's "link_loop")
    matches: PathMatch
    every: int = 1  # hit every k-th matching request
    share: float | None = None  # instead of `every`: hit this seeded-random share of matches
    times: int | None = None  # stop after this many hits
    status: int = 502
    reason: str | None = None  # error: the service's error code or message
    html: bool = False  # error: a proxy's HTML page instead of the service's JSON
    headers: dict[str, str] = field(default_factory=dict)  # added to the answer
    seconds: float = 0.0  # delay
    retry_after: float | None = None  # rate_limit: None sends no Retry-After
    response: Response | None = None  # respond: this answer
    seed: int = 0
    matched: int = 0
    hits: int = 0
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def fires(self, path: str) -> bool:
        if not self.matches(path) or (self.times is not None and self.hits >= self.times):
            return False
        self.matched += 1
        hit = self._rng.random() < self.share if self.share is not None else self.matched % self.every == 0
        if hit:
            self.hits += 1
        return hit


@dataclass
class Intercepted:
    dropped: bool = False
    response: Response | None = None  # an injected answer; None with dropped False: answer normally
    marks: tuple[Fault, ...] = ()  # fired faults of a kind only the service understands


_ANSWERING = ("error", "rate_limit", "respond", "drop")


class Faults:
    def __init__(self, shapes: ErrorShapes) -> None:
        self._shapes = shapes
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self._released = threading.Event()  # set on clear: delays still being served end at once

    def error(
        self, route: str | PathMatch = "*", status: int = 502, *, reason: str | None = None, every: int = 1,
        times: int | None = None, share: float | None = None, seed: int = 0, html: bool = False,
        headers: dict[str, str] | None = None,
    ) -> Fault:
        """Answer with `status` in the service's error shape (`html`: a proxy's HTML page)."""
        return self.add(Fault("error", as_matcher(route), every, share, times, status=status, reason=reason, html=html,
                              headers=dict(headers or {}), seed=seed))

    def rate_limit(
        self, route: str | PathMatch = "*", *, status: int = 429, retry_after: float | None = 1, every: int = 1,
        times: int | None = 1,
    ) -> Fault:
        """Answer with the service's throttling answer, and Retry-After unless `retry_after` is None."""
        return self.add(Fault("rate_limit", as_matcher(route), every, None, times, status=status, retry_after=retry_after))

    def respond(self, route: str | PathMatch, response: Response, *, times: int | None = 1) -> Fault:
        """Answer with this response (a page with odd headers, a looping link)."""
        return self.add(Fault("respond", as_matcher(route), 1, None, times, response=response))

    def drop(
        self, route: str | PathMatch = "*", *, every: int = 1, times: int | None = None, share: float | None = None,
        seed: int = 0,
    ) -> Fault:
        """Close the connection without any answer."""
        return self.add(Fault("drop", as_matcher(route), every, share, times, seed=seed))

    def delay(self, route: str | PathMatch = "*", seconds: float = 0.1, *, every: int = 1, times: int | None = None) -> Fault:
        """Hold matching requests this long (real time: a client's timeout is real) before answering;
        `clear` (a fake's reset) releases them."""
        return self.add(Fault("delay", as_matcher(route), every, None, times, seconds=seconds))

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()
            released, self._released = self._released, threading.Event()
        released.set()

    def intercept(self, request: Request) -> Intercepted:
        """What the faults make of this request (delays are served here, in the caller's thread)."""
        marks: list[Fault] = []
        with self._lock:
            faults = list(self._faults)
            released = self._released
        for fault in faults:
            with self._lock:
                hit = fault.fires(request.path)
            if not hit:
                continue
            if fault.kind == "delay":
                released.wait(fault.seconds)
            elif fault.kind not in _ANSWERING:
                marks.append(fault)
            elif fault.kind == "drop":
                return Intercepted(dropped=True, marks=tuple(marks))
            else:
                return Intercepted(response=self._answer(request, fault), marks=tuple(marks))
        return Intercepted(marks=tuple(marks))

    def _answer(self, request: Request, fault: Fault) -> Response:
        if fault.kind == "respond":
            assert fault.response is not None
            response = Response(fault.response.status, fault.response.body, dict(fault.response.headers))
        elif fault.kind == "rate_limit":
            response = self._shapes.rate_limited(request, fault.status)
            if fault.retry_after is not None:
                response.headers["Retry-After"] = f"{fault.retry_after:g}"
        else:
            response = self._shapes.error(request, fault.status, fault.reason, fault.html)
        response.headers.update(fault.headers)
        return response


def as_matcher(route: str | PathMatch) -> PathMatch:
    """A string is an fnmatch glob on the request path (without the query)."""
    if isinstance(route, str):
        return lambda path: fnmatchcase(path, route)
    return route
