"""The GitLab collector when things go wrong: bad credentials, base URL or group, refusals,
rate limits, server errors and dropped connections. All waiting happens in virtual time."""

from __future__ import annotations

import logging
import sys
from typing import Any

import pytest

from collectors.gitlab.collector import GitLabCollector
from collectors.gitlab.config import GitLabConfig
from scanner.errors import SourceUnavailable, UserError
from scanner.model import EvidenceStatus
from tests.collecting import CollectedScan
from tests.contract.gitlab.scanning import context, run_gitlab, timer_of
from tests.fakes.gitlab.samples import TOKEN
from tests.fakes.gitlab.server import FakeGitLab


def _collect(fake: FakeGitLab, token: str | None = None, **options: Any) -> CollectedScan:
    scan = CollectedScan()
    for _ in GitLabCollector().collect(context(fake, scan, token=token, **options)):
        pass
    return scan


def test_a_revoked_token_stops_the_source_in_one_line_without_the_token(fake_gitlab: FakeGitLab) -> None:
    with pytest.raises(SourceUnavailable) as raised:
        _collect(fake_gitlab, token="glpat-revoked-SECRET-999")
    line = raised.value.one_line()
    assert "GITLAB_TOKEN was refused" in line and "401" in line and "\n" not in line
    assert "glpat-revoked-SECRET-999" not in line


def test_a_missing_token_is_named(fake_gitlab: FakeGitLab) -> None:
    with pytest.raises(SourceUnavailable, match="GITLAB_TOKEN is not set"):
        _collect(fake_gitlab, token="")


def test_a_wrong_base_url_stops_the_source_with_a_hint(fake_gitlab: FakeGitLab) -> None:
    with pytest.raises(SourceUnavailable) as raised:
        _collect(fake_gitlab, base_url=fake_gitlab.url + "/gitlab")
    assert "HTTP 404" in raised.value.message and "without /api/v4" in (raised.value.hint or "")


def test_a_base_url_with_the_api_path_is_a_config_error() -> None:
    with pytest.raises(ValueError, match="without /api/v4"):
        GitLabConfig(groups=["acme"], base_url="https://gitlab.example.com/api/v4")
    with pytest.raises(ValueError, match="top-level group"):
        GitLabConfig(groups=["acme/apps"])
    with pytest.raises(ValueError, match="in clear"):
        GitLabConfig(groups=["acme"], base_url="http://gitlab.example.com")


def test_a_group_that_does_not_exist_is_a_problem_and_leaves_the_rest(fake_gitlab: FakeGitLab) -> None:
    scan = run_gitlab(fake_gitlab, groups=["acme", "nope"])
    assert "gitlab:acme/apps/svc-a" in scan.ids
    (message,) = scan.messages()
    assert message.startswith("gitlab: nope: HTTP 404: 404 Group Not Found — it does not exist, or the token needs")
    assert set(scan.unreached) == {"organization", "repository"}  # its projects are unknown, not absent
    with pytest.raises(SourceUnavailable, match="nothing could be scanned"):
        _collect(fake_gitlab, groups=["nope"])


def test_a_refused_protection_is_unavailable_naming_the_role(fake_gitlab: FakeGitLab) -> None:
    # the fake's Reporter token on a GitLab before 16.9: GraphQL gives no branch rules, REST is asked, and refuses
    fake_gitlab.instance.protectable_field = False
    fake_gitlab.fail(r"^/projects/101/protected_branches$", 403, message="403 Forbidden")
    scan = run_gitlab(fake_gitlab)
    record = scan.of("gitlab:acme/apps/svc-a", "vcs.branch_protection")
    assert record.status is EvidenceStatus.UNAVAILABLE
    assert record.reason == "HTTP 403: 403 Forbidden — the token needs the read_api scope and at least the Reporter role"
    assert scan.data("gitlab:acme/apps/svc-b", "vcs.branch_protection")["enabled"] is False  # nothing else lost
    # told once for the scan, with the projects it cost (the collector base's gap report)
    assert scan.messages() == [
        "gitlab: branch protection unavailable for 1 subject: HTTP 403: 403 Forbidden — the token needs the read_api "
        "scope and at least the Reporter role"
    ]


