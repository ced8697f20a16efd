"""`POST /api/graphql`: the part of GitLab's GraphQL schema the collector asks for, executed by
graphql-core against the fake's state.

Names and types as in GitLab's reference (doc/api/graphql/reference): `Query.projects(ids:)`
takes global IDs (`gid://gitlab/Project/123`); `Repository.rootRef`, `Repository.tree.lastCommit`
(the head commit of the default branch when no ref is given); `Project.branchRules`, whose
`branchProtection.codeOwnerApprovalRequired` exists on Premium and up only;
`Project.userPermissions.adminProject`. Projects the token cannot see are left out of `nodes`,
as GitLab does. `hide_branch_rules`: the token's role is below Maintainer, so it may not read
`BranchRule` objects (`authorize :read_protected_branch`, which only `admin_project` grants):
GitLab leaves them out of the connection silently, an empty list and no error, and says
`adminProject: false`.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from graphql import GraphQLSchema, build_schema, graphql_sync

from tests.fakes.http.exchange import Request, Response, json_response

from .model import Instance, Project

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
  userPermissions: ProjectPermissions!
}
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
# Premium and Ultimate add code-owner approval to a protection (an EE field: unknown to a Free query's schema).
_PAID_SDL = SDL.replace("type BranchProtection { allowForcePush: Boolean! }",
                        "type BranchProtection { allowForcePush: Boolean! codeOwnerApprovalRequired: Boolean! }")
MAX_PAGE = 100


@cache
def _schema(paid: bool) -> GraphQLSchema:
    return build_schema(_PAID_SDL if paid else SDL)


def gid(project: Project) -> str:
    return f"gid://gitlab/Project/{project.id}"


def answer(instance: Instance, request: Request) -> Response:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return json_response({"errors": [{"message": "Invalid JSON"}]}, 400)
    result = graphql_sync(
        _schema(instance.tier != "free"), str(body.get("query") or ""), root_value=_Root(instance),
        variable_values=body.get("variables") or {},
    )
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        payload["errors"] = [{"message": error.message, "path": error.path} for error in result.errors]
    return json_response(payload)


class _Root:
    def __init__(self, instance: Instance) -> None:
        self._instance = instance

    def projects(self, _info: Any, ids: list[str] | None = None, first: int | None = None, after: str | None = None) -> dict[str, Any]:
        by_gid = {gid(project): project for project in self._instance.projects}
        chosen = [by_gid[value] for value in ids or () if value in by_gid] if ids is not None else list(self._instance.projects)
        start = int(after) if after and after.isdigit() else 0
        size = min(first or MAX_PAGE, MAX_PAGE)
        page = chosen[start : start + size]
        more = start + size < len(chosen)
        return {"nodes": [_project(self._instance, project) for project in page],
                "pageInfo": {"hasNextPage": more, "endCursor": str(start + size) if more else None}}


def _project(instance: Instance, project: Project) -> dict[str, Any]:
    empty = project.default_branch is None

    def tree(_info: Any, path: str | None = None, ref: str | None = None, recursive: bool | None = None) -> dict[str, Any] | None:
        if empty or (ref is not None and ref != project.default_branch):
            return None
        return {"lastCommit": {"sha": project.head_commit}}

    def branch_rules(_info: Any, first: int | None = None, after: str | None = None) -> dict[str, Any] | None:
        if instance.hide_branch_rules:  # every rule redacted from the page, as GitLab's type authorization does
            return {"nodes": [], "pageInfo": {"hasNextPage": False, "endCursor": None}}
        rules = [
            {"name": branch.name, "isDefault": branch.name == project.default_branch, "isProtected": True,
             "branchProtection": {"allowForcePush": branch.allow_force_push,
                                  "codeOwnerApprovalRequired": branch.code_owner_approval_required}}
            for branch in project.protected_branches
        ]
        size = min(first or MAX_PAGE, MAX_PAGE)
        return {"nodes": rules[:size], "pageInfo": {"hasNextPage": len(rules) > size, "endCursor": None}}

    return {
        "id": gid(project),
        "fullPath": project.path_with_namespace,
        "repository": {"rootRef": project.default_branch, "empty": empty, "tree": tree},
        "branchRules": branch_rules,
        "userPermissions": {"adminProject": not instance.hide_branch_rules},
    }
