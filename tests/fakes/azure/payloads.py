"""ARM resources in the shapes the service returns (see the x-ms-examples of azure-rest-api-specs:
Subscriptions_List, PolicyAssignments_List, RoleAssignments_ListForSubscription, Budgets_List)."""

from __future__ import annotations

from typing import Any

OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
USER_ACCESS_ADMINISTRATOR = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"


def subscription(subscription_id: str, name: str, tenant_id: str) -> dict[str, Any]:
    return {
        "id": f"/subscriptions/{subscription_id}",
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": subscription_id,
        "tenantId": tenant_id,
        "displayName": name,
        "state": "Enabled",
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off",
        },
    }


def management_group(group_id: str, name: str, tenant_id: str) -> dict[str, Any]:
    """A management group without its children (ManagementGroups_Get)."""
    return {
        "id": f"/providers/Microsoft.Management/managementGroups/{group_id}",
        "type": "Microsoft.Management/managementGroups",
        "name": group_id,
        "properties": {
            "tenantId": tenant_id,
            "displayName": name,
            "details": {
                "version": 3,
                "updatedTime": "2026-03-01T10:00:00Z",
                "updatedBy": "b3a2c1d0-0000-4000-8000-000000000001",
                "parent": {"id": "/providers/Microsoft.Management/managementGroups/" + tenant_id, "name": tenant_id,
                           "displayName": "Tenant Root Group"},
            },
        },
    }


def descendant(child: str, parent_group: str, *, group: bool, name: str) -> dict[str, Any]:
    """One entry of a management group's descendants (ManagementGroups_GetDescendants)."""
    return {
        "id": f"/providers/Microsoft.Management/managementGroups/{child}" if group else f"/subscriptions/{child}",
        "type": "Microsoft.Management/managementGroups" if group else "Microsoft.Management/managementGroups/subscriptions",
        "name": child,
        "properties": {
            "displayName": name,
            "parent": {"id": f"/providers/Microsoft.Management/managementGroups/{parent_group}"},
        },
    }


def policy_assignment(
    scope: str, name: str, definition: str, *, enforced: bool = True, initiative: bool = False,
    parameters: dict[str, Any] | None = None, definition_scope: str = "",
) -> dict[str, Any]:
    kind = "policySetDefinitions" if initiative else "policyDefinitions"
    return {
        "id": f"{scope}/providers/Microsoft.Authorization/policyAssignments/{name}",
        "type": "Microsoft.Authorization/policyAssignments",
        "name": name,
        "properties": {
            "displayName": name.replace("-", " "),
            "policyDefinitionId": f"{definition_scope}/providers/Microsoft.Authorization/{kind}/{definition}",
            "definitionVersion": "1.*.*",
            "scope": scope,
            "notScopes": [],
            "parameters": {key: {"value": value} for key, value in (parameters or {}).items()},
            "enforcementMode": "Default" if enforced else "DoNotEnforce",
            "metadata": {"assignedBy": "Platform Team", "createdBy": "b3a2c1d0-0000-4000-8000-000000000001"},
        },
    }


def role_assignment(scope: str, name: str, role: str, principal_type: str, principal_id: str) -> dict[str, Any]:
    return {
        "id": f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}",
        "type": "Microsoft.Authorization/roleAssignments",
        "name": name,
        "properties": {
            "roleDefinitionId": f"{scope}/providers/Microsoft.Authorization/roleDefinitions/{role}",
            "principalId": principal_id,
            "principalType": principal_type,
            "scope": scope,
            "condition": None,
            "conditionVersion": None,
            "createdOn": "2026-03-01T10:00:00.0000000Z",
            "updatedOn": "2026-03-01T10:00:00.0000000Z",
            "createdBy": None,
            "updatedBy": "b3a2c1d0-0000-4000-8000-000000000001",
            "delegatedManagedIdentityResourceId": None,
            "description": None,
        },
    }


