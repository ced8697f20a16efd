"""One Azure scan: list the subscriptions in scope, then per subscription one list per evidence kind.

A refused list makes that kind of that subscription unavailable, naming the built-in role that
would let pecm read it; the other kinds and subscriptions go on. A listing that fails says so
through `ctx.cut_short`, so subscriptions pecm never saw count as unknown, not as absent.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from collectors.azure import mapping
from collectors.azure.client import ArmClient, CredentialRefused, Refused
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


KINDS: tuple[_Kind, ...] = (
    _Kind("cloud.policy_assignments", "policy assignments", READER, "providers/Microsoft.Authorization/policyAssignments"),
    _Kind("cloud.role_assignments", "role assignments", READER, "providers/Microsoft.Authorization/roleAssignments"),
    _Kind("cloud.role_eligibility", "role eligibilities (PIM)", READER,
          "providers/Microsoft.Authorization/roleEligibilityScheduleInstances"),
    _Kind("cloud.locks", "resource locks", READER, "providers/Microsoft.Authorization/locks"),
    _Kind("cost.budgets", "budgets", COST_READER, "providers/Microsoft.Consumption/budgets"),
)


class _Reader:
    """Reads and maps each kind; policy definitions are read once per scan (most are built in,
    the same for every subscription)."""

    def __init__(self, client: ArmClient) -> None:
        self._client = client
        self._definitions: dict[str, dict[str, Any] | None] = {}
        self._definitions_lock = threading.Lock()  # workers share them: each is read once

    def data(self, kind: str, subscription_id: str) -> dict[str, Any]:
        if kind == "cloud.policy_assignments":
            assignments = self._client.policy_assignments(subscription_id)
            wanted = [mapping.definition_id(item) for item in assignments]
            self._read_definitions(wanted, subscription_id)
            members = [m for d in wanted if (found := self._definitions.get(d.lower())) for m in mapping.member_ids(found)]
            self._read_definitions(members, subscription_id)
            return mapping.policy_assignments(assignments, subscription_id, self._definitions)
        if kind == "cloud.role_assignments":
            return mapping.role_assignments(self._client.role_assignments(subscription_id), subscription_id)
        if kind == "cloud.locks":
            return mapping.locks(self._client.locks(subscription_id), subscription_id)
        if kind == "cloud.role_eligibility":
            return mapping.role_assignments(self._client.role_eligibility(subscription_id), subscription_id)
        return mapping.budgets(self._client.budgets(subscription_id))

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
    reader = _Reader(client)
    subjects = [
        (subscription_id, subject)
        for subscription_id, name in _subscriptions(ctx, config, client)
        if ctx.includes((subject := _subject(ctx, subscription_id, name)).id)
    ]
    # Subscriptions are read by a pool of workers, a bounded number ahead, and yielded in order.
    workers = max(1, ctx.limits.max_workers)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pecm-azure")
    try:
        ahead: deque[tuple[Subject, Future[list[Evidence]]]] = deque()
        pending = iter(subjects)
        while True:
            while len(ahead) < 2 * workers and (following := next(pending, None)) is not None:
                subscription_id, subject = following
                ahead.append((subject, pool.submit(_all_evidence, ctx, reader, config, subject, subscription_id)))
            if not ahead:
                break
            subject, evidence = ahead.popleft()
            yield subject
            yield from evidence.result()
            ctx.progress(subject.id)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _subject(ctx: CollectContext, subscription_id: str, name: str) -> Subject:
    return Subject(
        id=f"azure:{subscription_id}",
        kind="subscription",
        name=name,
        source=ctx.collector,
        url=f"https://portal.azure.com/#resource/subscriptions/{subscription_id}/overview",
    )


def _all_evidence(ctx: CollectContext, reader: _Reader, config: AzureConfig, subject: Subject, subscription_id: str) -> list[Evidence]:
    return [_evidence(ctx, reader, config, kind, subject, subscription_id) for kind in KINDS]
def _subscriptions(ctx: CollectContext, config: AzureConfig, client: ArmClient) -> list[tuple[str, str]]:
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
        wanted = list(dict.fromkeys([*config.subscriptions, *_below_group(ctx, config, client)]))
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


def _below_group(ctx: CollectContext, config: AzureConfig, client: ArmClient) -> list[str]:
    """The subscriptions under the configured management group, at any depth; none when there is none."""
    group = config.management_group
    if group is None:
        return []
    try:
        return mapping.subscriptions_below(client.management_group_descendants(group))
    except (Refused, CredentialRefused) as exc:
        reason = f"management group {group} could not be read ({exc})"
        hint = f"grant {READER} on management group {group}, or check its id"
        if not config.subscriptions:
            raise SourceUnavailable(f"azure: {reason}", hint=hint) from None
        ctx.problem(f"azure: {reason}; scanning the configured subscriptions", hint=hint)
        ctx.cut_short("subscription", reason)
        return []


def _evidence(
    ctx: CollectContext, reader: _Reader, config: AzureConfig, kind: _Kind, subject: Subject, subscription_id: str
) -> Evidence:
    try:
        data = reader.data(kind.name, subscription_id)
    except CredentialRefused as exc:
        return ctx.unavailable(kind.name, subject, f"no token for Azure Resource Manager ({exc})")
    except Refused as exc:
        if exc.code in _UNSUPPORTED_CODES:
            return ctx.unsupported(kind.name, subject, f"this subscription offers no {kind.what} ({exc.code})")
        return ctx.unavailable(kind.name, subject, _refusal_reason(kind, exc))
    locator = f"{config.arm_url}/subscriptions/{subscription_id}/{kind.resource_path}"
    return ctx.observed(kind.name, subject, data, (locator,))


def _refusal_reason(kind: _Kind, refused: Refused) -> str:
    if refused.status == 403:
        return f"Azure refused to list the {kind.what} ({refused.code}): grant {kind.role} on the subscription"
    if refused.status == 404:
        return f"the subscription was not found when listing its {kind.what} ({refused.code})"
    if refused.status == 429:
        return f"the {kind.what} were not read: {refused.message}; scan again later"
    return f"the {kind.what} could not be read ({refused}); scan again later"
