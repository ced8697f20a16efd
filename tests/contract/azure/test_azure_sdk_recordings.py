"""The fake's answers have the fields of the service's recorded answers (the test recordings of the
Azure SDK for Python, see recordings/).

The same comparison as test_azure_rest_examples.py: key by key and recursively, every answer of the
sample estate against the recorded item, with each difference the tables below explain. A recording
is what the service sent on one day at one api-version, so where the collector asks for a later
api-version the fields added since are listed with that version.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.contract.azure.test_azure_rest_examples import FREE_FORM, differences
from tests.fakes.azure import payloads
from tests.fakes.azure.samples import sample_groups, sample_subscriptions
from tests.fakes.azure.server import TENANT_ID

RECORDINGS = Path(__file__).parent / "recordings"

# Objects whose keys are the user's own: assignment parameters, budget notifications, tags.
FREE_FORM_HERE = {*FREE_FORM, "properties.parameters", "properties.notifications", "tags"}

# Fields the fake sends and the recorded item does not, each with the reason.
BEYOND_THE_RECORDING: dict[str, dict[str, str]] = {
    "PolicyAssignments_List": {},
    "RoleAssignments_Delete": {
        f"properties.{name}": "declared by 2022-04-01, the version the collector asks for; recorded at 2018-09-01-preview"
        for name in ("condition", "conditionVersion", "delegatedManagedIdentityResourceId", "description")
    },
    "ManagementLocks_ListAtSubscriptionLevel": {
        "properties.notes": "sent when the lock has notes: the recording's other locks carry it",
        "properties.owners": "declared (ManagementLockProperties.owners); the recorded locks have no owners",
    },
    "Budgets_Get": {},
    "Deployments_ListAtSubscriptionScope": {
        "systemData": "declared by later versions (DeploymentExtended.system_data); recorded at 2020-10-01",
        "properties.templateLink": "sent for a deployment of a template spec: the recording's other deployments carry it",
    },
    "Subscriptions_List": {},
}
# Recorded fields the fake leaves out, each with the reason. None is read by the collector.
LEFT_OUT: dict[str, dict[str, str]] = {
    "PolicyAssignments_List": {
        "systemData": "who changed an assignment is not evidence pecm uses",
        "properties.nonComplianceMessages": "empty in the recording; not read",
        "properties.resourceSelectors": "empty in the recording; not read",
        "properties.overrides": "empty in the recording; not read",
    },
    "RoleAssignments_Delete": {},
    "ManagementLocks_ListAtSubscriptionLevel": {},
    "Budgets_Get": {"properties.filter": "empty in the recording; budgets are counted, not their filters"},
    "Deployments_ListAtSubscriptionScope": {},
    "Subscriptions_List": {"tags": "sent for tagged subscriptions only: the recording's first ones have none"},
}


def _fake_answers() -> dict[str, list[dict[str, Any]]]:
    """Every item the fake lists for the operation, over the whole sample estate."""
    subscriptions, groups = sample_subscriptions(), sample_groups()
    return {
        "PolicyAssignments_List": [a for s in [*subscriptions, *groups] for a in s.policy_assignments],
        "RoleAssignments_Delete": [a for s in [*subscriptions, *groups] for a in s.role_assignments],
        "ManagementLocks_ListAtSubscriptionLevel": [lock for s in subscriptions for lock in s.locks],
        "Budgets_Get": [budget for s in subscriptions for budget in s.budgets],
        "Deployments_ListAtSubscriptionScope": [
            d for s in subscriptions for d in [*s.deployments, *(d for ds in s.group_deployments.values() for d in ds)]
        ],
        # Built as the fake's route builds them.
        "Subscriptions_List": [payloads.subscription(s.subscription_id, s.name, TENANT_ID) for s in subscriptions],
    }


def _recorded(operation: str) -> dict[str, Any]:
    recording = json.loads((RECORDINGS / f"{operation}.json").read_text(encoding="utf-8"))
    return recording["value"][0] if "value" in recording else recording  # type: ignore[no-any-return]


@pytest.mark.parametrize("operation", sorted(BEYOND_THE_RECORDING))
def test_every_answer_of_the_fake_has_the_fields_of_the_recorded_answer(operation: str) -> None:
    reference, items = _recorded(operation), _fake_answers()[operation]
    assert items, "the sample estate has nothing to compare"
    expected = {f"extra {path}" for path in BEYOND_THE_RECORDING[operation]}
    expected |= {f"missing {path}" for path in LEFT_OUT[operation]}
    seen: set[str] = set()
    for item in items:
        found = differences(item, reference, free_form=FREE_FORM_HERE)
        assert [line for line in found if line not in expected] == [], f"{operation}: {item.get('id')}"
        seen.update(found)
    assert seen == expected, "an explained difference no longer occurs: drop it from the tables"


def test_every_recording_is_compared() -> None:
    assert {path.stem for path in RECORDINGS.glob("*.json")} == set(BEYOND_THE_RECORDING) == set(LEFT_OUT) == set(_fake_answers())