def role_eligibility(scope: str, name: str, role: str, principal_type: str, principal_id: str) -> dict[str, Any]:
    """A PIM eligibility (roleEligibilityScheduleInstances, 2020-10-01): the role can be activated, not held."""
    return {
        "id": f"{scope}/providers/Microsoft.Authorization/roleEligibilityScheduleInstances/{name}",
        "name": name,
        "type": "Microsoft.Authorization/roleEligibilityScheduleInstances",
        "properties": {
            "scope": scope,
            "roleDefinitionId": f"{scope}/providers/Microsoft.Authorization/roleDefinitions/{role}",
            "principalId": principal_id,
            "principalType": principal_type,
            "roleEligibilityScheduleId": f"{scope}/providers/Microsoft.Authorization/roleEligibilitySchedules/{name}",
            "status": "Provisioned",
            "startDateTime": "2026-03-01T10:00:00.000Z",
            "endDateTime": "2027-03-01T10:00:00.000Z",
            "memberType": "Direct",
            "createdOn": "2026-03-01T10:00:00.000Z",
        },
    }


def lock(scope: str, name: str, level: str) -> dict[str, Any]:
    """A management lock (ManagementLocks_ListAtSubscriptionLevel, 2020-05-01); level CanNotDelete or ReadOnly."""
    return {
        "id": f"{scope}/providers/Microsoft.Authorization/locks/{name}",
        "type": "Microsoft.Authorization/locks",
        "name": name,
        "properties": {"level": level, "notes": "managed by the platform team", "owners": []},
    }


def budget(scope: str, name: str, amount: float, notifications: dict[str, tuple[float, str]]) -> dict[str, Any]:
    """notifications: name -> (threshold percent, "Actual" or "Forecasted")."""
    return {
        "id": f"{scope}/providers/Microsoft.Consumption/budgets/{name}",
        "name": name,
        "type": "Microsoft.Consumption/budgets",
        "eTag": '"1d34d016a593709"',
        "properties": {
            "category": "Cost",
            "amount": amount,
            "timeGrain": "Monthly",
            "timePeriod": {"startDate": "2026-01-01T00:00:00Z", "endDate": "2027-12-31T00:00:00Z"},
            "currentSpend": {"amount": round(amount * 0.42, 2), "unit": "USD"},
            "notifications": {
                key: {
                    "enabled": True,
                    "operator": "GreaterThan",
                    "threshold": threshold,
                    "contactEmails": ["platform@example.com"],
                    "contactRoles": ["Owner"],
                    "thresholdType": kind,
                    "locale": "en-us",
                }
                for key, (threshold, kind) in notifications.items()
            },
        },
    }


def error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def policy_definition(scope: str, name: str, effect: str, *, default: str | None = None) -> dict[str, Any]:
    """`effect` literal, or "[parameters('effect')]" with `default` as the parameter's default."""
    parameters: dict[str, Any] = {}
    if default is not None:
        parameters["effect"] = {
            "type": "String",
            "metadata": {"displayName": "Effect", "description": "Enable or disable the execution of the policy"},
            "allowedValues": ["Audit", "Deny", "Disabled"],
            "defaultValue": default,
        }
    return {
        "id": f"{scope}/providers/Microsoft.Authorization/policyDefinitions/{name}",
        "type": "Microsoft.Authorization/policyDefinitions",
        "name": name,
        "properties": {
            "displayName": name,
            "policyType": "BuiltIn" if not scope else "Custom",
            "mode": "All",
            "description": f"{name} (fixture)",
            "metadata": {"version": "1.0.0", "category": "Network"},
            "version": "1.0.0",
            "parameters": parameters,
            "policyRule": {
                "if": {"field": "type", "equals": "Microsoft.Network/publicIPAddresses"},
                "then": {"effect": effect},
            },
        },
    }


def policy_set_definition(scope: str, name: str, members: list[tuple[str, dict[str, Any]]], parameters: dict[str, str]) -> dict[str, Any]:
    """members: (definition id, parameter values); parameters: the initiative's own, name -> default."""
    return {
        "id": f"{scope}/providers/Microsoft.Authorization/policySetDefinitions/{name}",
        "type": "Microsoft.Authorization/policySetDefinitions",
        "name": name,
        "properties": {
            "displayName": name,
            "policyType": "BuiltIn" if not scope else "Custom",
            "description": f"{name} (fixture)",
            "metadata": {"version": "1.0.0", "category": "Security Center"},
            "version": "1.0.0",
            "parameters": {key: {"type": "String", "defaultValue": value} for key, value in parameters.items()},
            "policyDefinitions": [
                {
                    "policyDefinitionReferenceId": f"ref{index}",
                    "policyDefinitionId": definition_id,
                    "parameters": {key: {"value": value} for key, value in values.items()},
                    "groupNames": [],
                }
                for index, (definition_id, values) in enumerate(members)
            ],
            "policyDefinitionGroups": [],
        },
    }


