"""Cost allocation rules of the configured billing accounts, end to end against the fake Azure:
visible, refused (the billing role named), unsupported (an agreement without them), not configured."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from collectors.azure.allocation import allocation_rules
from scanner.model import EvidenceStatus
from tests.contract.azure.scanning import run_azure
from tests.fakes.azure import payloads as p
from tests.fakes.azure.samples import ENROLLMENT, PROD, sample_allocation_rules, sample_definitions, sample_subscriptions
from tests.fakes.azure.server import ACCESS_TOKEN_PREFIX, CLIENT_SECRET, FakeAzure

ACCOUNT_ID = f"azure:billingAccounts/{ENROLLMENT}"
MCA = "0f9e8d7c-0000-4000-8000-00000000000a:0f9e8d7c-0000-4000-8000-00000000000b_2019-05-31"
RULES_PATH = "providers/microsoft.costmanagement/costallocationrules"


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[FakeAzure]:
    with FakeAzure(sample_subscriptions(), tmp_path, definitions=sample_definitions(),
                   billing_accounts={ENROLLMENT: sample_allocation_rules(), MCA: []}).running() as running:
        yield running


def test_rules_in_force_by_source_and_target_through_every_page(fake: FakeAzure) -> None:
    result = run_azure(fake, billing_accounts=[ENROLLMENT, MCA])

    assert result.ids[-2:] == [ACCOUNT_ID, f"azure:billingAccounts/{MCA}"]  # after the subscriptions
    account = result.subject(ACCOUNT_ID)
    assert (account.kind, account.name, account.parent) == ("billing_account", ENROLLMENT, None)
    assert result.data(ACCOUNT_ID, "cost.allocation_rules") == {
        "rules": 4,
        "active": 3,  # Active twice and Processing; the NotActive draft is saved, not applied
        "by_source": {"subscription": 1, "resource_group": 1, "tag": 1},
        "by_target": {"subscription": 1, "tag": 1, "resource_group": 1},
        "spread": 2,  # to two subscriptions, to three teams' tags; the logs go whole to one group
        "targets": 6,
    }
    assert result.of(ACCOUNT_ID, "cost.allocation_rules").locators == (
        f"{fake.url}/providers/Microsoft.Billing/billingAccounts/{ENROLLMENT}/providers/Microsoft.CostManagement/costAllocationRules",
    )
    assert fake.count(f"{ENROLLMENT}/{RULES_PATH}") == 2  # four rules, two a page: the nextLink followed
    assert result.data(f"azure:billingAccounts/{MCA}", "cost.allocation_rules")["rules"] == 0
    assert result.data(f"azure:{PROD}", "cost.budgets")["budgets"] >= 1  # the subscriptions are scanned as before


def test_not_configured_no_billing_account_is_a_subject_and_nothing_is_asked(fake: FakeAzure) -> None:
    result = run_azure(fake)

    assert not [s for s in result.subjects if s.kind == "billing_account"]
    assert not [e for e in result.evidence if e.kind == "cost.allocation_rules"]
    assert fake.count("microsoft.billing") == 0


def test_a_403_is_unavailable_naming_the_billing_role(fake: FakeAzure) -> None:
    fake.fail(f"{ENROLLMENT}/{RULES_PATH}", 403, "AuthorizationFailed")

    result = run_azure(fake, billing_accounts=[ENROLLMENT])

    record = result.of(ACCOUNT_ID, "cost.allocation_rules")
    assert record.status is EvidenceStatus.UNAVAILABLE
    assert record.reason == (
        "Azure refused to list the cost allocation rules (AuthorizationFailed): grant Billing account reader "
        "(an EA enrollment: Enrollment reader, the read-only Enterprise admin) on the billing account"
    )
    assert any("cost allocation rules unavailable for 1 subject" in m for m in result.messages())
    assert result.data(f"azure:{PROD}", "cloud.role_assignments")["assignments"] == 5  # the rest goes on


# The 400's code is made up: the API description documents none for an agreement without the feature.
@pytest.mark.parametrize(("status", "code"), [(404, "NotFound"), (400, "BillingAccountTypeNotSupported")])
def test_an_account_without_cost_allocation_is_unsupported(fake: FakeAzure, status: int, code: str) -> None:
    fake.fail(f"{ENROLLMENT}/{RULES_PATH}", status, code)

    result = run_azure(fake, billing_accounts=[ENROLLMENT])

    record = result.of(ACCOUNT_ID, "cost.allocation_rules")
    assert record.status is EvidenceStatus.UNSUPPORTED
    assert record.reason == (
        f"this billing account offers no cost allocation rules ({code}): only EA and MCA accounts have them; "
        "check the id in billing_accounts"
    )
    assert not any("cost allocation" in m for m in result.messages())  # nothing to grant: not a problem


def test_an_account_the_fake_does_not_hold_answers_as_arm_does(fake: FakeAzure) -> None:
    result = run_azure(fake, billing_accounts=["1234567"])

    assert result.of("azure:billingAccounts/1234567", "cost.allocation_rules").status is EvidenceStatus.UNSUPPORTED


def test_another_400_is_not_taken_for_an_unsupported_account(fake: FakeAzure) -> None:
    fake.fail(f"{ENROLLMENT}/{RULES_PATH}", 400, "InvalidApiVersion")

    result = run_azure(fake, billing_accounts=[ENROLLMENT])

    assert result.of(ACCOUNT_ID, "cost.allocation_rules").status is EvidenceStatus.UNAVAILABLE


def test_a_persistent_5xx_is_a_failure_of_the_account(fake: FakeAzure) -> None:
    fake.fail(f"{ENROLLMENT}/{RULES_PATH}", 503, "ServiceUnavailable")

    result = run_azure(fake, billing_accounts=[ENROLLMENT])

    assert result.of(ACCOUNT_ID, "cost.allocation_rules").status is EvidenceStatus.UNAVAILABLE
    assert any(m.startswith(f"{ENROLLMENT}: requests kept failing") for m in result.messages(ACCOUNT_ID))


def test_secrets_and_tokens_never_reach_the_accounts_records_or_logs(fake: FakeAzure, caplog: pytest.LogCaptureFixture) -> None:
    fake.fail(f"{ENROLLMENT}/{RULES_PATH}", 403, "AuthorizationFailed")
    caplog.set_level(logging.DEBUG)

    result = run_azure(fake, billing_accounts=[ENROLLMENT, MCA])

    output = "\n".join(
        [item.model_dump_json() for item in [*result.subjects, *result.evidence, *result.problems]]
        + [record.getMessage() for record in caplog.records] + [repr(record.args) for record in caplog.records]
    )
    assert fake.count(RULES_PATH) >= 2 and fake.count("oauth2/v2.0/token") >= 1
    assert CLIENT_SECRET not in output and ACCESS_TOKEN_PREFIX not in output


def test_billing_account_ids_that_would_leave_the_path_are_refused() -> None:
    from collectors.azure.config import AzureConfig

    with pytest.raises(ValueError, match="is not a billing account id"):
        AzureConfig.model_validate({"billing_accounts": ["8608480/../../subscriptions"]})
    assert AzureConfig.model_validate({"billing_accounts": [ENROLLMENT, MCA, ENROLLMENT]}).billing_accounts == [ENROLLMENT, MCA]


def test_the_mapping_counts_the_services_own_example() -> None:
    # CostAllocationRulesList.json (azure-rest-api-specs, 2025-03-01), its three rules in full.
    rules = [
        p.cost_allocation_rule("100", "testRule", "NotActive", ("Dimension", "ResourceGroupName", ["sampleRG"]),
                               ("Dimension", "ResourceGroupName", {"destinationRG": 50, "destinationRG2": 50})),
        p.cost_allocation_rule("100", "testRule2", "Active", ("Dimension", "SubscriptionId", ["2A002F2D-536F-4D7C-90DA-3D0BAE879B0E"]),
                               ("Tag", "category", {"devops": 100})),
        p.cost_allocation_rule("100", "testRule3", "Active", ("Tag", "category", ["devops"]),
                               ("Dimension", "ResourceGroupName", {"ResourceGroup": 55.55, "ResourceGroupSecond": 44.45})),
    ]
    assert allocation_rules(rules) == {
        "rules": 3, "active": 2, "by_source": {"subscription": 1, "tag": 1}, "by_target": {"tag": 1, "resource_group": 1},
        "spread": 1, "targets": 3,
    }
    assert allocation_rules([{"properties": {"status": "Active"}}]) == {
        "rules": 1, "active": 1, "by_source": {}, "by_target": {}, "spread": 0, "targets": 0,
    }
