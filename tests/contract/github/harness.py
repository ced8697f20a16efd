"""The GitHub collector in the contract suite: real PyGithub against the fake GitHub (sample_org)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.collecting import CollectedScan
from tests.contract.github.scanning import run_github
from tests.contract.harness import Listing, Read, Target
from tests.fakes.github import FakeGitHub, Token
from tests.fakes.virtual_time import VirtualTimer

CANARY = "canary-github-token-5e0c1d"


class GitHubHarness:
    name = "github"
    served = True  # reached over HTTP: the fault points apply

    def target(self, request: pytest.FixtureRequest, tmp_path: Path) -> Target:
        fake: FakeGitHub = request.getfixturevalue("fake_github")
        fake.world.tokens.append(Token(CANARY))

        def scan(
            *, secret: str | None = None, timer: VirtualTimer | None = None, base_url: str | None = None,
            ca_pem: bytes | None = None, **options: Any,
        ) -> CollectedScan:
            # coverage_floor 0: one repository's failed read stays that repository's, not the source's
            settings = {"coverage_floor": 0, **options}
            return run_github(fake, token=secret or CANARY, timer=timer or fake.clock.timer(),
                              base_url=base_url or fake.url, **settings)

        return Target(
            scan=scan,
            secret=CANARY,
            fake=fake,
            read=Read("/repos/acme/svc-orders/git/trees/*", "github:acme/svc-orders", "ci.pipelines"),
            listing=Listing("/orgs/acme/repos", "repository"),
        )