def compliance_summary(scope: str, states: dict[str, int], noncompliant_policies: int,
                       assignments: dict[str, int]) -> dict[str, Any]:
    """PolicyStates_SummarizeForSubscription: states, compliance state -> resources; assignments, name -> non-compliant resources."""
    def results(noncompliant: int) -> dict[str, Any]:
        return {"queryResultsUri": f"https://management.azure.com{scope}/providers/Microsoft.PolicyInsights/policyStates/latest/"
                                   "queryResults?api-version=2019-10-01&$filter=IsCompliant eq false",
                "nonCompliantResources": noncompliant, "nonCompliantPolicies": 1 if noncompliant else 0,
                "resourceDetails": [{"complianceState": "noncompliant", "count": noncompliant}],
                "policyDetails": [{"complianceState": "noncompliant", "count": 1 if noncompliant else 0}],
                "policyGroupDetails": [{"complianceState": "noncompliant", "count": 1 if noncompliant else 0}]}

    return {
        "@odata.context": "https://management.azure.com/subscriptions/.../$metadata#summary",
        "@odata.count": 1,
        "value": [{
            "@odata.id": None,
            "@odata.context": "https://management.azure.com/subscriptions/.../$metadata#summary/$entity",
            "results": {
                "queryResultsUri": f"https://management.azure.com{scope}/providers/Microsoft.PolicyInsights/policyStates/latest/"
                                   "queryResults?api-version=2019-10-01&$filter=ComplianceState eq 'NonCompliant'",
                "nonCompliantResources": states.get("noncompliant", 0),
                "nonCompliantPolicies": noncompliant_policies,
                "resourceDetails": [{"complianceState": state, "count": count} for state, count in states.items()],
                "policyDetails": [{"complianceState": "noncompliant", "count": noncompliant_policies}],
                "policyGroupDetails": [{"complianceState": "noncompliant", "count": 1}],
            },
            "policyAssignments": [
                {"policyAssignmentId": f"{scope}/providers/microsoft.authorization/policyassignments/{name}",
                 "policySetDefinitionId": "", "results": results(noncompliant), "policyDefinitions": [], "policyGroups": []}
                for name, noncompliant in assignments.items()
            ],
        }],
    }


def policy_exemption(scope: str, name: str, assignment_id: str, category: str, expires_on: str | None) -> dict[str, Any]:
    """A policy exemption (PolicyExemptions_List, 2022-07-01-preview); category Waiver or Mitigated."""
    properties: dict[str, Any] = {
        "policyAssignmentId": assignment_id,
        "policyDefinitionReferenceIds": [],
        "exemptionCategory": category,
        "displayName": name,
        "description": "Exempt while the migration runs",
        "metadata": {"requestedBy": "Payments team", "ticketRef": "PLAT-1234"},
        "assignmentScopeValidation": "Default",
        "resourceSelectors": [],
    }
    if expires_on is not None:
        properties["expiresOn"] = expires_on
    return {
        "id": f"{scope}/providers/Microsoft.Authorization/policyExemptions/{name}",
        "name": name,
        "type": "Microsoft.Authorization/policyExemptions",
        "systemData": {"createdBy": "platform@example.com", "createdByType": "User", "createdAt": "2026-03-01T10:00:00Z",
                       "lastModifiedBy": "platform@example.com", "lastModifiedByType": "User",
                       "lastModifiedAt": "2026-03-01T10:00:00Z"},
        "properties": properties,
    }


def remediation(scope: str, name: str, assignment_id: str, state: str, succeeded: int, failed: int) -> dict[str, Any]:
    """A remediation task (Remediations_ListForSubscription, 2021-10-01)."""
    return {
        "id": f"{scope}/providers/microsoft.policyinsights/remediations/{name}",
        "type": "Microsoft.PolicyInsights/remediations",
        "name": name,
        "properties": {
            "policyAssignmentId": assignment_id,
            "policyDefinitionReferenceId": "",
            "resourceDiscoveryMode": "ExistingNonCompliant",
            "provisioningState": state,
            "createdOn": "2026-03-01T10:00:00Z",
            "lastUpdatedOn": "2026-03-01T10:05:00Z",
            "filters": {"locations": []},
            "deploymentStatus": {"totalDeployments": succeeded + failed, "successfulDeployments": succeeded,
                                 "failedDeployments": failed},
        },
    }


