"""What the client sends itself, now that PyGithub only makes its headers: a renamed repository's
301 followed on the API's host, links naming another host never given the token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from github import Auth

from collectors.github.client import ApiError, GitHubClient
from scanner.contract import RequestCounter
from tests.contract.github.orgs import acme
from tests.contract.github.scanning import timer_of
from tests.fakes.github.fixtures import fake_github_fixture
from tests.fakes.github.server import FakeGitHub
from tests.fakes.http.exchange import Request, Response, json_response
from tests.fakes.http.transport import HttpServer

github = fake_github_fixture(acme)


@pytest.fixture
def elsewhere() -> Iterator[tuple[str, list[Request]]]:
    """Another host: its URL and the requests it received."""
    seen: list[Request] = []

    def answer(request: Request) -> Response:
        seen.append(request)
        return json_response({"name": "elsewhere"})

    server = HttpServer(answer, name="elsewhere")
    with server.running():
        yield server.url, seen


def _client(fake: FakeGitHub) -> GitHubClient:
    return GitHubClient(
        fake.url, Auth.Token(fake.token), counter=RequestCounter(), timeout=10, max_retries=0,
        max_rate_limit_wait=1, rate_limit_wait_budget=1, timer=timer_of(fake),
    )


def test_a_renamed_repositorys_301_is_followed_on_the_api_host(github: FakeGitHub) -> None:
    github.faults.respond("/repos/acme/svc-old", Response(301, b"", {"Location": f"{github.url}/repos/acme/svc-a"}))
    client = _client(github)
    try:
        assert client.get("repos", "/repos/acme/svc-old").data["name"] == "svc-a"
    finally:
        client.close()


def test_a_301_to_another_host_is_an_error_and_that_host_gets_nothing(
    github: FakeGitHub, elsewhere: tuple[str, list[Request]]
) -> None:
    url, seen = elsewhere
    github.faults.respond("/repos/acme/svc-old", Response(301, b"", {"Location": f"{url}/repos/acme/svc-a"}))
    client = _client(github)
    try:
        with pytest.raises(ApiError, match="another host"):
            client.get("repos", "/repos/acme/svc-old")
        assert not seen
    finally:
        client.close()


def test_a_link_naming_another_host_is_asked_of_the_api_host_with_the_token(
    github: FakeGitHub, elsewhere: tuple[str, list[Request]]
) -> None:
    url, seen = elsewhere
    client = _client(github)
    try:
        assert client.get("repos", f"{url}/repos/acme/svc-a").data["name"] == "svc-a"
        assert not seen
    finally:
        client.close()
