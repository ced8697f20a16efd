"""A project's delivery.deployments: the deployments of the window (DORA inputs), with the
figures of GitLab's DORA metrics API where the tier offers it and there is something to measure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from collectors.base import Gap
from collectors.gitlab import dora_api, mapping
from collectors.gitlab.client import ApiError, GitLabClient
from collectors.gitlab.gaps import gap
from collectors.gitlab.mapping import Listed


def read_deployments(
    client: GitLabClient, dora: dora_api.DoraApi, project: Listed, now: datetime, window_days: int,
    production: Sequence[str], known: dict[str, float | None] | None = None,
) -> dict[str, Any] | Gap:
    """`known`: GitLab's DORA figures as the GraphQL batch gave them (None: asked over REST, where
    the tier offers them)."""
    since = now - timedelta(days=window_days)
    params = {"updated_after": since.isoformat(), "order_by": "updated_at", "sort": "asc"}
    try:
        items = list(client.pages("deployments", f"/projects/{project.id}/deployments", params))
    except ApiError as exc:
        return gap(exc)
    found = mapping.deployments(items, now, window_days, production)
    if not found["events"] or project.required_approvals is None:  # nothing to measure, or a Free tier
        return found
    figures = dora.figures(project.id, now, window_days, known)
    if figures is None:
        return found
    return figures if isinstance(figures, Gap) else dora_api.with_figures(found, figures)