def activity_log_setting(scope: str, name: str, *, workspace: bool, storage: bool, categories: list[str]) -> dict[str, Any]:
    """A diagnostic setting of a subscription's activity log (SubscriptionDiagnosticSettings_List, 2021-05-01-preview)."""
    groups = f"{scope}/resourceGroups/rg-logs/providers"
    return {
        "id": f"{scope}/providers/microsoft.insights/diagnosticSettings/{name}",
        "type": "Microsoft.Insights/diagnosticSettings",
        "name": name,
        "properties": {
            "storageAccountId": f"{groups}/Microsoft.Storage/storageAccounts/auditlogs" if storage else None,
            "serviceBusRuleId": None,
            "eventHubAuthorizationRuleId": None,
            "eventHubName": None,
            "workspaceId": f"{groups}/Microsoft.OperationalInsights/workspaces/platform-logs" if workspace else None,
            "marketplacePartnerId": None,
            "logs": [{"category": c, "enabled": True} for c in categories]
            + [{"category": "Alert", "enabled": False}],
        },
    }


def resource(subscription_id: str, group: str, kind: str, name: str, tags: dict[str, str] | None = None,
             properties: dict[str, Any] | None = None) -> dict[str, Any]:
    """A resource as Resource Graph and ARM know it; kind such as 'Microsoft.Storage/storageAccounts'."""
    return {
        "id": f"/subscriptions/{subscription_id}/resourceGroups/{group}/providers/{kind}/{name}",
        "name": name, "type": kind, "location": "westeurope", "tags": tags or {}, "properties": properties or {},
    }


def metric_alert(subscription_id: str, name: str, *, dynamic: bool) -> dict[str, Any]:
    """A metric alert rule resource (its properties as MetricAlerts_ListBySubscription gives them)."""
    criterion: dict[str, Any] = (
        {"criterionType": "DynamicThresholdCriterion", "name": "cpu", "metricName": "Percentage CPU", "operator": "GreaterThan",
         "timeAggregation": "Average", "alertSensitivity": "Medium",
         "failingPeriods": {"numberOfEvaluationPeriods": 4, "minFailingPeriodsToAlert": 4}}
        if dynamic else
        {"criterionType": "StaticThresholdCriterion", "name": "cpu", "metricName": "Percentage CPU", "operator": "GreaterThan",
         "threshold": 80, "timeAggregation": "Average"}
    )
    return resource(subscription_id, "rg-monitoring", "Microsoft.Insights/metricAlerts", name, properties={
        "severity": 2, "enabled": True, "scopes": [f"/subscriptions/{subscription_id}"], "evaluationFrequency": "PT5M",
        "windowSize": "PT15M", "criteria": {"odata.type": "Microsoft.Azure.Monitor.MultipleResourceMultipleMetricCriteria",
                                            "allOf": [criterion]},
        "autoMitigate": True, "actions": [],
    })


def _system_data(caller_type: str, at: str) -> dict[str, Any]:
    caller = "platform@example.com" if caller_type == "User" else "0d5c1b6a-0000-4000-8000-0000000000c1"
    return {"createdBy": caller, "createdByType": caller_type, "createdAt": at,
            "lastModifiedBy": caller, "lastModifiedByType": caller_type, "lastModifiedAt": at}


def deployment(scope: str, name: str, at: str, caller_type: str, state: str, outputs: list[str],
               template_spec: str | None = None) -> dict[str, Any]:
    """A deployment at subscription or resource-group scope (Deployments_ListAtSubscriptionScope,
    Deployments_ListByResourceGroup, 2026-06-01: the same DeploymentExtended)."""
    properties: dict[str, Any] = {
        "provisioningState": state,
        "correlationId": "c0000000-0000-4000-8000-000000000001",
        "timestamp": at,
        "duration": "PT1M2.345S",
        "mode": "Incremental",
        "templateHash": "1234567890",
        "outputResources": [{"id": rid} for rid in outputs],
        "providers": [],
        "dependencies": [],
    }
    if template_spec is not None:
        properties["templateLink"] = {"id": template_spec}
    return {"id": f"{scope}/providers/Microsoft.Resources/deployments/{name}", "name": name,
            "type": "Microsoft.Resources/deployments", "location": "westeurope",
            "systemData": _system_data(caller_type, at), "properties": properties}


