"""Cost allocation rules of the billing accounts named in `billing_accounts`: one list per account
(Cost Management's CostAllocationRules_List), each account a subject of its own.

They live at billing-account scope, beyond Reader, so they are read only when configured: unset,
no billing account is a subject and the kind is not applicable. A refusal names the billing role
to grant. An account whose agreement has no such rules (neither EA nor MCA) makes the kind
*unsupported*: on a 404, or on a 400 whose code or message says not supported (the API
description documents no error code for it, so none is matched exactly).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from collectors.azure.client import ArmClient, CredentialRefused, Refused
from collectors.azure.config import AzureConfig
from collectors.azure.gaps import refusal_gap
from collectors.base import Findings, Found, Gap
from scanner.contract import CollectContext
from scanner.model import Evidence, Subject

KIND = "cost.allocation_rules"
WHAT = "cost allocation rules"
BILLING_READER = "Billing account reader (an EA enrollment: Enrollment reader, the read-only Enterprise admin)"
RESOURCE_PATH = "providers/Microsoft.CostManagement/costAllocationRules"
_IN_FORCE = frozenset(("active", "processing"))  # Processing: saved and being applied
_DIMENSIONS = {"subscriptionid": "subscription", "resourcegroupname": "resource_group"}


def billing_account_records(
    ctx: CollectContext, config: AzureConfig, client: ArmClient, findings: Findings
) -> Iterator[Subject | Evidence]:
    """Each configured billing account, then its cost allocation rules (or why they are missing)."""
    for account in config.billing_accounts:
        scope = f"/providers/Microsoft.Billing/billingAccounts/{account}"
        # No url: the portal's billing blades have no documented deep link by account id.
        subject = Subject(id=f"azure:billingAccounts/{account}", kind="billing_account", name=account, source=ctx.collector)
        if not ctx.includes(subject.id):
            continue
        yield subject
        yield findings.record(KIND, subject, _read(client, account), (f"{config.arm_url}{scope}/{RESOURCE_PATH}",), what=WHAT)
        findings.end_subject(subject)


def _read(client: ArmClient, account: str) -> Found:
    try:
        return allocation_rules(client.cost_allocation_rules(account))
    except CredentialRefused as exc:
        return Gap(f"no token for Azure Resource Manager ({exc})")
    except Refused as exc:
        return refusal(exc)


def refusal(refused: Refused) -> Gap:
    """Unsupported where the account's agreement has no cost allocation (or no such account is
    visible: ARM answers both with 404); otherwise as every Azure refusal, naming the billing role."""
    says_unsupported = "notsupported" in refused.code.lower() or "not supported" in refused.message.lower()
    if refused.status == 404 or (refused.status == 400 and says_unsupported):
        return Gap(f"this billing account offers no {WHAT} ({refused.code}): only EA and MCA accounts have them; "
                   "check the id in billing_accounts", unsupported=True)
    return refusal_gap(refused, WHAT, BILLING_READER, "billing account")


def allocation_rules(items: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts of a billing account's rules (CostAllocationRuleDefinition, 2025-03-01): those in
    force, by what their costs come from and go to, spread over several targets."""
    by_source: dict[str, int] = {}
    by_target: dict[str, int] = {}
    targets: set[tuple[str, str]] = set()
    active = spread = 0
    for item in items:
        properties = item.get("properties") or {}
        if str(properties.get("status") or "").lower() not in _IN_FORCE:
            continue
        active += 1
        details = properties.get("details") or {}
        for kind in {_kind_of(resource) for resource in details.get("sourceResources") or ()}:
            by_source[kind] = by_source.get(kind, 0) + 1
        charged: set[tuple[str, str]] = set()
        for resource in details.get("targetResources") or ():
            kind = _kind_of(resource)
            charged |= {(kind, _target_name(resource, value)) for value in resource.get("values") or ()}
        for kind in {kind for kind, _name in charged}:
            by_target[kind] = by_target.get(kind, 0) + 1
        spread += len(charged) > 1
        targets |= charged
    return {"rules": len(items), "active": active, "by_source": by_source, "by_target": by_target,
            "spread": spread, "targets": len(targets)}


def _kind_of(resource: dict[str, Any]) -> str:
    """subscription, resource_group or tag (a Dimension names SubscriptionId or ResourceGroupName)."""
    if str(resource.get("resourceType") or "").lower() == "tag":
        return "tag"
    return _DIMENSIONS.get(str(resource.get("name") or "").lower(), "other")


def _target_name(resource: dict[str, Any], value: Any) -> str:
    """A target value's identity: a tag's value under its tag name; ids and group names in any case."""
    name = str(value.get("name") if isinstance(value, dict) else value).lower()
    return f"{str(resource.get('name') or '').lower()}={name}" if _kind_of(resource) == "tag" else name
