"""Authentication, rate limits, conditional requests, faults and concurrency of the fake GitHub."""

from __future__ import annotations

import threading

import pytest
import requests
from github import (
    Auth,
    BadCredentialsException,
    Github,
    GithubException,
    RateLimitExceededException,
)

from tests.fakes.github import FakeGitHub, Token


def test_unknown_token_is_401_bad_credentials_and_not_charged(fake_github: FakeGitHub, client) -> None:
    with pytest.raises(BadCredentialsException) as raised:
        client(token="ghp_wrong", lazy=False).get_organization("acme")
    assert raised.value.status == 401
    assert raised.value.data == {
        "message": "Bad credentials",
        "documentation_url": "https://docs.github.com/rest",
        "status": "401",
    }
    assert (fake_github.stats.requests, fake_github.stats.charged) == (1, 0)


def test_missing_token_is_401(fake_github: FakeGitHub) -> None:
    answer = requests.get(f"{fake_github.url}/orgs/acme", timeout=5)
    assert answer.status_code == 401 and answer.json()["message"] == "Requires authentication"
    assert answer.headers["X-RateLimit-Limit"] == "60"


def test_expired_installation_token_is_rejected(fake_github: FakeGitHub, client) -> None:
    fake_github.world.tokens.append(Token("ghs_short", expires_at=fake_github.clock.now()))
    with pytest.raises(BadCredentialsException):
        client(token="ghs_short", lazy=False).get_organization("acme")


def test_rate_limit_headers_count_down(fake_github: FakeGitHub, client) -> None:
    gh = client(lazy=False)
    gh.get_organization("acme")
    gh.get_repo("acme/svc-orders")
    assert fake_github.stats.log[-1].charged and fake_github.stats.charged == 2
    assert gh.rate_limiting == (4998, 5000)
    overview = gh.get_rate_limit()
    assert overview.resources.core.remaining == 4998 and overview.resources.core.used == 2
    assert fake_github.stats.charged == 2  # /rate_limit is free, as on GitHub


def test_exhausted_budget_is_403_until_the_window_resets(fake_github: FakeGitHub, client) -> None:
    fake_github.world.tokens.append(Token("ghp_small", rate_limit=2))
    gh = client(token="ghp_small", lazy=False)
    gh.get_organization("acme")
    gh.get_organization("acme")
    with pytest.raises(RateLimitExceededException) as raised:
        gh.get_organization("acme")
    assert raised.value.status == 403
    assert raised.value.data["message"].startswith("API rate limit exceeded for user ID")
    assert raised.value.headers["x-ratelimit-remaining"] == "0"
    assert raised.value.headers["x-ratelimit-resource"] == "core"
    assert fake_github.stats.charged == 2

    fake_github.clock.advance(3601)
    assert gh.get_organization("acme").login == "acme"
    assert gh.rate_limiting == (1, 2)


def test_concurrent_requests_cannot_overdraw_the_budget(fake_github: FakeGitHub) -> None:
    fake_github.world.tokens.append(Token("ghp_shared", rate_limit=10))
    statuses: list[int] = []

    def worker() -> None:
        session = requests.Session()
        session.headers["Authorization"] = "token ghp_shared"
        statuses.extend(session.get(f"{fake_github.url}/orgs/acme", timeout=5).status_code for _ in range(5))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] * 10 + [403] * 30
    assert fake_github.stats.charged == 10


def test_exhausted_budget_can_answer_429(fake_github: FakeGitHub, client) -> None:
    fake_github.world.tokens.append(Token("ghp_none", rate_limit=0))
    fake_github.settings.rate_limit_status = 429
    with pytest.raises(GithubException) as raised:
        client(token="ghp_none", lazy=False).get_organization("acme")
    assert raised.value.status == 429


def test_not_modified_answers_are_free(fake_github: FakeGitHub, client) -> None:
    repo = client(lazy=False).get_repo("acme/svc-payments")
    assert repo.etag
    assert repo.update() is False  # PyGithub sends If-None-Match with the ETag
    assert [entry.status for entry in fake_github.stats.log] == [200, 304]
    assert fake_github.stats.charged == 1
    fake_github.org.repo("svc-payments").description = "changed"
    assert repo.update() is True and repo.description == "changed"
    assert fake_github.stats.charged == 2


def test_injected_server_errors_every_second_request(fake_github: FakeGitHub, client) -> None:
    fake_github.faults.error(route="/repos/*", status=502, every=2)
    gh = client(lazy=False)
    assert gh.get_repo("acme/svc-orders").name == "svc-orders"
    with pytest.raises(GithubException) as raised:
        gh.get_repo("acme/svc-orders")
    assert raised.value.status == 502
    gh.get_organization("acme")  # not matched by the route glob
    assert [entry.status for entry in fake_github.stats.log] == [200, 502, 200]
    assert fake_github.stats.charged == 2


def test_seeded_error_share_is_deterministic(fake_github: FakeGitHub) -> None:
    def pattern() -> list[int]:
        fake_github.reset()
        fake_github.faults.error(share=0.5, seed=7, status=500)
        session = requests.Session()
        session.headers["Authorization"] = f"token {fake_github.token}"
        return [session.get(f"{fake_github.url}/orgs/acme", timeout=5).status_code for _ in range(12)]

    first = pattern()
    assert first == pattern()
    assert set(first) == {200, 500}


def test_dropped_connection_and_limited_times(fake_github: FakeGitHub, client) -> None:
    fake_github.faults.drop(route="/orgs/*", times=1)
    gh = client(lazy=False)
    with pytest.raises(requests.exceptions.ConnectionError):
        gh.get_organization("acme")
    assert gh.get_organization("acme").login == "acme"
    assert [entry.status for entry in fake_github.stats.log] == [0, 200]


def test_secondary_limit_carries_retry_after(fake_github: FakeGitHub, client) -> None:
    fake_github.faults.secondary_limit(route="/orgs/acme", retry_after=7)
    gh = client(lazy=False)
    with pytest.raises(RateLimitExceededException) as raised:
        gh.get_organization("acme")
    assert raised.value.headers["retry-after"] == "7"
    assert raised.value.data["message"].startswith("You have exceeded a secondary rate limit")
    assert gh.get_organization("acme").login == "acme"


def test_delayed_answers_still_arrive(fake_github: FakeGitHub, client) -> None:
    fault = fake_github.faults.delay(route="/orgs/acme", seconds=0.05)
    assert client(lazy=False).get_organization("acme").login == "acme"
    assert fault.hits == 1


def test_concurrent_clients_get_their_own_answers(fake_github: FakeGitHub) -> None:
    names = [repo.name for repo in fake_github.org.repos]
    wrong: list[str] = []

    def worker(name: str) -> None:
        gh = Github(
            base_url=fake_github.url,
            auth=Auth.Token(fake_github.token),
            seconds_between_requests=None,
            retry=None,
            lazy=False,
        )
        for _ in range(10):
            got = gh.get_repo(f"acme/{name}").name
            if got != name:
                wrong.append(got)

    threads = [threading.Thread(target=worker, args=(name,)) for name in names * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == [] and fake_github.stats.requests == len(threads) * 10


def test_reset_restores_state_and_counters(fake_github: FakeGitHub, client) -> None:
    fake_github.org.repos.clear()
    fake_github.faults.error()
    client(lazy=False).requester.requestJson("GET", "/orgs/acme")
    fake_github.reset()
    assert len(fake_github.org.repos) == 5 and fake_github.stats.requests == 0
    assert client(lazy=False).get_organization("acme").login == "acme"
