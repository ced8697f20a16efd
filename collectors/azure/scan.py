"""One Azure scan: list the management groups and subscriptions in scope, then per subject one list per evidence kind.

A refused list makes that kind of that subscription unavailable, naming the built-in role that
would let pecm read it; the other kinds and subscriptions go on. A listing that fails says so
through `ctx.cut_short`, so subscriptions pecm never saw count as unknown, not as absent.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from collectors.azure import mapping
from collectors.azure.client import ArmClient, CredentialRefused, Refused, group_scope
from collectors.azure.config import AzureConfig
from collectors.azure.credentials import credential_for
from scanner.contract import CollectContext
from scanner.errors import SourceUnavailable, UserError
from scanner.model import Evidence, Subject

READER = "Reader"
COST_READER = "Cost Management Reader"
_INACTIVE_STATES = frozenset(("Disabled", "Deleted"))  # nothing runs there; their evidence would mislead
# Answers that mean the service offers no such thing for this subscription (its offer type, the
# resource provider never registered, no Entra ID P2 licence for PIM), as opposed to a refusal.
_UNSUPPORTED_CODES = frozenset(("MissingSubscriptionRegistration", "SubscriptionNotRegistered", "NotSupported",
                                "UnsupportedSubscriptionType", "SubscriptionTypeNotSupported", "AadPremiumLicenseRequired"))


@dataclass(frozen=True)
class _Kind:
    name: str
    what: str  # for messages: "policy assignments"
    role: str  # the least built-in role that can read it
    resource_path: str


SUBSCRIPTION_KINDS: tuple[_Kind, ...] = (
    _Kind("cloud.policy_assignments", "policy assignments", READER, "providers/Microsoft.Authorization/policyAssignments"),
    _Kind("cloud.role_assignments", "role assignments", READER, "providers/Microsoft.Authorization/roleAssignments"),
    _Kind("cloud.role_eligibility", "role eligibilities (PIM)", READER,
          "providers/Microsoft.Authorization/roleEligibilityScheduleInstances"),
    _Kind("cloud.locks", "resource locks", READER, "providers/Microsoft.Authorization/locks"),
    _Kind("cost.budgets", "budgets", COST_READER, "providers/Microsoft.Consumption/budgets"),
    _Kind("cloud.policy_compliance", "policy compliance summary", READER,
          "providers/Microsoft.PolicyInsights/policyStates/latest/summarize"),
    _Kind("cloud.policy_exemptions", "policy exemptions", READER, "providers/Microsoft.Authorization/policyExemptions"),
    _Kind("cloud.policy_remediations", "policy remediation tasks", READER, "providers/Microsoft.PolicyInsights/remediations"),
    _Kind("cloud.activity_log_export", "activity log's diagnostic settings", READER,
          "providers/Microsoft.Insights/diagnosticSettings"),
    _Kind("cloud.resource_provenance", "resources and their deployments", READER, "providers/Microsoft.Resources/deployments"),
    _Kind("cloud.deployments", "deployments", READER, "providers/Microsoft.Resources/deployments"),
    _Kind("cloud.self_service", "template specs and deployment stacks", READER,
          "providers/Microsoft.Resources/deploymentStacks"),
    _Kind("cloud.autoscale", "autoscale settings", READER, "providers/Microsoft.Insights/autoscalesettings"),
    _Kind("cloud.monitoring", "alert rules, action groups, dashboards and Application Insights", READER,
          "providers/Microsoft.ResourceGraph/resources"),
)
GROUP_KINDS: tuple[_Kind, ...] = (
    _Kind("cloud.group_policy_assignments", "policy assignments", READER, "providers/Microsoft.Authorization/policyAssignments"),
    _Kind("cloud.group_role_assignments", "role assignments", READER, "providers/Microsoft.Authorization/roleAssignments"),
)
KINDS = SUBSCRIPTION_KINDS + GROUP_KINDS


@dataclass(frozen=True)
class _Target:
    """One subject to read: a subscription or a management group."""

    subject: Subject
    key: str  # the subscription id, or the management group id
    scope: str  # its resource id
    kinds: tuple[_Kind, ...]

    @property
    def is_group(self) -> bool:
        return self.subject.kind == "management_group"


class _Reader:
    """Reads and maps each kind; policy definitions are read once per scan (most are built in,
    the same for every subscription)."""

    def __init__(self, client: ArmClient, config: AzureConfig, now: datetime, subscription_ids: list[str]) -> None:
        self._client = client
        self._subscription_ids = subscription_ids
        self._graph: dict[str, dict[str, list[dict[str, Any]]] | Refused] = {}  # query -> rows by subscription
        self._graph_lock = threading.Lock()
        self._lists: dict[tuple[str, str], list[dict[str, Any]]] = {}  # lists two kinds of a subscription share
        self._definitions: dict[str, dict[str, Any] | None] = {}
        self._definitions_lock = threading.Lock()  # workers share them: each is read once
        self._reads: dict[str, Callable[[_Target], dict[str, Any]]] = {
            "cloud.policy_assignments": lambda t: self._policy(client.policy_assignments(t.key), t),
            "cloud.group_policy_assignments": lambda t: self._policy(client.group_policy_assignments(t.key), t),
            "cloud.role_assignments": lambda t: mapping.role_assignments(client.role_assignments(t.key), t.scope),
            "cloud.group_role_assignments": lambda t: mapping.role_assignments(client.group_role_assignments(t.key), t.scope),
            "cloud.role_eligibility": lambda t: mapping.role_assignments(client.role_eligibility(t.key), t.scope),
            "cloud.locks": lambda t: mapping.locks(client.locks(t.key), t.scope),
            "cost.budgets": lambda t: mapping.budgets(client.budgets(t.key)),
            "cloud.policy_compliance": lambda t: mapping.policy_compliance(client.policy_compliance(t.key)),
            "cloud.policy_exemptions": lambda t: mapping.policy_exemptions(client.policy_exemptions(t.key), now),
            "cloud.policy_remediations": lambda t: mapping.remediations(client.remediations(t.key)),
            "cloud.activity_log_export": lambda t: mapping.activity_log_settings(client.activity_log_settings(t.key)),
            "cloud.resource_provenance": lambda t: mapping.resource_provenance(
                self._graph_rows(t.key, mapping.provenance_query(config.iac_tags)),
                self._shared("deployments", t.key), self._shared("stacks", t.key),
            ),
            "cloud.monitoring": lambda t: mapping.monitoring(self._graph_rows(t.key, mapping.MONITORING_QUERY)),
            "cloud.deployments": lambda t: mapping.deployment_history(self._shared("deployments", t.key), now, config.window_days),
            "cloud.self_service": lambda t: mapping.self_service(self._shared("stacks", t.key), client.template_specs(t.key)),
            "cloud.autoscale": lambda t: mapping.autoscale(client.autoscale_settings(t.key)),
        }

    def data(self, kind: str, target: _Target) -> dict[str, Any]:
        return self._reads[kind](target)

    def _shared(self, what: str, subscription_id: str) -> list[dict[str, Any]]:
        """Deployments or stacks, read once for the kinds that use them (one worker reads a subscription)."""
        key = (what, subscription_id)
        if key not in self._lists:
            read = self._client.deployments if what == "deployments" else self._client.deployment_stacks
            self._lists[key] = read(subscription_id)
        return self._lists[key]

    def _graph_rows(self, subscription_id: str, query: str) -> list[dict[str, Any]]:
        """The subscription's rows of a Resource Graph query over every subscription in scope, run once, on first need."""
        with self._graph_lock:
            if query not in self._graph:
                try:
                    rows = self._client.resource_graph(query, self._subscription_ids)
                except Refused as exc:  # said once, for every subscription
                    self._graph[query] = exc
                else:
                    grouped: dict[str, list[dict[str, Any]]] = {}
                    for row in rows:
                        grouped.setdefault(str(row.get("subscriptionId") or "").lower(), []).append(row)
                    self._graph[query] = grouped
            found = self._graph[query]
            if isinstance(found, Refused):  # a new exception each time: workers raise it at once
                raise Refused(found.status, found.code, found.message)
            return found.get(subscription_id, [])

    def _policy(self, assignments: list[dict[str, Any]], target: _Target) -> dict[str, Any]:
        subscription_id = "" if target.is_group else target.key
        wanted = [mapping.definition_id(item) for item in assignments]
        self._read_definitions(wanted, subscription_id)
        members = [m for d in wanted if (found := self._definitions.get(d.lower())) for m in mapping.member_ids(found)]
        self._read_definitions(members, subscription_id)
        return mapping.policy_assignments(assignments, target.scope, self._definitions)

    def _read_definitions(self, ids: list[str], subscription_id: str) -> None:
        with self._definitions_lock:
            for definition_id in ids:
                if definition_id.lower() in self._definitions:
                    continue
                try:
                    found: dict[str, Any] | None = self._client.policy_definition(definition_id, subscription_id)
                except Refused:  # deleted or unreadable: the assignment's effects stay unknown (`unresolved`)
                    found = None
                self._definitions[definition_id.lower()] = found


