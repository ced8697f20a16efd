"""Run the real GitLabCollector (real python-gitlab) against the fake GitLab on 127.0.0.1, in virtual time."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from collectors.gitlab.collector import GitLabCollector
from collectors.gitlab.config import GitLabConfig
from scanner.contract import CollectContext, Limits
from tests.collecting import CollectedScan, collect_with, context_for
from tests.fakes.gitlab.server import FakeGitLab
from tests.fakes.virtual_time import VirtualTimer

NOW = datetime(2026, 5, 30, 12, 0, tzinfo=timezone.utc)


def config_for(fake: FakeGitLab, **options: Any) -> GitLabConfig:
    return GitLabConfig.model_validate({"groups": ["acme"], "base_url": fake.url, "max_retries": 2, **options})


def timer_of(fake: FakeGitLab) -> VirtualTimer:
    """Virtual time on the fake's clock: rate-limit and retry waits take no real time."""
    return VirtualTimer(fake.clock.time, fake.clock.advance)


def run_gitlab(
    fake: FakeGitLab, *, token: str | None = None, timer: VirtualTimer | None = None, cache_dir: Path | None = None,
    limits: Limits | None = None, now: datetime = NOW, **options: Any,
) -> CollectedScan:
    """Collect and check the output keeps the collector contract."""
    return collect_with(
        GitLabCollector(), config_for(fake, **options), clock=lambda: now,
        secrets={"GITLAB_TOKEN": fake.token if token is None else token}, timer=timer or timer_of(fake),
        cache_dir=cache_dir, limits=limits,
    )


def context(fake: FakeGitLab, scan: CollectedScan, *, token: str | None = None, **options: Any) -> CollectContext:
    """For tests that drive `collect` themselves (failures that end the source)."""
    return context_for(
        GitLabCollector(), config_for(fake, **options), scan, clock=lambda: NOW,
        secrets={"GITLAB_TOKEN": fake.token if token is None else token}, timer=timer_of(fake),
    )
