"""Azure resources (as the service sends them) to evidence data, and subscription selection. Pure."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from fnmatch import fnmatchcase
from typing import Any

from collectors.shares import share
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
    if include and not _matches(names, include):
        return False
    return not _matches(names, exclude)


@dataclass(frozen=True)
class Group:
    """A management group in scope: its id (the name in its resource id), display name and parent's id."""

    group_id: str
    name: str
    parent: str | None


@dataclass(frozen=True)
class GroupTree:
    groups: tuple[Group, ...]  # the root first, then its descendants in the order listed
    subscriptions: dict[str, str]  # subscription id (lower case) -> its parent group's id, in the order listed


def group_tree(root: Group, descendants: Sequence[dict[str, Any]], include: Sequence[str], exclude: Sequence[str]) -> GroupTree:
    """The management groups below `root` that are subjects, and the subscriptions below them.

    A group matching `exclude` is left out with everything below it; `include` (if any) chooses
    which of the remaining groups are subjects, without pruning what is below them.
    """
    parents: dict[str, str | None] = {root.group_id.lower(): None}
    listed: list[tuple[Group, bool]] = []  # (group or subscription as a node, is a group)
    for item in descendants:
        parent = str(((_properties(item).get("parent") or {}).get("id")) or "").rstrip("/").rsplit("/", 1)[-1]
        node = Group(str(item.get("name") or ""), str(_properties(item).get("displayName") or item.get("name") or ""), parent)
        is_group = str(item.get("type") or "").lower() == "microsoft.management/managementgroups"
        if is_group:
            parents[node.group_id.lower()] = parent.lower()
        listed.append((node, is_group))
    names = {node.group_id.lower(): node.name for node, is_group in listed if is_group}
    names[root.group_id.lower()] = root.name

    def pruned(group_id: str) -> bool:
        seen: set[str] = set()
        current: str | None = group_id.lower()
        while current is not None and current not in seen:  # a cycle in a malformed answer ends the walk
            seen.add(current)
            if _matches((names.get(current, current), current), exclude):
                return True
            current = parents.get(current)
        return False

    groups = [
        node for node, is_group in [(root, True), *listed]
        if is_group and not pruned(node.group_id) and (not include or _matches((node.name, node.group_id), include))
    ]
    subscriptions = {
        node.group_id.lower(): node.parent or "" for node, is_group in listed if not is_group and not pruned(node.parent or "")
    }
    return GroupTree(tuple(groups), subscriptions)


def display_name(group: dict[str, Any]) -> str | None:
    """A management group's display name (ManagementGroups_Get)."""
    name = _properties(group).get("displayName")
    return str(name) if name else None


def _matches(names: Sequence[str], patterns: Sequence[str]) -> bool:
    return any(fnmatchcase(name, pattern) for name in names for pattern in patterns)


def definition_id(assignment: dict[str, Any]) -> str:
    return str(_properties(assignment).get("policyDefinitionId") or "")


def member_ids(definition: dict[str, Any]) -> list[str]:
    """The definitions an initiative groups; none for a plain definition."""
    return [str(member.get("policyDefinitionId") or "") for member in _properties(definition).get("policyDefinitions") or ()]


def policy_assignments(items: Sequence[dict[str, Any]], scope: str, definitions: Definitions) -> dict[str, Any]:
    """Counts, and the effects enforced assignments apply (an initiative once per distinct effect), at
    `scope` (a subscription's or management group's resource id)."""
    own_scope = scope.lower()
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
        # An inherited assignment's scope is a management group (or the tenant root) above the subject.
        "inherited": sum(1 for p in props if not str(p.get("scope") or own_scope).lower().startswith(own_scope)),
        "names": sorted(str(item.get("name") or "") for item in items)[:MAX_PATHS],
        "effects": dict(sorted(counted.items())),
        "unresolved": sum(1 for found in resolved if found is None),
        "enforced_deny": counted["deny"],
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


def role_assignments(items: Sequence[dict[str, Any]], scope: str) -> dict[str, Any]:
    own_scope = scope.lower()
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
        "group_share": share(by_type.get("Group", 0), people),
        "privileged_inherited": sum(1 for p in privileged if str(p.get("scope") or "").lower().rstrip("/") != own_scope),
    }


def policy_compliance(summary: dict[str, Any]) -> dict[str, Any]:
    """The latest compliance summary (PolicyStates_SummarizeForSubscription): resources by state,
    and the policies and assignments with non-compliant resources."""
    first: dict[str, Any] = next(iter(summary.get("value") or ()), {})
    results = first.get("results") or {}
    by_state = Counter[str]()
    for detail in results.get("resourceDetails") or ():
        by_state[str(detail.get("complianceState") or "unknown").lower()] += int(detail.get("count") or 0)
    return {
        "resources": sum(by_state.values()),
        "by_state": dict(sorted(by_state.items())),
        "noncompliant_resources": int(results.get("nonCompliantResources") or 0),
        "noncompliant_policies": int(results.get("nonCompliantPolicies") or 0),
        "assignments": len(first.get("policyAssignments") or ()),
        "noncompliant_assignments": sum(
            1 for item in first.get("policyAssignments") or () if int((item.get("results") or {}).get("nonCompliantResources") or 0)
        ),
    }


