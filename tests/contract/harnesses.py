"""Every collector the contract suite holds to the contract: one entry per `pecm.collectors` entry point."""

from __future__ import annotations

from tests.contract.azure.harness import AzureHarness
from tests.contract.github.harness import GitHubHarness
from tests.contract.gitlab.harness import GitLabHarness
from tests.contract.harness import Harness
from tests.contract.kubernetes.harness import KubernetesHarness
from tests.contract.local.harness import LocalHarness

HARNESSES: tuple[Harness, ...] = (
    LocalHarness(),
    GitHubHarness(),
    GitLabHarness(),
    KubernetesHarness(),
    AzureHarness(),
)
