"""The collector contract, held against every collector the same way (issue 11 item 4).

Each collector (tests/contract/harnesses.py) runs for real: its client library over HTTP
against its fake on 127.0.0.1 (tests/fakes/http/), in virtual time. What every one must do:
emit only the kinds it declares; turn 401 / 403 / 404 / 429 / 5xx / dropped connections into
*unavailable* with a permission or retry hint, and a failed listing into a scan cut short (or
the whole source unavailable), so the rules see unknown rather than absent; go where its base
URL says; give up on a request after its timeout; keep its secret out of everything it emits,
logs, raises or leaves in the bundle, assessment and history; wait only through the timer it is
given.
"""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from rules.catalog import PACK_DIR
from rules.evaluate import evaluate
from rules.loader import build_ruleset, load_pack
from scanner.errors import SourceUnavailable
from scanner.history import HistoryStore
from scanner.model import EvidenceBundle, EvidenceStatus, SourceRun
from scanner.version import VERSION
from tests.collecting import REGISTRY, CollectedScan
from tests.contract.harness import Harness, Target
from tests.contract.harnesses import HARNESSES
from tests.fakes.azure.fixtures import fake_azure  # noqa: F401  (fixtures the harnesses ask for)
from tests.fakes.github.fixtures import fake_github  # noqa: F401
from tests.fakes.gitlab.fixtures import fake_gitlab  # noqa: F401
from tests.fakes.http.exchange import Request, Response, json_response
from tests.fakes.http.faults import Faults, PathMatch
from tests.fakes.http.transport import HttpServer
from tests.fakes.kubernetes.fixtures import fake_kubernetes  # noqa: F401

SERVED = [harness for harness in HARNESSES if harness.served]
LISTED = [harness for harness in SERVED if harness.name != "kubernetes"]  # clusters come from the kubeconfig

PERMISSION_HINT = re.compile(r"token|permission|role|grant|scope|access|rbac|credential|needs", re.IGNORECASE)
RETRY_HINT = re.compile(r"again|later|retr|rate limit|throttl|network|connection|timed out|timeout|busy", re.IGNORECASE)

Inject = Callable[[Faults, "str | PathMatch"], None]
FAILURES: dict[str, tuple[Inject, re.Pattern[str]]] = {
    "401": (lambda faults, route: faults.error(route, 401, reason="Unauthorized") and None, PERMISSION_HINT),
    "403": (lambda faults, route: faults.error(route, 403, reason="Forbidden") and None, PERMISSION_HINT),
    "404": (lambda faults, route: faults.error(route, 404, reason="Not Found") and None, PERMISSION_HINT),
    "429": (lambda faults, route: faults.rate_limit(route, retry_after=30, times=None) and None, RETRY_HINT),
    "500": (lambda faults, route: faults.error(route, 500) and None, RETRY_HINT),
    "503": (lambda faults, route: faults.error(route, 503) and None, RETRY_HINT),
    "dropped": (lambda faults, route: faults.drop(route) and None, RETRY_HINT),
}


# Where a collector departs from the contract on purpose: the status it records instead.
DEPARTURES = {
    # A list answering 404 is a resource this cluster version does not serve: unsupported by design
    # (test_a_group_served_without_the_resource_is_unsupported_too), not a refusal.
    ("kubernetes", "404"): EvidenceStatus.UNSUPPORTED,
}


def _ids(harness: Harness) -> str:
    return harness.name


def _cases(harnesses: list[Harness]) -> list[object]:
    return [pytest.param(harness, failure, id=f"{harness.name}-{failure}") for harness in harnesses for failure in FAILURES]


@pytest.fixture
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    harness: Harness = request.param
    target = harness.target(request, tmp_path)
    yield target
    if target.fake is not None:  # let held answers go now, not in some later test (a session-wide fake)
        target.fake.faults.clear()


def _provides(name: str) -> frozenset[str]:
    (point,) = entry_points(group="pecm.collectors", name=name)
    provides: frozenset[str] = point.load().provides
    return provides