def scan_azure(ctx: CollectContext, config: AzureConfig) -> Iterator[Subject | Evidence]:
    client = ArmClient(ctx, config, credential_for(ctx, config))
    try:
        yield from _scan_with(ctx, config, client)
    finally:
        client.close()


def _scan_with(ctx: CollectContext, config: AzureConfig, client: ArmClient) -> Iterator[Subject | Evidence]:
    targets = [target for target in _targets(ctx, config, client) if ctx.includes(target.subject.id)]
    reader = _Reader(client, config, ctx.clock(), [t.key for t in targets if not t.is_group])
    # Subjects are read by a pool of workers, a bounded number ahead, and yielded in order.
    workers = max(1, ctx.limits.max_workers)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pecm-azure")
    try:
        ahead: deque[tuple[Subject, Future[list[Evidence]]]] = deque()
        pending = iter(targets)
        while True:
            while len(ahead) < 2 * workers and (following := next(pending, None)) is not None:
                ahead.append((following.subject, pool.submit(_all_evidence, ctx, reader, config, following)))
            if not ahead:
                break
            subject, evidence = ahead.popleft()
            yield subject
            yield from evidence.result()
            ctx.progress(subject.id)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _targets(ctx: CollectContext, config: AzureConfig, client: ArmClient) -> list[_Target]:
    """The management groups in scope (the root first), then the subscriptions."""
    tree = _group_tree(ctx, config, client)
    groups = [
        _Target(
            Subject(id=group_subject_id(g.group_id), kind="management_group", name=g.name, source=ctx.collector,
                    parent=group_subject_id(g.parent) if g.parent else None,
                    url=f"https://portal.azure.com/#resource{group_scope(g.group_id)}/overview"),
            g.group_id, group_scope(g.group_id), GROUP_KINDS,
        )
        for g in (tree.groups if tree is not None else ())
    ]
    parents = tree.subscriptions if tree is not None else {}
    subscriptions = [
        _Target(
            Subject(id=f"azure:{subscription_id}", kind="subscription", name=name, source=ctx.collector,
                    parent=group_subject_id(parents[subscription_id]) if parents.get(subscription_id) else None,
                    url=f"https://portal.azure.com/#resource/subscriptions/{subscription_id}/overview"),
            subscription_id, f"/subscriptions/{subscription_id}", SUBSCRIPTION_KINDS,
        )
        for subscription_id, name in _subscriptions(ctx, config, client, list(parents))
    ]
    return groups + subscriptions


