"""One Azure scan: find the management group and subscriptions in scope (the base's
`find_targets`), then examine each subject, one list per evidence kind, in the base's worker pool.

A refused list makes that kind of that subject unavailable, naming the built-in role that would
let pecm read it (`gaps.py`), the other kinds and subjects go on, and each reason is reported once
with the number of subjects it cost (`Findings`). A target that cannot be found says so through
`ctx.cut_short`, so subscriptions pecm never saw count as unknown, not as absent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from collectors.azure import mapping
from collectors.azure.allocation import billing_account_records
from collectors.azure.client import RESOURCE_GRAPH_PAGE, ArmClient, CredentialRefused, Refused, group_scope
from collectors.azure.config import AzureConfig
from collectors.azure.credentials import credential_for
from collectors.azure.gaps import COST_READER, READER, refusal_gap
from collectors.azure.shared import ReadOnce
from collectors.base import Findings, Found, Gap, WorkerPool, find_targets
from scanner.contract import CollectContext
from scanner.errors import SourceUnavailable
from scanner.model import Evidence, Subject

_INACTIVE_STATES = frozenset(("Disabled", "Deleted"))  # nothing runs there; their evidence would mislead
GAP_HINT = "grant the role named to see it; the rest was scanned"
RATE_HINT = "scan again later, or raise max_rate_limit_wait_seconds"
MAX_GRAPH_ROWS = 5_000_000  # a Resource Graph total past this is not paged through (5,000 requests)
# Kinds read from Resource Graph: examined first, so that the workers starting the scan read its pages together.
GRAPH_KINDS = frozenset(("cloud.resource_provenance", "cost.tag_coverage", "cloud.monitoring"))


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


class _GraphPage(NamedTuple):
    by_subscription: dict[str, list[dict[str, Any]]]  # its rows by subscription id (lower case)
    rows: int
    total: int  # the rows of the whole query


class _Reader:
    """Reads and maps each kind; policy definitions are read once per scan (most are built in,
    the same for every subscription)."""

    def __init__(self, client: ArmClient, config: AzureConfig, now: datetime, subscription_ids: list[str]) -> None:
        self._client = client
        self._config = config
        self._subscription_ids = subscription_ids
        # Resource Graph pages (by subscription) and policy definitions: read once per scan, shared by the workers.
        self._graph_first: ReadOnce[str, _GraphPage] = ReadOnce()
        self._graph_pages: ReadOnce[tuple[str, int, int], _GraphPage] = ReadOnce()
        self._definitions: ReadOnce[str, dict[str, Any] | None] = ReadOnce()
        self._lists: dict[tuple[str, str], list[dict[str, Any]]] = {}  # lists two kinds of a subscription share
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
                self._scoped("deployments", t.key), self._scoped("stacks", t.key),
            ),
            "cost.tag_coverage": lambda t: mapping.tag_coverage(self._graph_rows(t.key, resources_query)),
            "cloud.monitoring": lambda t: mapping.monitoring(self._graph_rows(t.key, mapping.MONITORING_QUERY)),
            "cloud.deployments": lambda t: mapping.deployment_history(
                self._scoped("deployments", t.key), now, config.window_days,
                len(self._resource_groups(t.key)) if config.resource_group_scope else None,
            ),
            "cloud.self_service": lambda t: mapping.self_service(self._scoped("stacks", t.key), client.template_specs(t.key)),
            "cloud.autoscale": lambda t: mapping.autoscale(client.autoscale_settings(t.key)),
        }

    def data(self, kind: str, target: _Target) -> dict[str, Any]:
        return self._reads[kind](target)

    def _scoped(self, what: str, subscription_id: str) -> list[dict[str, Any]]:
        """Deployments or stacks at the subscription's scope and at each of its resource groups'
        (ARM lists those per resource group only), read once for the kinds that use them (one
        worker reads a subscription)."""
        key = (what, subscription_id)
        if key not in self._lists:
            client = self._client
            at_subscription, at_group = (
                (client.deployments, client.resource_group_deployments) if what == "deployments"
                else (client.deployment_stacks, client.resource_group_stacks)
            )
            found = at_subscription(subscription_id)
            read = at_group(subscription_id)  # one client for the subscription's groups
            for group in self._resource_groups(subscription_id):
                try:
                    found += read(group)
                except Refused as exc:
                    if exc.code != "ResourceGroupNotFound":
                        raise
                    # deleted since Resource Graph listed it: nothing of it to count
            self._lists[key] = found
        return self._lists[key]

    def _resource_groups(self, subscription_id: str) -> list[str]:
        """The subscription's resource groups (one Resource Graph query for every subscription); none
        when resource_group_scope is off."""
        if not self._config.resource_group_scope:
            return []
        return [str(row.get("name") or "") for row in self._graph_rows(subscription_id, mapping.RESOURCE_GROUPS_QUERY)]

    def _graph_rows(self, subscription_id: str, query: str) -> list[dict[str, Any]]:
        """The subscription's rows of a Resource Graph query over every subscription in scope, run
        once, on first need: the first page says how many rows there are and how many a page holds,
        then the workers that need them read the other pages side by side."""
        try:
            (first,) = self._graph_first.get([query], lambda q: self._graph_page(q, 0, RESOURCE_GRAPH_PAGE))
            size = first.rows or RESOURCE_GRAPH_PAGE  # the service may answer fewer rows than asked
            keys = [(query, skip, size) for skip in range(first.rows, first.total, size)] if first.rows else []
            pages = [first, *self._graph_pages.get(keys, lambda key: self._graph_page(*key))]
        except Refused as exc:  # a new exception in each worker: they raise it at once
            raise Refused(exc.status, exc.code, exc.message) from None
        if sum(page.rows for page in pages) != first.total:
            raise Refused(None, "IncompletePages", f"Resource Graph counted {first.total} rows but its pages held "
                          f"{sum(page.rows for page in pages)}")
        return [row for page in pages for row in page.by_subscription.get(subscription_id, ())]

    def _graph_page(self, query: str, skip: int, size: int) -> _GraphPage:
        rows, total = self._client.resource_graph_page(query, self._subscription_ids, skip, size)
        if total > MAX_GRAPH_ROWS:
            raise Refused(None, "TooManyRows", f"Resource Graph counted {total} rows, more than pecm reads ({MAX_GRAPH_ROWS})")
        by_subscription: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            by_subscription.setdefault(str(row.get("subscriptionId") or "").lower(), []).append(row)
        return _GraphPage(by_subscription, len(rows), total)

    def _policy(self, assignments: list[dict[str, Any]], target: _Target) -> dict[str, Any]:
        subscription_id = "" if target.is_group else target.key
        definitions = self._definitions_of([mapping.definition_id(item) for item in assignments], subscription_id)
        members = [member for found in definitions.values() if found for member in mapping.member_ids(found)]
        definitions.update(self._definitions_of(members, subscription_id))
        return mapping.policy_assignments(assignments, target.scope, definitions)

    def _definitions_of(self, ids: list[str], subscription_id: str) -> dict[str, dict[str, Any] | None]:
        """Policy (set) definitions by lower-case id; None for one that could not be read."""
        spelled = {definition_id.lower(): definition_id for definition_id in ids}
        return dict(zip(spelled, self._definitions.get(list(spelled), lambda key: self._definition(spelled[key], subscription_id))))

    def _definition(self, definition_id: str, subscription_id: str) -> dict[str, Any] | None:
        try:
            return self._client.policy_definition(definition_id, subscription_id)
        except Refused:  # deleted or unreadable: the assignment's effects stay unknown (`unresolved`)
            return None


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
    yield from billing_account_records(ctx, config, client, findings)
    findings.report_gaps(GAP_HINT, RATE_HINT)


def _examine(reader: _Reader, target: _Target) -> list[Found]:
    """Each kind of the subject: its data, or why there is none (in a worker); those from
    Resource Graph first."""
    found = {kind.name: _found(reader, kind, target) for kind in sorted(target.kinds, key=lambda k: k.name not in GRAPH_KINDS)}
    return [found[kind.name] for kind in target.kinds]


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
