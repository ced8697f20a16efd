"""pytest fixtures for the fake GitHub.

In a conftest.py::

    from tests.fakes.github.fixtures import fake_github  # noqa: F401  (serves sample_org())
    my_github = fake_github_fixture(lambda: my_org())     # serves your own state

Each fixture starts one server per test session (on first use) and calls `reset()` before
every test, so each test sees fresh state from the factory, zeroed counters, no faults and
full rate-limit budgets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.fakes.session_fixture import session_fake_fixture

from .model import Organization, World
from .samples import sample_org
from .server import FakeGitHub


def fake_github_fixture(state: Callable[[], Organization | World] = sample_org) -> Any:
    """A function-scoped pytest fixture yielding a reset `FakeGitHub` shared across the session."""
    return session_fake_fixture(lambda: FakeGitHub(state).start())


fake_github = fake_github_fixture()
