"""The client's list reading with the libraries' help: object-wrapped lists (`workflow_runs`),
a page cap that ends a list quietly, Link headers parsed by requests, payloads as PyGithub's
typed objects (complete as given: reading them sends nothing)."""

from __future__ import annotations

from datetime import timedelta

from github import Auth
from github.Environment import Environment as TypedEnvironment

from collectors.github.client import GitHubClient
from scanner.contract import RequestCounter
from tests.contract.github.scanning import NOW, timer_of
from tests.fakes.github.fixtures import fake_github_fixture
from tests.fakes.github.model import Environment, Organization, Repository, WorkflowRun
from tests.fakes.github.server import FakeGitHub

busy_github = fake_github_fixture(
    lambda: Organization(
        "acme",
        repos=[
            Repository(
                "svc",
                workflow_runs=[WorkflowRun(created_at=NOW - timedelta(hours=hour)) for hour in range(250)],
                environments=[Environment("production", required_reviewers=["alice"], branch_policy="protected_branches")],
            )
        ],
    )
)


def _client(fake: FakeGitHub) -> GitHubClient:
    return GitHubClient(
        fake.url, Auth.Token(fake.token), counter=RequestCounter(), timeout=10, max_retries=0,
        max_rate_limit_wait=1, rate_limit_wait_budget=1, timer=timer_of(fake),
    )


def test_a_wrapped_list_is_read_across_pages_up_to_a_cap(busy_github: FakeGitHub) -> None:
    client = _client(busy_github)
    try:
        path = "/repos/acme/svc/actions/runs"
        assert len(list(client.pages("runs", path, list_key="workflow_runs"))) == 250
        busy_github.stats.clear()
        assert len(list(client.pages("runs", path, list_key="workflow_runs", max_pages=2))) == 200
        assert busy_github.stats.requests == 2  # the third page is not asked for
    finally:
        client.close()


def test_payloads_become_typed_objects_without_a_request(busy_github: FakeGitHub) -> None:
    client = _client(busy_github)
    try:
        answer = client.get("environments", "/repos/acme/svc/environments")
        busy_github.stats.clear()
        (environment,) = [client.typed(TypedEnvironment, item) for item in answer.data["environments"]]
        assert environment.name == "production"
        assert sorted(rule.type for rule in environment.protection_rules) == ["branch_policy", "required_reviewers"]
        assert busy_github.stats.requests == 0
    finally:
        client.close()
