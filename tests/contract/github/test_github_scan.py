"""Full scans of declared organizations: the evidence, pagination, truncated trees, the cache."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

from scanner.contract import Limits
from scanner.kinds.git_host import UNTOLD_DIRECTORY_LINKS
from scanner.model import EvidenceStatus
from tests.contract.github.orgs import acme, commits, deployment, many_repositories
from tests.contract.github.scanning import NOW, Scan, ScanRunner
from tests.fakes.github.fixtures import fake_github_fixture
from tests.fakes.github.model import Ruleset, rule
from tests.fakes.github.server import FakeGitHub

EXPECTED = Path(__file__).parent / "expected" / "acme.json"

acme_github = fake_github_fixture(acme)
many_github = fake_github_fixture(lambda: many_repositories(105))


def summary(scan: Scan, fake: FakeGitHub) -> dict[str, Any]:
    """Subjects and evidence as plain data, with the fake's port taken out."""
    evidence: dict[str, dict[str, Any]] = {}
    for item in sorted(scan.evidence, key=lambda e: (e.subject, e.kind)):
        shown: dict[str, Any] = {"status": item.status.value}
        if item.status is EvidenceStatus.OBSERVED:
            shown["data"] = item.data
            if item.locators:
                shown["locators"] = list(item.locators)
        else:
            shown["reason"] = item.reason
        evidence.setdefault(item.subject, {})[item.kind] = shown
    text = json.dumps(
        {"subjects": [s.model_dump(mode="json") for s in scan.subjects], "evidence": evidence}, indent=1, sort_keys=True
    )
    plain: dict[str, Any] = json.loads(text.replace(fake.url, "http://FAKE"))
    return plain


