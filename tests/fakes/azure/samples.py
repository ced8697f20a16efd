"""A small Azure estate: two subscriptions with policy, access and budgets, one bare."""

from __future__ import annotations

from typing import Any

from tests.fakes.azure import payloads as p
from tests.fakes.azure.server import FakeGroup, FakeSubscription

PROD = "11111111-1111-4111-8111-111111111111"
SANDBOX = "22222222-2222-4222-8222-222222222222"
ROOT_GROUP = "/providers/Microsoft.Management/managementGroups/acme-root"
ENROLLMENT = "8608480"  # an EA enrollment number: the billing account id of an EA


PROD_RESOURCES = {
    "storage": p.resource(PROD, "rg-data", "Microsoft.Storage/storageAccounts", "acmedata",
                          {"managed-by": "terraform", "owner": "data-team", "costCenter": "CC-1001"}),
    "vnet": p.resource(PROD, "rg-network", "Microsoft.Network/virtualNetworks", "hub", {"Owner": "network"}),
    "web": p.resource(PROD, "rg-app", "Microsoft.Web/sites", "payments", {"team": "payments", "cost-center": "CC-2002"}),
    "vault": p.resource(PROD, "rg-data", "Microsoft.KeyVault/vaults", "acme-secrets"),
    "vm": p.resource(PROD, "rg-app", "Microsoft.Compute/virtualMachines", "made-by-hand", {"owner": ""}),  # nothing traces it
}


PROD_MONITORING = [
    p.metric_alert(PROD, "cpu-learned", dynamic=True),
    p.metric_alert(PROD, "cpu-static", dynamic=False),
    p.resource(PROD, "rg-monitoring", "Microsoft.Insights/scheduledQueryRules", "errors-in-logs"),
    p.resource(PROD, "rg-monitoring", "Microsoft.Insights/actionGroups", "platform-oncall"),
    p.resource(PROD, "rg-monitoring", "Microsoft.Insights/workbooks", "0f0e0d0c-0000-4000-8000-000000000001"),
    p.resource(PROD, "rg-monitoring", "Microsoft.Dashboard/grafana", "platform-grafana"),
    p.resource(PROD, "rg-app", "Microsoft.Insights/components", "payments-ai", {"managed-by": "terraform"}),
    p.resource(PROD, "rg-app", "Microsoft.Insights/webtests", "payments-ping"),
]