def test_persistent_server_errors_are_one_problem_of_their_project(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.fail(r"^/projects/101/deployments$", 500, times=10)
    scan = run_gitlab(fake_gitlab, max_retries=1)
    assert scan.messages("gitlab:acme/apps/svc-a") == [
        "acme/apps/svc-a: requests kept failing (HTTP 500: 500 — scan again later); the evidence they carry is unavailable"
    ]


def test_a_failed_project_listing_cuts_the_scan_short(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.fail(r"^/groups/10/projects$", 403, message="403 Forbidden")
    scan = run_gitlab(fake_gitlab)
    assert scan.ids == ["gitlab:acme"]
    assert "cannot list the projects of acme" in scan.unreached["repository"]


def test_429_waits_for_retry_after_in_virtual_time(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.fail(r"^/groups/10/projects$", 429, message="Retry later", headers={"Retry-After": "7"})
    timer = timer_of(fake_gitlab)
    scan = run_gitlab(fake_gitlab, timer=timer)
    assert "gitlab:acme/apps/svc-a" in scan.ids
    assert timer.slept == [pytest.approx(7, abs=1)]  # the fake clock runs on while the test does
    assert fake_gitlab.count(r"^/groups/10/projects$") == 2
    assert scan.requests.snapshot()["projects"].sent == 2


def test_a_rate_limit_past_the_wait_budget_stops_the_source_cleanly(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.fail(r"^/groups/10/projects$", 429, headers={"Retry-After": "3600"})
    timer = timer_of(fake_gitlab)
    scan = run_gitlab(fake_gitlab, rate_limit_wait_budget_seconds=10, timer=timer)
    assert "rate limit exhausted" in scan.unreached["repository"]
    # one budget for the whole API: nothing more is asked until it resets, and nothing is waited for
    for kind in ("org.access", "org.rulesets", "org.teams"):
        record = scan.of("gitlab:acme", kind)
        assert record.status is EvidenceStatus.UNAVAILABLE and "rate limit exhausted" in (record.reason or "")
    assert timer.slept == [] and fake_gitlab.count(r"^/groups/10/") == 1


def test_server_errors_and_dropped_connections_are_retried(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.fail(r"^/projects/101/repository/archive\.tar\.gz$", 502)
    # a Reporter's protected branches come over REST
    fake_gitlab.fail(r"^/projects/101/protected_branches$", None)
    scan = run_gitlab(fake_gitlab)
    assert scan.data("gitlab:acme/apps/svc-a", "repo.inventory")["files"] == 3
    assert scan.data("gitlab:acme/apps/svc-a", "vcs.branch_protection")["enabled"] is True


def test_persistent_server_errors_make_the_files_unavailable(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.fail(r"^/projects/101/repository/(archive\.tar\.gz|tree)$", 500, times=10)
    scan = run_gitlab(fake_gitlab, max_retries=1)
    record = scan.of("gitlab:acme/apps/svc-a", "ci.pipelines")
    assert record.status is EvidenceStatus.UNAVAILABLE and record.reason == "HTTP 500: 500 — scan again later"
    # each tried twice: the archive, then the tree it falls back to
    assert fake_gitlab.count(r"^/projects/101/repository/archive\.tar\.gz$") == 2
    assert fake_gitlab.count(r"^/projects/101/repository/tree$") == 2


def test_the_token_appears_in_no_output_evidence_problem_or_log(
    fake_gitlab: FakeGitLab, caplog: pytest.LogCaptureFixture
) -> None:
    fake_gitlab.fail(r"^/projects/101/protected_branches$", 403, message="403 Forbidden")
    fake_gitlab.fail(r"^/groups/10/members$", 500, times=10)
    with caplog.at_level(logging.DEBUG):
        scan = run_gitlab(fake_gitlab, groups=["acme", "nope"])
    assert all(request.headers.get("private-token") == TOKEN for request in fake_gitlab.requests)  # it was sent
    dumped = "\n".join(
        [item.model_dump_json() for item in (*scan.subjects, *scan.evidence, *scan.problems)]
        + [record.getMessage() for record in caplog.records]
        + list(scan.unreached.values())
    )
    assert TOKEN not in dumped and "CANARY" not in dumped


def test_without_python_gitlab_the_scan_stops_in_one_line(fake_gitlab: FakeGitLab, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "gitlab", None)  # as if the extra were not installed
    monkeypatch.delitem(sys.modules, "collectors.gitlab.scan", raising=False)
    monkeypatch.delitem(sys.modules, "collectors.gitlab.client", raising=False)
    with pytest.raises(UserError) as raised:
        _collect(fake_gitlab)
    assert "pip install 'pecm[gitlab]'" in raised.value.one_line()


def test_a_next_page_link_that_loops_stops_the_listing_as_cut_short(fake_gitlab: FakeGitLab) -> None:
    page = f"{fake_gitlab.url}/api/v4/groups/10/projects?per_page=100&page=1"
    fake_gitlab.fail(r"^/groups/10/projects$", 200, body=[], headers={"Link": f'<{page}>; rel="next"'}, times=5)
    scan = run_gitlab(fake_gitlab)
    assert "pagination stopped: the server's next-page link points at a page already read" in scan.unreached["repository"]
    assert fake_gitlab.count(r"^/groups/10/projects$") == 2  # the first page, and the link once


def test_pages_announced_only_by_x_next_page_are_followed(fake_gitlab: FakeGitLab) -> None:
    # some GitLab lists (keyset trees, seen in gitlab-org/gitlab#427205) send X-Next-Page without a Link
    fake_gitlab.fail(r"^/groups/10/descendant_groups$", 200, body=[], headers={"X-Next-Page": "1"})
    scan = run_gitlab(fake_gitlab)
    assert scan.data("gitlab:acme", "org.teams")["teams"] == 2  # both subgroups, from the page it announced
    second = [r for r in fake_gitlab.requests if r.path.endswith("/groups/10/descendant_groups")][1]
    assert second.query["page"] == "1" and second.query["per_page"] == "100"
