"""A project's merge-request approval rules and push rule (GitLab Premium and Ultimate).

Required approvals are read from the approval rules that bind the default branch
(`approvals_before_merge`, listed with the project, is deprecated and only tells the tier:
GitLab lists it where approvals exist): the rules the GraphQL batch gave under the project's
branch rules (batch.py), else `/projects/:id/approval_rules`. A branch rule holds the approval
rules scoped to its protected branch; GitLab's own "All branches" and "All protected branches"
rules (names no branch can have: branch names hold no space; GitLab translates them) hold the
unscoped ones and those for every protected branch, which both bind a protected default branch.

The push rule's secret check fills the source-neutral `push_protection` of
vcs.security_settings: like GitHub's push protection it rejects pushes carrying secrets. Push
rules are shown to Maintainers only; a Reporter token leaves them unavailable, naming the role.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from collectors.base import Found, Gap
from collectors.gitlab import mapping
from collectors.gitlab.client import ApiError, GitLabClient
from collectors.gitlab.gaps import PREMIUM, gap
from collectors.gitlab.mapping import Listed

APPROVAL_RULES = "approval_rules"
MAX_APPROVAL_RULES = 100  # a branch rule's approval rules asked (GitLab's largest page)
#: BranchRule's approval rules in the GraphQL batch: a connection without a resolver, costing 1 + its fields
GRAPHQL_FIELD = f"approvalRules(first: {MAX_APPROVAL_RULES}) {{ nodes {{ type approvalsRequired }} pageInfo {{ hasNextPage }} }}"
PUSH_RULE = "push_rule"
MAINTAINER = "GitLab shows push rules to the Maintainer role only: give the token's user that role to see them"
# Rules that ask for reviews. code_owner rules are the protected branch's code-owner setting;
# report_approver rules gate security and licence reports, not reviews.
_REVIEW_RULES = ("regular", "any_approver")


def required_approvals(rules: Sequence[Mapping[str, Any]], branch: str) -> int:
    """The approvals a merge into `branch` needs: the most any review rule binding it requires."""
    return max((int(rule.get("approvals_required") or 0) for rule in rules if _binds(rule, branch)), default=0)


def _binds(rule: Mapping[str, Any], branch: str) -> bool:
    if str(rule.get("rule_type") or "regular") not in _REVIEW_RULES:
        return False
    scoped = rule.get("protected_branches") or []
    # unscoped, or for every protected branch: binds the default branch where it is protected,
    # the only case branch protection asks about
    return rule.get("applies_to_all_protected_branches") is True or not scoped or mapping.protection_of(branch, scoped) is not None


def from_branch_rules(branch_rules: Any) -> list[dict[str, Any]] | None:
    """The approval rules under a project's branch rules, in REST's shape (`rule_type`,
    `approvals_required`, `protected_branches`, `applies_to_all_protected_branches`); None where a
    list is not whole (another page) or not given: the rules are then asked over REST."""
    if not isinstance(branch_rules, dict) or (branch_rules.get("pageInfo") or {}).get("hasNextPage"):
        return None
    found: list[dict[str, Any]] = []
    for branch_rule in branch_rules.get("nodes") or ():
        held = branch_rule.get("approvalRules") if isinstance(branch_rule, dict) else None
        if not isinstance(held, dict) or (held.get("pageInfo") or {}).get("hasNextPage"):
            return None
        name = str(branch_rule.get("name") or " ")
        every = " " in name  # GitLab's "All branches" or "All protected branches"
        for rule in held.get("nodes") or ():
            if isinstance(rule, dict):
                found.append({"rule_type": str(rule.get("type") or "regular").lower(),
                              "approvals_required": rule.get("approvalsRequired"),
                              "protected_branches": [] if every else [{"name": name}],
                              "applies_to_all_protected_branches": every})
    return found


#: vcs.security_settings fields -> the push-rule setting that decides each.
_PUSH_RULE_FIELDS = {
    "push_protection": "prevent_secrets",
    "signed_commits_required": "reject_unsigned_commits",
    "commit_authors_checked": "member_check",
    "committer_is_pusher": "commit_committer_check",
    "tag_deletion_denied": "deny_delete_tag",
}


def security_settings(push_rule: Mapping[str, Any] | None) -> dict[str, Any]:
    """vcs.security_settings from a push rule (None: the project has none, so nothing is
    rejected). GitLab's secret detection and dependency scanning are pipeline jobs, not
    settings: unknown here. A setting the answer lacks (an older GitLab) is unknown."""
    rule = push_rule if push_rule is not None else {}
    settings: dict[str, Any] = {"secret_scanning": None, "dependency_alerts": None, "dependency_security_updates": None}
    for field, setting in _PUSH_RULE_FIELDS.items():
        value = rule.get(setting, False if push_rule is None else None)
        settings[field] = value if isinstance(value, bool) else None
    return settings


def read_required_approvals(client: GitLabClient, project: Listed, known: list[dict[str, Any]] | None = None) -> int | None | Gap:
    """Approvals the default branch needs, from the `known` rules (the GraphQL batch's) or asked;
    None where the tier has no approvals (Free), asked nothing."""
    if project.required_approvals is None:
        return None
    if known is not None:
        return required_approvals(known, project.default_branch or "")
    try:
        rules = list(client.pages(APPROVAL_RULES, f"/projects/{project.id}/approval_rules"))
    except ApiError as exc:
        return gap(exc)
    return required_approvals(rules, project.default_branch or "")


def read_push_rule(client: GitLabClient, project: Listed) -> Found:
    """vcs.security_settings from the project's push rule: unsupported on the Free tier (asked nothing)."""
    if project.required_approvals is None:
        return Gap(f"push rules {PREMIUM}", unsupported=True)
    try:
        answer = client.get(PUSH_RULE, f"/projects/{project.id}/push_rule")
    except ApiError as exc:
        if exc.status == 403:  # GitLab checks the role before the licence
            return Gap(exc.reason_with(MAINTAINER))
        if exc.status == 404:
            return Gap(f"{exc.reason()} — push rules {PREMIUM}", unsupported=True)
        return gap(exc, None)
    return security_settings(answer.data if isinstance(answer.data, dict) else None)
