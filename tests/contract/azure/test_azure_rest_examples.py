"""The fake's answers have the fields of the service's own examples (x-ms-examples, see rest_examples/).

Key by key and recursively (a list's first item against the example's first item): every key of the
example is in the fake's answer, every key of the fake's answer is in the example or is a property the
API description declares that the example leaves out, and shared values have the same JSON type (null
matches anything: the service sends null for unset properties).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.azure.samples import PROD, sample_allocation_rules, sample_subscriptions

EXAMPLES = Path(__file__).parent / "rest_examples"

# Properties the operation's API description declares and its example leaves out, as paths.
DECLARED_BEYOND_THE_EXAMPLE: dict[str, set[str]] = {
    "PolicyExemptions_ListForSubscription": {
        "properties.expiresOn", "properties.assignmentScopeValidation", "properties.resourceSelectors",
    },
    "SubscriptionDiagnosticSettings_List": {
        "properties.serviceBusRuleId", "properties.eventHubName", "properties.marketplacePartnerId",
        "properties.logs[].category",
    },
    "Remediations_ListForSubscription": {"properties.policyDefinitionReferenceId", "properties.filters"},
    "PolicyStates_SummarizeForSubscription": set(),
    "CostAllocationRules_List": set(),
}
# Example fields the fake leaves out on purpose, each with the reason.
LEFT_OUT: dict[str, set[str]] = {
    # The fake names each category; `categoryGroup` ("allLogs") is the other form a log entry may take.
    "SubscriptionDiagnosticSettings_List": {"properties.logs[].categoryGroup"},
    "PolicyExemptions_ListForSubscription": set(),
    "Remediations_ListForSubscription": set(),
    "PolicyStates_SummarizeForSubscription": set(),
    "CostAllocationRules_List": set(),
}
# Free-form objects whose keys are the user's own.
FREE_FORM = {"properties.metadata"}


def _fake_answers() -> dict[str, dict[str, Any]]:
    (prod,) = [s for s in sample_subscriptions() if s.subscription_id == PROD]
    assert prod.compliance is not None and prod.exemptions and prod.remediations and prod.activity_log_settings
    return {
        "PolicyExemptions_ListForSubscription": {"value": prod.exemptions},
        "SubscriptionDiagnosticSettings_List": {"value": prod.activity_log_settings},
        "Remediations_ListForSubscription": {"value": prod.remediations},
        "PolicyStates_SummarizeForSubscription": prod.compliance,
        "CostAllocationRules_List": {"value": sample_allocation_rules()},
    }


def differences(fake: Any, example: Any, path: str = "", free_form: Collection[str] = FREE_FORM) -> list[str]:
    """Where the fake's answer and the example differ in structure: missing / extra keys, other types
    (the keys of the objects at the `free_form` paths are not compared)."""
    if fake is None or example is None:
        return []
    if isinstance(example, dict) and isinstance(fake, dict):
        found: list[str] = []
        for key in sorted(example.keys() | fake.keys()):
            child = f"{path}.{key}" if path else key
            if key not in fake:
                found.append(f"missing {child}")
            elif key not in example:
                found.append(f"extra {child}")
            elif child not in free_form:
                found += differences(fake[key], example[key], child, free_form)
        return found
    if isinstance(example, list) and isinstance(fake, list):
        return differences(fake[0], example[0], f"{path}[]", free_form) if fake and example else []
    if type(fake) is not type(example) and not {type(fake), type(example)} <= {int, float}:
        return [f"type {path}: {type(fake).__name__} where the example has {type(example).__name__}"]
    return []


@pytest.mark.parametrize("operation", sorted(DECLARED_BEYOND_THE_EXAMPLE))
def test_every_answer_of_the_fake_has_the_fields_of_the_services_example(operation: str) -> None:
    example = json.loads((EXAMPLES / f"{operation}.json").read_text(encoding="utf-8"))
    answers = _fake_answers()[operation]
    listed = operation != "PolicyStates_SummarizeForSubscription"
    items, reference = (answers["value"], example["value"][0]) if listed else ([answers], example)
    expected = [f"extra {path}" for path in DECLARED_BEYOND_THE_EXAMPLE[operation]]
    expected += [f"missing {path}" for path in LEFT_OUT[operation]]
    seen: set[str] = set()
    for item in items:  # every answer of the sample estate, not only the first
        found = differences(item, reference)
        assert [line for line in found if line not in expected] == [], operation
        seen.update(found)
    assert seen == set(expected), "an explained difference no longer occurs: drop it from the tables"


def test_the_check_finds_a_field_the_service_does_not_send_and_a_changed_type() -> None:
    example = {"value": [{"id": "x", "properties": {"logs": [{"enabled": True}]}}]}
    fake = {"value": [{"id": "x", "location": "global", "properties": {"logs": [{"enabled": "yes"}]}}]}
    assert differences(fake, example) == [
        "extra value[].location", "type value[].properties.logs[].enabled: str where the example has bool",
    ]
    assert differences({"properties": {"metadata": {"ticket": 1}}}, {"properties": {"metadata": {"reason": "r"}}}) == []
