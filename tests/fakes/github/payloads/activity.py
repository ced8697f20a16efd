"""Deployments, deployment statuses, environments and workflow runs."""

from __future__ import annotations

from typing import Any

from ..model import Deployment, DeploymentStatus, Environment, Repository, WorkflowRun
from .links import Links, iso, node_id
from .repos import Owner


def deployment(
    links: Links, owner: Owner, repo: Repository, entry: Deployment, sha: str, creator: dict[str, Any]
) -> dict[str, Any]:
    api = links.repo_api(owner.login, repo.name)
    url = f"{api}/deployments/{entry.id}"
    updated = entry.statuses[-1].created_at if entry.statuses else entry.created_at
    return {
        "url": url,
        "id": entry.id,
        "node_id": node_id("Deployment", entry.id),
        "sha": sha,
        "ref": entry.ref,
        "task": entry.task,
        "payload": {},
        "original_environment": entry.environment,
        "environment": entry.environment,
        "description": None,
        "creator": creator,
        "created_at": iso(entry.created_at),
        "updated_at": iso(updated),
        "statuses_url": f"{url}/statuses",
        "repository_url": api,
        "transient_environment": False,
        "production_environment": entry.environment == "production",
        "performed_via_github_app": None,
    }


def deployment_status(
    links: Links,
    owner: Owner,
    repo: Repository,
    deployment_entry: Deployment,
    entry: DeploymentStatus,
    creator: dict[str, Any],
) -> dict[str, Any]:
    api = links.repo_api(owner.login, repo.name)
    deployment_url = f"{api}/deployments/{deployment_entry.id}"
    return {
        "url": f"{deployment_url}/statuses/{entry.id}",
        "id": entry.id,
        "node_id": node_id("DeploymentStatus", entry.id),
        "state": entry.state,
        "creator": creator,
        "description": entry.description,
        "environment": deployment_entry.environment,
        "target_url": "",
        "created_at": iso(entry.created_at),
        "updated_at": iso(entry.created_at),
        "deployment_url": deployment_url,
        "repository_url": api,
        "environment_url": "",
        "log_url": "",
        "performed_via_github_app": None,
    }


def environment(
    links: Links, owner: Owner, repo: Repository, entry: Environment, reviewers: list[dict[str, Any]]
) -> dict[str, Any]:
    rules: list[dict[str, Any]] = []
    if entry.wait_timer_minutes:
        rules.append(
            {
                "id": entry.id * 10 + 1,
                "node_id": node_id("Gate", entry.id * 10 + 1),
                "type": "wait_timer",
                "wait_timer": entry.wait_timer_minutes,
            }
        )
    if reviewers:
        rules.append(
            {
                "id": entry.id * 10 + 2,
                "node_id": node_id("Gate", entry.id * 10 + 2),
                "type": "required_reviewers",
                "prevent_self_review": False,
                "reviewers": [{"type": "User", "reviewer": reviewer} for reviewer in reviewers],
            }
        )
    if entry.branch_policy is not None:
        rules.append({"id": entry.id * 10 + 3, "node_id": node_id("Gate", entry.id * 10 + 3), "type": "branch_policy"})
    return {
        "id": entry.id,
        "node_id": node_id("Environment", entry.id),
        "name": entry.name,
        "url": links.repo_api(owner.login, repo.name, f"/environments/{entry.name}"),
        "html_url": links.html(f"/{owner.login}/{repo.name}/deployments/activity_log?environments_filter={entry.name}"),
        "created_at": iso(entry.created_at),
        "updated_at": iso(entry.created_at),
        "protection_rules": rules,
        "deployment_branch_policy": None
        if entry.branch_policy is None
        else {
            "protected_branches": entry.branch_policy == "protected_branches",
            "custom_branch_policies": entry.branch_policy == "custom_branch_policies",
        },
    }


def workflow_run(
    links: Links,
    owner: Owner,
    repo: Repository,
    entry: WorkflowRun,
    run_number: int,
    sha: str,
    repository: dict[str, Any],
    actor: dict[str, Any],
) -> dict[str, Any]:
    api = links.repo_api(owner.login, repo.name)
    url = f"{api}/actions/runs/{entry.id}"
    return {
        "id": entry.id,
        "name": entry.name,
        "node_id": node_id("WorkflowRun", entry.id),
        "check_suite_id": entry.id + 1,
        "check_suite_node_id": node_id("CheckSuite", entry.id + 1),
        "head_branch": entry.head_branch,
        "head_sha": sha,
        "path": entry.workflow_path,
        "run_number": run_number,
        "run_attempt": entry.run_attempt,
        "referenced_workflows": [],
        "event": entry.event,
        "status": entry.status,
        "conclusion": entry.conclusion,
        "workflow_id": entry.workflow_id,
        "url": url,
        "html_url": links.html(f"/{owner.login}/{repo.name}/actions/runs/{entry.id}"),
        "pull_requests": [],
        "created_at": iso(entry.created_at),
        "updated_at": iso(entry.created_at + entry.duration),
        "actor": actor,
        "triggering_actor": actor,
        "run_started_at": iso(entry.created_at),
        "jobs_url": f"{url}/jobs",
        "logs_url": f"{url}/logs",
        "check_suite_url": f"{api}/check-suites/{entry.id + 1}",
        "artifacts_url": f"{url}/artifacts",
        "cancel_url": f"{url}/cancel",
        "rerun_url": f"{url}/rerun",
        "previous_attempt_url": None,
        "workflow_url": f"{api}/actions/workflows/{entry.workflow_id}",
        "head_commit": {
            "id": sha,
            "tree_id": sha,
            "message": entry.name,
            "timestamp": iso(entry.created_at),
            "author": {"name": actor["login"], "email": f"{actor['login']}@users.noreply.example"},
            "committer": {"name": actor["login"], "email": f"{actor['login']}@users.noreply.example"},
        },
        "repository": repository,
        "head_repository": repository,
        "display_title": entry.name,
    }
