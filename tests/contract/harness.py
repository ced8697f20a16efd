"""What the contract suite (test_every_collector.py) needs of a collector: a `Harness` that points
the real collector at its fake and says which reads to break.

Adding a collector to the suite is one entry in `HARNESSES` (tests/contract/harnesses.py),
naming a harness written beside its other contract tests (tests/contract/<source>/harness.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pytest

from tests.collecting import CollectedScan
from tests.fakes.http.clock import FakeClock
from tests.fakes.http.exchanges import Exchanges
from tests.fakes.http.faults import Faults, PathMatch
from tests.fakes.virtual_time import VirtualTimer


class FakeService(Protocol):
    """A fake built on tests/fakes/http/: what the suite injects faults into and reads back."""

    faults: Faults
    exchanges: Exchanges
    clock: FakeClock


@dataclass(frozen=True)
class Read:
    """One read of one subject: breaking `route` must cost (at least) `kind` of `subject`."""

    route: str | PathMatch  # a glob on the request path, or a predicate on it
    subject: str
    kind: str


@dataclass(frozen=True)
class Listing:
    """The read that finds the subjects: breaking it must leave `subject_kind` unknown (cut short)."""

    route: str | PathMatch
    subject_kind: str


class Scan(Protocol):
    def __call__(
        self, *, secret: str | None = None, timer: VirtualTimer | None = None, base_url: str | None = None,
        ca_pem: bytes | None = None, **options: Any,
    ) -> CollectedScan:
        """Collect through `tests.collecting.collect_with` (the contract checked on the way).

        `secret` replaces the harness's own; `base_url` (and the CA that server presents) points the
        collector somewhere else; `options` are settings of the collector's config."""
        ...


@dataclass(frozen=True)
class Target:
    """A collector pointed at its running fake (None for sources without a server)."""

    scan: Scan
    secret: str | None  # what it authenticates with; a canary no output may contain
    fake: FakeService | None = None
    read: Read | None = None
    listing: Listing | None = None
    tls: bool = False  # whether its service is reached over https


class Harness(Protocol):
    name: str  # the collector's entry-point name (pecm.collectors)
    served: bool  # reached over HTTP (a fake server): the fault, base URL and timeout points apply

    def target(self, request: pytest.FixtureRequest, tmp_path: Path) -> Target: ...


def case_insensitive(fragment: str) -> Callable[[str], bool]:
    """A path predicate for services that match paths in any case (ARM)."""
    return lambda path: fragment.lower() in path.lower()