def _kept(name: str, scan: CollectedScan, database: Path) -> str:
    """What pecm keeps of a scan besides logs: the evidence bundle, the assessment and the history
    database it is recorded in (all as the pipeline and commands would hold them)."""
    now = scan.evidence[0].observed_at
    run = SourceRun(collector=name, version="contract", provides=tuple(sorted(_provides(name))), status="partial",
                    subjects=len(scan.subjects), evidence=len(scan.evidence), started_at=now, finished_at=now,
                    requests=scan.requests.snapshot(), unreached=dict(scan.unreached))
    bundle = EvidenceBundle(pecm_version=VERSION, created_at=now, sources=(run,), subjects=tuple(scan.subjects),
                            evidence=tuple(scan.evidence), problems=tuple(scan.problems))
    assessment = evaluate(bundle, build_ruleset([load_pack(Path(PACK_DIR), REGISTRY)]))
    with HistoryStore(f"sqlite:///{database}") as history:
        history.record(assessment)
    return "\n".join([bundle.model_dump_json(), assessment.model_dump_json(), database.read_bytes().decode("latin-1")])


def _scan_or_stop(target: Target, **options: object) -> CollectedScan | SourceUnavailable:
    """The scan, or the one-line stop of a source that could not go on (the pipeline then marks all
    of its evidence unknown)."""
    try:
        return target.scan(**options)  # type: ignore[arg-type]
    except SourceUnavailable as stopped:
        assert "\n" not in stopped.one_line()
        return stopped


def test_every_installed_collector_is_in_the_suite() -> None:
    installed = {point.name for point in entry_points(group="pecm.collectors")}
    assert installed == {harness.name for harness in HARNESSES}


@pytest.mark.parametrize("target", HARNESSES, ids=_ids, indirect=True)
def test_only_declared_kinds_are_emitted(target: Target, request: pytest.FixtureRequest) -> None:
    provides = _provides(request.node.callspec.params["target"].name)
    scan = target.scan()
    assert scan.subjects and scan.evidence
    assert provides and all(kind in REGISTRY for kind in provides)  # declared in the evidence vocabulary
    assert {item.kind for item in scan.evidence} <= provides
    assert EvidenceStatus.OBSERVED in scan.statuses()  # and collect_with checked one record per provided kind


@pytest.mark.parametrize(("target", "failure"), _cases(SERVED), indirect=["target"])
def test_a_failed_read_is_unavailable_with_a_permission_or_retry_hint(
    target: Target, failure: str, request: pytest.FixtureRequest
) -> None:
    assert target.fake is not None and target.read is not None
    inject, hint = FAILURES[failure]
    inject(target.fake.faults, target.read.route)
    outcome = _scan_or_stop(target)
    if isinstance(outcome, SourceUnavailable):  # the whole source is unknown
        assert hint.search(outcome.one_line()), outcome.one_line()
        return
    record = outcome.of(target.read.subject, target.read.kind)
    departure = DEPARTURES.get((request.node.callspec.params["target"].name, failure))
    if departure is not None:
        assert record.status is departure, record
        return
    assert record.status is EvidenceStatus.UNAVAILABLE, record
    said = " ".join([record.reason or "", *(f"{p.message} {p.hint}" for p in outcome.problems)])
    assert hint.search(said), said
    assert any(exchange.status in (int(failure) if failure.isdigit() else 0,)
               for exchange in target.fake.exchanges.all()), "the fault was never served"


@pytest.mark.parametrize(("target", "failure"), _cases(LISTED), indirect=["target"])
def test_a_failed_listing_cuts_the_scan_short(target: Target, failure: str) -> None:
    assert target.fake is not None and target.listing is not None
    inject, hint = FAILURES[failure]
    inject(target.fake.faults, target.listing.route)
    outcome = _scan_or_stop(target)
    if isinstance(outcome, SourceUnavailable):
        assert hint.search(outcome.one_line()), outcome.one_line()
        return
    assert target.listing.subject_kind in outcome.unreached, outcome.unreached  # unknown, not absent
    said = " ".join([outcome.unreached[target.listing.subject_kind], *(f"{p.message} {p.hint}" for p in outcome.problems)])
    assert hint.search(said), said


