"""Run the real GitHubCollector (real PyGithub) against the fake GitHub on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from collectors.github import GitHubCollector, GitHubConfig
from scanner.contract import CollectContext, Limits
from tests.collecting import CollectedScan, collect_with, context_for
from tests.fakes.github.server import FakeGitHub
from tests.fakes.virtual_time import VirtualTimer

NOW = datetime(2026, 5, 30, 12, 0, tzinfo=timezone.utc)  # the sample organization's "now"


Scan = CollectedScan
ScanRunner = Callable[..., Scan]


def _config(fake: FakeGitHub, options: dict[str, Any]) -> GitHubConfig:
    return GitHubConfig.model_validate({"organizations": ["acme"], "base_url": fake.url, "max_retries": 2, **options})


def _secrets(fake: FakeGitHub, token: str | None) -> dict[str, str]:
    return {"GITHUB_TOKEN": fake.token if token is None else token}


def context(
    fake: FakeGitHub,
    scan: Scan,
    *,
    token: str | None = None,
    cache_dir: Path | None = None,
    limits: Limits | None = None,
    base_dir: Path = Path("."),
    **options: Any,
) -> CollectContext:
    """For tests that drive `collect` themselves (failures that end the source)."""
    return context_for(
        GitHubCollector(), _config(fake, options), scan, clock=lambda: NOW, secrets=_secrets(fake, token),
        limits=limits, base_dir=base_dir, cache_dir=cache_dir, timer=timer_of(fake),
    )


def run_github(
    fake: FakeGitHub,
    *,
    token: str | None = None,
    cache_dir: Path | None = None,
    limits: Limits | None = None,
    base_dir: Path = Path("."),
    timer: VirtualTimer | None = None,
    **options: Any,
) -> Scan:
    """Collect and check the output keeps the collector contract."""
    return collect_with(
        GitHubCollector(), _config(fake, options), clock=lambda: NOW, secrets=_secrets(fake, token),
        limits=limits, base_dir=base_dir, cache_dir=cache_dir, timer=timer or timer_of(fake),
    )


def timer_of(fake: FakeGitHub) -> VirtualTimer:
    """Virtual time on the fake's clock: rate-limit and retry waits take no real time."""
    return VirtualTimer(fake.clock.time, fake.clock.advance)
