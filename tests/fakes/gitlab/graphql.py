"""`POST /api/graphql`: the part of GitLab's GraphQL schema the collector asks for, executed by
graphql-core against the fake's state.

Names and types as in GitLab's reference (doc/api/graphql/reference): `Query.projects(ids:)`
takes global IDs (`gid://gitlab/Project/123`); `Repository.rootRef`, `Repository.tree.lastCommit`
(the head commit of the default branch when no ref is given); `Project.branchRules`, whose
`branchProtection.codeOwnerApprovalRequired` exists on Premium and up only;
`Project.userPermissions.adminProject`; `Project.projectMembers(relations:)` (DIRECT, the project's
own, as REST's `/members`; INHERITED adds its groups'; both when not given), whose users are bots
where an access token made them. Queries GitLab would refuse for their complexity or depth
(`complexity.py`) are refused with GitLab's words. Projects the token cannot see are left out of `nodes`,
as GitLab does. A token whose role is below Maintainer (the fake's default token, a Reporter; see
`Instance.administers`) may not read `BranchRule` objects (`authorize :read_protected_branch`,
which only `admin_project` grants): GitLab leaves them out of the connection silently, an empty
list and no error, and says `adminProject: false`. `Project.protectableBranches` (GitLab 16.9 and
later, `authorize: :read_code`, so a Reporter reads it): as ProjectProtectableDropdown, every branch
(the fake's one, the default branch) but those a protection names, wildcard rules ignored; an empty
repository's is empty.

On paid tiers (EE fields): `Project.dora.metrics(startDate:, endDate:, interval:)` with a field per
metric (GitLab 15.10 and later; before, `DoraMetric` had `date` and `value` alone and the query
naming the metrics is refused), authorized as GitLab's DoraMetricsResolver (`authorizes_object!`,
`read_dora4_analytics`: Reporter and up on an Ultimate licence), so below Ultimate each project's
`metrics` is null with an error; `BranchRule.approvalRules`, the project approval rules a branch
rule holds: for a protected branch those scoped to it, for GitLab's "All branches" rule the
unscoped ones and for "All protected branches" those that apply to every protected branch (the two
appear in the list only where they hold a rule); `Project.mergeRequestsDisableCommittersApproval`.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import yaml
from graphql import GraphQLError, GraphQLSchema, build_schema, graphql_sync, parse, validate

from tests.fakes.http.exchange import Request, Response, json_response

from . import complexity, payloads
from .model import ApprovalRule, Instance, Policy, Project

SDL = """
type Query {
  projects(ids: [ID!], first: Int, after: String): ProjectConnection
}
type PageInfo { hasNextPage: Boolean! endCursor: String }
type ProjectConnection { nodes: [Project] pageInfo: PageInfo! }
type Project {
  id: ID!
  fullPath: ID!
  repository: Repository
  branchRules(first: Int, after: String): BranchRuleConnection
  projectMembers(relations: [ProjectMemberRelation!], first: Int, after: String): MemberInterfaceConnection
  userPermissions: ProjectPermissions!
  protectableBranches: [String!]
}
enum ProjectMemberRelation { DIRECT INHERITED DESCENDANTS INVITED_GROUPS SHARED_INTO_ANCESTORS }
type MemberInterfaceConnection { nodes: [MemberInterface] pageInfo: PageInfo! }
interface MemberInterface { accessLevel: AccessLevel expiresAt: Time user: UserCore }
type ProjectMember implements MemberInterface { accessLevel: AccessLevel expiresAt: Time user: UserCore }
type AccessLevel { integerValue: Int stringValue: String }
type UserCore { username: String! bot: Boolean! }
scalar Time
type ProjectPermissions { adminProject: Boolean! }
type Repository {
  rootRef: String
  empty: Boolean!
  tree(path: String, ref: String, recursive: Boolean): Tree
}
type Tree { lastCommit: Commit }
type Commit { sha: String! }
type BranchRuleConnection { nodes: [BranchRule] pageInfo: PageInfo! }
type BranchRule { name: String! isDefault: Boolean! isProtected: Boolean! branchProtection: BranchProtection }
type BranchProtection { allowForcePush: Boolean! }
"""
# Premium and Ultimate add code-owner approval to a protection, security policies and compliance
# frameworks to a project (EE fields: unknown to a Free query's schema).
_PAID_BEFORE_POLICIES_SDL = SDL.replace(
    "type BranchProtection { allowForcePush: Boolean! }",
    "type BranchProtection { allowForcePush: Boolean! codeOwnerApprovalRequired: Boolean! }",
)
_PAID_BEFORE_POLICIES_SDL = _PAID_BEFORE_POLICIES_SDL.replace("  userPermissions: ProjectPermissions!\n", """  userPermissions: ProjectPermissions!
  pushRules: PushRules
