"""Azure resources (as the service sends them) to evidence data, and subscription selection. Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from fnmatch import fnmatchcase
from typing import Any

from scanner.kinds import MAX_PATHS

# Built-in role definition ids, the same in every tenant.
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
USER_ACCESS_ADMINISTRATOR = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
_PRIVILEGED = frozenset((OWNER, USER_ACCESS_ADMINISTRATOR))


def selected(subscription: dict[str, Any], include: Sequence[str], exclude: Sequence[str]) -> bool:
    """Whether a listed subscription is in scope: its name or id matches include (if any), not exclude."""
    names = (str(subscription.get("displayName") or ""), str(subscription.get("subscriptionId") or ""))
    if include and not any(fnmatchcase(name, pattern) for name in names for pattern in include):
        return False
    return not any(fnmatchcase(name, pattern) for name in names for pattern in exclude)


def policy_assignments(items: Sequence[dict[str, Any]], subscription_id: str) -> dict[str, Any]:
    own_scope = f"/subscriptions/{subscription_id}".lower()
    props = [_properties(item) for item in items]
    return {
        "assignments": len(items),
        "enforced": sum(1 for p in props if str(p.get("enforcementMode") or "Default") == "Default"),
        "initiatives": sum(1 for p in props if "/policysetdefinitions/" in str(p.get("policyDefinitionId") or "").lower()),
        # An inherited assignment's scope is a management group (or the tenant root) above us.
        "inherited": sum(1 for p in props if not str(p.get("scope") or own_scope).lower().startswith(own_scope)),
        "names": sorted(str(item.get("name") or "") for item in items)[:MAX_PATHS],
    }


def role_assignments(items: Sequence[dict[str, Any]], subscription_id: str) -> dict[str, Any]:
    own_scope = f"/subscriptions/{subscription_id}".lower()
    props = [_properties(item) for item in items]
    privileged = [
        p
        for p in props
        if _role_guid(p) in _PRIVILEGED and _at_or_above(str(p.get("scope") or ""), own_scope)
    ]
    return {
        "assignments": len(items),
        "by_principal_type": _by_principal_type(props),
        "privileged": len(privileged),
        "privileged_by_principal_type": _by_principal_type(privileged),
    }


def budgets(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    alerts = [[n for n in (_properties(item).get("notifications") or {}).values() if n.get("enabled")] for item in items]
    return {
        "budgets": len(items),
        "with_notifications": sum(1 for enabled in alerts if enabled),
        "with_forecast_notifications": sum(
            1 for enabled in alerts if any(str(n.get("thresholdType")) == "Forecasted" for n in enabled)
        ),
    }


def _properties(item: dict[str, Any]) -> dict[str, Any]:
    properties = item.get("properties")
    return properties if isinstance(properties, dict) else {}


def _role_guid(properties: dict[str, Any]) -> str:
    return str(properties.get("roleDefinitionId") or "").rstrip("/").rsplit("/", 1)[-1].lower()


def _at_or_above(scope: str, own_scope: str) -> bool:
    """The subscription itself, a management group or the root; not a resource group below it."""
    scope = scope.lower().rstrip("/")
    return scope == own_scope or scope in ("", "/") or scope.startswith("/providers/microsoft.management/managementgroups/")


def _by_principal_type(props: Sequence[dict[str, Any]]) -> dict[str, int]:
    return dict(sorted(Counter(str(p.get("principalType") or "Unknown") for p in props).items()))
