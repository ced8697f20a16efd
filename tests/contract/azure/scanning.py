"""Run the real AzureCollector (real azure-identity and SDK clients) against the fake Azure on 127.0.0.1."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from collectors.azure.collector import AzureCollector
from collectors.azure.config import AzureConfig
from scanner.contract import CollectContext, Limits
from tests.collecting import CollectedScan, collect_with, context_for
from tests.fakes.azure.server import CLIENT_ID, CLIENT_SECRET, TENANT_ID, FakeAzure
from tests.fakes.virtual_time import VirtualTimer

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)


def config_for(fake: FakeAzure, **options: Any) -> AzureConfig:
    return AzureConfig.model_validate(
        {
            "authentication": "client_secret",
            "tenant_id": TENANT_ID,
            "client_id": CLIENT_ID,
            "arm_url": fake.url,
            "authority": fake.url,
            "ca_bundle": str(fake.ca_bundle),
            "max_retries": 2,
            **options,
        }
    )


def timer_of(fake: FakeAzure) -> VirtualTimer:
    return fake.clock.timer()


def run_azure(
    fake: FakeAzure, *, secret: str = CLIENT_SECRET, timer: VirtualTimer | None = None, limits: Limits | None = None,
    **options: Any,
) -> CollectedScan:
    """Collect and check the output keeps the collector contract."""
    return collect_with(
        AzureCollector(), config_for(fake, **options), clock=lambda: NOW,
        secrets={"AZURE_CLIENT_SECRET": secret}, timer=timer or timer_of(fake), limits=limits,
    )


def context(fake: FakeAzure, scan: CollectedScan, *, secret: str = CLIENT_SECRET, **options: Any) -> CollectContext:
    """For tests that drive `collect` themselves (failures that end the source)."""
    return context_for(
        AzureCollector(), config_for(fake, **options), scan, clock=lambda: NOW,
        secrets={"AZURE_CLIENT_SECRET": secret}, timer=timer_of(fake),
    )
