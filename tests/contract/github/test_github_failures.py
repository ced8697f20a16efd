"""What goes wrong with a Git host: credentials, rate limits, faults, timeouts, missing permissions."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import requests
from github import Auth

from collectors.github import GitHubCollector
from collectors.github.client import ApiError, GitHubClient
from collectors.local import LocalCollector
from rules.catalog import PACK_DIR
from scanner.config import parse_config
from scanner.contract import Limits, RealTimer, RequestCounter
from scanner.errors import SourceUnavailable
from scanner.kinds import KINDS, KindRegistry
from scanner.model import Evidence, EvidenceStatus, Subject
from scanner.pipeline import collect, plan_scan
from scanner.plugins import Plugins
from scanner.secrets import SecretStore
from tests.contract.github.orgs import acme
from tests.contract.github.scanning import NOW, Scan, ScanRunner, context, timer_of
from tests.fakes.github.fixtures import fake_github_fixture
from tests.fakes.github.model import DEFAULT_TOKEN, Branch, BranchProtection, Organization, Repository, Token, User, World
from tests.fakes.github.server import FakeGitHub

RESETS_AT = re.compile(r"rate limit exhausted; resets at \d\d:\d\d UTC")

acme_github = fake_github_fixture(acme)
small_budget_github = fake_github_fixture(lambda: World(orgs=[acme()], tokens=[Token(DEFAULT_TOKEN, rate_limit=12)]))
# Less than one acme scan per window, more than one in two windows.
two_window_github = fake_github_fixture(lambda: World(orgs=[acme()], tokens=[Token(DEFAULT_TOKEN, rate_limit=20)]))
no_graphql_github = fake_github_fixture(lambda: World(orgs=[acme()], tokens=[Token(DEFAULT_TOKEN, graphql_limit=1)]))
reader_github = fake_github_fixture(
    lambda: World(orgs=[acme()], tokens=[Token(DEFAULT_TOKEN, repo_admin=False, org_admin=False)])
)


def collect_all(fake: FakeGitHub, **options: Any) -> list[Subject | Evidence]:
    return list(GitHubCollector().collect(context(fake, Scan(), **options)))


# --- credentials and reachability -------------------------------------------------------------


def test_a_missing_token_is_one_line_naming_the_collector_and_the_variable(acme_github: FakeGitHub) -> None:
    with pytest.raises(SourceUnavailable) as raised:
        collect_all(acme_github, token="")
    line = raised.value.one_line()
    assert line.startswith("github: environment variable GITHUB_TOKEN is not set") and "\n" not in line
    assert acme_github.stats.requests == 0


def test_a_refused_token_is_one_line_without_the_token(acme_github: FakeGitHub) -> None:
    wrong = "ghp_not_the_right_token_0123456789"
    with pytest.raises(SourceUnavailable) as raised:
        collect_all(acme_github, token=wrong)
    line = raised.value.one_line()
    assert line.startswith("github: the token in GITHUB_TOKEN was refused (401 Bad credentials)")
    assert "\n" not in line and wrong not in line and wrong not in repr(raised.value.__cause__)


def test_an_unreachable_api_is_a_source_failure(acme_github: FakeGitHub) -> None:
    with pytest.raises(SourceUnavailable, match=r"github: nothing could be scanned at http://127\.0\.0\.1:9: acme: network error"):
        collect_all(acme_github, base_url="http://127.0.0.1:9", max_retries=0)


def test_through_the_pipeline_a_refused_token_leaves_other_collectors_alone(acme_github: FakeGitHub, tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "main.tf").write_text('resource "null_resource" "x" {}\n', encoding="utf-8")
    plugins = Plugins(
        kinds=KindRegistry(KINDS),
        collectors={"github": GitHubCollector, "local": LocalCollector},
        rule_packs={"default": PACK_DIR},
    )
    sources = {
        "github": {"organizations": ["acme"], "base_url": acme_github.url},
        "local": {"paths": [str(tmp_path)], "git": None},
    }
    loaded = parse_config({"sources": sources}, "config", tmp_path)
    secret = "ghp_refused_by_the_fake_0123456789"
    bundle = collect(plan_scan(loaded, plugins), plugins, secrets=SecretStore({"GITHUB_TOKEN": secret}), clock=lambda: NOW)
    runs = {run.collector: run.status for run in bundle.sources}
    assert runs == {"github": "failed", "local": "ok"}
    [problem] = [p for p in bundle.problems if p.source == "github"]
    assert "github: the token in GITHUB_TOKEN was refused (401 Bad credentials)" in problem.message
    assert any(e.kind == "iac.usage" and e.status is EvidenceStatus.OBSERVED for e in bundle.evidence)
    assert secret not in bundle.model_dump_json()


def test_an_unknown_account_is_a_problem_and_the_others_are_scanned(acme_github: FakeGitHub, scan_github: ScanRunner) -> None:
    scan = scan_github(acme_github, organizations=["nobody-here", "acme"])
    assert "github:acme/svc-a" in scan.ids
    assert scan.messages() == ["github: nobody-here: no organization or user of that name is visible to the token"]


# --- rate limits ---------------------------------------------------------------------------------


def test_an_exhausted_rate_limit_stops_cleanly_and_keeps_what_was_gathered(
    small_budget_github: FakeGitHub, scan_github: ScanRunner
) -> None:
    scan = scan_github(small_budget_github, max_rate_limit_wait_seconds=5, coverage_floor=0)
    assert len(scan.ids) == 5  # every repository is still a subject with every kind
    assert scan.of("github:acme", "org.teams").status is EvidenceStatus.OBSERVED
    statuses = {item.status for item in scan.evidence if item.subject != "github:acme"}
    assert statuses == {EvidenceStatus.OBSERVED, EvidenceStatus.UNAVAILABLE}
    reasons = {
        item.reason
        for item in scan.evidence
        if item.status is EvidenceStatus.UNAVAILABLE and item.kind not in ("ci.reusable_consumers", "repo.cross_references")
    }
    assert reasons and all(RESETS_AT.fullmatch(reason or "") for reason in reasons)
    [problem] = [message for message in scan.messages() if "rate limit" in message]
    assert RESETS_AT.search(problem) and "not fully scanned" in problem
    refused = [entry for entry in small_budget_github.stats.log if entry.status == 403]
    assert len(refused) <= Limits().max_workers  # only those already in flight; the gate stops the rest
    assert small_budget_github.stats.charged == 12


def test_a_secondary_limit_is_waited_out(acme_github: FakeGitHub, scan_github: ScanRunner) -> None:
    acme_github.faults.secondary_limit(route="/repos/acme/svc-a/rules/branches/*", retry_after=1, times=1)
    scan = scan_github(acme_github)
    assert scan.statuses() == {EvidenceStatus.OBSERVED} and scan.problems == []
    rules = [entry.status for entry in acme_github.stats.log if entry.path == "/repos/acme/svc-a/rules/branches/main"]
    assert rules == [403, 200]


def test_a_secondary_limit_without_retry_after_waits_a_minute_not_the_hourly_reset(
    acme_github: FakeGitHub, scan_github: ScanRunner
) -> None:
    """GitHub sends x-ratelimit-reset (the end of the hourly window) on every answer, secondary
    limits included; waiting for it exceeded the maximum wait and lost the rest of the scan."""
    acme_github.faults.secondary_limit(route="/repos/acme/svc-a/rules/branches/*", retry_after=None, times=1)
    timer = timer_of(acme_github)

    scan = scan_github(acme_github, timer=timer)

    assert scan.statuses() == {EvidenceStatus.OBSERVED} and scan.problems == []
    assert max(timer.slept) == pytest.approx(60, abs=1)


def test_a_persistent_secondary_limit_is_waited_out_longer_each_time_and_never_closes_the_scan(
    acme_github: FakeGitHub, scan_github: ScanRunner
) -> None:
    acme_github.faults.secondary_limit(route="/repos/acme/*", retry_after=None, times=3)
    timer = timer_of(acme_github)

    scan = scan_github(acme_github, timer=timer, limits=Limits(max_workers=1))  # one worker: one retried request

    assert scan.statuses() == {EvidenceStatus.OBSERVED} and scan.problems == []
    assert timer.slept == pytest.approx([60, 120, 240], abs=1)  # doubling while the limit persists


def test_waiting_for_rate_limits_is_bounded_in_total(acme_github: FakeGitHub, scan_github: ScanRunner) -> None:
    acme_github.faults.secondary_limit(route="/repos/acme/*", retry_after=None, times=None)
    timer = timer_of(acme_github)

    scan = scan_github(acme_github, timer=timer, limits=Limits(max_workers=1), rate_limit_wait_budget_seconds=200, coverage_floor=0)

    # abs=1 as above: the fake's clock runs in real time, so a shared wait can be found a moment in.
    assert timer.slept == pytest.approx([60, 120], abs=1)  # the next wait, 240 s, would pass the budget
    assert EvidenceStatus.UNAVAILABLE in scan.statuses()
    assert any("rate limit" in message for message in scan.messages())


@pytest.mark.timeout(60)  # the old client followed such a link forever
def test_a_next_link_pointing_at_the_same_page_ends_the_list(acme_github: FakeGitHub, scan_github: ScanRunner) -> None:
    acme_github.faults.link_loop(route="/orgs/acme/teams")

    scan = scan_github(acme_github)

    teams = scan.of("github:acme", "org.teams")
    assert teams.status is EvidenceStatus.UNAVAILABLE
    assert "pagination stopped: the server's next-page link points at a page already read" in (teams.reason or "")
    assert len([entry for entry in acme_github.stats.log if entry.path == "/orgs/acme/teams"]) <= 2


@pytest.fixture
def reset_soon(two_window_github: FakeGitHub) -> FakeGitHub:
    """The budget's hourly window opened 3598 s ago, by one request: on the fake's clock the
    reset is two seconds away, which the scan waits for in virtual time."""
    fake = two_window_github
    fake.clock.advance(-3598)
    opened = requests.get(f"{fake.url}/orgs/acme", headers={"Authorization": f"token {fake.token}"}, timeout=5)
    assert opened.status_code == 200
    fake.clock.advance(3598)
    return fake


def test_a_near_reset_is_waited_for(reset_soon: FakeGitHub, scan_github: ScanRunner) -> None:
    scan = scan_github(reset_soon, max_rate_limit_wait_seconds=30)
    assert scan.statuses() == {EvidenceStatus.OBSERVED} and scan.problems == []
    assert reset_soon.stats.charged > 20  # the scan went on in the next window


def test_an_exhausted_graphql_budget_costs_only_what_graphql_gives(no_graphql_github: FakeGitHub, scan_github: ScanRunner) -> None:
    scan = scan_github(no_graphql_github, coverage_floor=0)
    assert scan.data("github:acme/svc-a", "iac.usage")["tools"] == ["terraform"]
    assert scan.data("github:acme/svc-a", "vcs.branch_protection")["enabled"] is True
    for kind in ("vcs.activity", "vcs.contributions", "vcs.template", "delivery.deployments"):
        reason = scan.of("github:acme/svc-a", kind).reason or ""
        assert reason.startswith("GraphQL rate limit exhausted; resets at"), kind
    assert len([message for message in scan.messages() if "rate limit" in message]) == 1


# --- faults and timeouts --------------------------------------------------------------------------------


def test_timeouts_apply_to_every_request(acme_github: FakeGitHub, scan_github: ScanRunner) -> None:
    acme_github.faults.delay(route="/repos/acme/svc-b/rules/branches/*", seconds=2.5)
    scan = scan_github(acme_github, request_timeout_seconds=1, max_retries=1, coverage_floor=0)
    protection = scan.of("github:acme/svc-b", "vcs.branch_protection")
    assert protection.status is EvidenceStatus.UNAVAILABLE
    assert protection.reason == "network error after 2 attempts: ReadTimeout"
    assert scan.messages() == [
        "acme/svc-b: requests kept failing (network error after 2 attempts: ReadTimeout); the evidence they carry is unavailable"
    ]
    assert scan.of("github:acme/svc-a", "vcs.branch_protection").status is EvidenceStatus.OBSERVED


def test_a_dropped_connection_is_retried(acme_github: FakeGitHub, scan_github: ScanRunner) -> None:
    acme_github.faults.drop(route="/repos/acme/*/git/trees/*", every=2, times=2)
    scan = scan_github(acme_github)
    assert scan.statuses() == {EvidenceStatus.OBSERVED}
    assert len(acme_github.stats.for_family("git/trees")) == 4 + 2


def test_a_repository_whose_requests_keep_failing_is_unavailable_and_the_scan_goes_on(
    acme_github: FakeGitHub, scan_github: ScanRunner
) -> None:
    acme_github.faults.error(route="/repos/acme/svc-b/git/trees/*", status=500)
    scan = scan_github(acme_github, coverage_floor=0)  # evidence-level behaviour: coverage has its own test
    assert scan.of("github:acme/svc-b", "iac.usage").reason == "HTTP 500: Server Error"
    assert scan.of("github:acme/svc-b", "vcs.activity").status is EvidenceStatus.OBSERVED
    assert scan.messages() == [
        "acme/svc-b: requests kept failing (HTTP 500: Server Error); the evidence they carry is unavailable"
    ]
    # svc-a offers no reusable CI: it has no consumer, whatever svc-b holds (one unreadable
    # repository made this unknown for every other one); platform-ci's consumer is still known.
    assert scan.data("github:acme/svc-a", "ci.reusable_consumers") == {"consumers": 0, "repositories": []}
    assert scan.data("github:acme/platform-ci", "ci.reusable_consumers")["consumers"] == 1
    # svc-b's own files are unknown, so whether it offers reusable CI, and to whom, is too.
    assert scan.of("github:acme/svc-b", "ci.reusable_consumers").status is EvidenceStatus.UNAVAILABLE


def test_a_scan_reading_too_few_repositories_in_full_fails_with_its_coverage(
    small_budget_github: FakeGitHub, tmp_path: Path
) -> None:
    """A rate limit that stops the scan early left 1 of 228 repositories covered with exit 0."""
    scan = Scan()
    ctx = context(small_budget_github, scan, max_rate_limit_wait_seconds=5)
    emitted = []
    with pytest.raises(SourceUnavailable) as failed:
        for item in GitHubCollector().collect(ctx):
            emitted.append(item)
    assert re.fullmatch(
        r"github: only \d of 4 repositories \(\d+\.\d%\) were read in full, below coverage_floor 90%; what was read is kept",
        failed.value.message,
    )
    assert any(isinstance(item, Evidence) and item.status is EvidenceStatus.OBSERVED for item in emitted)


# --- permissions ---------------------------------------------------------------------------------------


def test_a_token_without_admin_rights_sees_less_and_says_why_once(reader_github: FakeGitHub, scan_github: ScanRunner) -> None:
    scan = scan_github(reader_github)
    rulesets = scan.of("github:acme", "org.rulesets")
    assert rulesets.status is EvidenceStatus.UNAVAILABLE
    assert (rulesets.reason or "").endswith("the token needs Administration: read on the organization")
    assert scan.data("github:acme/svc-a", "vcs.branch_protection")["enabled"] is True
    security = scan.data("github:acme/platform-ci", "vcs.security_settings")
    assert security["secret_scanning"] is None  # hidden from a reader
    messages = scan.messages()
    assert len(messages) == len(set(messages))
    assert any(message.startswith("github: org.rulesets unavailable for 1 subject: HTTP 403") for message in messages)


def classic_only() -> Organization:
    """Two repositories whose default branch only classic branch protection guards (no ruleset)."""
    protection = BranchProtection(required_approving_review_count=2, required_status_checks=["build"])
    return Organization(
        "acme",
        members=[User("alice")],
        repos=[
            Repository(name, files={"README.md": b"# r\n"}, branches=[Branch("main", protection=protection)])
            for name in ("legacy-a", "legacy-b")
        ],
    )


classic_reader_github = fake_github_fixture(
    lambda: World(orgs=[classic_only()], tokens=[Token(DEFAULT_TOKEN, repo_admin=False)])
)
fine_grained_reader_github = fake_github_fixture(
    lambda: World(orgs=[classic_only()], tokens=[Token("github_pat_reader", repo_admin=False)])
)


def test_a_classic_token_without_admin_rights_never_sees_protected_branches_as_unprotected(
    classic_reader_github: FakeGitHub, scan_github: ScanRunner
) -> None:
    """GitHub answers such a token's branchProtectionRules with an empty list and no error."""
    scan = scan_github(classic_reader_github)

    for name in ("legacy-a", "legacy-b"):
        assert scan.data(f"github:acme/{name}", "vcs.branch_protection") == {
            "enabled": True,  # from the branch's protected flag, which any reader sees
            "required_reviews": None,  # hidden: unknown, not 0
            "code_owner_reviews": None,
            "required_checks": ["build"],
            "policy_checks_required": None,
            "via": ["branch_protection"],
            "required_scans": [],
            "required_workflows": [],
            "required_deployments": [],
            "author_can_approve": None,  # approval settings: GitLab's, not read on GitHub
            "committers_can_approve": None,
            "approval_rules_overridable": None,
            "stale_approvals_dismissed": None,
        }


