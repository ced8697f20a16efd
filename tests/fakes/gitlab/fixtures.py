"""pytest fixtures for the fake GitLab: one server per session, fresh state before each test.

In a conftest.py::

    from tests.fakes.gitlab.fixtures import fake_gitlab  # noqa: F401  (serves sample_instance())
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.fakes.session_fixture import session_fake_fixture

from .model import Instance
from .samples import sample_instance
from .server import FakeGitLab


def fake_gitlab_fixture(state: Callable[[], Instance] = sample_instance) -> Any:
    return session_fake_fixture(lambda: FakeGitLab(state).start())


fake_gitlab = fake_gitlab_fixture()
