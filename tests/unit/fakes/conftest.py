"""The fake GitHub under test, and real PyGithub clients pointed at it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from github import Auth, Github

from tests.fakes.github import FakeGitHub
from tests.fakes.github.fixtures import fake_github  # noqa: F401  (the fixture under test)

MakeClient = Callable[..., Github]


@pytest.fixture
def client(fake_github: FakeGitHub) -> MakeClient:  # noqa: F811
    """`client(token=..., per_page=..., lazy=...)`: a PyGithub client with throttling and retries off."""

    def make(token: str | None = None, per_page: int = 30, lazy: bool = True) -> Github:
        return Github(
            base_url=fake_github.url,
            auth=Auth.Token(token or fake_github.token),
            per_page=per_page,
            seconds_between_requests=None,
            seconds_between_writes=None,
            retry=None,
            lazy=lazy,
        )

    return make


@pytest.fixture
def gh(client: MakeClient) -> Github:
    return client()