def sample_subscriptions() -> list[FakeSubscription]:
    prod = f"/subscriptions/{PROD}"
    return [
        FakeSubscription(
            PROD,
            "prod-payments",
            policy_assignments=[
                p.policy_assignment(prod, "deny-public-ip", "6c112d4e-5bc7-47ae-a041-ea2d9dccd749", parameters={"effect": "Deny"}),
                p.policy_assignment(prod, "audit-tags", "871b6d14-10aa-478d-b590-94f262ecfa99", enforced=False),
                p.policy_assignment(ROOT_GROUP, "security-benchmark", "1f3afdf9-d0c9-4c3d-847f-89da613e70a8", initiative=True),
            ],
            role_assignments=[
                p.role_assignment(prod, "a0000000-0000-4000-8000-000000000001", p.OWNER, "User", "u-1"),
                p.role_assignment(ROOT_GROUP, "a0000000-0000-4000-8000-000000000002", p.OWNER, "Group", "g-1"),
                p.role_assignment(prod, "a0000000-0000-4000-8000-000000000003", p.USER_ACCESS_ADMINISTRATOR, "ServicePrincipal", "sp-1"),
                p.role_assignment(f"{prod}/resourceGroups/rg-app", "a0000000-0000-4000-8000-000000000004", p.OWNER, "User", "u-2"),
                p.role_assignment(prod, "a0000000-0000-4000-8000-000000000005", p.READER, "Group", "g-2"),
            ],
            role_eligibility=[
                p.role_eligibility(prod, "e0000000-0000-4000-8000-000000000001", p.OWNER, "User", "u-3"),
                p.role_eligibility(prod, "e0000000-0000-4000-8000-000000000002", p.OWNER, "Group", "g-3"),
                p.role_eligibility(prod, "e0000000-0000-4000-8000-000000000003", p.READER, "User", "u-4"),
            ],
            locks=[
                p.lock(prod, "no-delete", "CanNotDelete"),
                p.lock(f"{prod}/resourceGroups/rg-network", "network-frozen", "ReadOnly"),
                p.lock(f"{prod}/resourceGroups/rg-data", "keep-data", "CanNotDelete"),
            ],
            budgets=[
                p.budget(prod, "monthly", 5000, {"Actual_GreaterThan_80_Percent": (80, "Actual"), "Forecast_100": (100, "Forecasted")}),
                p.budget(prod, "quarterly", 15000, {"Actual_GreaterThan_90_Percent": (90, "Actual")}),
                p.budget(prod, "silent", 100, {}),
            ],
            compliance=p.compliance_summary(prod, {"compliant": 40, "noncompliant": 7, "exempt": 3}, 2,
                                            {"deny-public-ip": 0, "audit-tags": 7, "security-benchmark": 0}),
            exemptions=[
                p.policy_exemption(prod, "legacy-vm", f"{prod}/providers/Microsoft.Authorization/policyAssignments/audit-tags",
                                   "Waiver", "2027-01-31T00:00:00Z"),
                p.policy_exemption(prod, "old-waiver", f"{prod}/providers/Microsoft.Authorization/policyAssignments/audit-tags",
                                   "Waiver", "2026-06-30T00:00:00Z"),  # expired before the scan
                p.policy_exemption(prod, "firewall", f"{ROOT_GROUP}/providers/Microsoft.Authorization/policyAssignments/security-benchmark",
                                   "Mitigated", None),
            ],
            remediations=[
                p.remediation(prod, "diagnostics-fix", f"{ROOT_GROUP}/providers/Microsoft.Authorization/policyAssignments/security-benchmark",
                              "Succeeded", 12, 0),
                p.remediation(prod, "storage-fix", f"{ROOT_GROUP}/providers/Microsoft.Authorization/policyAssignments/security-benchmark",
                              "Failed", 3, 2),
            ],
            activity_log_settings=[
                p.activity_log_setting(prod, "to-workspace", workspace=True, storage=False,
                                       categories=["Administrative", "Security", "Policy"]),
                p.activity_log_setting(prod, "archive", workspace=False, storage=True, categories=["Administrative"]),
            ],
            resources=[*PROD_RESOURCES.values(), *PROD_MONITORING],
            deployments=[
                p.deployment(prod, "network", "2026-11-20T09:00:00Z", "User", "Succeeded", [PROD_RESOURCES["vnet"]["id"]]),
                p.deployment(prod, "web", "2026-11-25T09:00:00Z", "Application", "Succeeded", [PROD_RESOURCES["web"]["id"]],
                             template_spec=f"{prod}/resourceGroups/rg-platform/providers/Microsoft.Resources/templateSpecs/webapp/versions/1.0"),
                p.deployment(prod, "retry", "2026-12-01T09:00:00Z", "ManagedIdentity", "Failed", []),
                # Before the window: not in the history, but what it made is still traced to it.
                p.deployment(prod, "bootstrap", "2026-01-10T09:00:00Z", "User", "Succeeded", [PROD_RESOURCES["storage"]["id"]]),
            ],
            deployment_stacks=[
                p.deployment_stack(prod, "secrets", "denyDelete", [PROD_RESOURCES["vault"]["id"]]),
                p.deployment_stack(prod, "sandbox-kit", "none", []),
            ],
            # At resource-group scope: the alert rules and their action group deployed by a pipeline's identity,
            # and a stack that keeps the web app from changes made outside it.
            group_deployments={"rg-monitoring": [
                p.deployment(f"{prod}/resourceGroups/rg-monitoring", "alerts", "2026-11-28T09:00:00Z", "ManagedIdentity", "Succeeded",
                             [PROD_MONITORING[0]["id"], PROD_MONITORING[1]["id"], PROD_MONITORING[3]["id"]]),
            ]},
            group_stacks={"rg-app": [p.deployment_stack(f"{prod}/resourceGroups/rg-app", "payments", "denyWriteAndDelete",
                                                        [PROD_RESOURCES["web"]["id"]])]},
            template_specs=[p.template_spec(PROD, "rg-platform", "webapp"), p.template_spec(PROD, "rg-platform", "database")],
            autoscale_settings=[
                p.autoscale_setting(PROD, "rg-app", "web-scale", PROD_RESOURCES["web"]["id"], enabled=True),
                p.autoscale_setting(PROD, "rg-app", "batch-scale", PROD_RESOURCES["vm"]["id"], enabled=False),
            ],
        ),
        FakeSubscription(
            SANDBOX,
            "sandbox",
            policy_assignments=[
                p.policy_assignment(f"/subscriptions/{SANDBOX}", "allowed-locations", "allowed-locations",
                                    definition_scope=f"/subscriptions/{SANDBOX}"),
                p.policy_assignment(f"/subscriptions/{SANDBOX}", "audit-tags", "871b6d14-10aa-478d-b590-94f262ecfa99", enforced=False),
                # Its definition was deleted: the assignment stays, its effect is unknown.
                p.policy_assignment(f"/subscriptions/{SANDBOX}", "orphan", "gone", definition_scope=ROOT_GROUP),
            ],
            resources=[p.resource(SANDBOX, "rg-try", "Microsoft.Compute/virtualMachines", "scratch")],
        ),
    ]