def test_a_full_scan_gives_the_expected_evidence(acme_github: FakeGitHub, scan_github: ScanRunner, update_golden: bool) -> None:
    scan = scan_github(acme_github)
    assert scan.ids == ["github:acme", "github:acme/platform-ci", "github:acme/service-template", "github:acme/svc-a", "github:acme/svc-b"]
    assert scan.problems == []
    # The facts the expectation rests on, spelled out.
    assert scan.subject("github:acme/platform-ci").tags == ("platform",)
    assert scan.subject("github:acme/svc-a").tags == ()  # the platform team has no admin/maintain on it
    assert scan.subject("github:acme/svc-a").parent == "github:acme"
    assert scan.data("github:acme", "org.teams") == {
        "teams": 3, "platform_team": "platform", "platform_team_members": 2,
        "platform_team_repositories": ["platform-ci", "service-template"]}
    assert scan.data("github:acme", "org.access") == {"owners": 2, "members": 4, "two_factor_required": True, **UNTOLD_DIRECTORY_LINKS}
    assert scan.data("github:acme", "org.rulesets") == {
        "rulesets": 1, "active_on_default_branch": 1, "require_reviews": False, "require_status_checks": True,
        "author_can_approve": None, "committers_can_approve": None, "approval_rules_overridable": None,
        "stale_approvals_dismissed": None, "approval_settings_locked": None}
    assert scan.data("github:acme/platform-ci", "ci.reusable_consumers") == {
        "consumers": 2, "repositories": ["acme/svc-a", "acme/svc-b"]}
    assert scan.data("github:acme/platform-ci", "vcs.contributions") == {
        "window_days": 90, "contributors": 3, "outside_platform_team": 1, "outside_share": 0.3333}
    protection = scan.data("github:acme/svc-a", "vcs.branch_protection")
    assert protection["required_reviews"] == 2 and protection["policy_checks_required"] is True
    assert protection["via"] == ["branch_protection", "organization_ruleset"]
    assert protection["required_checks"] == ["build", "scan / checkov"]
    deployments = scan.data("github:acme/svc-a", "delivery.deployments")
    # production only: the staging deployment of day 3 does not count
    assert (deployments["events"], deployments["failed"], deployments["change_failure_rate"]) == (3, 1, 0.3333)
    assert deployments["environments"] == ["production"]
    assert deployments["time_to_restore_hours_median"] == 24.0
    assert scan.data("github:acme/svc-a", "vcs.template")["created_from_organization"] is True
    assert scan.data("github:acme/service-template", "repo.cross_references")["created_from_here"] == ["acme/svc-a"]
    assert scan.data("github:acme/svc-a", "iac.usage")["tools"] == ["terraform"]
    assert scan.data("github:acme/svc-a", "vcs.activity")["commits"] == 4
    assert scan.data("github:acme/service-template", "golden_path.templates")["tools"] == ["cookiecutter"]

    if update_golden:
        EXPECTED.write_text(json.dumps(summary(scan, acme_github), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert summary(scan, acme_github) == json.loads(EXPECTED.read_text(encoding="utf-8"))


def test_requests_stay_within_the_budget_per_repository(acme_github: FakeGitHub, scan_github: ScanRunner) -> None:
    scan = scan_github(acme_github)
    repositories = len(scan.ids) - 1
    counted = scan.requests.snapshot()
    assert sum(count.sent for count in counted.values()) == acme_github.stats.requests  # every request counted once
    assert sum(count.charged for family, count in counted.items() if family != "graphql") == acme_github.stats.charged
    assert counted["graphql"].cost == acme_github.stats.graphql_cost == 2  # the account, one batch
    # Per repository: one tree, one rules request, at most one tarball or a contents read or two.
    assert acme_github.stats.by_family["git/trees"] == repositories
    assert acme_github.stats.by_family["rules"] == repositories
    # + teams, members, rulesets, repos for the org, and its settings: custom properties (schema, values),
    # Actions policy (permissions, workflow), code-security configurations; + 1 for a file read only to check it;
    # + one repository list per team (team grants)
    assert acme_github.stats.charged <= 3 * repositories + 12 + len(acme_github.org.teams)


def test_lists_are_read_across_pages(many_github: FakeGitHub, scan_github: ScanRunner) -> None:
    scan = scan_github(many_github, graphql_batch_size=50)
    assert len(scan.ids) == 106 and scan.problems == []
    repos_pages = [entry.query for entry in many_github.stats.for_family("repos")]
    assert len(repos_pages) == 2 and "page=2" in repos_pages[1]
    assert all(scan.data(f"github:acme/repo-{index:03d}", "ownership.codeowners")["present"] for index in range(105))
    assert len(many_github.stats.for_family("graphql")) == 1 + 3  # the account, then batches of 50


def many_rules() -> Any:
    """platform-ci's default branch has 121 rules in force: the review rule comes last."""
    org = acme()
    platform_ci = org.repo("platform-ci")
    assert platform_ci is not None
    platform_ci.rulesets = [Ruleset(f"guard-{index}", rules=[rule("deletion"), rule("non_fast_forward")]) for index in range(60)]
    platform_ci.rulesets.append(
        Ruleset("main", rules=[rule("pull_request", required_approving_review_count=2, require_code_owner_review=True)])
    )
    return org


many_rules_github = fake_github_fixture(many_rules)


def test_rules_in_force_are_read_across_pages(many_rules_github: FakeGitHub, scan_github: ScanRunner) -> None:
    scan = scan_github(many_rules_github)

    protection = scan.data("github:acme/platform-ci", "vcs.branch_protection")
    assert (protection["required_reviews"], protection["code_owner_reviews"]) == (2, True)
    pages = [entry.query for entry in many_rules_github.stats.log if entry.path == "/repos/acme/platform-ci/rules/branches/main"]
    assert len(pages) == 2 and "page=2" in pages[1]


def long_history() -> Any:
    org = acme()
    svc_b = org.repo("svc-b")
    assert svc_b is not None
    bob = ("bob", "bob@acme.test")
    svc_b.commits = commits("svc-b", [bob, (None, "ext@example.com")], [day / 3 for day in range(250)])
    svc_b.deployments = [deployment(day / 4, "success") for day in range(230)] + [deployment(200, "success")]
    return org


history_github = fake_github_fixture(long_history)


def test_long_histories_and_deployment_lists_are_followed_page_by_page(history_github: FakeGitHub, scan_github: ScanRunner) -> None:
    scan = scan_github(history_github)
    activity = scan.data("github:acme/svc-b", "vcs.activity")
    assert activity["commits"] == 250 and activity["authors"] == 2 and activity["active_weeks"] == 12
    assert scan.data("github:acme/svc-b", "delivery.deployments")["events"] == 230
    # one batch, then history pages 2 and 3 and deployment pages 2 and 3, each batched across repositories
    assert len(history_github.stats.for_family("graphql")) == 1 + 1 + 2 + 2


def test_a_failing_history_page_costs_that_history_only(history_github: FakeGitHub, scan_github: ScanRunner) -> None:
    """The third GraphQL query is svc-b's second history page (after the account and the batch)."""
    history_github.faults.error(route="/graphql", status=502, every=3, times=1)

    scan = scan_github(history_github, max_retries=0, coverage_floor=0)

    for kind in ("vcs.activity", "vcs.contributions"):
        assert scan.of("github:acme/svc-b", kind).reason == "a later page of its history could not be read: HTTP 502: Server Error"
    assert scan.data("github:acme/svc-b", "delivery.deployments")["events"] == 230
    assert scan.data("github:acme/svc-a", "vcs.activity")["commits"] > 0  # the batch's other repositories keep theirs
    assert scan.of("github:acme/svc-b", "vcs.template").status is EvidenceStatus.OBSERVED


def test_a_truncated_tree_is_walked_by_sub_tree(acme_github: FakeGitHub, scan_github: ScanRunner) -> None:
    whole = scan_github(acme_github)
    acme_github.reset()
    acme_github.settings.tree_entry_limit = 4
    walked = scan_github(acme_github)
    assert summary(walked, acme_github) == summary(whole, acme_github)
    trees = [entry.path for entry in acme_github.stats.for_family("git/trees") if "svc-a" in entry.path]
    assert len(trees) > 1  # the truncated answer, then sub-trees


def test_an_unchanged_rescan_is_served_from_the_cache(acme_github: FakeGitHub, scan_github: ScanRunner, tmp_path: Path) -> None:
    first = scan_github(acme_github, cache_dir=tmp_path)
    full = (acme_github.stats.requests, acme_github.stats.charged)
    acme_github.stats.clear()
    second = scan_github(acme_github, cache_dir=tmp_path)
    assert summary(second, acme_github) == summary(first, acme_github)
    assert acme_github.stats.charged == 0  # every REST answer revalidated: 304, not charged
    assert acme_github.stats.graphql_cost == 2  # the account and one batch: activity moves with the window
    for family in ("git/trees", "contents", "tarball", "codeload"):
        assert acme_github.stats.by_family[family] == 0, family
    assert acme_github.stats.requests < full[0] and full[1] > 0
    assert {entry.status for entry in acme_github.stats.log if entry.family != "graphql"} == {304}


def test_cache_entries_unused_for_long_are_removed_and_used_ones_kept(
    acme_github: FakeGitHub, scan_github: ScanRunner, tmp_path: Path
) -> None:
    """A window's workflow-runs URL names a date: without pruning, one more file per repository per day."""
    scan_github(acme_github, cache_dir=tmp_path)
    entries = sorted(path for path in tmp_path.rglob("*.json"))
    month_ago = time.time() - 31 * 86400
    for path in entries:
        os.utime(path, (month_ago, month_ago))
    answers = next(path for path in entries if path.parent.name == "answers").parent
    stale = answers / ("0" * 40 + ".json")
    stale.write_text('{"fingerprint": "old", "value": {}}')
    os.utime(stale, (month_ago, month_ago))

    scan_github(acme_github, cache_dir=tmp_path)  # reads (and so keeps) what it still uses

    assert not stale.exists()
    kept = sorted(path for path in tmp_path.rglob("*.json"))
    assert kept and set(kept) <= set(entries)  # what this scan used is still there, nothing new appeared
    assert all(path.stat().st_mtime > month_ago + 86400 for path in kept)


def test_a_new_push_reads_that_repository_again(acme_github: FakeGitHub, scan_github: ScanRunner, tmp_path: Path) -> None:
    scan_github(acme_github, cache_dir=tmp_path)
    svc_b = acme_github.org.repo("svc-b")
    assert svc_b is not None
    svc_b.files["deploy/main.tf"] = b'resource "null_resource" "x" {}\n'
    svc_b.commits.insert(0, commits("svc-b-new", [("bob", "bob@acme.test")], [0])[0])
    svc_b.pushed_at = NOW
    acme_github.stats.clear()
    second = scan_github(acme_github, cache_dir=tmp_path)
    assert second.data("github:acme/svc-b", "iac.usage")["tools"] == ["terraform"]
    trees = {entry.path for entry in acme_github.stats.for_family("git/trees")}
    assert trees == {f"/repos/acme/svc-b/git/trees/{svc_b.head_sha}"}


def test_the_scan_completes_through_ten_percent_server_errors(acme_github: FakeGitHub, scan_github: ScanRunner) -> None:
    acme_github.faults.error(route="*", status=502, share=0.1, seed=3)
    scan = scan_github(acme_github)
    assert len(scan.ids) == 5
    assert scan.statuses() == {EvidenceStatus.OBSERVED}
    failed = [entry for entry in acme_github.stats.log if entry.status == 502]
    assert failed  # the faults did fire, and were retried
    assert scan.requests.snapshot() and sum(c.sent for c in scan.requests.snapshot().values()) == acme_github.stats.requests


@pytest.mark.parametrize("threshold", [0, 100])
def test_files_come_from_one_tarball_or_one_request_each(
    acme_github: FakeGitHub, scan_github: ScanRunner, threshold: int
) -> None:
    scan = scan_github(acme_github, archive_threshold=threshold)
    read = scan.data("github:acme/svc-a", "repo.inventory")["files_read"]
    assert read == 4  # the workflow, CODEOWNERS, main.tf and dependabot.yml (for its updates)
    if threshold == 0:
        assert acme_github.stats.by_family["contents"] == 0
        reading = [subject for subject in scan.ids[1:] if scan.data(subject, "repo.inventory")["files_read"]]
        assert acme_github.stats.by_family["tarball"] == acme_github.stats.by_family["codeload"] == len(reading) == 4  # service-template reads its cookiecutter.json
    else:
        assert acme_github.stats.by_family["tarball"] == 0
        assert acme_github.stats.by_family["contents"] == sum(
            scan.data(subject, "repo.inventory")["files_read"] for subject in scan.ids[1:])
    assert scan.data("github:acme/svc-a", "ci.reusable_used")["refs"] == ["acme/platform-ci/.github/workflows/build.yml@v1"]


@pytest.mark.parametrize("fault", ["error", "drop"])
def test_when_the_download_host_fails_files_are_read_through_the_api(
    acme_github: FakeGitHub, scan_github: ScanRunner, fault: str
) -> None:
    """Proxies often let the API host through and not the download host."""
    if fault == "error":
        acme_github.faults.error(route="/_codeload/*", status=502)
    else:
        acme_github.faults.drop(route="/_codeload/*")

    scan = scan_github(acme_github, archive_threshold=0)

    assert scan.statuses() == {EvidenceStatus.OBSERVED}
    assert scan.data("github:acme/svc-a", "repo.inventory")["files_read"] == 4
    assert scan.data("github:acme/svc-a", "ci.reusable_used")["refs"] == ["acme/platform-ci/.github/workflows/build.yml@v1"]
    assert acme_github.stats.by_family["contents"] > 0


def test_the_configured_selection_picks_the_repositories(fake_github: FakeGitHub, scan_github: ScanRunner) -> None:
    """sample_org(): archived legacy-tool and docs-fork (a fork) are left out unless asked for;
    patterns match repository names, topics any topic of a repository."""

    def chosen(**options: Any) -> list[str]:
        return sorted(subject.name for subject in scan_github(fake_github, **options).subjects if subject.kind == "repository")

    assert chosen(include_archived=True, include_forks=True) == [
        "acme/docs-fork", "acme/legacy-tool", "acme/platform-templates", "acme/svc-orders", "acme/svc-payments"]
    assert chosen() == ["acme/platform-templates", "acme/svc-orders", "acme/svc-payments"]
    assert chosen(include=["svc-*", "docs-*"], exclude=["*-orders"], include_forks=True) == [
        "acme/docs-fork", "acme/svc-payments"]
    assert chosen(topics=["template", "payments"]) == ["acme/platform-templates", "acme/svc-payments"]
    assert chosen(include=["SVC-*"]) == []  # patterns match case-sensitively


def test_no_rules_request_where_no_branch_ruleset_applies(fake_github: FakeGitHub, scan_github: ScanRunner) -> None:
    scan = scan_github(fake_github)  # sample_org(): the organization's ruleset covers svc-* only
    asked = {entry.path for entry in fake_github.stats.for_family("rules")}
    assert asked == {"/repos/acme/svc-payments/rules/branches/main", "/repos/acme/svc-orders/rules/branches/main"}
    assert scan.data("github:acme/platform-templates", "vcs.branch_protection")["enabled"] is False
    assert scan.data("github:acme/svc-orders", "vcs.branch_protection")["via"] == ["organization_ruleset"]


def test_a_workflow_that_cannot_be_parsed_leaves_ci_unknown_and_the_cache_keeps_it_so(
    acme_github: FakeGitHub, scan_github: ScanRunner, tmp_path: Path
) -> None:
    svc_b = acme_github.org.repo("svc-b")
    assert svc_b is not None
    svc_b.files[".github/workflows/broken.yml"] = b"on: push\njobs: [\n"
    svc_b.commits.insert(0, commits("svc-b-broken", [("bob", "bob@acme.test")], [0])[0])
    svc_b.pushed_at = NOW
    first = scan_github(acme_github, cache_dir=tmp_path)
    acme_github.stats.clear()
    second = scan_github(acme_github, cache_dir=tmp_path)
    for family in ("git/trees", "contents", "tarball", "codeload"):
        assert acme_github.stats.by_family[family] == 0, family  # the second scan's files came from the cache
    for scan in (first, second):
        pipelines = scan.of("github:acme/svc-b", "ci.pipelines")
        assert pipelines.status is EvidenceStatus.UNAVAILABLE
        assert pipelines.reason is not None and pipelines.reason.startswith("pipeline file .github/workflows/broken.yml")
        assert scan.of("github:acme/svc-b", "iac.usage").status is EvidenceStatus.OBSERVED


def test_the_repository_mailmap_and_bots_shape_the_author_count(acme_github: FakeGitHub, scan_github: ScanRunner) -> None:
    svc_b = acme_github.org.repo("svc-b")
    assert svc_b is not None
    svc_b.commits = commits(
        "svc-b-people",
        [(None, "dana@acme.test"), (None, "dana@home.test"), ("renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com")],
        [1, 2, 30],
    )
    before = scan_github(acme_github).data("github:acme/svc-b", "vcs.activity")
    svc_b.files[".mailmap"] = b"Dana <dana@acme.test> <dana@home.test>\n"
    svc_b.pushed_at = NOW
    after = scan_github(acme_github).data("github:acme/svc-b", "vcs.activity")
    assert (before["authors"], before["active_weeks"]) == (2, 1)  # the bot's commit 30 days ago makes no week
    assert after["authors"] == 1


def test_files_are_read_before_the_last_graphql_batch_is_asked_for(many_github: FakeGitHub, scan_github: ScanRunner) -> None:
    """Batches are asked for a bounded number ahead of the repositories examined: queued all at
    once, they held every worker until the last was answered and no file was read meanwhile.
    One worker makes the order of requests the order of the pool's queue."""
    scan = scan_github(many_github, graphql_batch_size=5, limits=Limits(max_workers=1))

    assert len(scan.ids) == 106 and scan.problems == []
    families = [entry.family for entry in many_github.stats.log]
    last_batch = len(families) - 1 - families[::-1].index("graphql")
    assert families.count("graphql") == 1 + 21  # the account, then batches of 5
    assert families.index("git/trees") < last_batch
