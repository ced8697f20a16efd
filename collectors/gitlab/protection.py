"""A project's vcs.branch_protection: its protected branches (from the GraphQL batch, else
REST, carried from the last scan where REST listed them), and where the default branch is
protected, the approvals it needs and its approval settings (Premium), carried from the last
scan where it read them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from collectors.base import Gap
from collectors.gitlab import approval_settings, approvals, batch, carried, mapping
from collectors.gitlab.client import ApiError, GitLabClient
from collectors.gitlab.gaps import gap
from collectors.gitlab.mapping import Listed


@dataclass(frozen=True)
class Protection:
    """A project's vcs.branch_protection, and what of it a re-scan may carry."""

    found: dict[str, Any] | Gap
    required: int | None  # approvals the default branch needs, where they were read
    listed: list[dict[str, Any]] | None  # protected branches REST listed (now or carried); None: GraphQL gave them
    carried: bool  # `found` rests on the last scan's answers (its protected branches or approvals)


def read_protection(
    client: GitLabClient,
    project: Listed,
    known: batch.ProjectState | None,
    before: carried.Carried | None,
    group_settings: approval_settings.GroupSettings | None,
) -> Protection:
    """vcs.branch_protection, and the approvals the default branch needs where they were read
    (carried from `before` when it has them: approval rules change without a push), as are
    the protected branches REST listed (GraphQL shows a Reporter none)."""
    listed: list[dict[str, Any]] | None = None
    branches_carried = False
    if known is not None and known.protected is not None:
        protected = known.protected
    elif known is not None and known.default_protected and project.required_approvals is None and project.default_branch:
        # Free: a protection naming the default branch is all vcs.branch_protection reads of one
        # (code-owner approval, which paid tiers read from it, does not exist there)
        protected = [{"name": project.default_branch}]
    elif before is not None and before.protected is not None:
        protected = listed = before.protected
        branches_carried = True
    else:
        try:
            protected = listed = list(client.pages("protected_branches", f"/projects/{project.id}/protected_branches"))
        except ApiError as exc:
            return Protection(gap(exc), None, None, False)
    if project.default_branch is None or mapping.protection_of(project.default_branch, protected) is None:
        # unprotected: no approval rule can bind it
        return Protection(mapping.branch_protection(project, protected), None, listed, branches_carried)
    if before is not None and before.required_approvals is not None:
        required: int | None | Gap = before.required_approvals
    else:
        required = approvals.read_required_approvals(client, project, known.approval_rules if known is not None else None)
    if isinstance(required, Gap):
        return Protection(required, None, listed, False)
    settings = (
        before.approval_settings if before is not None and before.approval_settings is not None
        else approval_settings.read_project(client, project, group_settings, known.committers_can_approve if known is not None else None)
    )
    if isinstance(settings, Gap):
        return Protection(settings, None, listed, False)
    checks = known.policy_checks if known is not None else None  # policies come with the GraphQL batch only
    approvals_carried = before is not None and required is not None and before.required_approvals == required
    found = {**mapping.branch_protection(replace(project, required_approvals=required), protected, checks), **settings}
    return Protection(found, required, listed, branches_carried or approvals_carried)
