"""Azure resources to evidence data: pure functions, on resources shaped as the service sends them."""

from __future__ import annotations

from collectors.azure import mapping
from tests.fakes.azure import payloads as p

SUB = "11111111-1111-4111-8111-111111111111"
SCOPE = f"/subscriptions/{SUB}"


def test_selection_by_name_or_id_include_then_exclude() -> None:
    item = p.subscription(SUB, "prod-payments", "t")
    assert mapping.selected(item, [], [])
    assert mapping.selected(item, ["prod-*"], [])
    assert mapping.selected(item, ["1111*"], [])
    assert not mapping.selected(item, ["dev-*"], [])
    assert not mapping.selected(item, ["prod-*"], ["*-payments"])


def test_enforcement_mode_absent_means_enforced_and_upper_scopes_are_inherited() -> None:
    bare = p.policy_assignment(SCOPE, "a", "d")
    del bare["properties"]["enforcementMode"]  # optional in the API; the service's default is Default
    items = [bare, p.policy_assignment("/providers/Microsoft.Management/managementGroups/root", "b", "d", enforced=False)]
    definitions = {"/providers/microsoft.authorization/policydefinitions/d": p.policy_definition("", "d", "Deny")}
    assert mapping.policy_assignments(items, SCOPE, definitions) == {
        "assignments": 2, "enforced": 1, "initiatives": 0, "inherited": 1, "names": ["a", "b"],
        "effects": {"deny": 1}, "unresolved": 0, "enforced_deny": 1,  # b is DoNotEnforce: its deny only audits
    }


def test_effects_resolve_parameters_through_assignment_initiative_and_defaults() -> None:
    parameterised = p.policy_definition("", "param", "[parameters('effect')]", default="Audit")
    literal = p.policy_definition("", "literal", "DeployIfNotExists")
    initiative = p.policy_set_definition(
        "", "set",
        [(parameterised["id"], {"effect": "[parameters('setEffect')]"}), (literal["id"], {}), (parameterised["id"], {})],
        {"setEffect": "Modify"},
    )
    definitions = {d["id"].lower(): d for d in (parameterised, literal, initiative)}
    assigned = p.policy_assignment(SCOPE, "x", "param", parameters={"effect": "Deny"})
    defaulted = p.policy_assignment(SCOPE, "y", "param")
    of_set = p.policy_assignment(SCOPE, "z", "set", initiative=True)
    overridden = p.policy_assignment(SCOPE, "w", "set", initiative=True, parameters={"setEffect": "Disabled"})
    assert mapping.effects(assigned, definitions) == {"deny"}
    assert mapping.effects(defaulted, definitions) == {"audit"}
    assert mapping.effects(of_set, definitions) == {"modify", "deployifnotexists", "audit"}
    assert mapping.effects(overridden, definitions) == {"disabled", "deployifnotexists", "audit"}
    assert mapping.member_ids(initiative) == [parameterised["id"], literal["id"], parameterised["id"]]


def test_an_unreadable_definition_leaves_the_effects_unknown() -> None:
    member = p.policy_definition("", "member", "Deny")
    initiative = p.policy_set_definition("", "set", [(member["id"], {})], {})
    assignment = p.policy_assignment(SCOPE, "z", "set", initiative=True)
    assert mapping.effects(assignment, {initiative["id"].lower(): initiative, member["id"].lower(): None}) is None
    data = mapping.policy_assignments([assignment], SCOPE, {})
    assert data["unresolved"] == 1 and data["effects"] == {}


def test_privileged_roles_count_at_the_subscription_and_above_only() -> None:
    items = [
        p.role_assignment("/", "1", p.OWNER, "User", "u"),  # tenant root
        p.role_assignment("/providers/Microsoft.Management/managementGroups/root", "2", p.USER_ACCESS_ADMINISTRATOR, "Group", "g"),
        p.role_assignment(SCOPE.upper(), "3", p.OWNER.upper(), "ServicePrincipal", "s"),
        p.role_assignment(f"{SCOPE}/resourceGroups/rg", "4", p.OWNER, "User", "u2"),
        p.role_assignment(SCOPE, "5", p.READER, "User", "u3"),
    ]
    data = mapping.role_assignments(items, SCOPE)
    assert data["privileged"] == 3
    assert data["privileged_by_principal_type"] == {"Group": 1, "ServicePrincipal": 1, "User": 1}
    assert data["by_principal_type"] == {"Group": 1, "ServicePrincipal": 1, "User": 3}


def test_budgets_count_enabled_alerts_and_forecast_ones() -> None:
    disabled = p.budget(SCOPE, "off", 10, {"f": (100, "Forecasted")})
    disabled["properties"]["notifications"]["f"]["enabled"] = False
    items = [disabled, p.budget(SCOPE, "on", 10, {"a": (80, "Actual")}), p.budget(SCOPE, "fc", 10, {"f": (90, "Forecasted")})]
    assert mapping.budgets(items) == {"budgets": 3, "with_notifications": 2, "with_forecast_notifications": 1}


def test_provenance_share_is_none_without_resources() -> None:
    assert mapping.resource_provenance([], [], [])["traceable_share"] is None