""") + """
type PushRules { rejectUnsignedCommits: Boolean! }
type Dora {
  metrics(startDate: Date, endDate: Date, interval: DoraMetricBucketingInterval, environmentTiers: [DeploymentTier!]): [DoraMetric!]
}
scalar Date
enum DoraMetricBucketingInterval { ALL MONTHLY DAILY }
enum DeploymentTier { PRODUCTION STAGING TESTING DEVELOPMENT OTHER }
type DoraMetric {
  date: String
  deploymentFrequency: Float
  leadTimeForChanges: Float
  timeToRestoreService: Float
  changeFailureRate: Float
}
type ApprovalProjectRuleConnection { nodes: [ApprovalProjectRule] pageInfo: PageInfo! }
type ApprovalProjectRule { id: ID! name: String type: ApprovalRuleType approvalsRequired: Int }
enum ApprovalRuleType { REGULAR CODE_OWNER REPORT_APPROVER ANY_APPROVER }
"""
_PAID_BEFORE_POLICIES_SDL = _PAID_BEFORE_POLICIES_SDL.replace("  pushRules: PushRules\n", """  pushRules: PushRules
  dora: Dora
  mergeRequestsDisableCommittersApproval: Boolean!
""").replace(
    "type BranchRule { name: String! isDefault: Boolean! isProtected: Boolean! branchProtection: BranchProtection }",
    "type BranchRule { name: String! isDefault: Boolean! isProtected: Boolean! branchProtection: BranchProtection "
    "approvalRules(first: Int, after: String): ApprovalProjectRuleConnection }",
)
# GitLab's merge request 223061 (2026) gives PushRules every field REST gives, not only rejectUnsignedCommits.
_PAID_BEFORE_PUSH_RULE_FIELDS_SDL = _PAID_BEFORE_POLICIES_SDL.replace("  userPermissions: ProjectPermissions!\n", """  userPermissions: ProjectPermissions!
  scanExecutionPolicies(relationship: SecurityPolicyRelationType = DIRECT, first: Int, after: String): ScanExecutionPolicyConnection
  pipelineExecutionPolicies(relationship: SecurityPolicyRelationType = DIRECT, first: Int, after: String): PipelineExecutionPolicyConnection
  complianceFrameworks(first: Int, after: String): ComplianceFrameworkConnection
