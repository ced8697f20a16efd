"""Merge-request approval settings (GitLab Premium and Ultimate): may authors and committers
approve their own changes, are approvals reset by a new push, may a merge request override
its approval rules.

A top-level group's settings (`/groups/:id/merge_request_approval_setting`, shown to the
group's Owners only) cascade to its projects; a setting the group `locked` cannot be changed
in a project. Where the group locks all four, every project's values are the group's and no
project is asked; otherwise a project's own (`/projects/:id/approvals`, one request) are read,
only where its default branch is protected (unprotected, nothing needs an approval). The Free
tier has no such settings: nothing is asked, the fields stay unknown (None).

Where the GraphQL batch says committers may approve (`mergeRequestsDisableCommittersApproval`
false, GitLab's default, read by whoever reads the project), `/approvals` is not asked: approvals
hold only where all four settings do (the pack's `approvals_hold_share`), so this one already
decides that they do not; the other three stay unknown (None, not read), never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from collectors.base import Gap
from collectors.gitlab.client import ApiError, GitLabClient
from collectors.gitlab.gaps import gap
from collectors.gitlab.mapping import Listed
from scanner.kinds.git_host import UNTOLD_APPROVAL_SETTINGS

GROUP_SETTINGS = "groups/merge_request_approval_setting"
PROJECT_SETTINGS = "approvals"

#: The source-neutral fields (vcs.branch_protection, org.rulesets), unknown until read.
UNKNOWN: dict[str, bool | None] = dict(UNTOLD_APPROVAL_SETTINGS)
FIELDS = tuple(UNKNOWN)

# GitLab's setting -> (our field, whether true means true). The group API names the allowance,
# the project API names the restriction for two of them.
_GROUP = {
    "allow_author_approval": ("author_can_approve", True),
    "allow_committer_approval": ("committers_can_approve", True),
    "allow_overrides_to_approver_list_per_merge_request": ("approval_rules_overridable", True),
    "retain_approvals_on_push": ("stale_approvals_dismissed", False),
}
_PROJECT = {
    "merge_requests_author_approval": ("author_can_approve", True),
    "merge_requests_disable_committers_approval": ("committers_can_approve", False),
    "disable_overriding_approvers_per_merge_request": ("approval_rules_overridable", False),
    "reset_approvals_on_push": ("stale_approvals_dismissed", True),
}


@dataclass(frozen=True)
class GroupSettings:
    """A top-level group's approval settings; `locked`: every project has them too."""

    values: dict[str, bool | None]
    locked: bool


def from_group(answer: Any) -> GroupSettings:
    """Settings from `/groups/:id/merge_request_approval_setting` (each `{value, locked, inherited_from}`)."""
    values = dict(UNKNOWN)
    locked = isinstance(answer, dict)
    for setting, (field, same) in _GROUP.items():
        entry = answer.get(setting) if isinstance(answer, dict) else None
        value = entry.get("value") if isinstance(entry, dict) else None
        values[field] = (value if same else not value) if isinstance(value, bool) else None
        locked = locked and isinstance(entry, dict) and entry.get("locked") is True and values[field] is not None
    return GroupSettings(values, locked)


def from_project(answer: Any) -> dict[str, bool | None]:
    """Settings from `/projects/:id/approvals`; a setting the answer lacks is unknown."""
    values = dict(UNKNOWN)
    for setting, (field, same) in _PROJECT.items():
        value = answer.get(setting) if isinstance(answer, Mapping) else None
        values[field] = (value if same else not value) if isinstance(value, bool) else None
    return values


def of_protection(protection: Any) -> dict[str, bool | None] | None:
    """The settings inside a vcs.branch_protection record (to carry them to a re-scan); None where it has none."""
    if not isinstance(protection, dict) or not protection.get("enabled"):
        return None
    return {field: protection.get(field) for field in FIELDS}


def read_group(client: GitLabClient, group_id: int, premium: bool) -> GroupSettings | None:
    """The group's settings; None on the Free tier (not asked), or where they could not be read
    (GitLab shows them to the group's Owners only): each project's own are read instead."""
    if not premium:
        return None
    try:
        answer = client.get(GROUP_SETTINGS, f"/groups/{group_id}/merge_request_approval_setting")
    except ApiError:
        return None
    return from_group(answer.data)


def read_project(client: GitLabClient, project: Listed, group: GroupSettings | None,
                 committers_can_approve: bool | None = None) -> dict[str, bool | None] | Gap:
    """A protected default branch's approval settings: the group's where it locks them all, else
    the project's own (only `committers_can_approve`, as the GraphQL batch gave it, where it is
    true: see above); unknown on the Free tier (asked nothing)."""
    if project.required_approvals is None:
        return dict(UNKNOWN)
    if group is not None and group.locked:
        return dict(group.values)
    if committers_can_approve is True:
        return {**UNKNOWN, "committers_can_approve": True}
    try:
        answer = client.get(PROJECT_SETTINGS, f"/projects/{project.id}/approvals")
    except ApiError as exc:
        if exc.status in (403, 404):  # not shown to this token: unknown, the rest of the protection stands
            return dict(UNKNOWN)
        return gap(exc)
    return from_project(answer.data)
