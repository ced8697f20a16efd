"""A project's vcs.branch_protection: its protected branches (from the GraphQL batch, else
REST), and where the default branch is protected, the approvals it needs and its approval
settings (Premium), carried from the last scan where it read them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from collectors.base import Gap
from collectors.gitlab import approval_settings, approvals, batch, carried, mapping
from collectors.gitlab.client import ApiError, GitLabClient
from collectors.gitlab.gaps import gap
from collectors.gitlab.mapping import Listed


def read_protection(
    client: GitLabClient,
    project: Listed,
    known: batch.ProjectState | None,
    before: carried.Carried | None,
    group_settings: approval_settings.GroupSettings | None,
) -> tuple[dict[str, Any] | Gap, int | None]:
    """vcs.branch_protection, and the approvals the default branch needs where they were read
    (carried from `before` when it has them: approval rules change without a push)."""
    if known is not None and known.protected is not None:
        protected = known.protected
    else:
        try:
            protected = list(client.pages("protected_branches", f"/projects/{project.id}/protected_branches"))
        except ApiError as exc:
            return gap(exc), None
    if project.default_branch is None or mapping.protection_of(project.default_branch, protected) is None:
        return mapping.branch_protection(project, protected), None  # unprotected: no approval rule can bind it
    if before is not None and before.required_approvals is not None:
        required: int | None | Gap = before.required_approvals
    else:
        required = approvals.read_required_approvals(client, project, known.approval_rules if known is not None else None)
    if isinstance(required, Gap):
        return required, None
    settings = (
        before.approval_settings if before is not None and before.approval_settings is not None
        else approval_settings.read_project(client, project, group_settings, known.committers_can_approve if known is not None else None)
    )
    if isinstance(settings, Gap):
        return settings, None
    checks = known.policy_checks if known is not None else None  # policies come with the GraphQL batch only
    return {**mapping.branch_protection(replace(project, required_approvals=required), protected, checks), **settings}, required