""") + """
enum SecurityPolicyRelationType { DIRECT INHERITED INHERITED_ONLY }
type ScanExecutionPolicyConnection { nodes: [ScanExecutionPolicy] pageInfo: PageInfo! }
type ScanExecutionPolicy { name: String! enabled: Boolean! yaml: String! }
type PipelineExecutionPolicyConnection { nodes: [PipelineExecutionPolicy] pageInfo: PageInfo! }
type PipelineExecutionPolicy { name: String! enabled: Boolean! yaml: String! }
type ComplianceFrameworkConnection { nodes: [ComplianceFramework] pageInfo: PageInfo! }
type ComplianceFramework { name: String! pipelineConfigurationFullPath: String }
"""
_PAID_SDL = _PAID_BEFORE_PUSH_RULE_FIELDS_SDL.replace(
    "type PushRules { rejectUnsignedCommits: Boolean! }",
    "type PushRules { rejectUnsignedCommits: Boolean! preventSecrets: Boolean memberCheck: Boolean "
    "commitCommitterCheck: Boolean! denyDeleteTag: Boolean }",
)
NOT_AVAILABLE = ("The resource that you are attempting to access does not exist or you don't have permission to "
                 "perform this action")
MAX_PAGE = 100
ACCESS_NAMES = {10: "GUEST", 20: "REPORTER", 30: "DEVELOPER", 40: "MAINTAINER", 50: "OWNER"}
_BOT = re.compile(r"^(project|group)_\d+_bot")


# Before GitLab 15.10 a DORA metric had one value, chosen by the `metric:` argument.
_DORA_METRIC_FIELDS = "  deploymentFrequency: Float\n  leadTimeForChanges: Float\n  timeToRestoreService: Float\n  changeFailureRate: Float\n"
_DORA_VALUE = "  value: Float\n"


_PROTECTABLE_FIELD = "  protectableBranches: [String!]\n"


@cache
def _schema(paid: bool, policies: bool = True, push_rule_fields: bool = True, dora_metric_fields: bool = True,
            protectable: bool = True) -> GraphQLSchema:
    """`policies`: a GitLab of 17.2 and later, whose projects have pipeline execution policies;
    `push_rule_fields`: since merge request 223061, whose push rules have all their fields;
    `dora_metric_fields`: since 15.10, whose DORA metrics have a field per metric;
    `protectable`: since 16.9, whose projects have protectableBranches."""
    if not paid:
        sdl = SDL
    else:
        sdl = _PAID_BEFORE_POLICIES_SDL if not policies else _PAID_SDL if push_rule_fields else _PAID_BEFORE_PUSH_RULE_FIELDS_SDL
        sdl = sdl if dora_metric_fields else sdl.replace(_DORA_METRIC_FIELDS, _DORA_VALUE)
    return build_schema(sdl if protectable else sdl.replace(_PROTECTABLE_FIELD, ""))


def gid(project: Project) -> str:
    return f"gid://gitlab/Project/{project.id}"


def answer(instance: Instance, request: Request) -> Response:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return json_response({"errors": [{"message": "Invalid JSON"}]}, 400)
    schema = _schema(instance.tier != "free", instance.policy_fields, instance.push_rule_fields, instance.dora_metric_fields,
                     instance.protectable_field)
    query, variables = str(body.get("query") or ""), body.get("variables") or {}
    try:
        # a field this GitLab does not define refuses the whole query, before its complexity is counted
        invalid = validate(schema, parse(query))
        if invalid:
            return json_response({"errors": [{"message": error.message} for error in invalid]})
        cost, depth = complexity.measure(schema, query, variables)
    except GraphQLError as exc:
        return json_response({"errors": [{"message": exc.message}]})
    if cost > complexity.AUTHENTICATED_MAX_COMPLEXITY:  # graphql-ruby's words; GitLab answers 200 without data
        return json_response({"errors": [{"message": f"Query has complexity of {cost}, which exceeds max complexity of "
                                                     f"{complexity.AUTHENTICATED_MAX_COMPLEXITY}"}]})
    if depth > complexity.AUTHENTICATED_MAX_DEPTH:
        return json_response({"errors": [{"message": f"Query has depth of {depth}, which exceeds max depth of "
                                                     f"{complexity.AUTHENTICATED_MAX_DEPTH}"}]})
    token = str(request.headers.get("private-token") or "")
    result = graphql_sync(schema, query, root_value=_Root(instance, token), variable_values=variables)
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [{"message": error.message, "path": error.path} for error in result.errors]
    return json_response(payload)


class _Root:
    def __init__(self, instance: Instance, token: str) -> None:
        self._instance = instance
        self._token = token

    def projects(self, _info: Any, ids: list[str] | None = None, first: int | None = None, after: str | None = None) -> dict[str, Any]:
        by_gid = {gid(project): project for project in self._instance.projects}
        chosen = [by_gid[value] for value in ids or () if value in by_gid] if ids is not None else list(self._instance.projects)
        start = int(after) if after and after.isdigit() else 0
        size = min(first or MAX_PAGE, MAX_PAGE)
        page = chosen[start : start + size]
        more = start + size < len(chosen)
        return {"nodes": [_project(self._instance, project, self._token) for project in page],
                "pageInfo": {"hasNextPage": more, "endCursor": str(start + size) if more else None}}


def _project(instance: Instance, project: Project, token: str) -> dict[str, Any]:
    empty = project.default_branch is None

    def tree(_info: Any, path: str | None = None, ref: str | None = None, recursive: bool | None = None) -> dict[str, Any] | None:
        if empty or (ref is not None and ref != project.default_branch):
            return None
        return {"lastCommit": {"sha": project.head_commit}}

    def branch_rules(_info: Any, first: int | None = None, after: str | None = None) -> dict[str, Any] | None:
        if not instance.administers(token):  # every rule redacted from the page, as GitLab's type authorization does
            return {"nodes": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}
        rules = [
            {"name": branch.name, "isDefault": branch.name == project.default_branch, "isProtected": True,
             "branchProtection": {"allowForcePush": branch.allow_force_push,
                                  "codeOwnerApprovalRequired": branch.code_owner_approval_required},
             "approvalRules": _approval_rules([rule for rule in project.approval_rules if branch.name in rule.branches])}
            for branch in project.protected_branches
        ]
        if instance.tier != "free":  # GitLab's own rules, listed where they hold an approval rule
            unscoped = [rule for rule in project.approval_rules if not rule.branches]
            for name, chosen in (("All branches", [r for r in unscoped if not r.applies_to_all_protected_branches]),
                                 ("All protected branches", [r for r in unscoped if r.applies_to_all_protected_branches])):
                if chosen:
                    rules.append({"name": name, "isDefault": False, "isProtected": name != "All branches",
                                  "branchProtection": None, "approvalRules": _approval_rules(chosen)})
        size = min(first or MAX_PAGE, MAX_PAGE)
        return {"nodes": rules[:size], "pageInfo": {"hasNextPage": len(rules) > size, "endCursor": None}}

    def project_members(_info: Any, relations: list[str] | None = None, first: int | None = None,
                        after: str | None = None) -> dict[str, Any]:
        chosen = relations if relations is not None else ["DIRECT", "INHERITED"]  # GitLab's default adds shares too
        members = [_member(*member) for member in project.members] if "DIRECT" in chosen else []
        if "INHERITED" in chosen:
            for group in instance.groups:
                if project.namespace.full_path == group.full_path or project.namespace.full_path.startswith(group.full_path + "/"):
                    members += [_member(username, level, None) for username, level in group.members]
        size = min(first or MAX_PAGE, MAX_PAGE)
        return {"nodes": members[:size], "pageInfo": {"hasNextPage": len(members) > size, "endCursor": None}}

    def security_policies(kind: str) -> Any:
        """As ScanExecutionPoliciesFinder / PipelineExecutionPoliciesFinder: an empty list, silently,
        without `read_security_orchestration_policies` (Developer and up, on Ultimate)."""
        def resolve(_info: Any, relationship: str = "DIRECT", first: int | None = None, after: str | None = None) -> dict[str, Any]:
            readers = instance.developer_tokens | instance.maintainer_tokens | instance.owner_tokens
            found: list[Policy] = []
            if instance.tier == "ultimate" and token in readers:
                if relationship != "INHERITED_ONLY":
                    found += project.policies
                if relationship != "DIRECT":
                    found += [policy for group in instance.groups if _above(group.full_path, project) for policy in group.policies]
            nodes = [_policy(policy) for policy in found if policy.type == kind]
            size = min(first or MAX_PAGE, MAX_PAGE)
            return {"nodes": nodes[:size], "pageInfo": {"hasNextPage": len(nodes) > size, "endCursor": None}}
        return resolve

    def compliance_frameworks(_info: Any, first: int | None = None, after: str | None = None) -> dict[str, Any]:
        def pipeline(path: str | None) -> Any:
            def resolve(_info: Any) -> str | None:
                # authorize: :admin_compliance_pipeline_configuration (Owners): null and an error otherwise
                if token not in instance.owner_tokens:
                    raise GraphQLError(NOT_AVAILABLE)
                return path
            return resolve
        nodes = [{"name": name, "pipelineConfigurationFullPath": pipeline(path)} for name, path in project.compliance_frameworks]
        size = min(first or MAX_PAGE, MAX_PAGE)
        return {"nodes": nodes[:size], "pageInfo": {"hasNextPage": len(nodes) > size, "endCursor": None}}

    def push_rules(_info: Any) -> dict[str, Any] | None:
        """As PushRulesType (`authorize :read_project`, PushRulePolicy delegating to the project):
        any role that sees the project reads it, a Reporter too; null where the project has none.
        `withhold_push_rules`: a token GitLab does not let read them (a granular token without
        `read_push_rule`): null and an error."""
        if instance.withhold_push_rules:
            raise GraphQLError(NOT_AVAILABLE)
        if project.push_rule is None:
            return None
        rule = payloads.push_rule(project, project.push_rule)
        return {"rejectUnsignedCommits": rule["reject_unsigned_commits"], "preventSecrets": rule["prevent_secrets"],
                "memberCheck": rule["member_check"], "commitCommitterCheck": rule["commit_committer_check"],
                "denyDeleteTag": rule["deny_delete_tag"]}

    def dora(_info: Any) -> dict[str, Any]:
        def metrics(_info: Any, startDate: str | None = None, endDate: str | None = None, interval: str | None = None,
                    environmentTiers: list[str] | None = None) -> list[dict[str, Any]]:
            if instance.tier != "ultimate":  # authorize :read_dora4_analytics: null and an error
                raise GraphQLError(NOT_AVAILABLE)
            if interval != "ALL":
                raise GraphQLError("the fake serves interval ALL only")
            if not startDate or not endDate or startDate >= endDate:
                raise GraphQLError("The start date must be earlier than the end date.")
            values = project.dora
            return [{"date": None, "value": None, "deploymentFrequency": values.get("deployment_frequency"),
                     "leadTimeForChanges": values.get("lead_time_for_changes"),
                     "timeToRestoreService": values.get("time_to_restore_service"),
                     "changeFailureRate": values.get("change_failure_rate")}]
        return {"metrics": metrics}

    return {
        "id": gid(project),
        "fullPath": project.path_with_namespace,
        "repository": {"rootRef": project.default_branch, "empty": empty, "tree": tree},
        "branchRules": branch_rules,
        "projectMembers": project_members,
        "userPermissions": {"adminProject": instance.administers(token)},
        "protectableBranches": [] if empty else
        [name for name in (project.default_branch,) if name not in {branch.name for branch in project.protected_branches}],
        "scanExecutionPolicies": security_policies("scan_execution_policy"),
        "pipelineExecutionPolicies": security_policies("pipeline_execution_policy"),
        "complianceFrameworks": compliance_frameworks,
        "pushRules": push_rules,
        "dora": dora,
        # as /approvals says it (payloads.project_approvals), GitLab's default: committers may approve
        "mergeRequestsDisableCommittersApproval": project.approvals.get("merge_requests_disable_committers_approval", False),
    }


def _approval_rules(rules: list[ApprovalRule]) -> dict[str, Any]:
    """A branch rule's `approvalRules` connection (ApprovalProjectRule: `type` is the rule type in capitals)."""
    nodes = [{"id": f"gid://gitlab/ApprovalProjectRule/{index + 1}", "name": rule.name, "type": rule.rule_type.upper(),
              "approvalsRequired": rule.approvals_required} for index, rule in enumerate(rules)]
    return {"nodes": nodes[:MAX_PAGE], "pageInfo": {"hasNextPage": len(nodes) > MAX_PAGE, "endCursor": None}}