@pytest.mark.parametrize("target", SERVED, ids=_ids, indirect=True)
def test_the_base_url_is_where_requests_go(target: Target) -> None:
    assert target.fake is not None
    target.scan()
    assert target.fake.exchanges.all(), "the configured fake was never asked"
    asked: list[Request] = []

    def elsewhere(request: Request) -> Response:
        asked.append(request)
        return json_response({"message": "Not Found"}, 404)

    decoy = HttpServer(elsewhere, name="decoy", tls=target.tls)
    with decoy.running():
        _scan_or_stop(target, base_url=decoy.url, ca_pem=decoy.ca_pem if target.tls else None, max_retries=0)
    assert asked, "the collector ignored its base URL"


@pytest.mark.parametrize("target", SERVED, ids=_ids, indirect=True)
def test_a_request_past_its_timeout_is_given_up(target: Target) -> None:
    assert target.fake is not None and target.read is not None
    held = target.fake.faults.delay(target.read.route, seconds=240)  # released when the fake is reset
    outcome = _scan_or_stop(target, request_timeout_seconds=1, max_retries=0)
    assert held.hits, "the slow read was never asked"
    if isinstance(outcome, SourceUnavailable):
        assert RETRY_HINT.search(outcome.one_line()), outcome.one_line()
        return
    record = outcome.of(target.read.subject, target.read.kind)
    assert record.status is EvidenceStatus.UNAVAILABLE, record  # it did not wait for the answer
    assert RETRY_HINT.search(record.reason or ""), record.reason


@pytest.mark.parametrize("target", SERVED, ids=_ids, indirect=True)
def test_no_secret_in_any_output_log_history_or_exception(
    target: Target, caplog: pytest.LogCaptureFixture, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    assert target.fake is not None and target.read is not None and target.secret
    secret = target.secret
    said: list[str] = []
    target.fake.faults.error(target.read.route, 403, reason="Forbidden")
    target.fake.faults.error("*", 500, share=0.2, seed=11)
    with caplog.at_level(logging.DEBUG):
        for attempt in ({}, {"secret": f"{secret}-revoked"}):
            try:
                scan = target.scan(**attempt)  # type: ignore[arg-type]
            except Exception as error:  # noqa: BLE001 (whatever it raises is output too)
                said.append("".join(traceback.format_exception(type(error), error, error.__traceback__)))
                continue
            said += [item.model_dump_json() for item in (*scan.subjects, *scan.evidence, *scan.problems)]
            said += [*scan.unreached.values(), repr(scan.requests.snapshot()), *scan.progress]
            said.append(_kept(request.node.callspec.params["target"].name, scan, tmp_path / f"history-{len(said)}.sqlite3"))
    said += [record.getMessage() for record in caplog.records] + [caplog.text]
    assert any(exchange.request.headers for exchange in target.fake.exchanges.all())  # it did talk to the fake
    leaked = [text for text in said if secret in text]
    assert not leaked, leaked[0][:500]


@pytest.mark.parametrize("target", SERVED, ids=_ids, indirect=True)
def test_waits_take_virtual_time_only(target: Target) -> None:
    assert target.fake is not None and target.read is not None
    timer = target.fake.clock.timer()
    target.fake.faults.rate_limit(target.read.route, retry_after=7, times=1)
    scan = target.scan(timer=timer)
    assert scan.of(target.read.subject, target.read.kind).status is EvidenceStatus.OBSERVED
    assert timer.slept and sum(timer.slept) >= 6  # Retry-After through the timer it was given
    assert target.fake.clock.advanced == pytest.approx(sum(timer.slept))  # the fake's time moved, by those sleeps
    limited = [exchange for exchange in target.fake.exchanges.all() if exchange.status == 429]
    assert len(limited) == 1
    retried = [exchange for exchange in target.fake.exchanges.all()
               if exchange.request.path == limited[0].request.path and exchange.at > limited[0].at]
    assert retried and retried[0].at - limited[0].at >= 6  # asked again once the fake's clock said so