def sample_definitions() -> list[dict[str, Any]]:
    """The policy definitions and initiatives the sample's assignments refer to (the orphan's excepted)."""
    storage = p.policy_definition("", "storage-https", "[parameters('effect')]", default="Audit")
    return [
        p.policy_definition("", "6c112d4e-5bc7-47ae-a041-ea2d9dccd749", "[parameters('effect')]", default="Audit"),
        p.policy_definition("", "871b6d14-10aa-478d-b590-94f262ecfa99", "audit"),
        p.policy_definition("", "diagnostics", "DeployIfNotExists"),
        storage,
        p.policy_set_definition(
            "",
            "1f3afdf9-d0c9-4c3d-847f-89da613e70a8",
            [("/providers/Microsoft.Authorization/policyDefinitions/diagnostics", {}),
             (storage["id"], {"effect": "[parameters('storageEffect')]"})],
            {"storageEffect": "Modify"},
        ),
        p.policy_definition(f"/subscriptions/{SANDBOX}", "allowed-locations", "Deny"),
    ]


def sample_groups() -> list[FakeGroup]:
    """Names and data of management groups (a tree is given to the fake with them)."""
    return [
        FakeGroup(
            "acme-root",
            "Acme",
            policy_assignments=[
                p.policy_assignment(ROOT_GROUP, "security-benchmark", "1f3afdf9-d0c9-4c3d-847f-89da613e70a8", initiative=True),
            ],
            role_assignments=[
                p.role_assignment(ROOT_GROUP, "b0000000-0000-4000-8000-000000000001", p.OWNER, "User", "u-1"),
                p.role_assignment(ROOT_GROUP, "b0000000-0000-4000-8000-000000000002", p.USER_ACCESS_ADMINISTRATOR, "Group", "g-1"),
                p.role_assignment(ROOT_GROUP, "b0000000-0000-4000-8000-000000000003", p.READER, "User", "u-5"),
            ],
            exemptions=[  # made at the root: every subscription below it lists it
                p.policy_exemption(ROOT_GROUP, "legacy-network", f"{ROOT_GROUP}/providers/Microsoft.Authorization/policyAssignments/security-benchmark",
                                   "Waiver", None),
            ],
            remediations=[  # DINE policies assigned at the root are remediated there, not per subscription
                p.remediation(ROOT_GROUP, "tags-everywhere", f"{ROOT_GROUP}/providers/Microsoft.Authorization/policyAssignments/security-benchmark",
                              "Succeeded", 30, 1),
            ],
        ),
        FakeGroup("platform", "Platform"),
    ]


def sample_allocation_rules() -> list[dict[str, Any]]:
    """An enrollment's cost allocation rules: the shared platform's costs spread over teams."""
    return [
        # The platform subscription's cost charged to the two product subscriptions.
        p.cost_allocation_rule(ENROLLMENT, "platform-to-products", "Active", ("Dimension", "SubscriptionId", [SANDBOX]),
                               ("Dimension", "SubscriptionId", {PROD: 70, "33333333-3333-4333-8333-333333333333": 30})),
        # The shared network's resource group to the teams' tags.
        p.cost_allocation_rule(ENROLLMENT, "network-by-team", "Processing", ("Dimension", "ResourceGroupName", ["rg-network"]),
                               ("Tag", "team", {"payments": 50, "data": 25, "search": 25})),
        # Whole to one group: in force, not spread.
        p.cost_allocation_rule(ENROLLMENT, "logs-to-ops", "Active", ("Tag", "shared", ["logging"]),
                               ("Dimension", "ResourceGroupName", {"rg-ops": 100})),
        p.cost_allocation_rule(ENROLLMENT, "draft", "NotActive", ("Dimension", "ResourceGroupName", ["rg-old"]),
                               ("Dimension", "ResourceGroupName", {"rg-a": 50, "rg-b": 50})),
    ]