def group_subject_id(group_id: str) -> str:
    return f"azure:managementGroups/{group_id}"


def _all_evidence(ctx: CollectContext, reader: _Reader, config: AzureConfig, target: _Target) -> list[Evidence]:
    return [_evidence(ctx, reader, config, kind, target) for kind in target.kinds]


def _subscriptions(ctx: CollectContext, config: AzureConfig, client: ArmClient, below_group: list[str]) -> list[tuple[str, str]]:
    """(id, display name) of every subscription in scope."""
    try:
        listed = client.subscriptions()
    except CredentialRefused as exc:
        raise SourceUnavailable(
            f"azure: no token for Azure Resource Manager ({exc})",
            hint="check the authentication setting and its identity (az login, AZURE_* variables, managed identity)",
        ) from None
    except Refused as exc:
        if not config.subscriptions:
            server_side = exc.status is None or exc.status >= 500  # no permission would help: it may pass
            raise SourceUnavailable(
                f"azure: cannot list subscriptions ({exc})",
                hint="scan again later" if server_side else f"grant {READER} at the root management group",
            ) from None
        ctx.problem(f"azure: cannot list subscriptions ({exc}); scanning the configured ids as they are",
                    hint=f"grant {READER} on the subscriptions to see their names")
        return [(s, s) for s in config.subscriptions]
    visible = {str(item.get("subscriptionId") or "").lower(): item for item in listed}
    if not config.subscriptions and config.management_group is None:
        chosen = sorted(visible.values(), key=lambda item: str(item.get("displayName") or ""))
    else:
        wanted = list(dict.fromkeys([*config.subscriptions, *below_group]))
        missing = [s for s in wanted if s not in visible]
        if len(missing) == len(wanted):
            named = f"subscriptions ({', '.join(missing)})" if missing else f"management group {config.management_group}'s subscriptions"
            raise UserError(
                f"azure: none of the configured {named} exists or is readable by this identity",
                hint=f"check the ids and that the identity holds {READER} on them",
            )
        if missing:
            reason = f"subscription {', '.join(missing)} does not exist or is not readable by this identity"
            ctx.problem(f"azure: {reason}", hint=f"check the id, or grant {READER} on it")
            ctx.cut_short("subscription", reason)
        chosen = [visible[s] for s in wanted if s in visible]
    chosen = [
        item for item in chosen
        if item.get("state") not in _INACTIVE_STATES and mapping.selected(item, config.include, config.exclude)
    ]
    return [(str(item["subscriptionId"]).lower(), str(item.get("displayName") or item["subscriptionId"])) for item in chosen]


