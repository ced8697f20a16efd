"""Bad input to the GitLab collector: an address nothing answers at, an expired token, a token
without the read_api scope. Each is one line with a hint, and nothing else is lost."""

from __future__ import annotations

import socket

import pytest

from collectors.gitlab.collector import GitLabCollector
from scanner.errors import SourceUnavailable
from tests.collecting import CollectedScan
from tests.contract.gitlab.scanning import context, run_gitlab
from tests.fakes.gitlab.server import FakeGitLab

INSUFFICIENT_SCOPE = {
    "error": "insufficient_scope",
    "error_description": "The request requires higher privileges than provided by the access token.",
    "scope": "api read_api",
}


def _collect(fake: FakeGitLab, **options: object) -> CollectedScan:
    scan = CollectedScan()
    for _ in GitLabCollector().collect(context(fake, scan, **options)):
        pass
    return scan


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_base_url_nothing_answers_at_is_one_line_with_a_hint(fake_gitlab: FakeGitLab) -> None:
    with pytest.raises(SourceUnavailable) as raised:
        _collect(fake_gitlab, base_url=f"http://127.0.0.1:{_closed_port()}")
    line = raised.value.one_line()
    assert "\n" not in line and "cannot reach the GitLab API" in line and "check base_url" in line


def test_an_expired_token_says_so_in_one_line(fake_gitlab: FakeGitLab) -> None:
    # GitLab's answer to an expired (or revoked) OAuth-style token: the reason is in error_description
    fake_gitlab.fail(r"^/groups/acme$", 401, body={"error": "invalid_token", "error_description": "Token is expired."})
    with pytest.raises(SourceUnavailable) as raised:
        _collect(fake_gitlab)
    line = raised.value.one_line()
    assert "GITLAB_TOKEN was refused (401 invalid_token: Token is expired.)" in line and "\n" not in line


def test_a_token_without_the_read_api_scope_is_named(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.fail(r"^/groups/acme$", 403, body=INSUFFICIENT_SCOPE)
    with pytest.raises(SourceUnavailable) as raised:
        _collect(fake_gitlab)
    assert "HTTP 403: insufficient_scope: The request requires higher privileges" in raised.value.message
    assert "the token needs the read_api scope" in raised.value.message


def test_a_refused_group_among_others_leaves_the_rest(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.fail(r"^/groups/nope$", 403, body=INSUFFICIENT_SCOPE)
    scan = run_gitlab(fake_gitlab, groups=["acme", "nope"])
    assert "gitlab:acme/apps/svc-a" in scan.ids and scan.data("gitlab:acme/apps/svc-a", "ci.pipelines")["present"]
    (message,) = scan.messages()
    assert message.startswith("gitlab: nope: HTTP 403: insufficient_scope") and "read_api scope" in message
