"""DORA inputs from workflow runs: mapping.deploy_runs and mapping.run_deployments on items of
GitHub's `GET /repos/{o}/{r}/actions/runs` answer (`{"total_count": n, "workflow_runs": [...]}`)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from itertools import count
from typing import Any

import pytest

from collectors.github import mapping
from scanner.kinds import KINDS, KindRegistry

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
KINDS_REGISTRY = KindRegistry(KINDS)
DEPLOY = ".github/workflows/deploy.yml"
CI = ".github/workflows/ci.yml"
_ids = count(30433642)


def run(
    created: str,
    conclusion: str | None = "success",
    *,
    path: str = DEPLOY,
    name: str = "Deploy",
    sha: str = "a" * 40,
    status: str = "completed",
) -> dict[str, Any]:
    """One `workflow_runs` item, trimmed to GitHub's fields around what the collector reads."""
    run_id = next(_ids)
    return {
        "id": run_id,
        "name": name,
        "node_id": f"WFR_{run_id}",
        "head_branch": "main",
        "head_sha": sha,
        "path": path,
        "display_title": "Merge pull request #12",
        "run_number": run_id % 1000,
        "event": "push",
        "status": status,
        "conclusion": conclusion if status == "completed" else None,
        "workflow_id": 159038 if path == DEPLOY else 159037,
        "url": f"https://api.github.com/repos/octo-org/octo-repo/actions/runs/{run_id}",
        "created_at": created,
        "updated_at": created,
        "run_attempt": 1,
        "run_started_at": created,
    }


def commit(sha: str, committed: str) -> dict[str, Any]:
    """A GraphQL history node as the collector asks for it."""
    return {"oid": sha, "committedDate": committed, "author": {"email": "a@example.com", "name": "A", "user": None}}


def fits(data: dict[str, Any]) -> dict[str, Any]:
    assert KINDS_REGISTRY.validate_data("delivery.deployments", data) == data
    return data


# --- which runs deploy ------------------------------------------------------------------------


def test_runs_of_workflows_named_for_deploying_are_kept() -> None:
    runs = [
        run("2026-05-30T12:00:00Z", path=DEPLOY, name="Build and ship"),  # the file name says deploy
        run("2026-05-30T11:00:00Z", path=".github/workflows/main.yml", name="Release"),  # the name says release
        run("2026-05-30T10:00:00Z", path=".github/workflows/ci-cd.yml", name="Pipeline"),  # cd as a word
        run("2026-05-30T09:00:00Z", path=CI, name="CI"),
        run("2026-05-30T08:00:00Z", path=".github/workflows/abcd.yml", name="abcd"),  # not "cd"
        run("2026-05-30T07:00:00Z", path=".github/workflows/release-drafter.yml", name="Release Drafter"),
        run("2026-05-30T06:00:00Z", path=".github/workflows/deploy-docs.yml", name="Docs"),  # not a pipeline of ci.pipelines
    ]
    pipelines = [CI, DEPLOY, ".github/workflows/main.yml", ".github/workflows/ci-cd.yml",
                 ".github/workflows/abcd.yml", ".github/workflows/release-drafter.yml", "Jenkinsfile"]
    kept = mapping.deploy_runs(runs, pipelines)
    assert [item["path"] for item in kept] == [DEPLOY, ".github/workflows/main.yml", ".github/workflows/ci-cd.yml"]


def test_the_only_pipeline_is_the_one_that_deploys() -> None:
    runs = [run("2026-05-30T12:00:00Z", path=CI, name="CI"), run("2026-05-30T11:00:00Z", path=".github/workflows/lint.yml")]
    assert [item["path"] for item in mapping.deploy_runs(runs, [CI])] == [CI]
    assert mapping.deploy_runs(runs, [CI, "Jenkinsfile"]) == []  # the deploying pipeline may be Jenkins


def test_a_ref_suffixed_workflow_path_is_its_file() -> None:
    suffixed = run("2026-05-30T12:00:00Z", path=f"{DEPLOY}@refs/heads/main", name="x")
    assert mapping.deploy_runs([suffixed], [DEPLOY, CI]) == [suffixed]


def test_workflow_files_are_the_github_actions_pipelines() -> None:
    assert mapping.workflow_files(["Jenkinsfile", DEPLOY, ".gitlab-ci.yml", CI]) == [CI, DEPLOY]


