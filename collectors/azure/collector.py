"""The Azure collector: management groups, subscriptions and billing accounts, and their policy, access and cost evidence, through ARM."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel

from collectors.azure.config import DEFAULT_ARM_URL, AzureConfig
from collectors.base import Collector
from scanner.contract import CollectContext
from scanner.model import Evidence, Subject

PROVIDES = frozenset(
    ("cloud.policy_assignments", "cloud.role_assignments", "cloud.role_eligibility", "cloud.locks", "cost.budgets", "cost.tag_coverage",
     "cloud.policy_compliance", "cloud.policy_exemptions", "cloud.policy_remediations", "cloud.activity_log_export",
     "cloud.resource_provenance", "cloud.deployments", "cloud.self_service", "cloud.autoscale", "cloud.monitoring",
     "cloud.group_policy_assignments", "cloud.group_policy_remediations", "cloud.group_role_assignments", "cost.allocation_rules")
)


class AzureCollector(Collector):
    name: ClassVar[str] = "azure"
    version: ClassVar[str] = "1"
    config_model: ClassVar[type[AzureConfig]] = AzureConfig
    provides: ClassVar[frozenset[str]] = PROVIDES

    @classmethod
    def scope(cls, config: BaseModel, base_dir: Path) -> tuple[str, ...]:
        config = cls.settings(config, AzureConfig)
        cloud = "" if config.arm_url == DEFAULT_ARM_URL else f"{config.arm_url.removeprefix('https://')}/"
        return tuple(f"{cls.name}:{cloud}{s}" for s in config.subscriptions) or (f"{cls.name}:{cloud}*",)

    def collect(self, ctx: CollectContext) -> Iterator[Subject | Evidence]:
        config = self.settings(ctx.config, AzureConfig)
        try:
            # The SDK loads here, not when plugins are discovered: other commands do not pay for it.
            from collectors.azure.scan import scan_azure
        except ImportError as exc:
            from scanner.errors import SourceUnavailable

            raise SourceUnavailable(
                f"azure: the Azure SDK is not installed ({exc.name})", hint="pip install 'pecm[azure]'"
            ) from None
        yield from scan_azure(ctx, config)
