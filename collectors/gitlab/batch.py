"""What GitLab's GraphQL API tells about many projects in one request: each default branch's head
commit (so an unchanged project is known without asking it anything) and its protected branches
(`branchRules`, which REST would ask project by project).

A project whose branch rules GraphQL does not give gets no `protected` here, and its protected
branches are asked over REST as before, so a refusal is still told as one; never read as "no
protected branch". That is: a token below Maintainer (GitLab leaves every branch rule out of the
list for it, silently, so an empty list proves nothing: `userPermissions.adminProject` tells),
more than one page, or the whole query refused (an instance without these fields).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from collectors.gitlab.client import ApiError, GitLabClient, RateLimited
from collectors.gitlab.mapping import Listed

GRAPHQL = "graphql"
BATCH = 50  # projects per query: well within GitLab's query complexity limit
MAX_RULES = 100
_QUERY = """query($ids: [ID!], $first: Int) {
  projects(ids: $ids, first: $first) {
    nodes {
      id
      repository { rootRef tree { lastCommit { sha } } }
      userPermissions { adminProject }
      branchRules(first: %d) { nodes { name branchProtection { allowForcePush%s } } pageInfo { hasNextPage } }
    }
  }
}"""


@dataclass(frozen=True)
class ProjectState:
    head: str | None  # the default branch's head commit; None: an empty repository
    protected: list[dict[str, Any]] | None  # protected branches in REST's shape; None: ask REST


def project_states(client: GitLabClient, projects: Sequence[Listed]) -> dict[int, ProjectState]:
    """The state of each project GraphQL shows, by project id; {} when the instance refuses the
    query (every project is then read over REST). `code_owner_approval_required` is asked only on
    a tier with approvals (the listing shows `approvals_before_merge`), as REST gives it."""
    paid = any(project.required_approvals is not None for project in projects)
    query = _QUERY % (MAX_RULES, " codeOwnerApprovalRequired" if paid else "")
    states: dict[int, ProjectState] = {}
    for start in range(0, len(projects), BATCH):
        ids = [f"gid://gitlab/Project/{project.id}" for project in projects[start : start + BATCH]]
        try:
            data, _errors = client.graphql(GRAPHQL, query, {"ids": ids, "first": BATCH})
        except RateLimited:
            raise
        except ApiError:
            return {}
        states.update(_states(data, paid))
    return states


def _states(data: dict[str, Any], paid: bool) -> dict[int, ProjectState]:
    found: dict[int, ProjectState] = {}
    for node in ((data.get("projects") or {}).get("nodes") or ()):
        if not isinstance(node, dict):
            continue
        number = str(node.get("id") or "").rsplit("/", 1)[-1]
        if not number.isdigit():
            continue
        repository = node.get("repository") or {}
        commit = (repository.get("tree") or {}).get("lastCommit") or {}
        # Below Maintainer the rules are left out silently: only an administering token's list is whole.
        administers = (node.get("userPermissions") or {}).get("adminProject") is True
        protected = _protected(node.get("branchRules"), paid) if administers else None
        found[int(number)] = ProjectState(str(commit["sha"]) if commit.get("sha") else None, protected)
    return found


def _protected(rules: Any, paid: bool) -> list[dict[str, Any]] | None:
    """Branch rules as REST lists protected branches. GitLab adds rules that protect nothing
    ("All branches", "All protected branches": names no branch can have) for approval rules and
    status checks; they are left out, as REST leaves them out."""
    if not isinstance(rules, dict) or (rules.get("pageInfo") or {}).get("hasNextPage"):
        return None
    protected: list[dict[str, Any]] = []
    for rule in rules.get("nodes") or ():
        protection = rule.get("branchProtection") if isinstance(rule, dict) else None
        if not isinstance(protection, dict) or " " in str(rule.get("name") or " "):
            continue
        entry = {"name": str(rule["name"]), "allow_force_push": protection.get("allowForcePush")}
        if paid:
            entry["code_owner_approval_required"] = protection.get("codeOwnerApprovalRequired")
        protected.append(entry)
    return protected