def test_deployed_since_looks_at_graphql_deployment_dates() -> None:
    nodes: list[dict[str, Any]] = [{"createdAt": "2026-05-01T00:00:00Z"}, {"createdAt": None}]
    assert mapping.deployed_since(nodes, NOW - timedelta(days=90)) is True
    assert mapping.deployed_since(nodes, NOW - timedelta(days=7)) is False
    assert mapping.deployed_since([], NOW - timedelta(days=90)) is False


# --- DORA figures ---------------------------------------------------------------------------------


def test_runs_give_frequency_failure_rate_and_time_to_restore() -> None:
    runs = [  # newest first, as GitHub lists them
        run("2026-05-31T12:00:00Z"),
        run("2026-05-30T18:00:00Z", "success"),  # restores the failures of the 30th (6 h after the first)
        run("2026-05-30T14:00:00Z", "timed_out"),
        run("2026-05-30T12:00:00Z", "failure"),
        run("2026-05-29T12:00:00Z", "success", path=".github/workflows/release.yml"),
        run("2026-05-28T12:00:00Z", "failure", path=".github/workflows/release.yml"),  # restored a day later
        run("2026-05-27T12:00:00Z"),
        run("2026-04-01T12:00:00Z", "failure"),  # before the window
    ]
    data = fits(mapping.run_deployments(runs, [], NOW, 28))
    assert data == {
        "window_days": 28,
        "derived_from": "workflow_runs",
        "events": 7,
        "failed": 3,
        "per_week": 1.75,
        "change_failure_rate": round(3 / 7, 4),
        "lead_time_hours_median": None,  # no commit known
        "time_to_restore_hours_median": 15.0,  # 6 h and 24 h
        "environments": [],
    }


def test_cancelled_skipped_and_unfinished_runs_are_neither_events_nor_failures() -> None:
    runs = [
        run("2026-05-31T12:00:00Z", "success"),
        run("2026-05-31T11:00:00Z", "cancelled"),
        run("2026-05-31T10:00:00Z", "skipped"),
        run("2026-05-31T09:00:00Z", "action_required"),
        run("2026-05-31T08:00:00Z", status="in_progress"),
        run("2026-05-30T12:00:00Z", "failure"),
        run("2026-05-30T11:00:00Z", "cancelled"),  # between a failure and its fix: no restore yet
    ]
    data = fits(mapping.run_deployments(runs, [], NOW, 7))
    assert (data["events"], data["failed"], data["change_failure_rate"]) == (2, 1, 0.5)
    assert data["time_to_restore_hours_median"] == 24.0
    assert data["per_week"] == 2.0


def test_lead_time_needs_the_head_commit_in_the_history() -> None:
    known, later, unknown = "1" * 40, "2" * 40, "3" * 40
    commits = [commit(later, "2026-05-30T06:00:00Z"), commit(known, "2026-05-29T10:00:00Z")]
    runs = [
        run("2026-05-31T12:00:00Z", sha=unknown),  # older than the window's history: no lead time
        run("2026-05-30T12:00:00Z", sha=later),  # 6 h
        run("2026-05-30T08:00:00Z", sha=known),  # a re-run of the same commit: not counted again
        run("2026-05-29T14:00:00Z", sha=known),  # 4 h
        run("2026-05-29T12:00:00Z", "failure", sha=known),  # failures deliver nothing
    ]
    assert mapping.run_deployments(runs, commits, NOW, 28)["lead_time_hours_median"] == 5.0
    only_unknown = [run("2026-05-31T12:00:00Z", sha=unknown)]
    assert mapping.run_deployments(only_unknown, commits, NOW, 28)["lead_time_hours_median"] is None


@pytest.mark.parametrize(
    "runs",
    [[], [run("2026-05-31T12:00:00Z", "cancelled")], [run("2026-01-01T12:00:00Z")]],
    ids=["no runs", "only cancelled", "only before the window"],
)
def test_a_window_without_deploy_runs_has_no_figures(runs: list[dict[str, Any]]) -> None:
    assert fits(mapping.run_deployments(runs, [], NOW, 90)) == {
        "window_days": 90,
        "derived_from": "workflow_runs",
        "events": 0,
        "failed": 0,
        "per_week": 0.0,
        "change_failure_rate": None,
        "lead_time_hours_median": None,
        "time_to_restore_hours_median": None,
        "environments": [],
    }
