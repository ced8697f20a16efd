"""Azure resources (as the service sends them) to evidence data, and subscription selection. Pure."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

from scanner.kinds import MAX_PATHS

# Built-in role definition ids, the same in every tenant.
OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
USER_ACCESS_ADMINISTRATOR = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
_PRIVILEGED = frozenset((OWNER, USER_ACCESS_ADMINISTRATOR))
_PARAMETER = re.compile(r"^\[parameters\('([^']+)'\)\]$", re.IGNORECASE)

#: policy (set) definition id, lower case -> the definition, or None where it could not be read
Definitions = Mapping[str, "dict[str, Any] | None"]


def selected(subscription: dict[str, Any], include: Sequence[str], exclude: Sequence[str]) -> bool:
    """Whether a listed subscription is in scope: its name or id matches include (if any), not exclude."""
    names = (str(subscription.get("displayName") or ""), str(subscription.get("subscriptionId") or ""))
    if include and not any(fnmatchcase(name, pattern) for name in names for pattern in include):
        return False
    return not any(fnmatchcase(name, pattern) for name in names for pattern in exclude)


def subscriptions_below(descendants: Sequence[dict[str, Any]]) -> list[str]:
    """Subscription ids (lower case) among a management group's descendants."""
    return [
        str(item.get("name") or "").lower()
        for item in descendants
        if str(item.get("type") or "").lower() == "microsoft.management/managementgroups/subscriptions"
    ]


def definition_id(assignment: dict[str, Any]) -> str:
    return str(_properties(assignment).get("policyDefinitionId") or "")


def member_ids(definition: dict[str, Any]) -> list[str]:
    """The definitions an initiative groups; none for a plain definition."""
    return [str(member.get("policyDefinitionId") or "") for member in _properties(definition).get("policyDefinitions") or ()]


def policy_assignments(items: Sequence[dict[str, Any]], subscription_id: str, definitions: Definitions) -> dict[str, Any]:
    """Counts, and the effects enforced assignments apply (an initiative once per distinct effect)."""
    own_scope = f"/subscriptions/{subscription_id}".lower()
    props = [_properties(item) for item in items]
    # Absent, the mode is the service's default, which enforces; DoNotEnforce only audits.
    enforced = [str(p.get("enforcementMode") or "Default") == "Default" for p in props]
    resolved = [effects(item, definitions) for item in items]
    counted: Counter[str] = Counter()
    for is_enforced, found in zip(enforced, resolved):
        if is_enforced and found is not None:
            counted.update(found)
    return {
        "assignments": len(items),
        "enforced": sum(enforced),
        "initiatives": sum(1 for p in props if "/policysetdefinitions/" in str(p.get("policyDefinitionId") or "").lower()),
        # An inherited assignment's scope is a management group (or the tenant root) above us.
        "inherited": sum(1 for p in props if not str(p.get("scope") or own_scope).lower().startswith(own_scope)),
        "names": sorted(str(item.get("name") or "") for item in items)[:MAX_PATHS],
        "effects": dict(sorted(counted.items())),
        "unresolved": sum(1 for found in resolved if found is None),
    }


def effects(assignment: dict[str, Any], definitions: Definitions) -> set[str] | None:
    """The effects (lower case) an assignment applies, its parameters resolved; None when a definition is unknown."""
    definition = definitions.get(definition_id(assignment).lower())
    if definition is None:
        return None
    values = _values(_properties(assignment).get("parameters"), {})
    members = _properties(definition).get("policyDefinitions")
    if members is None:
        return {_effect(definition, values)}
    initiative = {**_defaults(definition), **values}
    found: set[str] = set()
    for member in members:
        member_definition = definitions.get(str(member.get("policyDefinitionId") or "").lower())
        if member_definition is None:
            return None
        found.add(_effect(member_definition, _values(member.get("parameters"), initiative)))
    return found


def role_assignments(items: Sequence[dict[str, Any]], subscription_id: str) -> dict[str, Any]:
    own_scope = f"/subscriptions/{subscription_id}".lower()
    props = [_properties(item) for item in items]
    privileged = [
        p
        for p in props
        if _role_guid(p) in _PRIVILEGED and _at_or_above(str(p.get("scope") or ""), own_scope)
    ]
    by_type = _by_principal_type(props)
    people = by_type.get("User", 0) + by_type.get("Group", 0)
    return {
        "assignments": len(items),
        "by_principal_type": by_type,
        "privileged": len(privileged),
        "privileged_by_principal_type": _by_principal_type(privileged),
        "privileged_users": sum(1 for p in privileged if str(p.get("principalType") or "") == "User"),
        "group_share": round(by_type.get("Group", 0) / people, 4) if people else None,
    }


def locks(items: Sequence[dict[str, Any]], subscription_id: str) -> dict[str, Any]:
    own_lock = f"/subscriptions/{subscription_id}/providers/microsoft.authorization/locks/"
    return {
        "locks": len(items),
        "by_level": dict(sorted(Counter(str(_properties(item).get("level") or "Unknown") for item in items).items())),
        "on_subscription": sum(1 for item in items if str(item.get("id") or "").lower().startswith(own_lock)),
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


def _effect(definition: dict[str, Any], values: dict[str, Any]) -> str:
    rule = _properties(definition).get("policyRule") or {}
    effect = (rule.get("then") or {}).get("effect") if isinstance(rule, dict) else None
    return str(_resolved(effect, {**_defaults(definition), **values}) or "unknown").lower()


def _defaults(definition: dict[str, Any]) -> dict[str, Any]:
    declared = _properties(definition).get("parameters") or {}
    return {name: spec.get("defaultValue") for name, spec in declared.items() if isinstance(spec, dict)}


def _values(parameters: Any, outer: dict[str, Any]) -> dict[str, Any]:
    """{name: {"value": v}} as assignments and initiative members give them, references into `outer` resolved."""
    if not isinstance(parameters, dict):
        return {}
    return {name: _resolved(spec.get("value"), outer) for name, spec in parameters.items() if isinstance(spec, dict)}


def _resolved(value: Any, parameters: dict[str, Any]) -> Any:
    """"[parameters('effect')]" -> the parameter's value; anything else as it is."""
    reference = _PARAMETER.match(value) if isinstance(value, str) else None
    return parameters.get(reference.group(1)) if reference else value


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
