"""The GitLab collector in the contract suite: real python-gitlab against the fake GitLab (sample_instance)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.collecting import CollectedScan
from tests.contract.gitlab.scanning import run_gitlab
from tests.contract.harness import Listing, Read, Target
from tests.fakes.gitlab.server import FakeGitLab
from tests.fakes.virtual_time import VirtualTimer

CANARY = "glpat-canary-contract-4a7b"


class GitLabHarness:
    name = "gitlab"
    served = True  # reached over HTTP: the fault points apply

    def target(self, request: pytest.FixtureRequest, tmp_path: Path) -> Target:
        fake: FakeGitLab = request.getfixturevalue("fake_gitlab")
        fake.instance.tokens.add(CANARY)

        def scan(
            *, secret: str | None = None, timer: VirtualTimer | None = None, base_url: str | None = None,
            ca_pem: bytes | None = None, **options: Any,
        ) -> CollectedScan:
            return run_gitlab(fake, token=secret or CANARY, timer=timer or fake.clock.timer(),
                              base_url=base_url or fake.url, **options)

        return Target(
            scan=scan,
            secret=CANARY,
            fake=fake,
            read=Read("/api/v4/projects/101/deployments", "gitlab:acme/apps/svc-a", "delivery.deployments"),
            listing=Listing("/api/v4/groups/10/projects", "repository"),
        )
