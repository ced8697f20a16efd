"""Deployments and their statuses, environments and workflow runs."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ..context import Call
from ..exchange import ApiError, Response, not_found
from ..model import Deployment, Organization, Repository
from ..payloads import activity, repos
from ..payloads.repos import Owner

_RUNS_DOCS = "https://docs.github.com/rest/actions/workflow-runs"
_RUN_STATUSES = {"completed", "in_progress", "queued", "requested", "waiting", "pending"}


def _creator_login(call: Call, owner: Owner, login: str | None) -> str:
    if login:
        return login
    org = call.owner_org(owner)
    return org.members[0].login if isinstance(org, Organization) and org.members else owner.login


def _deployment(call: Call, repo: Repository) -> Deployment:
    deployment = next((d for d in repo.deployments if str(d.id) == call.params["id"]), None)
    if deployment is None:
        raise not_found()
    return deployment


def list_deployments(call: Call) -> Response:
    owner, repo = call.repo()
    query = call.request.query
    chosen = [
        deployment
        for deployment in sorted(repo.deployments, key=lambda d: (d.created_at, d.id), reverse=True)
        if all(
            value is None or value == actual
            for value, actual in (
                (query.get("environment"), deployment.environment),
                (query.get("sha"), deployment.sha or repo.head_sha),
                (query.get("ref"), deployment.ref),
                (query.get("task"), deployment.task),
            )
        )
    ]
    return call.page(
        [
            activity.deployment(
                call.links,
                owner,
                repo,
                deployment,
                deployment.sha or repo.head_sha,
                call.person(_creator_login(call, owner, deployment.creator)),
            )
            for deployment in chosen
        ]
    )


def list_deployment_statuses(call: Call) -> Response:
    owner, repo = call.repo()
    deployment = _deployment(call, repo)
    creator = call.person(_creator_login(call, owner, deployment.creator))
    newest_first = sorted(deployment.statuses, key=lambda s: (s.created_at, s.id), reverse=True)
    return call.page(
        [activity.deployment_status(call.links, owner, repo, deployment, status, creator) for status in newest_first]
    )


def list_environments(call: Call) -> Response:
    owner, repo = call.repo()
    if call.token is not None and not call.token.actions_read:
        raise ApiError(403, f"Resource not accessible by {call.token.kind_in_errors}", "https://docs.github.com/rest/deployments/environments")
    return call.page(
        [
            activity.environment(
                call.links, owner, repo, environment, [call.person(login) for login in environment.required_reviewers]
            )
            for environment in repo.all_environments()
        ],
        list_key="environments",
    )


def _created_range(value: str) -> tuple[datetime | None, datetime | None]:
    """GitHub's date-range syntax: >=D, <=D, >D, <D, D..D (either side may be *), or one day D."""

    def moment(text: str) -> datetime:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)

    try:
        for prefix in (">=", "<=", ">", "<"):
            if value.startswith(prefix):
                bound = moment(value[len(prefix) :])
                if prefix in (">", "<="):
                    bound = bound + timedelta(days=1) if len(value) - len(prefix) == 10 else bound
                return (bound, None) if prefix.startswith(">") else (None, bound)
        if ".." in value:
            low, high = value.split("..", 1)
            return (
                None if low == "*" else moment(low),
                None if high == "*" else moment(high) + (timedelta(days=1) if len(high) == 10 else timedelta()),
            )
        day = moment(value)
        return day, day + timedelta(days=1)
    except ValueError:
        raise ApiError(
            422, f"Invalid value for 'created': {value!r}", "https://docs.github.com/rest/actions/workflow-runs"
        ) from None


def list_workflow_runs(call: Call) -> Response:
    owner, repo = call.repo()
    if call.token is not None and not call.token.actions_read:
        raise ApiError(403, "Resource not accessible by personal access token", _RUNS_DOCS)
    query = call.request.query
    low, high = _created_range(query["created"]) if query.get("created") else (None, None)
    status = query.get("status")
    oldest_first = sorted(repo.workflow_runs, key=lambda r: (r.created_at, r.id))
    numbers = {run.id: number for number, run in enumerate(oldest_first, start=1)}
    chosen = [
        run
        for run in reversed(oldest_first)
        if (low is None or run.created_at >= low)
        and (high is None or run.created_at < high)
        and (status is None or status == (run.status if status in _RUN_STATUSES else run.conclusion))
        and all(
            value is None or value == actual
            for value, actual in (
                (query.get("branch"), run.head_branch),
                (query.get("event"), run.event),
                (query.get("head_sha"), run.head_sha or repo.head_sha),
            )
        )
    ]
    repository = repos.repository(call.links, owner, repo, admin=call.is_repo_admin())
    actor = call.person(_creator_login(call, owner, None))
    return call.page(
        [
            activity.workflow_run(
                call.links, owner, repo, run, numbers[run.id], run.head_sha or repo.head_sha, repository, actor
            )
            for run in chosen
        ],
        list_key="workflow_runs",
    )
