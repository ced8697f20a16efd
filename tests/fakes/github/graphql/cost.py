"""GitHub's GraphQL point cost, computed from the query before it runs.

GitHub's rule: add up the requests needed to fill each connection, assuming every connection
returns its full `first`/`last` (a connection nested in another is requested once per parent
node), divide by 100, round, minimum 1. Every connection must carry `first` or `last`, at most 100.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    value_from_ast,
)

MAX_PAGE = 100


@dataclass
class PaginationError:
    message: str
    type: str
    line: int
    column: int


@dataclass
class Cost:
    requests: int = 0
    node_count: int = 0
    errors: list[PaginationError] = field(default_factory=list)

    @property
    def points(self) -> int:
        return max(1, math.floor(self.requests / 100 + 0.5))  # rounds half up, unlike round()


def query_cost(
    schema: GraphQLSchema, document: DocumentNode, variables: dict[str, Any], operation_name: str | None
) -> Cost:
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    operation = next(
        (op for op in operations if operation_name is None or (op.name and op.name.value == operation_name)), None
    )
    cost = Cost()
    root = schema.query_type
    if operation is not None and root is not None:
        _walk(schema, operation.selection_set, root, 1, fragments, variables, cost)
    return cost


def _walk(
    schema: GraphQLSchema,
    selection_set: SelectionSetNode | None,
    parent: Any,
    multiplier: int,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    cost: Cost,
) -> None:
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                _walk(
                    schema,
                    fragment.selection_set,
                    schema.get_type(fragment.type_condition.name.value),
                    multiplier,
                    fragments,
                    variables,
                    cost,
                )
        elif isinstance(selection, InlineFragmentNode):
            target = schema.get_type(selection.type_condition.name.value) if selection.type_condition else parent
            _walk(schema, selection.selection_set, target, multiplier, fragments, variables, cost)
        elif isinstance(selection, FieldNode):
            _field(schema, selection, parent, multiplier, fragments, variables, cost)


def _field(
    schema: GraphQLSchema,
    node: FieldNode,
    parent: Any,
    multiplier: int,
    fragments: dict[str, FragmentDefinitionNode],
    variables: dict[str, Any],
    cost: Cost,
) -> None:
    if not isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)):
        return
    definition = parent.fields.get(node.name.value)
    if definition is None:
        return
    returns = get_named_type(definition.type)
    if returns.name.endswith("Connection"):
        size = _page_size(node, variables, cost)
        cost.requests += multiplier
        cost.node_count += multiplier * size
        multiplier *= max(size, 1)
    _walk(schema, node.selection_set, returns, multiplier, fragments, variables, cost)


def _page_size(node: FieldNode, variables: dict[str, Any], cost: Cost) -> int:
    arguments = {
        argument.name.value: value_from_ast(argument.value, GraphQLInt, variables)
        for argument in node.arguments or ()
        if argument.name.value in ("first", "last")
    }
    location = node.loc.source.get_location(node.loc.start) if node.loc and node.loc.source else None
    line, column = (location.line, location.column) if location else (0, 0)
    sizes = [value for value in arguments.values() if isinstance(value, int)]
    name = node.name.value
    if not sizes:
        cost.errors.append(
            PaginationError(
                f"You must provide a `first` or `last` value to properly paginate the `{name}` connection.",
                "MISSING_PAGINATION_BOUNDARIES",
                line,
                column,
            )
        )
        return 0
    for argument, value in arguments.items():
        if isinstance(value, int) and (value > MAX_PAGE or value < 0):
            cost.errors.append(
                PaginationError(
                    f"Requesting {value} records on the `{name}` connection exceeds the `{argument}` limit of "
                    f"{MAX_PAGE} records.",
                    "EXCESSIVE_PAGINATION",
                    line,
                    column,
                )
            )
    return max(sizes)
