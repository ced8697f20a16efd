"""The Azure collector end to end: real azure-identity and SDK clients against the fake Azure over HTTPS."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from collectors.azure import allocation, scan
from collectors.azure.collector import AzureCollector
from scanner.contract import Limits
from scanner.errors import SourceUnavailable
from scanner.model import EvidenceStatus
from tests.collecting import CollectedScan
from tests.contract.azure.scanning import context, run_azure, timer_of
from tests.fakes.azure import payloads as p
from tests.fakes.azure.samples import PROD, SANDBOX, sample_definitions, sample_groups, sample_subscriptions
from tests.fakes.azure.server import ACCESS_TOKEN_PREFIX, CLIENT_SECRET, FakeAzure, FakeSubscription
from tests.fakes.http.exchange import json_response

PROD_ID, SANDBOX_ID = f"azure:{PROD}", f"azure:{SANDBOX}"


def test_the_kinds_scanned_are_the_kinds_declared() -> None:
    assert frozenset(kind.name for kind in scan.KINDS) | {allocation.KIND} == AzureCollector.provides


def test_subscriptions_with_policy_access_and_budgets_through_every_page(fake_azure: FakeAzure) -> None:
    result = run_azure(fake_azure)

    assert result.ids == [PROD_ID, SANDBOX_ID]  # sorted by name: prod-payments, sandbox
    assert result.subject(PROD_ID).name == "prod-payments"
    assert result.data(PROD_ID, "cloud.policy_assignments") == {
        "assignments": 3, "enforced": 2, "initiatives": 1, "inherited": 1,
        "names": ["audit-tags", "deny-public-ip", "security-benchmark"],
        # deny from the assignment's parameter; the initiative's members: a literal and its own default
        "effects": {"deny": 1, "deployifnotexists": 1, "modify": 1}, "unresolved": 0, "enforced_deny": 1,
    }
    assert result.data(SANDBOX_ID, "cloud.policy_assignments")["effects"] == {"deny": 1}  # a subscription's own definition
    assert result.data(SANDBOX_ID, "cloud.policy_assignments")["unresolved"] == 1  # the orphan's definition is gone
    assert result.data(PROD_ID, "cloud.role_assignments") == {
        "assignments": 5,
        "by_principal_type": {"Group": 2, "ServicePrincipal": 1, "User": 2},
        "privileged": 3,  # the resource group's Owner is below the subscription
        "privileged_by_principal_type": {"Group": 1, "ServicePrincipal": 1, "User": 1},
        "privileged_users": 1,
        "group_share": 0.5,  # 2 groups among 2 users and 2 groups; the service principal is not a person
        "privileged_inherited": 1,
    }
    assert result.data(PROD_ID, "cloud.role_eligibility") == {
        "assignments": 3,
        "by_principal_type": {"Group": 1, "User": 2},
        "privileged": 2,
        "privileged_by_principal_type": {"Group": 1, "User": 1},
        "privileged_users": 1,
        "group_share": 0.3333,
        "privileged_inherited": 0,
    }
    assert result.data(SANDBOX_ID, "cloud.role_eligibility")["assignments"] == 0
    assert result.data(PROD_ID, "cloud.locks") == {"locks": 3, "by_level": {"CanNotDelete": 2, "ReadOnly": 1}, "on_subscription": 1}
    assert result.data(SANDBOX_ID, "cloud.locks")["locks"] == 0
    assert result.data(PROD_ID, "cost.budgets") == {"budgets": 3, "with_notifications": 2, "with_forecast_notifications": 1}
    assert result.data(SANDBOX_ID, "cost.budgets") == {"budgets": 0, "with_notifications": 0, "with_forecast_notifications": 0}
    # Three items on pages of two: the next link was followed, the one answer for each.
    assert fake_azure.count(f"{PROD}/providers/microsoft.authorization/policyassignments") == 2
    assert result.requests.snapshot()["azure:policyassignments"].sent == 4  # 2 pages for each subscription
    assert result.of(PROD_ID, "cost.budgets").locators == (
        f"{fake_azure.url}/subscriptions/{PROD}/providers/Microsoft.Consumption/budgets",
    )
    assert not result.problems and not result.unreached
    # Each definition is read once per scan, not once per subscription (both assign audit-tags's).
    assert fake_azure.count("/policydefinitions/871b6d14-10aa-478d-b590-94f262ecfa99") == 1
    assert result.requests.snapshot()["azure:policydefinitions"].sent + result.requests.snapshot()["azure:policysetdefinitions"].sent == 7


def test_governance_completions_compliance_exemptions_remediations_and_activity_log(fake_azure: FakeAzure) -> None:
    result = run_azure(fake_azure)

    assert result.data(PROD_ID, "cloud.policy_compliance") == {
        "resources": 50, "by_state": {"compliant": 40, "exempt": 3, "noncompliant": 7},
        "noncompliant_resources": 7, "noncompliant_policies": 2, "assignments": 3, "noncompliant_assignments": 1,
    }
    # The summary is a POST that only reads, sent once per subscription.
    assert [m for m, path in fake_azure.requests if path.lower().endswith("/policystates/latest/summarize")] == ["POST", "POST"]
    assert result.data(SANDBOX_ID, "cloud.policy_compliance")["resources"] == 0  # nothing evaluated there yet
    # Exemptions on pages of two, through pecm's own reading of the list: one expired before the scan, one never expires.
    assert result.data(PROD_ID, "cloud.policy_exemptions") == {
        "exemptions": 3, "by_category": {"Mitigated": 1, "Waiver": 2}, "expiring": 2, "expired": 1, "never_expiring": 1,
        "from_management_groups": 0,
    }
    assert fake_azure.count(f"{PROD}/providers/microsoft.authorization/policyexemptions") == 2
    assert result.data(PROD_ID, "cloud.policy_remediations") == {
        "remediations": 2, "by_state": {"Failed": 1, "Succeeded": 1}, "resources_remediated": 15, "resources_failed": 2,
    }
    assert result.data(PROD_ID, "cloud.activity_log_export") == {
        "settings": 2, "destinations": ["log_analytics", "storage"], "categories": ["Administrative", "Policy", "Security"],
    }
    assert result.data(SANDBOX_ID, "cloud.activity_log_export") == {"settings": 0, "destinations": [], "categories": []}
    # Owner / User Access Administrator held at a management group above the subscription, counted apart.
    assert result.data(PROD_ID, "cloud.role_assignments")["privileged_inherited"] == 1
    assert not result.problems


def test_lists_read_without_a_client_keep_the_error_body_and_the_role(fake_azure: FakeAzure) -> None:
    fake_azure.fail(f"{PROD}/providers/microsoft.authorization/policyexemptions", 403, "AuthorizationFailed")
    fake_azure.fail(f"{SANDBOX}/providers/microsoft.insights/diagnosticsettings", 429, "TooManyRequests", times=1, retry_after=5)
    timer = timer_of(fake_azure)

    result = run_azure(fake_azure, timer=timer)

    record = result.of(PROD_ID, "cloud.policy_exemptions")
    assert record.status is EvidenceStatus.UNAVAILABLE
    assert record.reason == "Azure refused to list the policy exemptions (AuthorizationFailed): grant Reader on the subscription"
    assert timer.slept == [5.0]  # the same pipeline waits out throttling
    assert result.data(SANDBOX_ID, "cloud.activity_log_export")["settings"] == 0


def test_a_401_on_a_list_read_without_a_client_means_no_token_as_on_the_others(fake_azure: FakeAzure) -> None:
    fake_azure.fail(f"{PROD}/providers/microsoft.authorization/policyexemptions", 401, "InvalidAuthenticationToken")
    fake_azure.fail(f"{PROD}/providers/microsoft.authorization/locks", 401, "InvalidAuthenticationToken")

    result = run_azure(fake_azure)

    for kind in ("cloud.policy_exemptions", "cloud.locks"):
        assert str(result.of(PROD_ID, kind).reason).startswith("no token for Azure Resource Manager ((InvalidAuthenticationToken)")


def test_provisioning_provenance_deployments_self_service_and_autoscale(tmp_path: Path) -> None:
    with FakeAzure(sample_subscriptions(), tmp_path, definitions=sample_definitions(), graph_page_size=2).running() as fake:
        result = run_azure(fake)
        graph = [(method, path) for method, path in fake.requests if "resourcegraph" in path.lower()]

    # One Resource Graph query for both subscriptions: 14 rows on pages of two, paged by offset ($skip);
    # one for the resource groups (5 rows, 3 pages); one for the monitoring counts (7 rows, 4 pages).
    assert graph == [("POST", "/providers/Microsoft.ResourceGraph/resources")] * (7 + 3 + 4)
    assert result.data(PROD_ID, "cloud.resource_provenance") == {
        # tagged (two); deployed at the subscription's scope (one from a template spec, one before the window) and
        # at rg-monitoring's (three alerting resources); stack-managed (one at each scope); 5 by hand
        "resources": 13, "traceable": 8, "traceable_share": 0.6154, "iac_tagged": 2, "deployed": 6, "from_template_specs": 1,
        "stack_managed": 2,
    }
    assert result.data(SANDBOX_ID, "cloud.resource_provenance")["traceable_share"] == 0.0
    # From the same query's rows, no request more: owner tags in any configured case ("Owner", "team"; an
    # empty value is no owner), cost-centre tags as "costCenter" and "cost-center".
    assert result.data(PROD_ID, "cost.tag_coverage") == {
        "resources": 13, "owner_tagged": 3, "cost_center_tagged": 2, "owner_share": 0.2308, "cost_center_share": 0.1538,
    }
    assert result.data(SANDBOX_ID, "cost.tag_coverage")["owner_tagged"] == 0
    assert result.data(PROD_ID, "cloud.deployments") == {
        "window_days": 90, "deployments": 4, "by_caller_type": {"Application": 1, "ManagedIdentity": 2, "User": 1},
        "automated": 3, "succeeded": 3, "failed": 1, "from_template_specs": 1, "resource_groups": 4,
    }
    assert result.data(PROD_ID, "cloud.self_service") == {"template_specs": 2, "deployment_stacks": 3, "stacks_with_deny": 2}
    assert result.data(PROD_ID, "cloud.autoscale") == {"settings": 2, "enabled": 1}
    # Deployments and stacks feed two kinds each and are read once: one request per page (4 and 2 items at the
    # subscriptions' scope, pages of 2), and one for each of the 4 + 1 resource groups.
    assert result.requests.snapshot()["azure:deployments"].sent == 2 + 1 + 5
    assert result.requests.snapshot()["azure:deploymentstacks"].sent == 1 + 1 + 5


def test_resource_group_scope_can_be_left_out_to_save_two_requests_per_resource_group(fake_azure: FakeAzure) -> None:
    result = run_azure(fake_azure, resource_group_scope=False)

    assert result.data(PROD_ID, "cloud.deployments")["deployments"] == 3
    assert result.data(PROD_ID, "cloud.deployments")["resource_groups"] is None  # the subscription's scope only
    assert result.data(PROD_ID, "cloud.resource_provenance")["traceable"] == 5
    assert fake_azure.count("/resourcegroups/") == 0 and fake_azure.count("microsoft.resourcegraph") == 2


def test_a_resource_group_deleted_after_it_was_listed_has_nothing_to_count(fake_azure: FakeAzure) -> None:
    fake_azure.fail(f"{PROD}/resourcegroups/rg-network/providers/microsoft.resources", 404, "ResourceGroupNotFound")

    result = run_azure(fake_azure)

    assert result.data(PROD_ID, "cloud.deployments")["deployments"] == 4
    assert not result.problems


def test_measurement_alert_rules_action_groups_dashboards_and_application_insights(fake_azure: FakeAzure) -> None:
    result = run_azure(fake_azure)

    assert result.data(PROD_ID, "cloud.monitoring") == {
        "metric_alerts": 2, "dynamic_threshold_alerts": 1, "log_alerts": 1, "activity_log_alerts": 0, "action_groups": 1,
        "workbooks": 1, "dashboards": 0, "grafana": 1, "app_insights": 1, "availability_tests": 1,
    }
    assert set(result.data(SANDBOX_ID, "cloud.monitoring").values()) == {0}
    # Three Resource Graph queries in all (provenance, resource groups, monitoring), not one per subscription or type.
    assert fake_azure.count("microsoft.resourcegraph") == 3


def test_a_refused_resource_graph_query_is_sent_once_and_leaves_provenance_unavailable(fake_azure: FakeAzure) -> None:
    fake_azure.fail("/providers/microsoft.resourcegraph/resources", 403, "AuthorizationFailed")

    result = run_azure(fake_azure)

    assert fake_azure.count("microsoft.resourcegraph") == 3  # each query once, not once per subscription
    # Without the resource groups, their deployments and stacks are unknown: so are the kinds counting them.
    for subject in (PROD_ID, SANDBOX_ID):
        for kind in ("cloud.resource_provenance", "cloud.monitoring", "cloud.deployments", "cloud.self_service"):
            record = result.of(subject, kind)
            assert record.status is EvidenceStatus.UNAVAILABLE and "grant Reader on the subscription" in str(record.reason)
    assert result.data(PROD_ID, "cloud.autoscale")["settings"] == 2


def test_resource_graph_answers_read_without_the_sdk_models_keep_its_errors(fake_azure: FakeAzure) -> None:
    # Resource Graph is read through pecm's pipeline, not the client's `resources` operation: a 401
    # still means no token (as the SDK raises it), and an answer without its rows is no answer.
    fake_azure.fail("/providers/microsoft.resourcegraph/resources", 401, "InvalidAuthenticationToken", times=1)
    fake_azure.faults.respond(lambda path: "resourcegraph" in path.lower(), json_response({"totalRecords": 3}), times=1)

    result = run_azure(fake_azure)

    reasons = {str(result.of(subject, kind).reason) for subject in (PROD_ID, SANDBOX_ID)
               for kind in ("cloud.resource_provenance", "cost.tag_coverage", "cloud.monitoring")}
    assert any(reason.startswith("no token for Azure Resource Manager") for reason in reasons)
    assert any("Resource Graph answered without its rows" in reason for reason in reasons)
    assert result.data(PROD_ID, "cloud.autoscale")["settings"] == 2


def test_a_403_on_one_subscription_names_the_role_and_the_rest_goes_on(fake_azure: FakeAzure) -> None:
    fake_azure.fail(f"{PROD}/providers/microsoft.consumption/budgets", 403, "AuthorizationFailed")
    fake_azure.fail(f"{SANDBOX}/providers/microsoft.authorization/roleassignments", 403, "AuthorizationFailed")

    result = run_azure(fake_azure)

    budgets = result.of(PROD_ID, "cost.budgets")
    assert budgets.status is EvidenceStatus.UNAVAILABLE
    assert budgets.reason == "Azure refused to list the budgets (AuthorizationFailed): grant Cost Management Reader on the subscription"
    access = result.of(SANDBOX_ID, "cloud.role_assignments")
    assert access.status is EvidenceStatus.UNAVAILABLE and "grant Reader on the subscription" in str(access.reason)
    assert result.data(PROD_ID, "cloud.role_assignments")["assignments"] == 5
    assert result.data(SANDBOX_ID, "cost.budgets")["budgets"] == 0


def test_an_unregistered_provider_is_unsupported_and_never_registered(fake_azure: FakeAzure) -> None:
    fake_azure.fail(f"{SANDBOX}/providers/microsoft.consumption", 409, "MissingSubscriptionRegistration")

    result = run_azure(fake_azure)

    record = result.of(SANDBOX_ID, "cost.budgets")
    assert record.status is EvidenceStatus.UNSUPPORTED
    assert record.reason == "this subscription offers no budgets (MissingSubscriptionRegistration)"
    # azure-mgmt-core would register the provider (a POST: a write); pecm's pipeline never does.
    # The POSTs it sends are reads: the compliance summary and the Resource Graph query.
    posts = {path.rsplit("/", 1)[-1] for method, path in fake_azure.requests if method == "POST" and "oauth2" not in path}
    assert posts == {"summarize", "resources"}


def test_a_tenant_without_pim_licence_has_role_eligibility_unsupported(fake_azure: FakeAzure) -> None:
    fake_azure.fail("roleeligibilityscheduleinstances", 400, "AadPremiumLicenseRequired")

    result = run_azure(fake_azure)

    record = result.of(PROD_ID, "cloud.role_eligibility")
    assert record.status is EvidenceStatus.UNSUPPORTED
    assert record.reason == "this subscription offers no role eligibilities (PIM) (AadPremiumLicenseRequired)"
    assert result.data(PROD_ID, "cloud.role_assignments")["privileged"] == 3


def test_throttling_waits_retry_after_in_virtual_time_then_reads(fake_azure: FakeAzure) -> None:
    fake_azure.fail(f"{PROD}/providers/microsoft.authorization/policyassignments", 429, "TooManyRequests", times=2, retry_after=7)
    timer = timer_of(fake_azure)

    result = run_azure(fake_azure, timer=timer)

    assert timer.slept == [7.0, 7.0]
    assert result.data(PROD_ID, "cloud.policy_assignments")["assignments"] == 3


def test_throttling_without_retry_after_waits_a_minute_for_every_worker(fake_azure: FakeAzure) -> None:
    fake_azure.fail(f"{SANDBOX}/providers/microsoft.authorization/locks", 429, "TooManyRequests", times=1)
    timer = timer_of(fake_azure)

    result = run_azure(fake_azure, timer=timer)

    assert timer.slept == [60.0]
    assert result.data(SANDBOX_ID, "cloud.locks")["locks"] == 0


def test_throttling_past_the_wait_budget_makes_the_kind_unavailable(fake_azure: FakeAzure) -> None:
    fake_azure.fail(f"{PROD}/providers/microsoft.authorization/policyassignments", 429, "TooManyRequests", times=1, retry_after=120)

    result = run_azure(fake_azure, max_rate_limit_wait_seconds=60, rate_limit_wait_budget_seconds=60)

    record = result.of(PROD_ID, "cloud.policy_assignments")
    assert record.status is EvidenceStatus.UNAVAILABLE and "throttled by Azure Resource Manager" in str(record.reason)


def test_a_persistent_5xx_is_retried_then_unavailable(fake_azure: FakeAzure) -> None:
    fake_azure.fail(f"{PROD}/providers/microsoft.authorization/roleassignments", 503, "ServiceUnavailable")
    timer = timer_of(fake_azure)

    result = run_azure(fake_azure, timer=timer, max_retries=2)

    assert fake_azure.count(f"{PROD}/providers/microsoft.authorization/roleassignments") == 3
    assert timer.slept == [0.5, 1.0]
    record = result.of(PROD_ID, "cloud.role_assignments")
    assert record.status is EvidenceStatus.UNAVAILABLE
    assert record.reason == "the role assignments could not be read (503 ServiceUnavailable: ServiceUnavailable for " \
        f"/subscriptions/{PROD}/providers/microsoft.authorization/roleassignments); scan again later"


def test_a_failed_subscription_listing_stops_the_source(fake_azure: FakeAzure) -> None:
    fake_azure.fail("/subscriptions", 500, "InternalServerError")
    with pytest.raises(SourceUnavailable, match=r"^azure: cannot list subscriptions \(500 InternalServerError"):
        list(AzureCollector().collect(context(fake_azure, CollectedScan(), max_retries=0)))


def test_a_configured_subscription_that_does_not_exist_is_reported_and_cut_short(fake_azure: FakeAzure) -> None:
    missing = "33333333-3333-4333-8333-333333333333"

    result = run_azure(fake_azure, subscriptions=[SANDBOX, missing.upper()])

    assert result.ids == [SANDBOX_ID]
    reason = f"azure: subscription {missing}: does not exist or is not readable by this identity"
    assert result.messages() == [reason]
    assert result.unreached == {"subscription": reason}  # management groups were not asked for: none is unknown


def test_when_no_configured_subscription_can_be_found_the_source_is_unavailable(fake_azure: FakeAzure) -> None:
    # The id may exist and be hidden from this identity: the source is unavailable (the other
    # sources go on), not a settings error that would stop the whole scan.
    with pytest.raises(SourceUnavailable) as raised:
        list(AzureCollector().collect(context(fake_azure, CollectedScan(), subscriptions=["33333333-3333-4333-8333-333333333333"])))
    assert raised.value.one_line() == (
        f"azure: nothing could be scanned at {fake_azure.url}: subscription 33333333-3333-4333-8333-333333333333: does not "
        "exist or is not readable by this identity (check the ids in sources.azure and that the identity holds Reader on them)"
    )


def test_include_and_exclude_select_subscriptions_by_name(fake_azure: FakeAzure) -> None:
    assert run_azure(fake_azure, include=["prod-*"]).ids == [PROD_ID]
    assert run_azure(fake_azure, exclude=["prod-*"]).ids == [SANDBOX_ID]


def test_a_missing_secret_stops_the_source_with_a_hint(fake_azure: FakeAzure) -> None:
    with pytest.raises(SourceUnavailable) as raised:
        list(AzureCollector().collect(context(fake_azure, CollectedScan(), secret="")))
    assert raised.value.one_line() == (
        "azure: environment variable AZURE_CLIENT_SECRET is not set "
        "(export the client secret of the app registration in it, or use another authentication)"
    )


def test_a_refused_secret_stops_the_source_in_one_line_without_the_secret(fake_azure: FakeAzure) -> None:
    wrong = "wrong-secret-canary"
    with pytest.raises(SourceUnavailable) as raised:
        list(AzureCollector().collect(context(fake_azure, CollectedScan(), secret=wrong)))
    line = raised.value.one_line()
    assert line.startswith("azure: no token for Azure Resource Manager (") and "\n" not in line
    assert "AADSTS7000215" in line and wrong not in line


def test_secrets_and_tokens_never_reach_evidence_problems_or_logs(fake_azure: FakeAzure, caplog: pytest.LogCaptureFixture) -> None:
    fake_azure.fail(f"{PROD}/providers/microsoft.consumption/budgets", 403, "AuthorizationFailed")
    fake_azure.fail(f"{SANDBOX}/providers/microsoft.authorization/roleassignments", 500, "InternalServerError")
    caplog.set_level(logging.DEBUG)

    result = run_azure(fake_azure, subscriptions=[PROD, SANDBOX, "33333333-3333-4333-8333-333333333333"])

    output = "\n".join(
        [item.model_dump_json() for item in [*result.subjects, *result.evidence, *result.problems]]
        + list(result.unreached.values())
        + [record.getMessage() for record in caplog.records]
        + [repr(record.args) for record in caplog.records]
    )
    assert fake_azure.count("oauth2/v2.0/token") >= 1  # a token was issued, so there was one to leak
    assert any(record.name.startswith("azure") for record in caplog.records)  # the SDK's DEBUG logs were seen
    assert CLIENT_SECRET not in output and ACCESS_TOKEN_PREFIX not in output


def test_workers_read_subscriptions_concurrently_and_yield_them_in_order(tmp_path: Path) -> None:
    many = [
        FakeSubscription(f"{index:08d}-0000-4000-8000-000000000000", f"team-{index:02d}",
                         policy_assignments=sample_subscriptions()[0].policy_assignments)
        for index in range(12)
    ]
    with FakeAzure(many, tmp_path, definitions=sample_definitions()).running() as fake:
        serial = run_azure(fake, limits=Limits(max_workers=1))
        pooled = run_azure(fake, limits=Limits(max_workers=4))
    assert pooled.ids == serial.ids == [f"azure:{s.subscription_id}" for s in many]
    assert [(e.subject, e.kind, e.data) for e in pooled.evidence] == [(e.subject, e.kind, e.data) for e in serial.evidence]
    # The definitions the twelve subscriptions share were read once per scan, by whichever worker came first.
    assert fake.count("/policydefinitions/871b6d14-10aa-478d-b590-94f262ecfa99") == 2


def _estate_with_groups(tmp_path: Path) -> FakeAzure:
    third = FakeSubscription("33333333-3333-4333-8333-333333333333", "outside")
    groups = {"acme-root": ["platform", SANDBOX], "platform": ["prod", "empty"], "prod": [PROD], "empty": [], "other": [third.subscription_id]}
    return FakeAzure([*sample_subscriptions(), third], tmp_path, definitions=sample_definitions(), management_groups=groups,
                     groups=sample_groups(), page_size=2)


ROOT_ID, PLATFORM_ID, PROD_GROUP_ID, EMPTY_ID = (f"azure:managementGroups/{g}" for g in ("acme-root", "platform", "prod", "empty"))


def test_a_management_group_and_the_groups_below_it_are_subjects_beside_their_subscriptions(tmp_path: Path) -> None:
    with _estate_with_groups(tmp_path).running() as fake:
        result = run_azure(fake, management_group="acme-root")
        # The groups in the tree's order, then their subscriptions; the subscription outside left out.
        assert result.ids == [ROOT_ID, PLATFORM_ID, PROD_GROUP_ID, EMPTY_ID, SANDBOX_ID, PROD_ID]
        assert fake.count("/managementgroups/acme-root/descendants") == 3  # six descendants, pages of two
        root, platform = result.subject(ROOT_ID), result.subject(PLATFORM_ID)
        assert (root.kind, root.name, root.parent) == ("management_group", "Acme", None)
        assert (platform.name, platform.parent) == ("Platform", ROOT_ID)
        assert result.subject(PROD_ID).parent == PROD_GROUP_ID and result.subject(SANDBOX_ID).parent == ROOT_ID
        assert result.data(ROOT_ID, "cloud.group_policy_assignments") == {
            "assignments": 1, "enforced": 1, "initiatives": 1, "inherited": 0, "names": ["security-benchmark"],
            "effects": {"deployifnotexists": 1, "modify": 1}, "unresolved": 0, "enforced_deny": 0,
        }
        assert result.data(ROOT_ID, "cloud.group_role_assignments") == {
            "assignments": 3, "by_principal_type": {"Group": 1, "User": 2}, "privileged": 2,
            "privileged_by_principal_type": {"Group": 1, "User": 1}, "privileged_users": 1, "privileged_inherited": 0,
            "group_share": 0.3333,  # 1 group among 2 users and 1 group
        }
        assert result.of(ROOT_ID, "cloud.group_role_assignments").locators == (
            f"{fake.url}/providers/Microsoft.Management/managementGroups/acme-root/providers/Microsoft.Authorization/roleAssignments",
        )
        assert result.data(EMPTY_ID, "cloud.group_role_assignments")["assignments"] == 0
        # Remediation tasks made at a group are the group's: no subscription's list shows them.
        assert result.data(ROOT_ID, "cloud.group_policy_remediations") == {
            "remediations": 1, "by_state": {"Succeeded": 1}, "resources_remediated": 30, "resources_failed": 1,
        }
        assert result.data(PLATFORM_ID, "cloud.group_policy_remediations")["remediations"] == 0
        assert result.data(PROD_ID, "cloud.policy_remediations")["remediations"] == 2
        # An exemption made at the root is listed with every subscription below it, as ARM lists it.
        for subscription in (PROD_ID, SANDBOX_ID):
            assert result.data(subscription, "cloud.policy_exemptions")["from_management_groups"] == 1
        assert result.data(PROD_ID, "cloud.policy_exemptions")["never_expiring"] == 2
        assert not result.problems and not result.unreached


def test_group_patterns_prune_a_subtree_or_choose_the_group_subjects(tmp_path: Path) -> None:
    with _estate_with_groups(tmp_path).running() as fake:
        # Excluding a group leaves out everything below it, its subscriptions included.
        assert run_azure(fake, management_group="acme-root", exclude_groups=["Platform"]).ids == [ROOT_ID, SANDBOX_ID]
        # Including chooses the group subjects only; subscriptions are chosen by include / exclude.
        chosen = run_azure(fake, management_group="acme-root", include_groups=["prod", "empty"], exclude=["sandbox"])
        assert chosen.ids == [PROD_GROUP_ID, EMPTY_ID, PROD_ID]


def test_a_refusal_on_a_management_group_names_the_role_there_and_the_rest_goes_on(tmp_path: Path) -> None:
    with _estate_with_groups(tmp_path).running() as fake:
        fake.fail("managementgroups/platform/providers/microsoft.authorization/roleassignments", 403, "AuthorizationFailed")
        result = run_azure(fake, management_group="acme-root")
    record = result.of(PLATFORM_ID, "cloud.group_role_assignments")
    assert record.status is EvidenceStatus.UNAVAILABLE
    assert record.reason == "Azure refused to list the role assignments (AuthorizationFailed): grant Reader on the management group"
    assert result.of(PLATFORM_ID, "cloud.group_policy_assignments").status is EvidenceStatus.OBSERVED
    assert result.data(ROOT_ID, "cloud.group_role_assignments")["assignments"] == 3


def test_a_management_group_the_identity_cannot_read(tmp_path: Path) -> None:
    with _estate_with_groups(tmp_path).running() as fake:
        with pytest.raises(SourceUnavailable) as raised:
            list(AzureCollector().collect(context(fake, CollectedScan(), management_group="secret-group")))
        assert raised.value.message.startswith(
            f"azure: nothing could be scanned at {fake.url}: management group secret-group: could not be read (403 AuthorizationFailed"
        )
        assert raised.value.hint == "check the ids in sources.azure and that the identity holds Reader on them"

        # With subscriptions named as well, those are scanned and the group's are counted as unknown.
        result = run_azure(fake, management_group="secret-group", subscriptions=[PROD])
        assert result.ids == [PROD_ID]
        assert result.unreached["subscription"].startswith("azure: management group secret-group: could not be read")
        assert result.unreached["management_group"] == result.unreached["subscription"]
        assert [problem.hint for problem in result.problems] == ["check the id in sources.azure, or grant Reader on it"]


def test_an_empty_management_group_is_scanned_with_no_subscription(tmp_path: Path) -> None:
    # The group exists and is readable: its own assignments are evidence, and it has no subscription.
    with _estate_with_groups(tmp_path).running() as fake:
        result = run_azure(fake, management_group="empty")
    assert result.ids == [EMPTY_ID]
    assert result.data(EMPTY_ID, "cloud.group_role_assignments")["assignments"] == 0
    assert not result.problems and not result.unreached


def test_a_refused_subscription_listing_still_scans_the_subscriptions_below_the_group(tmp_path: Path) -> None:
    with _estate_with_groups(tmp_path).running() as fake:
        # The listing only, not the lists below it.
        fake.faults.error(lambda path: path.rstrip("/").lower() == "/subscriptions", 403, reason="AuthorizationFailed")
        result = run_azure(fake, management_group="prod")
    # Their names are unknown without the listing; their evidence is read all the same.
    assert result.ids == [PROD_GROUP_ID, PROD_ID]
    assert result.subject(PROD_ID).name == PROD and result.subject(PROD_ID).parent == PROD_GROUP_ID
    assert result.data(PROD_ID, "cloud.role_assignments")["assignments"] == 5
    assert result.messages()[0].startswith("azure: cannot list subscriptions (403 AuthorizationFailed")


def test_a_refusal_is_reported_once_with_the_number_of_subjects_it_cost(tmp_path: Path) -> None:
    many = [FakeSubscription(f"{index:08d}-0000-4000-8000-000000000000", f"team-{index:02d}") for index in range(3)]
    with FakeAzure(many, tmp_path).running() as fake:
        fake.fail("/providers/microsoft.consumption/budgets", 403, "AuthorizationFailed")
        result = run_azure(fake)
    assert all(result.of(f"azure:{s.subscription_id}", "cost.budgets").status is EvidenceStatus.UNAVAILABLE for s in many)
    assert result.messages() == [
        "azure: budgets unavailable for 3 subjects: Azure refused to list the budgets (AuthorizationFailed): "
        "grant Cost Management Reader on the subscription"
    ]
    assert result.problems[0].hint == "grant the role named to see it; the rest was scanned"


def test_requests_that_keep_failing_are_a_problem_of_their_subscription(fake_azure: FakeAzure) -> None:
    fake_azure.fail(f"{PROD}/providers/microsoft.authorization/locks", 503, "ServiceUnavailable")

    result = run_azure(fake_azure, max_retries=0)

    assert result.of(PROD_ID, "cloud.locks").status is EvidenceStatus.UNAVAILABLE
    (problem,) = result.problems
    assert problem.message == (
        "prod-payments: requests kept failing (the resource locks could not be read (503 ServiceUnavailable: ServiceUnavailable "
        f"for /subscriptions/{PROD}/providers/microsoft.authorization/locks); scan again later); the evidence they carry is unavailable"
    )
    assert problem.hint == "scan again later; the other subscriptions and management groups were scanned"


def test_an_answer_of_an_unexpected_shape_costs_its_subscription_not_the_scan(fake_azure: FakeAzure) -> None:
    fake_azure.subscriptions[SANDBOX].budgets = ["not a budget"]  # type: ignore[list-item]

    result = run_azure(fake_azure)

    assert {record.status for record in result.evidence if record.subject == SANDBOX_ID} == {EvidenceStatus.UNAVAILABLE}
    assert "unexpected answer from Azure" in str(result.of(SANDBOX_ID, "cost.budgets").reason)
    assert result.data(PROD_ID, "cost.budgets")["budgets"] == 3
    assert [problem.message.split(":")[0] for problem in result.problems] == ["sandbox"]


def test_resource_graph_pages_are_read_by_offset_so_workers_can_share_them(tmp_path: Path) -> None:
    many = [
        FakeSubscription(f"{index:08d}-0000-4000-8000-000000000000", f"team-{index:02d}",
                         resources=[p.resource(f"{index:08d}-0000-4000-8000-000000000000", "rg", "Microsoft.Web/sites", f"app-{n}")
                                    for n in range(3)])
        for index in range(8)
    ]
    with FakeAzure(many, tmp_path, graph_page_size=5).running() as fake:
        serial = run_azure(fake, limits=Limits(max_workers=1))
        fake.exchanges.clear()
        pooled = run_azure(fake, limits=Limits(max_workers=4))
        asked = [json.loads(exchange.request.body) for exchange in fake.exchanges.all() if exchange.route == "resource graph"]
    # 24 rows on pages of five: the first page says how many there are and how many a page holds,
    # the other four are asked by offset, each once.
    provenance = [body["options"] for body in asked if "iac" in body["query"]]
    assert len(provenance) == 5 and sorted(options.get("$skip", 0) for options in provenance) == [0, 5, 10, 15, 20]
    assert [(e.subject, e.kind, e.data) for e in pooled.evidence] == [(e.subject, e.kind, e.data) for e in serial.evidence]
    assert pooled.data(f"azure:{many[7].subscription_id}", "cloud.resource_provenance")["resources"] == 3
