"""A GraphQL query's complexity and depth as GitLab computes them, so that the fake refuses what
GitLab would refuse ("Query has complexity of 260, which exceeds max complexity of 250").

GitLab's rules (app/graphql/types/base_field.rb, whose `complexity_for` graphql-ruby's
`Field#calculate_complexity` calls first, for connections too; app/graphql/gitlab_schema.rb):
- a field without a resolver costs 1, 2 where it `calls_gitaly`, plus its selections';
- a field with a constant `complexity: N` costs N plus its selections';
- a field with a resolver costs its selections' + the resolver's own (BaseResolver: 1, +1 with
  `sort`, +5 with `search`) + 1 where it calls Gitaly; a connection then multiplies that by
  1 + min(first, last, max page 100) x the resolver's multiplier (BaseResolver: 0.01, so 100
  nodes double it), truncated to an integer. Selections are counted once, not once per node;
- the query costs the sum of its top-level fields. An authenticated user may send 250 (an
  administrator 300), at most 15 levels deep.

Fields not named in FIELDS cost 1 plus their selections (GitLab's DEFAULT_COMPLEXITY).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    parse,
    value_from_ast_untyped,
)

AUTHENTICATED_MAX_COMPLEXITY = 250
AUTHENTICATED_MAX_DEPTH = 15
MAX_PAGE_SIZE = 100  # GitlabSchema.default_max_page_size
RESOLVER_MULTIPLIER = 0.01  # BaseResolver.complexity_multiplier


@dataclass(frozen=True)
class Field:
    """How GitLab defines one field, for its cost."""

    resolver: bool = False
    connection: bool = False
    gitaly: bool = False
    constant: int | None = None


# As GitLab's types define them (app/graphql/types/...): the fields the collector asks for.
FIELDS = {
    "Query.projects": Field(resolver=True, connection=True),  # Resolvers::ProjectsResolver
    "Project.branchRules": Field(resolver=True, connection=True),  # Resolvers::Projects::BranchRulesResolver
    "Project.projectMembers": Field(resolver=True, connection=True),  # Resolvers::ProjectMembersResolver
    "Repository.rootRef": Field(gitaly=True),
    "Repository.empty": Field(gitaly=True),
    "Project.protectableBranches": Field(gitaly=True),  # app/graphql/types/project_type.rb: calls_gitaly
    "Repository.tree": Field(resolver=True, gitaly=True),  # Resolvers::TreeResolver
    "Tree.lastCommit": Field(constant=10),  # "Complexity 10 as it triggers a Gitaly call on each render"
    # ee/app/graphql/ee/types/project_type.rb: resolvers reading the policy project's YAML (calls_gitaly)
    "Project.scanExecutionPolicies": Field(resolver=True, connection=True, gitaly=True),
    "Project.pipelineExecutionPolicies": Field(resolver=True, connection=True, gitaly=True),
    "Project.complianceFrameworks": Field(resolver=True, connection=True),  # counted as a resolver's: the higher cost
    "Dora.metrics": Field(resolver=True),  # Resolvers::DoraMetricsResolver: a list, not a connection
    # BranchRule.approvalRules (method: :approval_project_rules, a connection without a resolver): 1 + its selections
}


def measure(schema: GraphQLSchema, query: str, variables: dict[str, Any] | None = None) -> tuple[int, int]:
    """(complexity, depth) of the query's first operation, as GitLab counts them."""
    document = parse(query)
    operation = next(node for node in document.definitions if isinstance(node, OperationDefinitionNode))
    values = _variables(operation, variables or {})
    root = schema.query_type
    assert root is not None
    return _selections(schema, root, operation.selection_set, values)


def _selections(
    schema: GraphQLSchema, parent: GraphQLObjectType | GraphQLInterfaceType, selections: SelectionSetNode, values: dict[str, Any]
) -> tuple[int, int]:
    total, deepest = 0, 0
    for node in selections.selections:
        assert isinstance(node, FieldNode), "fragments are not counted here"
        definition = parent.fields[node.name.value]
        child, depth = 0, 0
        if node.selection_set is not None:
            named = get_named_type(definition.type)
            assert isinstance(named, (GraphQLObjectType, GraphQLInterfaceType))
            child, depth = _selections(schema, named, node.selection_set, values)
        total += _cost(FIELDS.get(f"{parent.name}.{node.name.value}", Field()), child,
                       {argument.name.value: value_from_ast_untyped(argument.value, values) for argument in node.arguments or ()})
        deepest = max(deepest, depth + 1)
    return total, deepest


def _cost(field: Field, child: int, arguments: dict[str, Any]) -> int:
    if field.constant is not None:
        return field.constant + child
    if not field.resolver:
        return 1 + (1 if field.gitaly else 0) + child
    cost: float = child + 1 + (1 if arguments.get("sort") else 0) + (5 if arguments.get("search") else 0)
    cost += 1 if field.gitaly else 0
    if field.connection:
        limit = min(value for value in (arguments.get("first"), arguments.get("last"), MAX_PAGE_SIZE) if value is not None)
        cost += cost * limit * RESOLVER_MULTIPLIER
    return int(cost)


def _variables(operation: OperationDefinitionNode, given: dict[str, Any]) -> dict[str, Any]:
    """The given variables, with the defaults the operation declares for the others."""
    values = dict(given)
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name not in values and definition.default_value is not None:
            values[name] = value_from_ast_untyped(definition.default_value)
    return values
