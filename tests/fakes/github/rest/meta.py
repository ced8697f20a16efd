"""`GET /rate_limit`: the caller's budgets, which GitHub does not charge for."""

from __future__ import annotations

from typing import Any

from ..context import Call
from ..exchange import Response, json_response
from ..ratelimit import Budget


def _resource(budget: Budget) -> dict[str, Any]:
    return {"limit": budget.limit, "used": budget.used, "remaining": budget.remaining, "reset": budget.reset}


def rate_limit(call: Call) -> Response:
    reset = int(call.clock.time()) + 60
    core = _resource(call.budgets["core"])
    resources = {
        "core": core,
        "graphql": _resource(call.budgets["graphql"]),
        "search": {"limit": 30, "used": 0, "remaining": 30, "reset": reset},
        "code_search": {"limit": 10, "used": 0, "remaining": 10, "reset": reset},
    }
    return json_response({"resources": resources, "rate": core})