def test_a_fine_grained_token_without_administration_falls_back_to_the_protected_flag(
    fine_grained_reader_github: FakeGitHub, scan_github: ScanRunner
) -> None:
    """GitHub refuses branchProtectionRules with FORBIDDEN: the batch is asked again without it."""
    scan = scan_github(fine_grained_reader_github, token="github_pat_reader")

    protection = scan.data("github:acme/legacy-a", "vcs.branch_protection")
    assert (protection["enabled"], protection["required_reviews"]) == (True, None)
    branches = [entry.path for entry in fine_grained_reader_github.stats.log if "/branches/" in entry.path]
    assert sorted(branches) == ["/repos/acme/legacy-a/branches/main", "/repos/acme/legacy-b/branches/main"]


def saml_org() -> Organization:
    org = classic_only()
    org.saml_enforced = True
    return org


saml_github = fake_github_fixture(lambda: World(orgs=[saml_org()], tokens=[Token(DEFAULT_TOKEN, sso_authorized=False)]))


def test_a_saml_refusal_says_to_authorize_the_token_not_to_grant_a_permission(
    saml_github: FakeGitHub, scan_github: ScanRunner
) -> None:
    scan = scan_github(saml_github)

    messages = scan.messages()
    refusal = "HTTP 403: the token is not authorized for the organization's SAML single sign-on (authorize it at https://github.com/orgs/acme/sso)"
    assert any(refusal in message for message in messages)
    assert not any("needs" in message or "scan again later" in message for message in messages)
    assert "authorization_request" not in " ".join(messages)  # the one-time request id is not printed


