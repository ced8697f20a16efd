"""Deployment and DeploymentStatus objects."""

from __future__ import annotations

from typing import Any, ClassVar

from ..model import (
    Deployment,
    DeploymentStatus,
    Organization,
    Repository,
)
from ..payloads.links import iso, node_id
from . import accounts, context, git, repositories
from .connections import connection

_DEPLOYMENT_STATES = {
    "success": "ACTIVE",
    "failure": "FAILURE",
    "error": "ERROR",
    "inactive": "INACTIVE",
    "in_progress": "IN_PROGRESS",
    "queued": "QUEUED",
    "pending": "PENDING",
}


class DeploymentNode:
    typename: ClassVar[str] = "Deployment"

    def __init__(
        self,
        ctx: context.GqlContext,
        repo: Repository,
        deployment: Deployment,
        repository: repositories.RepositoryNode | None = None,
    ) -> None:
        self.ctx, self.deployment = ctx, deployment
        self.repository = repository or repositories.RepositoryNode(ctx, repo)
        self.id = node_id("Deployment", deployment.id)
        self.database_id = deployment.id
        self.commit_oid = deployment.sha or repo.head_sha
        self.created_at = iso(deployment.created_at)
        latest = deployment.statuses[-1] if deployment.statuses else None
        self.updated_at = iso(latest.created_at if latest else deployment.created_at)
        self.description = None
        self.environment = self.latest_environment = self.original_environment = deployment.environment
        self.task = deployment.task
        self.state = self._state(repo, latest)

    def _state(self, repo: Repository, latest: DeploymentStatus | None) -> str:
        if latest is None:
            return "PENDING"
        if latest.state == "success" and any(
            other.environment == self.deployment.environment
            and other.created_at > self.deployment.created_at
            and other.statuses
            and other.statuses[-1].state == "success"
            for other in repo.deployments
        ):
            return "INACTIVE"  # GitHub deactivates a successful deployment once a newer one succeeds
        return _DEPLOYMENT_STATES[latest.state]

    def commit(self) -> git.CommitNode:
        return git.CommitNode(self.ctx, self.repository, self.commit_oid)

    def creator(self) -> accounts.UserNode:
        org = self.repository.owner_account
        fallback = org.members[0].login if isinstance(org, Organization) and org.members else org.login
        return accounts.UserNode(self.ctx, self.ctx.person(self.deployment.creator or fallback))

    def ref(self) -> repositories.RefNode | None:
        return self.repository.ref(self.deployment.ref)

    def latest_status(self) -> DeploymentStatusNode | None:
        statuses = self.deployment.statuses
        return DeploymentStatusNode(self, statuses[-1]) if statuses else None

    def statuses(
        self, first: int | None = None, after: str | None = None, last: int | None = None, before: str | None = None
    ) -> dict[str, Any]:
        newest_first = sorted(self.deployment.statuses, key=lambda s: (s.created_at, s.id), reverse=True)
        return connection([DeploymentStatusNode(self, s) for s in newest_first], first, after, last, before)


class DeploymentStatusNode:
    typename: ClassVar[str] = "DeploymentStatus"

    def __init__(self, deployment: DeploymentNode, status: DeploymentStatus) -> None:
        self.deployment = deployment
        self.id = node_id("DeploymentStatus", status.id)
        self.state = status.state.upper()
        self.created_at = self.updated_at = iso(status.created_at)
        self.description = status.description
        self.environment = deployment.environment

    def creator(self) -> accounts.UserNode:
        return self.deployment.creator()
