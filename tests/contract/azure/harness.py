"""The Azure collector in the contract suite: real azure-identity and SDK clients against the fake
Azure (sample estate), authenticating with a client secret."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.collecting import CollectedScan
from tests.contract.azure.scanning import run_azure
from tests.contract.harness import Listing, Read, Target, case_insensitive
from tests.fakes.azure.samples import PROD
from tests.fakes.azure.server import CLIENT_SECRET, FakeAzure
from tests.fakes.virtual_time import VirtualTimer


class AzureHarness:
    name = "azure"
    served = True  # reached over HTTP: the fault points apply

    def target(self, request: pytest.FixtureRequest, tmp_path: Path) -> Target:
        fake: FakeAzure = request.getfixturevalue("fake_azure")

        def scan(
            *, secret: str | None = None, timer: VirtualTimer | None = None, base_url: str | None = None,
            ca_pem: bytes | None = None, **options: Any,
        ) -> CollectedScan:
            if base_url is not None:  # Resource Manager elsewhere; Entra ID stays on the fake
                bundle = tmp_path / "both-ca.pem"
                bundle.write_bytes(fake.ca_bundle.read_bytes() + (ca_pem or b""))
                options = {"arm_url": base_url, "ca_bundle": str(bundle), **options}
            return run_azure(fake, secret=secret or CLIENT_SECRET, timer=timer or fake.clock.timer(), **options)

        return Target(
            scan=scan,
            secret=CLIENT_SECRET,
            fake=fake,
            read=Read(case_insensitive(f"/subscriptions/{PROD}/providers/Microsoft.Authorization/roleAssignments"),
                      f"azure:{PROD}", "cloud.role_assignments"),
            listing=Listing(lambda path: path.rstrip("/").lower() == "/subscriptions", "subscription"),
            tls=True,
        )