def _above(group_path: str, project: Project) -> bool:
    return project.namespace.full_path == group_path or project.namespace.full_path.startswith(group_path + "/")


def _policy(policy: Policy) -> dict[str, Any]:
    """A policy node: its YAML as GitLab dumps the policy's hash."""
    body: dict[str, Any] = {"name": policy.name, "description": "", "enabled": policy.enabled, "rules": policy.rules}
    body["actions"] = [{"scan": "secret_detection"}] if policy.type == "scan_execution_policy" else []
    if policy.type == "pipeline_execution_policy":
        body["content"] = {"include": [{"project": "acme/compliance", "file": "policy-ci.yml"}]}
        body["pipeline_config_strategy"] = "inject_policy"
    return {"name": policy.name, "enabled": policy.enabled, "yaml": yaml.safe_dump(body)}


def _member(username: str, level: int, expires_at: str | None) -> dict[str, Any]:
    """A direct member as `MemberInterface`: access tokens' users are bots (`project_7_bot_…`)."""
    return {
        "__typename": "ProjectMember",
        "accessLevel": {"integerValue": level, "stringValue": ACCESS_NAMES.get(level, "CUSTOM")},
        "expiresAt": f"{expires_at}T00:00:00Z" if expires_at else None,
        "user": {"username": username, "bot": _BOT.match(username) is not None},
    }