empty_github = fake_github_fixture(
    lambda: Organization("acme", members=[User("alice")], repos=[Repository("new-service", empty=True)])
)


def test_an_empty_repository_is_not_blamed_on_permissions(empty_github: FakeGitHub, scan_github: ScanRunner) -> None:
    scan = scan_github(empty_github)

    protection = scan.of("github:acme/new-service", "vcs.branch_protection")
    assert protection.reason == "the repository is empty: it has no branch to protect yet"
    assert not any("needs" in message for message in scan.messages())
    assert scan.data("github:acme/new-service", "repo.inventory")["files"] == 0


def test_a_non_json_error_page_still_gives_a_reason(acme_github: FakeGitHub, scan_github: ScanRunner) -> None:
    acme_github.faults.error(route="/orgs/acme/teams", status=502, html=True)

    scan = scan_github(acme_github, max_retries=0)

    assert scan.of("github:acme", "org.teams").reason == "HTTP 502: Bad Gateway — scan again later"


def test_every_api_request_names_the_api_version(acme_github: FakeGitHub, scan_github: ScanRunner) -> None:
    scan_github(acme_github, archive_threshold=0)

    to_the_api = [entry for entry in acme_github.stats.log if entry.family not in ("codeload", "raw")]
    assert to_the_api and {entry.api_version for entry in to_the_api} == {"2022-11-28"}


def test_an_enterprise_server_base_url_is_honoured(acme_github: FakeGitHub) -> None:
    """GitHub Enterprise Server serves REST under /api/v3 and GraphQL at /api/graphql (the fake
    serves neither, so the account is not found: what matters is where the requests went)."""
    with pytest.raises(SourceUnavailable, match="nothing could be scanned"):
        collect_all(acme_github, base_url=f"{acme_github.url}/api/v3", max_retries=0)
    client = GitHubClient(f"{acme_github.url}/api/v3", Auth.Token(acme_github.token), counter=RequestCounter(),
                          timeout=5, max_retries=0, max_rate_limit_wait=0, rate_limit_wait_budget=0, timer=RealTimer())
    with pytest.raises(ApiError):
        list(client.pages("repos", "/orgs/acme/repos"))
    client.close()
    assert [entry.path for entry in acme_github.stats.log] == ["/api/graphql", "/api/v3/orgs/acme/repos"]
