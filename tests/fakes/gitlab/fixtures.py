"""pytest fixtures for the fake GitLab: one server per session, fresh state before each test.

In a conftest.py::

    from tests.fakes.gitlab.fixtures import fake_gitlab  # noqa: F401  (serves sample_instance())
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .model import Instance
from .samples import sample_instance
from .server import FakeGitLab


def fake_gitlab_fixture(state: Callable[[], Instance] = sample_instance) -> Any:
    started: list[FakeGitLab] = []

    @pytest.fixture
    def fixture(request: pytest.FixtureRequest) -> Iterator[FakeGitLab]:
        if not started:
            fake = FakeGitLab(state).start()
            request.config.add_cleanup(fake.stop)
            started.append(fake)
        fake = started[0]
        fake.reset()
        yield fake

    return fixture


fake_gitlab = fake_gitlab_fixture()
