"""`POST /graphql`: parse, validate, price, execute, and answer in GitHub's shapes (HTTP 200 with `errors`)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    build_schema,
    execute_sync,
    parse,
    validate,
)

from ..context import Call
from ..exchange import ApiError, Response, json_response
from .context import Forbidden, GqlContext, NotFound
from .cost import query_cost
from .root import QueryRoot

_SCHEMA_FILE = Path(__file__).with_name("schema.graphql")
_ABSTRACT_TYPES = ("Node", "Actor", "RepositoryOwner", "GitObject", "RuleSource", "RuleParameters")
_UNKNOWN_FIELD = re.compile(r"Cannot query field '(?P<field>\w+)' on type '(?P<type>\w+)'\.")
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


@cache
def schema() -> GraphQLSchema:
    built = build_schema(_SCHEMA_FILE.read_text())
    for name in _ABSTRACT_TYPES:
        built.type_map[name].resolve_type = lambda value, _info, _type: value.typename  # type: ignore[attr-defined]
    return built


def _snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


def resolve_field(source: Any, info: GraphQLResolveInfo, **arguments: Any) -> Any:
    """`fieldName(argName:)` -> `source.field_name(arg_name=)`; dicts are read by the GraphQL name."""
    if isinstance(source, dict):
        return source.get(info.field_name)
    name = _snake(info.field_name)
    value = getattr(source, name) if hasattr(source, name) else getattr(source, f"{name}_")
    return value(**_call_arguments(arguments)) if callable(value) else value


def _call_arguments(arguments: dict[str, Any]) -> dict[str, Any]:
    return {("type_" if key == "type" else _snake(key)): value for key, value in arguments.items()}


def _locations(error: GraphQLError) -> list[dict[str, int]]:
    return [{"line": location.line, "column": location.column} for location in error.locations or []]


def _ast_path(document: DocumentNode, target: Node) -> list[str]:
    """GitHub's path for a validation error: operation, then field names and "... on Type" fragments."""

    def search(selection_set: SelectionSetNode | None, trail: list[str]) -> list[str] | None:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                step = [*trail, selection.name.value]
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                step = [*trail, f"... on {condition.name.value}" if condition else "..."]
            elif isinstance(selection, FragmentSpreadNode):
                step = [*trail, f"...{selection.name.value}"]
            else:
                continue
            if selection is target:
                return step
            found = search(getattr(selection, "selection_set", None), step)
            if found:
                return found
        return None

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            label = definition.operation.value + (f" {definition.name.value}" if definition.name else "")
        elif isinstance(definition, FragmentDefinitionNode):
            label = f"fragment {definition.name.value}"
        else:
            continue
        found = search(definition.selection_set, [label])
        if found:
            return found
    return []


def _validation_error(document: DocumentNode, error: GraphQLError) -> dict[str, Any]:
    unknown = _UNKNOWN_FIELD.match(error.message)
    if unknown and error.nodes:  # GitHub's wording for an unknown field
        return {
            "path": _ast_path(document, error.nodes[0]),
            "extensions": {"code": "undefinedField", "typeName": unknown["type"], "fieldName": unknown["field"]},
            "locations": _locations(error),
            "message": f"Field '{unknown['field']}' doesn't exist on type '{unknown['type']}'",
        }
    return {"locations": _locations(error), "message": error.message}


def _execution_error(error: GraphQLError) -> dict[str, Any]:
    formatted: dict[str, Any] = {
        "path": list(error.path or []),
        "locations": _locations(error),
        "message": error.message,
    }
    if isinstance(error.original_error, NotFound) or isinstance(error, NotFound):
        formatted = {"type": "NOT_FOUND", **formatted}
    elif isinstance(error.original_error, Forbidden) or isinstance(error, Forbidden):
        formatted = {"type": "FORBIDDEN", **formatted}
    return formatted


_RATE_LIMITED = {"type": "RATE_LIMITED", "message": "API rate limit exceeded for user ID 1."}


def _charged(call: Call, body: dict[str, Any], points: int) -> Response:
    """Charge `points` to the caller and answer `body`; RATE_LIMITED (nothing charged) when they are not left."""
    if call.charge_graphql(points) is None:
        return json_response({"errors": [_RATE_LIMITED]})
    response = json_response(body)
    response.cost = points
    return response


@lru_cache(maxsize=64)
def _checked(query: str) -> tuple[DocumentNode, tuple[GraphQLError, ...]]:
    """The query parsed and validated, once per text: a scan's batches repeat one query with other
    variables, and validating it was a fifth of the fake's CPU in the GitHub benchmark."""
    document = parse(query)
    return document, tuple(validate(schema(), document))


def graphql(call: Call) -> Response:
    """A malformed or invalid query costs 1 point; a valid one its computed cost, charged before it runs."""
    try:
        payload = json.loads(call.request.body or b"null")
    except ValueError:
        raise ApiError(400, "Problems parsing JSON", "https://docs.github.com/graphql") from None
    query = payload.get("query") if isinstance(payload, dict) else None
    if not isinstance(query, str):
        return _charged(call, {"errors": [{"message": "A query attribute must be specified and must be a string."}]}, 1)
    variables = payload.get("variables") or {}
    operation_name = payload.get("operationName")
    try:
        document, invalid = _checked(query)
    except GraphQLSyntaxError as error:
        return _charged(call, {"errors": [{"message": error.message, "locations": _locations(error)}]}, 1)
    if invalid:
        return _charged(call, {"errors": [_validation_error(document, error) for error in invalid]}, 1)
    cost = query_cost(schema(), document, variables, operation_name)
    if cost.errors:
        errors = [
            {
                "type": error.type,
                "path": ["query"],
                "locations": [{"line": error.line, "column": error.column}],
                "message": error.message,
            }
            for error in cost.errors
        ]
        return _charged(call, {"errors": errors}, 1)
    budget = call.charge_graphql(cost.points)
    if budget is None:
        return json_response({"errors": [_RATE_LIMITED]})
    assert call.token is not None
    rate = {
        "cost": cost.points,
        "limit": budget.limit,
        "nodeCount": cost.node_count,
        "remaining": budget.remaining,
        "used": budget.used,
        "resetAt": datetime.fromtimestamp(budget.reset, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    ctx = GqlContext(call.world, call.links, call.token, rate)
    result = execute_sync(
        schema(),
        document,
        root_value=QueryRoot(ctx),
        context_value=ctx,
        variable_values=variables,
        operation_name=operation_name,
        field_resolver=resolve_field,
    )
    body: dict[str, Any] = {"data": result.data}
    errors = [_execution_error(error) for error in result.errors or []] + ctx.extra_errors
    if errors:
        body["errors"] = errors
    response = json_response(body)
    response.cost = cost.points
    return response
