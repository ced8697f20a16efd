"""A project's history of the window: the default branch's commits (vcs.activity, and
vcs.contributions outside the platform), and the merge requests merged into a platform
project (whose authors contribute)."""

from __future__ import annotations

from datetime import datetime
from itertools import islice
from typing import Any

from collectors.base import Gap
from collectors.gitlab.client import ApiError, GitLabClient
from collectors.gitlab.gaps import gap
from collectors.gitlab.mapping import Listed

MAX_COMMITS = 1000  # commits of the window read per project: enough to measure, bounded in requests


def read_commits(client: GitLabClient, project: Listed, since: datetime) -> list[dict[str, Any]] | Gap:
    """The default branch's commits since `since`, newest first, at most MAX_COMMITS."""
    if project.empty or project.default_branch is None:
        return []
    params = {"ref_name": project.default_branch, "since": since.isoformat()}
    try:
        listing = client.pages("repository/commits", f"/projects/{project.id}/repository/commits", params)
        return list(islice(listing, MAX_COMMITS))
    except ApiError as exc:
        return gap(exc)


def read_merged(client: GitLabClient, project: Listed, since: datetime) -> list[dict[str, Any]] | Gap:
    """The merge requests merged into the project since `since`."""
    params = {"state": "merged", "updated_after": since.isoformat(), "scope": "all"}
    try:
        return list(client.pages("merge_requests", f"/projects/{project.id}/merge_requests", params))
    except ApiError as exc:
        return gap(exc)