def _group_tree(ctx: CollectContext, config: AzureConfig, client: ArmClient) -> mapping.GroupTree | None:
    """The configured management group, the groups below it and their subscriptions, at any depth;
    None when no group is configured or it could not be read (with subscriptions configured as well)."""
    group = config.management_group
    if group is None:
        return None
    try:
        descendants = client.management_group_descendants(group)
    except (Refused, CredentialRefused) as exc:
        reason = f"management group {group} could not be read ({exc})"
        hint = f"grant {READER} on management group {group}, or check its id"
        if not config.subscriptions:
            raise SourceUnavailable(f"azure: {reason}", hint=hint) from None
        ctx.problem(f"azure: {reason}; scanning the configured subscriptions", hint=hint)
        ctx.cut_short("subscription", reason)
        ctx.cut_short("management_group", reason)
        return None
    try:
        name = mapping.display_name(client.management_group(group)) or group
    except (Refused, CredentialRefused):  # its descendants were readable: only its display name is missing
        name = group
    return mapping.group_tree(mapping.Group(group, name, None), descendants, config.include_groups, config.exclude_groups)


def _evidence(ctx: CollectContext, reader: _Reader, config: AzureConfig, kind: _Kind, target: _Target) -> Evidence:
    subject = target.subject
    try:
        data = reader.data(kind.name, target)
    except CredentialRefused as exc:
        return ctx.unavailable(kind.name, subject, f"no token for Azure Resource Manager ({exc})")
    except Refused as exc:
        if exc.code in _UNSUPPORTED_CODES:
            return ctx.unsupported(kind.name, subject, f"this {_what(target)} offers no {kind.what} ({exc.code})")
        return ctx.unavailable(kind.name, subject, _refusal_reason(kind, target, exc))
    return ctx.observed(kind.name, subject, data, (f"{config.arm_url}{target.scope}/{kind.resource_path}",))


def _what(target: _Target) -> str:
    return "management group" if target.is_group else "subscription"


def _refusal_reason(kind: _Kind, target: _Target, refused: Refused) -> str:
    if refused.status == 403:
        return f"Azure refused to list the {kind.what} ({refused.code}): grant {kind.role} on the {_what(target)}"
    if refused.status == 404:
        return f"the {_what(target)} was not found when listing its {kind.what} ({refused.code})"
    if refused.status == 429:
        return f"the {kind.what} were not read: {refused.message}; scan again later"
    return f"the {kind.what} could not be read ({refused}); scan again later"
