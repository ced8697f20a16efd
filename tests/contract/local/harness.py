"""The local collector in the contract suite: the example organization's checkouts (no server, no secret)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from collectors.local.collector import LocalCollector
from collectors.local.config import LocalConfig
from tests.collecting import CollectedScan, collect_with
from tests.contract.harness import Target
from tests.fakes.virtual_time import VirtualTimer

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "acme"
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)


class LocalHarness:
    name = "local"
    served = False  # files on disk: no server, no secret

    def target(self, request: pytest.FixtureRequest, tmp_path: Path) -> Target:
        def scan(
            *, secret: str | None = None, timer: VirtualTimer | None = None, base_url: str | None = None,
            ca_pem: bytes | None = None, **options: Any,
        ) -> CollectedScan:
            return collect_with(LocalCollector(), LocalConfig(paths=[EXAMPLE], **options), clock=lambda: NOW,
                                timer=timer or VirtualTimer(lambda: NOW.timestamp(), lambda _seconds: None))

        return Target(scan=scan, secret=None)
