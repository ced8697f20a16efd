"""DORA inputs from workflow runs, for repositories whose workflows deploy without GitHub deployments."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

from scanner.model import EvidenceStatus
from tests.contract.github.orgs import deploy_run, deploying
from tests.contract.github.scanning import ScanRunner
from tests.fakes.github.fixtures import fake_github_fixture
from tests.fakes.github.model import DEFAULT_TOKEN, Token, World
from tests.fakes.github.server import FakeGitHub

deploying_github = fake_github_fixture(deploying)
no_actions_github = fake_github_fixture(lambda: World(orgs=[deploying()], tokens=[Token(DEFAULT_TOKEN, actions_read=False)]))

SHIP = "github:acme/svc-ship"
RUNS_PATH = "/repos/acme/svc-ship/actions/runs"


def test_a_repository_deploying_without_deployments_is_measured_from_its_runs(
    deploying_github: FakeGitHub, scan_github: ScanRunner
) -> None:
    scan = scan_github(deploying_github)
    assert scan.problems == []
    assert scan.data(SHIP, "delivery.deployments") == {
        "window_days": 90,
        "derived_from": "workflow_runs",
        "events": 4,  # three successes and a failure; the cancelled run, CI, other branches and older runs left out
        "failed": 1,
        "per_week": round(4 / (90 / 7), 4),
        "change_failure_rate": 0.25,
        "lead_time_hours_median": 4.0,  # 2 h and 6 h; the third commit is not in the window's history
        "time_to_restore_hours_median": 5.0,
        "environments": [],  # workflow runs name no environment
    }
    asked = {entry.path: entry.query for entry in deploying_github.stats.for_family("actions/runs")}
    # One request each; svc-recorded has deployments in the window, so its runs are not asked for.
    assert len(deploying_github.stats.for_family("actions/runs")) == len(asked) == 2
    assert sorted(asked) == ["/repos/acme/svc-old/actions/runs", RUNS_PATH]
    assert parse_qs(asked[RUNS_PATH]) == {"created": [">=2026-03-01"], "branch": ["main"], "per_page": ["100"]}
    assert scan.data("github:acme/svc-recorded", "delivery.deployments")["derived_from"] == "deployments"
    # svc-old deployed only long ago, through GitHub; its runs speak for the window.
    old = scan.data("github:acme/svc-old", "delivery.deployments")
    assert (old["derived_from"], old["events"], old["change_failure_rate"]) == ("workflow_runs", 2, 0.0)
    assert scan.requests.snapshot()["actions/runs"].charged == 2


def test_runs_are_read_across_pages(deploying_github: FakeGitHub, scan_github: ScanRunner) -> None:
    ship = deploying_github.org.repo("svc-ship")
    assert ship is not None
    ship.workflow_runs = [deploy_run(12 * index + 1) for index in range(150)]
    scan = scan_github(deploying_github)
    assert scan.data(SHIP, "delivery.deployments")["events"] == 150
    pages = [entry.query for entry in deploying_github.stats.for_family("actions/runs") if entry.path == RUNS_PATH]
    assert len(pages) == 2 and "page=2" in pages[1]


def test_an_unchanged_rescan_revalidates_the_runs_for_free(
    deploying_github: FakeGitHub, scan_github: ScanRunner, tmp_path: Path
) -> None:
    first = scan_github(deploying_github, cache_dir=tmp_path)
    deploying_github.stats.clear()
    second = scan_github(deploying_github, cache_dir=tmp_path)
    assert second.data(SHIP, "delivery.deployments") == first.data(SHIP, "delivery.deployments")
    assert {entry.status for entry in deploying_github.stats.for_family("actions/runs")} == {304}
    assert deploying_github.stats.charged == 0
    assert second.requests.snapshot()["actions/runs"].charged == 0


def test_a_new_run_is_seen_on_the_next_scan(deploying_github: FakeGitHub, scan_github: ScanRunner, tmp_path: Path) -> None:
    scan_github(deploying_github, cache_dir=tmp_path)
    ship = deploying_github.org.repo("svc-ship")
    assert ship is not None
    ship.workflow_runs.append(deploy_run(0.5, "failure"))
    second = scan_github(deploying_github, cache_dir=tmp_path)
    assert second.data(SHIP, "delivery.deployments")["failed"] == 2


def test_a_token_without_actions_read_says_so_where_runs_were_the_only_source(
    no_actions_github: FakeGitHub, scan_github: ScanRunner
) -> None:
    scan = scan_github(no_actions_github)
    ship = scan.of(SHIP, "delivery.deployments")
    assert ship.status is EvidenceStatus.UNAVAILABLE
    assert ship.reason == "HTTP 403: Resource not accessible by personal access token — the token needs Actions: read"
    # svc-old has GitHub deployments, older than the window: they still speak.
    old = scan.data("github:acme/svc-old", "delivery.deployments")
    assert (old["derived_from"], old["events"]) == ("deployments", 0)
    assert scan.messages() == [
        "github: delivery.environments unavailable for 3 subjects: GitHub GraphQL FORBIDDEN: Resource not accessible"
        " by personal access token — the token needs Actions: read",
        "github: deployments unavailable for 1 subject: HTTP 403: Resource not accessible by personal access token"
        " — the token needs Actions: read",
    ]


def test_a_window_without_deploy_runs_keeps_what_deployments_say(deploying_github: FakeGitHub, scan_github: ScanRunner) -> None:
    ship = deploying_github.org.repo("svc-ship")
    assert ship is not None
    ship.workflow_runs = [deploy_run(24 * 100)]  # before the 90-day window
    scan = scan_github(deploying_github)
    data = scan.data(SHIP, "delivery.deployments")
    assert (data["derived_from"], data["events"]) == ("none", 0)
