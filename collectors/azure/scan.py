"""One Azure scan: find the management group and subscriptions in scope (the base's
`find_targets`), then examine each subject, one list per evidence kind, in the base's worker pool.

A refused list makes that kind of that subject unavailable, naming the built-in role that would
let pecm read it (`gaps.py`), the other kinds and subjects go on, and each reason is reported once
with the number of subjects it cost (`Findings`). A target that cannot be found says so through
`ctx.cut_short`, so subscriptions pecm never saw count as unknown, not as absent.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from collectors.azure import mapping
from collectors.azure.client import ArmClient, CredentialRefused, Refused, group_scope
from collectors.azure.config import AzureConfig
from collectors.azure.credentials import credential_for
from collectors.azure.gaps import COST_READER, READER, refusal_gap
from collectors.base import Findings, Found, Gap, WorkerPool, find_targets
from scanner.contract import CollectContext
from scanner.errors import SourceUnavailable
from scanner.model import Evidence, Subject

_INACTIVE_STATES = frozenset(("Disabled", "Deleted"))  # nothing runs there; their evidence would mislead
GAP_HINT = "grant the role named to see it; the rest was scanned"
RATE_HINT = "scan again later, or raise max_rate_limit_wait_seconds"


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
    _Kind("cost.tag_coverage", "resources and their tags", READER, "providers/Microsoft.ResourceGraph/resources"),
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
    _Kind("cloud.group_policy_remediations", "policy remediation tasks", READER, "providers/Microsoft.PolicyInsights/remediations"),
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
        resources_query = mapping.provenance_query(config.iac_tags, config.owner_tags, config.cost_center_tags)
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
            "cloud.group_policy_remediations": lambda t: mapping.remediations(client.group_remediations(t.key)),
            "cloud.activity_log_export": lambda t: mapping.activity_log_settings(client.activity_log_settings(t.key)),
            "cloud.resource_provenance": lambda t: mapping.resource_provenance(
                self._graph_rows(t.key, resources_query),
                self._shared("deployments", t.key), self._shared("stacks", t.key),
            ),
            "cost.tag_coverage": lambda t: mapping.tag_coverage(self._graph_rows(t.key, resources_query)),
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
    findings = Findings(ctx, "azure", others="subscriptions and management groups")

    def failed(target: _Target, exc: Exception) -> list[Found]:
        """An answer of a shape pecm did not expect costs that subject, not the scan."""
        return [Gap(f"unexpected answer from Azure: {type(exc).__name__}: {exc}", failure=True)] * len(target.kinds)

    with WorkerPool(ctx.limits.max_workers, "pecm-azure") as pool:
        for target, found in pool.in_order(targets, lambda target: _examine(reader, target), failed):
            subject = target.subject
            yield subject
            for kind, finding in zip(target.kinds, found):
                locator = f"{config.arm_url}{target.scope}/{kind.resource_path}"
                yield findings.record(kind.name, subject, finding, (locator,), what=kind.what)
            findings.end_subject(subject)
    findings.report_gaps(GAP_HINT, RATE_HINT)


def _examine(reader: _Reader, target: _Target) -> list[Found]:
    """Each kind of the subject: its data, or why there is none (in a worker)."""
    return [_found(reader, kind, target) for kind in target.kinds]


def _found(reader: _Reader, kind: _Kind, target: _Target) -> Found:
    try:
        return reader.data(kind.name, target)
    except CredentialRefused as exc:
        return Gap(f"no token for Azure Resource Manager ({exc})")
    except Refused as exc:
        return refusal_gap(exc, kind.what, kind.role, _what(target))


def _what(target: _Target) -> str:
    return "management group" if target.is_group else "subscription"


@dataclass(frozen=True)
class _Wanted:
    """A target named in the settings: the management group, or a subscription (configured or below the group)."""

    kind: str  # "management group" or "subscription"
    key: str

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


def _targets(ctx: CollectContext, config: AzureConfig, client: ArmClient) -> list[_Target]:
    """The management groups in scope (the root first), then the subscriptions."""
    visible = _visible_subscriptions(ctx, config, client)
    if config.management_group is None and not config.subscriptions:
        assert visible is not None  # without ids to fall back on, a failed listing ended the source
        listed = sorted(visible.values(), key=lambda item: str(item.get("displayName") or ""))
        return [_subscription_target(ctx, item, None) for item in listed if _chosen(item, config)]
    trees: list[mapping.GroupTree] = []

    def wanted() -> Iterator[_Wanted]:
        """Read lazily: the subscriptions below the group are known once it has been found."""
        if config.management_group is not None:
            yield _Wanted("management group", config.management_group)
        below = trees[0].subscriptions if trees else {}
        for subscription_id in dict.fromkeys([*config.subscriptions, *below]):
            yield _Wanted("subscription", subscription_id)

    def find(target: _Wanted) -> list[_Target] | Gap:
        if target.kind == "management group":
            tree = _group_tree(client, config, target.key)
            if isinstance(tree, Gap):
                return tree
            trees.append(tree)
            return [_group_target(ctx, group) for group in tree.groups]
        parent = trees[0].subscriptions.get(target.key) if trees else None
        if visible is None:  # the listing was refused: the id is scanned as it is
            item: dict[str, Any] | None = {"subscriptionId": target.key, "displayName": target.key}
        else:
            item = visible.get(target.key)
        if item is None:
            return Gap("does not exist or is not readable by this identity")
        return [_subscription_target(ctx, item, parent)] if _chosen(item, config) else []

    found = find_targets(
        ctx, "azure", config.arm_url, wanted(), find,
        unknown=lambda target: ("management_group", "subscription") if target.kind == "management group" else ("subscription",),
        name_hint=f"check the id in sources.azure, or grant {READER} on it",
        unreachable_hint=f"check the ids in sources.azure and that the identity holds {READER} on them",
    )
    return [target for targets in found for target in targets]


def _chosen(subscription: dict[str, Any], config: AzureConfig) -> bool:
    return subscription.get("state") not in _INACTIVE_STATES and mapping.selected(subscription, config.include, config.exclude)


def _group_target(ctx: CollectContext, group: mapping.Group) -> _Target:
    subject = Subject(
        id=group_subject_id(group.group_id), kind="management_group", name=group.name, source=ctx.collector,
        parent=group_subject_id(group.parent) if group.parent else None,
        url=f"https://portal.azure.com/#resource{group_scope(group.group_id)}/overview",
    )
    return _Target(subject, group.group_id, group_scope(group.group_id), GROUP_KINDS)


def _subscription_target(ctx: CollectContext, item: dict[str, Any], parent: str | None) -> _Target:
    subscription_id = str(item["subscriptionId"]).lower()
    subject = Subject(
        id=f"azure:{subscription_id}", kind="subscription", name=str(item.get("displayName") or subscription_id),
        source=ctx.collector, parent=group_subject_id(parent) if parent else None,
        url=f"https://portal.azure.com/#resource/subscriptions/{subscription_id}/overview",
    )
    return _Target(subject, subscription_id, f"/subscriptions/{subscription_id}", SUBSCRIPTION_KINDS)


def group_subject_id(group_id: str) -> str:
    return f"azure:managementGroups/{group_id}"


def _visible_subscriptions(ctx: CollectContext, config: AzureConfig, client: ArmClient) -> dict[str, dict[str, Any]] | None:
    """Every subscription the identity can read, by id; None when the listing was refused but ids
    are configured (they are scanned as they are)."""
    try:
        listed = client.subscriptions()
    except CredentialRefused as exc:
        raise SourceUnavailable(
            f"azure: no token for Azure Resource Manager ({exc})",
            hint="check the authentication setting and its identity (az login, AZURE_* variables, managed identity)",
        ) from None
    except Refused as exc:
        if not config.subscriptions and config.management_group is None:
            server_side = exc.status is None or exc.status >= 500  # no permission would help: it may pass
            raise SourceUnavailable(
                f"azure: cannot list subscriptions ({exc})",
                hint="scan again later" if server_side else f"grant {READER} at the root management group",
            ) from None
        ctx.problem(f"azure: cannot list subscriptions ({exc}); scanning the configured ids as they are",
                    hint=f"grant {READER} on the subscriptions to see their names")
        return None
    return {str(item.get("subscriptionId") or "").lower(): item for item in listed}


def _group_tree(client: ArmClient, config: AzureConfig, group: str) -> mapping.GroupTree | Gap:
    """The management group, the groups below it and their subscriptions, at any depth."""
    try:
        descendants = client.management_group_descendants(group)
    except (Refused, CredentialRefused) as exc:
        return Gap(f"could not be read ({exc})")
    try:
        name = mapping.display_name(client.management_group(group)) or group
    except (Refused, CredentialRefused):  # its descendants were readable: only its display name is missing
        name = group
    return mapping.group_tree(mapping.Group(group, name, None), descendants, config.include_groups, config.exclude_groups)