def policy_exemptions(items: Sequence[dict[str, Any]], now: datetime) -> dict[str, Any]:
    """Exemptions by category, and whether they expire (an exemption without expiry waives a policy for good)."""
    expiries = [_timestamp(_properties(item).get("expiresOn")) for item in items]
    return {
        "exemptions": len(items),
        "by_category": dict(sorted(Counter(str(_properties(item).get("exemptionCategory") or "Unknown") for item in items).items())),
        "expiring": sum(1 for expiry in expiries if expiry is not None),
        "expired": sum(1 for expiry in expiries if expiry is not None and expiry <= now),
        "never_expiring": sum(1 for expiry in expiries if expiry is None),
        "from_management_groups": sum(
            1 for item in items if str(item.get("id") or "").lower().startswith("/providers/microsoft.management/managementgroups/")
        ),
    }


def remediations(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Remediation tasks (deployIfNotExists / modify applied to existing resources) and what they did."""
    status = [_properties(item).get("deploymentStatus") or {} for item in items]
    return {
        "remediations": len(items),
        "by_state": dict(sorted(Counter(str(_properties(item).get("provisioningState") or "Unknown") for item in items).items())),
        "resources_remediated": sum(int(s.get("successfulDeployments") or 0) for s in status),
        "resources_failed": sum(int(s.get("failedDeployments") or 0) for s in status),
    }


_DESTINATIONS = (("workspaceId", "log_analytics"), ("storageAccountId", "storage"),
                 ("eventHubAuthorizationRuleId", "event_hub"), ("marketplacePartnerId", "partner"))


def activity_log_settings(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Where the subscription's activity log is exported, and which of its categories."""
    props = [_properties(item) for item in items]
    return {
        "settings": len(items),
        "destinations": sorted({name for p in props for key, name in _DESTINATIONS if p.get(key)}),
        "categories": sorted({
            str(log.get("category") or log.get("categoryGroup") or "")
            for p in props for log in p.get("logs") or () if log.get("enabled")
        }),
    }


def provenance_query(iac_tags: Sequence[str], owner_tags: Sequence[str], cost_center_tags: Sequence[str]) -> str:
    """The Resource Graph query giving each resource's id and subscription, and whether an IaC tag,
    an owner tag and a cost-centre tag are on it (one query serves provenance and tag coverage)."""
    def any_of(names: Sequence[str]) -> str:
        return " or ".join(f"isnotempty(tags['{name}'])" for name in names) or "false"

    return (f"resources | project id = tolower(id), subscriptionId = tolower(subscriptionId), iac = {any_of(iac_tags)}, "
            f"owner = {any_of(owner_tags)}, costCenter = {any_of(cost_center_tags)}"
            # Ordered, so that pages read by offset ($skip) neither repeat nor miss a row.
            " | order by id asc")


def tag_coverage(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """How many of a subscription's resources carry an owner tag and a cost-centre tag."""
    owner = sum(1 for row in rows if row.get("owner"))
    cost_center = sum(1 for row in rows if row.get("costCenter"))
    return {
        "resources": len(rows),
        "owner_tagged": owner,
        "cost_center_tagged": cost_center,
        "owner_share": share(owner, len(rows)),
        "cost_center_share": share(cost_center, len(rows)),
    }


# The resource groups of the subscriptions in scope, empty ones included (deployments and stacks are listed per group).
RESOURCE_GROUPS_QUERY = (
    "resourcecontainers | where type =~ 'microsoft.resources/subscriptions/resourcegroups'"
    " | project name, subscriptionId = tolower(subscriptionId) | order by subscriptionId asc, name asc"
)


def resource_provenance(
    rows: Sequence[dict[str, Any]], deployments: Sequence[dict[str, Any]], stacks: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """How many of a subscription's resources can be traced to how they were made: an IaC tag, a
    deployment's output (from a template spec or not), a deployment stack managing them."""
    deployed = _output_ids(deployments)
    from_specs = _output_ids([d for d in deployments if _from_template_spec(d)])
    managed = {
        str(resource.get("id") or "").lower()
        for stack in stacks for resource in _properties(stack).get("resources") or ()
        if str(resource.get("status") or "managed").lower() == "managed"
    }
    ids = [(str(row.get("id") or "").lower(), bool(row.get("iac"))) for row in rows]
    traceable = sum(1 for rid, iac in ids if iac or rid in deployed or rid in managed)
    return {
        "resources": len(ids),
        "traceable": traceable,
        "traceable_share": share(traceable, len(ids)),
        "iac_tagged": sum(1 for _rid, iac in ids if iac),
        "deployed": sum(1 for rid, _iac in ids if rid in deployed),
        "from_template_specs": sum(1 for rid, _iac in ids if rid in from_specs),
        "stack_managed": sum(1 for rid, _iac in ids if rid in managed),
    }


# Resource types that show how a subscription is watched, and the field of cloud.monitoring each counts into.
MONITORING_TYPES: dict[str, str] = {
    "microsoft.insights/metricalerts": "metric_alerts",
    "microsoft.insights/scheduledqueryrules": "log_alerts",
    "microsoft.insights/activitylogalerts": "activity_log_alerts",
    "microsoft.insights/actiongroups": "action_groups",
    "microsoft.insights/workbooks": "workbooks",
    "microsoft.portal/dashboards": "dashboards",
    "microsoft.dashboard/grafana": "grafana",
    "microsoft.insights/components": "app_insights",
    "microsoft.insights/webtests": "availability_tests",
}
MONITORING_QUERY = (
    "resources | where type in~ (" + ", ".join(f"'{t}'" for t in MONITORING_TYPES) + ")"
    " | extend dynamic = tolower(type) == 'microsoft.insights/metricalerts'"
    " and tostring(properties.criteria) contains 'DynamicThresholdCriterion'"
    " | summarize count = count(), dynamic = countif(dynamic) by subscriptionId = tolower(subscriptionId), type = tolower(type)"
    " | order by subscriptionId asc, type asc"
)


def monitoring(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Counts per monitoring resource type (rows of MONITORING_QUERY for one subscription)."""
    counts = dict.fromkeys(MONITORING_TYPES.values(), 0)
    dynamic = 0
    for row in rows:
        field = MONITORING_TYPES.get(str(row.get("type") or "").lower())
        if field is not None:
            counts[field] += int(row.get("count") or 0)
            dynamic += int(row.get("dynamic") or 0)
    return {**counts, "dynamic_threshold_alerts": dynamic}


_AUTOMATED_CALLERS = frozenset(("application", "managedidentity"))  # service principals, workload and managed identities


def deployment_history(items: Sequence[dict[str, Any]], now: datetime, window_days: int, resource_groups: int | None) -> dict[str, Any]:
    """Deployments of the window by who ran them last: a person (User) or an identity (Application, ManagedIdentity);
    `resource_groups`: how many resource groups' deployments `items` holds besides the subscription's (None: not read)."""
    since = now - timedelta(days=window_days)
    recent = [item for item in items if (when := _timestamp(_properties(item).get("timestamp"))) is not None and when >= since]
    callers = [str(_last_modified_by_type(item) or "Unknown") for item in recent]
    states = Counter(str(_properties(item).get("provisioningState") or "Unknown") for item in recent)
    return {
        "window_days": window_days,
        "deployments": len(recent),
        "by_caller_type": dict(sorted(Counter(callers).items())),
        "automated": sum(1 for caller in callers if caller.lower() in _AUTOMATED_CALLERS),
        "succeeded": states["Succeeded"],
        "failed": states["Failed"],
        "from_template_specs": sum(1 for item in recent if _from_template_spec(item)),
        "resource_groups": resource_groups,
    }


def self_service(stacks: Sequence[dict[str, Any]], template_specs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """What the platform offers to deploy from: template specs, and deployment stacks (with deny settings)."""
    modes = [str((_properties(stack).get("denySettings") or {}).get("mode") or "none").lower() for stack in stacks]
    return {
        "template_specs": len(template_specs),
        "deployment_stacks": len(stacks),
        "stacks_with_deny": sum(1 for mode in modes if mode != "none"),
    }


def autoscale(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {"settings": len(items), "enabled": sum(1 for item in items if _properties(item).get("enabled", True))}


def _output_ids(deployments: Sequence[dict[str, Any]]) -> set[str]:
    return {
        str(resource.get("id") or "").lower()
        for deployment in deployments for resource in _properties(deployment).get("outputResources") or ()
    }


def _from_template_spec(deployment: dict[str, Any]) -> bool:
    link = _properties(deployment).get("templateLink") or {}
    return "/providers/microsoft.resources/templatespecs/" in str(link.get("id") or "").lower()


def _last_modified_by_type(item: dict[str, Any]) -> Any:
    system = item.get("systemData") or {}
    return system.get("lastModifiedByType") or system.get("createdByType")


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def locks(items: Sequence[dict[str, Any]], scope: str) -> dict[str, Any]:
    own_lock = f"{scope}/providers/microsoft.authorization/locks/".lower()
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
    """The subject's own scope, a management group (a subscription's are all above it; a group's are
    listed at and above it only) or the root; not a resource group below a subscription."""
    scope = scope.lower().rstrip("/")
    return scope == own_scope or scope in ("", "/") or scope.startswith("/providers/microsoft.management/managementgroups/")


def _by_principal_type(props: Sequence[dict[str, Any]]) -> dict[str, int]:
    return dict(sorted(Counter(str(p.get("principalType") or "Unknown") for p in props).items()))
