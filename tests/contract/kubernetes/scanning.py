"""Run the real KubernetesCollector against the fake cluster, in virtual time."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from collectors.kubernetes.collector import KubernetesCollector
from collectors.kubernetes.config import KubernetesConfig
from tests.collecting import CollectedScan, collect_with
from tests.fakes.virtual_time import VirtualTimer

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self) -> None:
        self.now = NOW.timestamp()

    def advance(self, seconds: float) -> None:
        self.now += seconds


def run_kubernetes(base_dir: Path, **settings: Any) -> tuple[CollectedScan, VirtualTimer]:
    clock = Clock()
    timer = VirtualTimer(lambda: clock.now, clock.advance)
    config = KubernetesConfig.model_validate(settings)
    scan = collect_with(KubernetesCollector(), config, clock=lambda: NOW, base_dir=base_dir, timer=timer)
    return scan, timer
