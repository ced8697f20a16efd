"""What GitLab's GraphQL API tells about many projects in one request: each default branch's head
commit (so an unchanged project is known without asking it anything), its protected branches
(`branchRules`), its direct members (`projectMembers`), which REST would ask project by project,
and on paid tiers the security policies and compliance pipelines binding it (policies.py), which
REST does not show at all, and its push rule (`Project.pushRules`: PushRulesType authorizes
`read_project`, and PushRulePolicy delegates to the project, so a Reporter reads over GraphQL what
REST's `/push_rule` shows Maintainers only; all five settings there since GitLab's merge
request 223061 (2026; its release not checked), before which the type has `rejectUnsignedCommits` alone and the query is refused).
A push rule null with an error (a token GitLab does not let read it) is asked over REST.
On a tier whose DORA API has not been refused, GitLab's own DORA figures of the window come here
too (`Project.dora.metrics(interval: ALL)`, a field per metric since GitLab 15.10; dora_api.py reads
them): where GitLab withholds them (null with an error: no Ultimate licence) the project's are
asked over REST as before, whose first refusal stops the asking for the scan. Where the branch
rules are given (below), so are the approval rules each holds (`BranchRule.approvalRules`:
ApprovalProjectRulePolicy grants `read_approval_rule` to whoever reads the project), which spares
the project its `/approval_rules` request (approvals.py reads them). Of the approval settings
GraphQL has `Project.mergeRequestsDisableCommittersApproval` alone (the model method REST's
`/approvals` reads too, instance setting included), which spares that request where committers
may approve (approval_settings.py says why).

A project whose branch rules GraphQL does not give gets no `protected` here, and its protected
branches are asked over REST as before, so a refusal is still told as one; never read as "no
protected branch". That is: a token below Maintainer (GitLab leaves every branch rule out of the
list for it, silently, so an empty list proves nothing: `userPermissions.adminProject` tells),
more than one page, or the whole query refused (an instance without these fields). Except on
Free, for a default branch that a protection names: `Project.protectableBranches` (GitLab 16.9 and
later, `authorize: :read_code`, so a Reporter reads it) lists every branch but those, wildcard rules
ignored, so a default branch that exists (it has a head commit) and is left out is protected, and
on Free that is all vcs.branch_protection reads of a protection (protection.py); one listed may
still be protected by a wildcard, so it is asked over REST. The field is asked on Free only (paid
tiers read code-owner approval from the protection), and a GitLab that refuses the query with it
is asked again without it, for the rest of the scan. Members likewise: a project with more than one page of them, or whose list GitLab did not give, is asked
over REST.

GitLab refuses a query whose complexity passes 250 for an authenticated user, or deeper than 15
levels (app/graphql/gitlab_schema.rb). It counts each field's selections once, not per node, and
multiplies a connection's by 1 + its page size x 0.01 (app/graphql/types/base_field.rb): this
query costs 124 with BATCH 50 projects (100 branch rules with up to 100 approval rules each, 100
members, 20 policies of each kind, the push rule and the committers' setting each) on Premium (76 on
Free, without the approval rules and settings, policies and push rules, with protectableBranches), 132 on Ultimate with the
DORA figures, 176 with 100
projects, GitLab's largest page; depth 7. BATCH stays at 50: a smaller answer (each holds up to 100
members per project) and the first projects examined sooner, for 0.01 more request per project.
The fake GitLab counts the same way and refuses what GitLab would (tests/fakes/gitlab/complexity.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from collectors.gitlab import approvals, dora_api, policies
from collectors.gitlab.client import ApiError, GitLabClient, RateLimited
from collectors.gitlab.mapping import Listed

GRAPHQL = "graphql"
BATCH = 50  # projects per query (GitLab's complexity limit allows 100, its largest page: see above)
MAX_RULES = 100
MAX_MEMBERS = 100
_QUERY = """query($ids: [ID!], $first: Int) {
  projects(ids: $ids, first: $first) {
    nodes {
      id
      repository { tree { lastCommit { sha } } }
      userPermissions { adminProject }
      branchRules(first: %d) { nodes { name branchProtection { allowForcePush%s }%s } pageInfo { hasNextPage } }
      projectMembers(relations: [DIRECT], first: %d) { nodes { expiresAt user { username bot } } pageInfo { hasNextPage } }%s
    }
  }
}"""
#: Project.pushRules' fields -> the REST push rule's settings (approvals.py reads those).
_PUSH_RULE_SETTINGS = {
    "preventSecrets": "prevent_secrets",
    "rejectUnsignedCommits": "reject_unsigned_commits",
    "memberCheck": "member_check",
    "commitCommitterCheck": "commit_committer_check",
    "denyDeleteTag": "deny_delete_tag",
}
_PUSH_RULE = "pushRules { " + " ".join(_PUSH_RULE_SETTINGS) + " }"
_COMMITTERS = "mergeRequestsDisableCommittersApproval"
_PROTECTABLE = "protectableBranches"


@dataclass(frozen=True)
class ProjectState:
    head: str | None  # the default branch's head commit; None: an empty repository
    protected: list[dict[str, Any]] | None  # protected branches in REST's shape; None: ask REST
    members: list[dict[str, Any]] | None = None  # direct members in REST's shape (and `bot`); None: ask REST
    policy_checks: bool | None = None  # a policy or compliance pipeline binds the default branch (policies.py); None: not seen
    security: dict[str, Any] | None = None  # vcs.security_settings from the push rule; None: ask REST
    dora: dict[str, float | None] | None = None  # GitLab's DORA figures of the window (dora_api.METRICS); None: ask REST
    approval_rules: list[dict[str, Any]] | None = None  # the project's approval rules in REST's shape; None: ask REST
    committers_can_approve: bool | None = None  # the approval setting (approval_settings.py); None: not given
    default_protected: bool | None = None  # a protection names the default branch (Free, protectableBranches); None: not told


# The paid fields, in the order GitLab gained them: a query refused for a field this GitLab lacks is
# asked again without the newest rung still asked. DORA's per-metric fields came with 15.10 (the
# branch rules' approval rules and the committers' setting are asked with them), the pipeline
# execution policies with 17.2, all five push-rule settings with merge request 223061.
RULES_AND_DORA, POLICIES, PUSH_RULES = 1, 2, 3


class ProjectStates:
    """The GraphQL batches of one group's projects, asked by the scan's workers ahead of the
    projects that need them. The first refusal stops the asking (an instance without these
    fields refuses every query: each project is then read over REST); a rate limit costs its own
    batch only, whose projects' requests then say so. `code_owner_approval_required`, the approval
    rules and setting, the DORA figures, the policies and the push rules are asked only on a tier
    with approvals (the listing shows `approvals_before_merge`), the DORA figures only where
    `dora_dates` (the window's first and last day) are given; a query refused with paid fields is
    asked again without the newest of them (RULES_AND_DORA, POLICIES, PUSH_RULES), the rest being
    worth a request."""

    def __init__(self, client: GitLabClient, projects: Sequence[Listed], dora_dates: tuple[str, str] | None = None) -> None:
        self._client = client
        self._paid = any(project.required_approvals is not None for project in projects)
        self._dora_dates = dora_dates
        # the newest rung of paid fields still asked; set by one worker, read by the others: at
        # worst one more refused query
        self._rung = PUSH_RULES if self._paid else 0
        self._protectable = not self._paid  # likewise: Free asks protectableBranches while GitLab defines it
        self._refused = False  # likewise

    def of(self, projects: Sequence[Listed]) -> dict[int, ProjectState]:
        """The state of each of at most BATCH projects that GraphQL shows, by project id."""
        if self._refused or not projects:
            return {}
        ids = [f"gid://gitlab/Project/{project.id}" for project in projects]
        while True:
            rung, protectable = self._rung, self._protectable
            dora_dates = self._dora_dates if rung >= RULES_AND_DORA else None
            try:
                data, errors = self._client.graphql(GRAPHQL, query_text(self._paid, rung, dora_dates, protectable),
                                                    {"ids": ids, "first": BATCH})
                break
            except RateLimited:
                return {}
            except ApiError as exc:
                if protectable and exc.status is not None and exc.status < 400:  # the query refused (a GitLab before 16.9): asked again without it
                    self._protectable = False
                    continue
                if not rung:
                    self._refused = True
                    return {}
                self._rung = rung - 1
        branches = {project.id: project.default_branch for project in projects}
        return _states(data, self._paid, rung >= RULES_AND_DORA, branches if rung >= POLICIES else None,
                       _push_rules_refused(errors) if rung >= PUSH_RULES else None, dora_dates is not None,
                       branches if protectable else None)


def query_text(paid: bool, rung: int = PUSH_RULES, dora_dates: tuple[str, str] | None = None, protectable: bool = False) -> str:
    """The batch query; `paid`: with code-owner approval and the paid fields up to `rung` (the
    approval rules and the committers' setting, the DORA figures only with `dora_dates`, the
    window's first and last day; the policies; the push rule), which only Premium and up define;
    else with `protectableBranches` where `protectable`."""
    if not paid:
        return _QUERY % (MAX_RULES, "", "", MAX_MEMBERS, f"\n      {_PROTECTABLE}" if protectable else "")
    fields = [_COMMITTERS] if rung >= RULES_AND_DORA else []
    if rung >= RULES_AND_DORA and dora_dates is not None:
        fields.append(dora_api.graphql_field(*dora_dates))
    if rung >= POLICIES:
        fields.append(policies.FIELDS)
    if rung >= PUSH_RULES:
        fields.append(_PUSH_RULE)
    rules = f" {approvals.GRAPHQL_FIELD}" if rung >= RULES_AND_DORA else ""
    return _QUERY % (MAX_RULES, " codeOwnerApprovalRequired", rules, MAX_MEMBERS, "".join(f"\n      {field}" for field in fields))


def _push_rules_refused(errors: list[dict[str, Any]]) -> set[int]:
    """The indexes of the nodes whose push rule came back null with an error (a token GitLab does not
    let read it): null there is not "no push rule"."""
    refused: set[int] = set()
    for error in errors:
        path = error.get("path")
        if isinstance(path, list) and len(path) >= 4 and path[-1] == "pushRules" and isinstance(path[-2], int):
            refused.add(path[-2])
    return refused


def _states(data: dict[str, Any], paid: bool, rules: bool, branches: dict[int, str | None] | None,
            refused: set[int] | None, dora: bool, protectable: dict[int, str | None] | None = None) -> dict[int, ProjectState]:
    """`rules`: whether the branch rules' approval rules and the committers' setting were asked;
    `branches`: each project's default branch, where the policies were asked (None: they were not);
    `refused`: the nodes whose push rule was refused, where push rules were asked (None: they were not);
    `dora`: whether the DORA figures were asked; `protectable`: each project's default branch, where
    protectableBranches was asked (None: it was not)."""
    found: dict[int, ProjectState] = {}
    for index, node in enumerate((data.get("projects") or {}).get("nodes") or ()):
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
        head = str(commit["sha"]) if commit.get("sha") else None
        found[int(number)] = ProjectState(head, protected,
                                          _members(node.get("projectMembers")),
                                          policies.required(node, branches.get(int(number))) if branches is not None else None,
                                          _security(node) if refused is not None and index not in refused else None,
                                          dora_api.from_graphql(node.get("dora")) if dora else None,
                                          approvals.from_branch_rules(node.get("branchRules")) if rules and administers else None,
                                          _committers(node.get(_COMMITTERS)) if rules else None,
                                          _default_protected(node, head, protectable.get(int(number))) if protectable else None)
    return found


def _default_protected(node: dict[str, Any], head: str | None, branch: str | None) -> bool | None:
    """True where a protection names the default branch: `protectableBranches` lists every branch
    but those (ProtectableDropdown, `read_code`: a Reporter reads it). A branch listed may still be
    protected by a wildcard rule, which the list ignores: None, not False. Only for a default branch
    that exists (it has a head commit): an empty repository's list is empty."""
    names = node.get(_PROTECTABLE)
    if not isinstance(names, list) or head is None or not branch:
        return None
    return True if branch not in names else None


def _committers(disabled: Any) -> bool | None:
    """Whether committers may approve, from `mergeRequestsDisableCommittersApproval`."""
    return not disabled if isinstance(disabled, bool) else None


def _security(node: dict[str, Any]) -> dict[str, Any]:
    """vcs.security_settings from the node's push rule (null: the project has none)."""
    rule = node.get("pushRules")
    if not isinstance(rule, dict):
        return approvals.security_settings(None)
    return approvals.security_settings({setting: rule.get(name) for name, setting in _PUSH_RULE_SETTINGS.items()})


def _members(members: Any) -> list[dict[str, Any]] | None:
    """Direct members as REST lists them (`username`, `expires_at`), with GitLab's `bot` flag;
    None where the list is not whole."""
    if not isinstance(members, dict) or (members.get("pageInfo") or {}).get("hasNextPage"):
        return None
    found: list[dict[str, Any]] = []
    for member in members.get("nodes") or ():
        user = member.get("user") if isinstance(member, dict) else None
        if isinstance(user, dict):  # an invitation not yet accepted has no user
            found.append({"username": user.get("username"), "bot": user.get("bot") is True,
                          "expires_at": member.get("expiresAt")})
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
