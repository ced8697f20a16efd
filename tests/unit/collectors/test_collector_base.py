"""The collector base on its own: examinations in listing order, a failing one costing its
subject only, problems capped per subject, gaps told once per reason."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from pydantic import BaseModel

from collectors.base import Collector, Findings, Gap, WorkerPool, each_target, find_targets
from scanner.contract import CollectContext
from scanner.errors import SourceUnavailable
from scanner.model import Evidence, EvidenceStatus, Subject
from tests.collecting import CollectedScan, context_for

NOW = datetime(2026, 5, 30, tzinfo=timezone.utc)


class _Settings(BaseModel):
    pass


class _Probe(Collector):
    name = "probe"
    version = "1"
    config_model = _Settings
    provides = frozenset()

    def collect(self, ctx: CollectContext) -> Iterator[Subject | Evidence]:
        yield from ()


def _findings(scan: CollectedScan) -> Findings:
    return Findings(context_for(_Probe(), _Settings(), scan, clock=lambda: NOW), "probe")


def _repository(name: str) -> Subject:
    return Subject(id=f"probe:{name}", kind="repository", name=name, source="probe")


def test_examinations_come_back_in_listing_order_however_they_finish() -> None:
    first_may_finish = threading.Event()

    def examine(item: int) -> int:
        if item == 0:  # the first one finishes last: it waits until a later one has finished
            assert first_may_finish.wait(10)
        elif item == 3:
            first_may_finish.set()
        return item * 10

    with WorkerPool(4, "test") as pool:
        answers = list(pool.in_order(range(8), examine, lambda _item, exc: -1))
    assert answers == [(item, item * 10) for item in range(8)]


def test_items_are_read_only_a_bounded_number_ahead() -> None:
    read: list[int] = []

    def items() -> Iterator[int]:
        for item in range(100):
            read.append(item)
            yield item

    with WorkerPool(2, "test") as pool:
        examinations = pool.in_order(items(), lambda item: item, lambda _item, exc: -1)
        assert next(examinations) == (0, 0)
        examinations.close()
    assert len(read) <= 2 * 2 + 1


def test_batch_queries_run_only_a_bounded_number_ahead_and_each_item_gets_its_batchs_answer() -> None:
    asked: list[list[int]] = []

    def ask(batch: list[int]) -> int:
        asked.append(batch)
        return sum(batch)

    with WorkerPool(4, "test") as pool:
        answered = pool.batched_ahead(list(range(7)), 3, ask, 2)
        assert next(answered) == (0, 3)
        assert [6] not in asked and len(asked) <= 2  # the third batch waits until the first's items are handed out
        assert list(answered) == [(1, 3), (2, 3), (3, 12), (4, 12), (5, 12), (6, 6)]
    assert len(asked) == 3


def test_an_examination_that_raises_costs_its_item_only() -> None:
    def examine(item: int) -> str:
        if item == 1:
            raise KeyError("an answer of an unexpected shape")
        return f"examined {item}"

    def failed(item: int, exc: Exception) -> str:
        return f"{item} failed: {type(exc).__name__}"

    with WorkerPool(2, "test") as pool:
        answers = list(pool.in_order(range(3), examine, failed))
    assert answers == [(0, "examined 0"), (1, "1 failed: KeyError"), (2, "examined 2")]


class _Revoked(Exception):
    pass


@pytest.mark.parametrize("fatal", [SourceUnavailable("gone"), _Revoked("token revoked")])
def test_an_exception_that_ends_the_source_is_not_swallowed(fatal: Exception) -> None:
    def examine(item: int) -> int:
        raise fatal

    with WorkerPool(2, "test") as pool, pytest.raises(type(fatal)):
        list(pool.in_order(range(3), examine, lambda _item, exc: -1, fatal=(_Revoked,)))


def test_inline_items_start_no_thread() -> None:
    threads: set[str] = set()

    def examine(item: int) -> int:
        threads.add(threading.current_thread().name)
        return item

    with WorkerPool(2, "pecm-test") as pool:
        assert list(pool.in_order(range(5), examine, lambda _item, exc: -1, inline=lambda item: True)) == [
            (item, item) for item in range(5)
        ]
    assert threads == {threading.current_thread().name}


def test_inline_items_and_items_examined_in_threads_come_back_in_listing_order() -> None:
    def examine(item: int) -> str:
        if item == 4:
            raise KeyError(item)
        return f"{threading.current_thread().name == 'MainThread'} {item}"

    with WorkerPool(2, "pecm-test") as pool:
        answers = list(pool.in_order(range(6), examine, lambda item, exc: f"{item} failed", inline=lambda item: item % 2 == 0))
    assert answers == [(0, "True 0"), (1, "False 1"), (2, "True 2"), (3, "False 3"), (4, "4 failed"), (5, "False 5")]


def test_problems_are_capped_per_subject() -> None:
    scan = CollectedScan()
    findings = _findings(scan)
    findings.end_subject(_repository("svc"), [(f"file{index}.yml: malformed", "fix it") for index in range(13)])
    findings.end_subject(_repository("api"), [("one.yml: malformed", "fix it")])
    assert scan.messages("probe:svc") == [f"svc: file{index}.yml: malformed" for index in range(10)] + [
        "svc: 3 more problems not shown"
    ]
    assert scan.messages("probe:api") == ["api: one.yml: malformed"]
    assert scan.progress == ["probe:svc", "probe:api"]


def test_gaps_are_reported_once_per_reason_with_the_subjects_they_cost() -> None:
    scan = CollectedScan()
    findings = _findings(scan)
    refused = Gap("HTTP 403 — the token needs Administration: read")
    for name in ("a", "b", "c"):
        record = findings.record("vcs.branch_protection", _repository(name), refused, what="branch protection")
        assert record.status is EvidenceStatus.UNAVAILABLE and record.reason == refused.reason
        findings.end_subject(_repository(name))
    unsupported = findings.record("vcs.activity", _repository("a"), Gap("a plain folder has no history", unsupported=True))
    assert unsupported.status is EvidenceStatus.UNSUPPORTED
    findings.report_gaps("grant it", "wait")
    assert scan.messages() == ["probe: branch protection unavailable for 3 subjects: " + refused.reason]


def test_requests_that_kept_failing_are_one_problem_of_their_subject_and_lower_coverage() -> None:
    scan = CollectedScan()
    findings = _findings(scan)
    svc = _repository("svc")
    failing = Gap("HTTP 502", failure=True)
    records = list(findings.records(("vcs.activity", "vcs.contributions"), svc, failing, "commit history"))
    assert [record.status for record in records] == [EvidenceStatus.UNAVAILABLE] * 2
    findings.record("delivery.deployments", svc, failing)
    limited = Gap("rate limit exhausted; resets at 13:00 UTC", rate_limited=True)
    findings.record("vcs.branch_protection", _repository("api"), limited)
    findings.end_subject(svc)
    findings.report_gaps("grant it", "wait for the reset")
    assert scan.messages() == [
        "svc: requests kept failing (HTTP 502); the evidence they carry is unavailable",
        "probe: rate limit exhausted; resets at 13:00 UTC; 1 subject not fully scanned",
    ]
    assert findings.failed == {"probe:svc"} and findings.rate_limited == {"probe:api"}


def test_a_gap_the_collector_has_told_is_recorded_and_not_told_again() -> None:
    scan = CollectedScan()
    findings = _findings(scan)
    svc = _repository("svc")
    told = Gap("HTTP 502 on the list every subject rests on", told=True)
    record = findings.record("vcs.activity", svc, told)
    assert record.status is EvidenceStatus.UNAVAILABLE and record.reason == told.reason
    findings.end_subject(svc)
    findings.report_gaps("grant it", "wait")
    assert scan.messages() == [] and not findings.failed


def test_targets_not_found_are_problems_and_their_subjects_unknown() -> None:
    scan = CollectedScan()
    ctx = _findings(scan).ctx
    org = Subject(id="probe:acme", kind="organization", name="acme", source="probe")

    def find(target: str) -> Subject | Gap:
        return org if target == "acme" else Gap("no such group")

    found = list(each_target(ctx, "probe", "http://127.0.0.1", ["acme", "ghost"], find, lambda subject: iter([subject]),
                             name_hint="check the name", unreachable_hint="check the address"))
    assert found == [org]
    assert scan.messages() == ["probe: ghost: no such group"]
    assert scan.unreached == {"organization": "probe: ghost: no such group", "repository": "probe: ghost: no such group"}
    with pytest.raises(SourceUnavailable, match="nothing could be scanned at http://127.0.0.1: ghost: no such group"):
        list(each_target(ctx, "probe", "http://127.0.0.1", ["ghost"], find, lambda subject: iter([subject]),
                         name_hint="check the name", unreachable_hint="check the address"))


def test_find_targets_reads_them_lazily_and_says_what_each_missing_one_leaves_unknown() -> None:
    scan = CollectedScan()
    ctx = _findings(scan).ctx
    found: list[str] = []

    def targets() -> Iterator[str]:
        yield "group"
        yield from [f"{found[0]}/a", "ghost"] if found else ["ghost"]  # the group decides what follows

    def find(target: str) -> str | Gap:
        if target == "ghost":
            return Gap("not visible")
        found.append(target)
        return target

    located = find_targets(ctx, "probe", "http://127.0.0.1", targets(), find, unknown=lambda target: ("subscription",),
                           name_hint="check the id", unreachable_hint="check the address")
    assert located == ["group", "group/a"]
    assert scan.messages() == ["probe: ghost: not visible"]
    assert scan.unreached == {"subscription": "probe: ghost: not visible"}
    with pytest.raises(SourceUnavailable, match="nothing could be scanned at http://127.0.0.1: ghost: not visible"):
        find_targets(ctx, "probe", "http://127.0.0.1", ["ghost"], find, unknown=lambda target: (),
                     name_hint="check the id", unreachable_hint="check the address")
