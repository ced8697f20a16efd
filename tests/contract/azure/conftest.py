"""The fake Azure, serving the sample estate, fresh for every test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.azure.samples import sample_definitions, sample_subscriptions
from tests.fakes.azure.server import FakeAzure


@pytest.fixture
def fake_azure(tmp_path: Path) -> Iterator[FakeAzure]:
    with FakeAzure(sample_subscriptions(), tmp_path, definitions=sample_definitions()).running() as fake:
        yield fake
