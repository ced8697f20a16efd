"""The shared HTTP policy: one rate-limit state per source, waited on in virtual time."""

from __future__ import annotations

from collectors.http_policy import PageTrail, RateGate, Refusal
from tests.fakes.virtual_time import VirtualTimer


class Clock:
    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def advance(self, seconds: float) -> None:
        self.now += seconds


def gate(clock: Clock, max_wait: float = 60, wait_budget: float = 600) -> tuple[RateGate, VirtualTimer]:
    timer = VirtualTimer(lambda: clock.now, clock.advance)
    return RateGate(timer, max_wait=max_wait, wait_budget=wait_budget), timer


SECONDARY = Refusal(primary=False, retry_after=None, reset=None)


def test_a_secondary_limit_met_by_one_worker_pauses_every_worker() -> None:
    clock = Clock()
    shared, timer = gate(clock)
    shared.refused("core", SECONDARY)  # worker A
    clock.advance(10)

    assert shared.before("core") is None  # worker B waits the 50 s left, then goes
    assert timer.slept == [50]


def test_a_secondary_limit_ignores_the_hourly_reset_and_doubles_while_it_persists() -> None:
    clock = Clock()
    shared, timer = gate(clock, max_wait=60)
    for _ in range(3):
        shared.refused("core", Refusal(primary=False, retry_after=None, reset=clock.now + 3000))
        assert shared.before("core") is None
    shared.succeeded("core")
    shared.refused("core", SECONDARY)
    assert shared.before("core") is None

    assert timer.slept == [60, 120, 240, 60]


def test_retry_after_is_honoured() -> None:
    clock = Clock()
    shared, timer = gate(clock)
    shared.refused("core", Refusal(primary=False, retry_after=7, reset=None))

    assert shared.before("core") is None and timer.slept == [7]


def test_a_far_primary_reset_closes_the_resource_until_then_and_it_reopens() -> None:
    clock = Clock()
    shared, timer = gate(clock, max_wait=60)
    reset = clock.now + 1800
    shared.observe("core", {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(reset))})

    assert shared.before("core") == reset + 1
    assert shared.before("graphql") is None  # other resources go on
    clock.advance(1801)
    assert shared.before("core") is None
    assert timer.slept == []


def test_a_near_primary_reset_is_waited_for() -> None:
    clock = Clock()
    shared, timer = gate(clock, max_wait=60)
    shared.observe("core", {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(clock.now + 20))})

    assert shared.before("core") is None and timer.slept == [21]


def test_waiting_stops_when_the_budget_is_spent() -> None:
    clock = Clock()
    shared, timer = gate(clock, wait_budget=100)
    shared.refused("core", SECONDARY)
    assert shared.before("core") is None  # 60 s of 100
    shared.refused("core", SECONDARY)  # 120 s more: over budget

    assert shared.before("core") == clock.now + 120
    assert timer.slept == [60]


def test_a_page_trail_refuses_a_page_already_read_and_too_many_pages() -> None:
    trail = PageTrail("/items?page=1", max_pages=3)
    assert trail.problem("/items?page=2") is None
    assert trail.problem("/items?page=2") == "the server's next-page link points at a page already read"
    assert trail.problem("/items?page=3") is None
    assert trail.problem("/items?page=4") == "more than 3 pages"
