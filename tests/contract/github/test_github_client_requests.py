"""What the client sends itself, now that PyGithub only makes its headers: a renamed repository's
301 followed on the API's host, links naming another host never given the token, a download
followed through its redirects with the token for the API's own host only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
        if request.path.startswith("/hop/"):  # sends on to the URL after /hop/
            return Response(302, b"", {"Location": request.path.removeprefix("/hop/")})
        return json_response({"name": "elsewhere"})

    server = HttpServer(answer, name="elsewhere")
    with server.running():
        yield server.url, seen


@contextmanager
def _client(fake: FakeGitHub) -> Iterator[GitHubClient]:
    client = GitHubClient(
        fake.url, Auth.Token(fake.token), counter=RequestCounter(), timeout=10, max_retries=0,
        max_rate_limit_wait=1, rate_limit_wait_budget=1, timer=timer_of(fake),
    )
    try:
        yield client
    finally:
        client.close()


def test_a_renamed_repositorys_301_is_followed_on_the_api_host(github: FakeGitHub) -> None:
    github.faults.respond("/repos/acme/svc-old", Response(301, b"", {"Location": f"{github.url}/repos/acme/svc-a"}))
    with _client(github) as client:
        assert client.get("repos", "/repos/acme/svc-old").data["name"] == "svc-a"


def test_a_301_to_another_host_is_an_error_and_that_host_gets_nothing(
    github: FakeGitHub, elsewhere: tuple[str, list[Request]]
) -> None:
    url, seen = elsewhere
    github.faults.respond("/repos/acme/svc-old", Response(301, b"", {"Location": f"{url}/repos/acme/svc-a"}))
    with _client(github) as client:
        with pytest.raises(ApiError, match="another host"):
            client.get("repos", "/repos/acme/svc-old")
        assert not seen


def test_a_link_naming_another_host_is_asked_of_the_api_host_with_the_token(
    github: FakeGitHub, elsewhere: tuple[str, list[Request]]
) -> None:
    url, seen = elsewhere
    with _client(github) as client:
        assert client.get("repos", f"{url}/repos/acme/svc-a").data["name"] == "svc-a"
        assert not seen


def test_a_download_follows_its_redirects_and_only_the_api_host_gets_the_token(
    github: FakeGitHub, elsewhere: tuple[str, list[Request]]
) -> None:
    url, seen = elsewhere
    codeload = f"{github.url}/_codeload/acme/svc-a/legacy.tar.gz/main"
    github.faults.respond("/repos/acme/svc-a/tarball/main", Response(302, b"", {"Location": f"{url}/hop/{codeload}"}))
    with _client(github) as client:
        archive = client.archive("tarball", "acme", "svc-a", "main", 1 << 20)
        assert archive is not None and archive.startswith(b"\x1f\x8b")  # the gzipped tarball, from the API's host
        assert [request.path for request in seen] == [f"/hop/{codeload}"]
        assert "authorization" not in seen[0].headers
        assert github.stats.log[-1].request.headers["authorization"] == f"token {github.token}"  # the API host's codeload


def test_a_netrc_entry_for_the_host_never_replaces_the_token(
    github: FakeGitHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password other-secret\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    with _client(github) as client:
        client.get("repos", "/repos/acme/svc-a")
        assert github.stats.log[-1].request.headers["authorization"] == f"token {github.token}"
