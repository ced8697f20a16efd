"""pytest fixtures for the fake Azure: a server per test, serving the sample estate.

In a conftest.py::

    from tests.fakes.azure.fixtures import fake_azure  # noqa: F401  (a fixture)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .samples import sample_definitions, sample_subscriptions
from .server import FakeAzure


@pytest.fixture
def fake_azure(tmp_path: Path) -> Iterator[FakeAzure]:
    with FakeAzure(sample_subscriptions(), tmp_path, definitions=sample_definitions()).running() as fake:
        yield fake
