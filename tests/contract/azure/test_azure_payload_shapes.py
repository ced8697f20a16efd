"""The fake's payloads have the service's shapes: the SDK's own models declare every key they carry.

TypeSpec-generated models (subscriptions, policy, consumption, cost management) keep unknown keys silently, so each
key is looked up among the model's declared REST fields, recursively, reading every value through
the model (a value of the wrong type fails there). The autorest model (authorization) must give the
payload back unchanged after a round trip, which drops what it does not know.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from azure.mgmt.authorization.v2020_10_01.models import RoleEligibilityScheduleInstance
from azure.mgmt.authorization.v2022_04_01.models import RoleAssignment
from azure.mgmt.consumption.models import Budget
from azure.mgmt.costmanagement.models import CostAllocationRuleDefinition
from azure.mgmt.managementgroups.models import DescendantInfo, ManagementGroup
from azure.mgmt.resource.deployments.models import DeploymentExtended
from azure.mgmt.resource.deploymentstacks.models import DeploymentStack
from azure.mgmt.resource.locks.models import ManagementLockObject
from azure.mgmt.resource.policy.models import PolicyAssignment, PolicyDefinition, PolicySetDefinition
from azure.mgmt.resource.subscriptions.models import Subscription

from tests.fakes.azure import payloads
from tests.fakes.azure.samples import PROD, sample_allocation_rules, sample_definitions, sample_groups, sample_subscriptions
from tests.fakes.azure.server import TENANT_ID


def _undeclared(model: Any, path: str = "") -> list[str]:
    """Keys in a TypeSpec model's data that its class does not declare (the SDK's field table)."""
    fields = {field._rest_name: attribute for attribute, field in type(model)._attr_to_rest_field.items()}
    found: list[str] = []
    for key in model.keys():
        if key not in fields:
            found.append(f"{path}{key}")
            continue
        value = getattr(model, fields[key])
        children = value if isinstance(value, list) else value.values() if isinstance(value, dict) else [value]
        for child in children:
            if hasattr(child, "_attr_to_rest_field"):
                found += _undeclared(child, f"{path}{key}.")
    return found


def _typed_payloads() -> list[tuple[type[Any], dict[str, Any]]]:
    estate = sample_subscriptions()
    cases: list[tuple[type[Any], dict[str, Any]]] = [
        (Subscription, payloads.subscription(s.subscription_id, s.name, TENANT_ID)) for s in estate
    ]
    cases += [(PolicyAssignment, item) for s in estate for item in s.policy_assignments]
    cases += [(PolicySetDefinition if "policySetDefinitions" in d["id"] else PolicyDefinition, d) for d in sample_definitions()]
    cases += [(Budget, item) for s in estate for item in s.budgets]
    cases += [(CostAllocationRuleDefinition, item) for item in sample_allocation_rules()]
    cases += [
        (DescendantInfo, payloads.descendant("platform", "acme-root", group=True, name="Platform")),
        (DescendantInfo, payloads.descendant(PROD, "platform", group=False, name="prod-payments")),
        (ManagementGroup, payloads.management_group("acme-root", "Acme", TENANT_ID)),
    ]
    cases += [(PolicyAssignment, item) for g in sample_groups() for item in g.policy_assignments]
    cases += [(DeploymentExtended, item) for s in estate for item in s.deployments]
    cases += [(DeploymentStack, item) for s in estate for item in s.deployment_stacks]
    cases += [(DeploymentExtended, item) for s in estate for items in s.group_deployments.values() for item in items]
    cases += [(DeploymentStack, item) for s in estate for items in s.group_stacks.values() for item in items]
    return cases


@pytest.mark.parametrize(("model", "payload"), _typed_payloads(), ids=lambda value: getattr(value, "__name__", ""))
def test_every_key_of_the_fakes_payloads_is_declared_by_the_sdk_model(model: type[Any], payload: dict[str, Any]) -> None:
    assert _undeclared(model(payload)) == []


def test_role_assignments_and_eligibilities_survive_the_sdk_models_round_trip() -> None:
    (prod,) = [s for s in sample_subscriptions() if s.subscription_id == PROD]
    cases = [(RoleAssignment, p) for p in prod.role_assignments]
    cases += [(RoleEligibilityScheduleInstance, p) for p in prod.role_eligibility]
    cases += [(ManagementLockObject, p) for p in prod.locks]
    cases += [(RoleAssignment, p) for g in sample_groups() for p in g.role_assignments]
    assert len(cases) == 14
    for model, payload in cases:
        expected = {key: value for key, value in payload["properties"].items() if value is not None}
        round_trip = model.deserialize(payload).serialize(keep_readonly=True)
        assert {**round_trip, "properties": None} == {**payload, "properties": None}
        assert _seconds(round_trip["properties"]) == _seconds(expected)


def test_compliance_summaries_and_remediations_survive_the_sdk_models_round_trip() -> None:
    from azure.mgmt.policyinsights.models import Remediation, SummarizeResults

    (prod,) = [s for s in sample_subscriptions() if s.subscription_id == PROD]
    assert prod.compliance is not None
    summary = SummarizeResults.deserialize(prod.compliance).serialize(keep_readonly=True)
    assert summary == _without_none(prod.compliance)
    for payload in prod.remediations:
        round_trip = Remediation.deserialize(payload).serialize(keep_readonly=True)
        assert {**round_trip, "properties": None} == {**payload, "properties": None}
        assert _seconds(round_trip["properties"]) == _seconds(payload["properties"])


def test_template_specs_autoscale_settings_and_resource_graph_pages_survive_the_sdk_models_round_trip(tmp_path: Any) -> None:
    from azure.mgmt.monitor.models import AutoscaleSettingResource, MetricAlertResource
    from azure.mgmt.resource.templatespecs.models import TemplateSpec
    from azure.mgmt.resourcegraph.models import QueryResponse

    from tests.fakes.azure.server import FakeAzure

    (prod,) = [s for s in sample_subscriptions() if s.subscription_id == PROD]
    cases: list[tuple[Any, dict[str, Any]]] = [(TemplateSpec, item) for item in prod.template_specs]
    cases += [(AutoscaleSettingResource, item) for item in prod.autoscale_settings]
    cases += [(MetricAlertResource, item) for item in prod.resources if item["type"] == "Microsoft.Insights/metricAlerts"]
    fake = FakeAzure(sample_subscriptions(), tmp_path, graph_page_size=2)
    _status, page, _headers = fake._resource_graph({"subscriptions": [PROD], "query": "tags['managed-by']", "options": {}})
    cases.append((QueryResponse, page))
    assert len(cases) == 7 and page["$skipToken"]
    for model, payload in cases:
        assert _without_none(model.deserialize(payload).serialize(keep_readonly=True)) == _without_none(payload)


def _without_none(value: Any) -> Any:
    """The payload as a round trip gives it back: no nulls, timestamps to the second."""
    if isinstance(value, dict):
        return {key: _without_none(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_without_none(item) for item in value]
    return re.sub(r"\.\d+Z$", "Z", value) if isinstance(value, str) else value


def _seconds(properties: dict[str, Any]) -> dict[str, Any]:
    """Timestamps to the second: the SDK writes 3 digits of fraction where ARM sends 7."""
    return {key: re.sub(r"\.\d+Z$", "Z", value) if isinstance(value, str) else value for key, value in properties.items()}


def test_the_check_catches_an_undeclared_key() -> None:
    payload = payloads.policy_assignment(f"/subscriptions/{PROD}", "a", "d")
    payload["properties"]["enforcement"] = "Default"
    assert _undeclared(PolicyAssignment(payload)) == ["properties.enforcement"]
