"""Each Azure SDK client gets pipeline policies of its own (workers build clients at the same time)."""

from __future__ import annotations

from collectors.azure.client import ArmClient
from tests.collecting import CollectedScan
from tests.contract.azure.scanning import config_for, context
from tests.fakes.azure.server import FakeAzure


def test_no_pipeline_policy_is_shared_by_two_clients(fake_azure: FakeAzure) -> None:
    # azure-core links the policies it is given into one pipeline (policy.next); shared between
    # clients built in parallel workers, one pipeline's request ran into another's half-built chain
    # (AttributeError: '_SansIOHTTPPolicyRunner' object has no attribute 'next').
    ctx = context(fake_azure, CollectedScan())
    arm = ArmClient(ctx, config_for(fake_azure), credential=object())  # type: ignore[arg-type]
    first, second = arm._options()["policies"], arm._options()["policies"]
    assert not {id(policy) for policy in first} & {id(policy) for policy in second}