def deployment_stack(scope: str, name: str, deny_mode: str, managed: list[str]) -> dict[str, Any]:
    """A deployment stack at subscription or resource-group scope (DeploymentStacks_ListAtSubscription,
    DeploymentStacks_ListAtResourceGroup, 2025-07-01: the same DeploymentStack); deny_mode
    none, denyDelete or denyWriteAndDelete."""
    return {
        "id": f"{scope}/providers/Microsoft.Resources/deploymentStacks/{name}", "name": name,
        "type": "Microsoft.Resources/deploymentStacks", "location": "westeurope",
        "systemData": _system_data("Application", "2026-11-01T10:00:00Z"),
        "properties": {
            "actionOnUnmanage": {"resources": "detach", "resourceGroups": "detach", "managementGroups": "detach"},
            "denySettings": {"mode": deny_mode, "excludedPrincipals": [], "excludedActions": [], "applyToChildScopes": False},
            "provisioningState": "succeeded",
            "correlationId": "c0000000-0000-4000-8000-000000000002",
            "deploymentScope": scope,
            "description": f"{name} (fixture)",
            "resources": [{"id": rid, "status": "managed", "denyStatus": deny_mode} for rid in managed],
            "detachedResources": [], "deletedResources": [], "failedResources": [],
            "deploymentId": f"{scope}/providers/Microsoft.Resources/deployments/{name}-2026",
            "duration": "PT2M",
        },
    }


def template_spec(subscription_id: str, group: str, name: str) -> dict[str, Any]:
    """A template spec (TemplateSpecs_ListBySubscription, 2022-02-01)."""
    return {
        "id": f"/subscriptions/{subscription_id}/resourceGroups/{group}/providers/Microsoft.Resources/templateSpecs/{name}",
        "name": name, "type": "Microsoft.Resources/templateSpecs", "location": "westeurope",
        "systemData": _system_data("User", "2026-02-01T10:00:00Z"),
        "properties": {"description": f"{name}, offered by the platform team", "displayName": name, "metadata": {},
                       "versions": {"1.0": {"description": "first", "timeCreated": "2026-02-01T10:00:00Z",
                                            "timeModified": "2026-02-01T10:00:00Z"}}},
        "tags": {},
    }


def autoscale_setting(subscription_id: str, group: str, name: str, target: str, *, enabled: bool) -> dict[str, Any]:
    """An autoscale setting (AutoscaleSettings_ListBySubscription, 2022-10-01)."""
    return {
        "id": f"/subscriptions/{subscription_id}/resourceGroups/{group}/providers/microsoft.insights/autoscalesettings/{name}",
        "name": name, "type": "Microsoft.Insights/autoscaleSettings", "location": "westeurope", "tags": {},
        "properties": {
            "name": name, "enabled": enabled, "targetResourceUri": target,
            "profiles": [{"name": "default", "capacity": {"minimum": "2", "maximum": "10", "default": "2"}, "rules": []}],
            "notifications": [],
        },
    }


def cost_allocation_rule(account: str, name: str, status: str, source: tuple[str, str, list[str]],
                         target: tuple[str, str, dict[str, float]]) -> dict[str, Any]:
    """A cost allocation rule (CostAllocationRules_List, 2025-03-01): `source` and `target` as
    (resourceType: Dimension or Tag, name: SubscriptionId, ResourceGroupName or a tag, values);
    the target's values with their percentages. The service holds one source and one target a rule."""
    source_type, source_name, source_values = source
    target_type, target_name, shares = target
    return {
        "id": f"providers/Microsoft.Billing/billingAccounts/{account}/providers/Microsoft.CostManagement/costAllocationRules/{name}",
        "name": name,
        "type": "Microsoft.CostManagement/costAllocationRules",
        "properties": {
            "description": f"Shares the cost of {source_name} {', '.join(source_values)}",
            "createdDate": "2026-06-18T22:21:51.1287144Z",
            "updatedDate": "2026-06-18T22:21:51.1287144Z",
            "status": status,
            "details": {
                "sourceResources": [{"resourceType": source_type, "name": source_name, "values": source_values}],
                "targetResources": [{
                    "resourceType": target_type, "policyType": "FixedProportion", "name": target_name,
                    "values": [{"name": value, "percentage": share} for value, share in shares.items()],
                }],
            },
        },
    }
