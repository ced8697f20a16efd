"""Run the real LocalCollector on real folders, with a fixed clock and captured problems."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from collectors.local import LocalCollector, LocalConfig
from scanner.contract import Limits
from tests.collecting import CollectedScan, collect_with

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


Scan = CollectedScan
ScanRunner = Callable[..., Scan]


def run_local(
    *paths: Path,
    limits: Limits | None = None,
    base_dir: Path = Path("."),
    internal_sources: tuple[str, ...] = (),
    **options: Any,
) -> Scan:
    """Collect from `paths` and check the output keeps the collector contract."""
    scan = collect_with(
        LocalCollector(),
        LocalConfig(paths=list(paths), **options),
        clock=lambda: NOW,
        limits=limits,
        base_dir=base_dir,
        internal_sources=internal_sources,
    )
    assert scan.progress == scan.ids  # in discovery order
    return scan


@pytest.fixture(scope="session")
def scan_local() -> ScanRunner:
    return run_local


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture(scope="session")
def finishes() -> Callable[[Callable[[], Any], Path], Any]:
    """Run work that must never open `fifo`: an open would block until a writer appears, so
    after a generous wait the test opens the writer end itself, to unblock it, and fails."""

    def run(work: Callable[[], Any], fifo: Path) -> Any:
        outcome: dict[str, Any] = {}
        thread = threading.Thread(target=lambda: outcome.update(value=work()), daemon=True)
        thread.start()
        thread.join(10)
        if thread.is_alive():
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            thread.join(10)
            pytest.fail(f"{fifo.name} was opened and blocked")
        return outcome["value"]

    return run
