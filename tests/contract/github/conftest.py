"""Fixtures: the fake GitHub (serving sample_org()) and a runner of the real GitHubCollector against it."""

from __future__ import annotations

import pytest

from tests.contract.github.scanning import ScanRunner, run_github
from tests.fakes.github.fixtures import fake_github  # noqa: F401  (a fixture)


@pytest.fixture(scope="session")
def scan_github() -> ScanRunner:
    return run_github
