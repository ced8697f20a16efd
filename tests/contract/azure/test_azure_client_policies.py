"""Each Azure SDK client gets pipeline policies of its own (workers build clients at the same time), and
the settings requests would take from the environment are settled once per scan."""

from __future__ import annotations

from pathlib import Path

import pytest
from azure.core.pipeline.policies import ProxyPolicy

from collectors.azure.client import ArmClient
from tests.collecting import CollectedScan
from tests.contract.azure.scanning import config_for, context, run_azure
from tests.fakes.azure.samples import PROD
from tests.fakes.azure.server import FakeAzure

PROD_ID = f"azure:{PROD}"


def test_no_pipeline_policy_is_shared_by_two_clients(fake_azure: FakeAzure) -> None:
    # azure-core links the policies it is given into one pipeline (policy.next); shared between
    # clients built in parallel workers, one pipeline's request ran into another's half-built chain
    # (AttributeError: '_SansIOHTTPPolicyRunner' object has no attribute 'next').
    ctx = context(fake_azure, CollectedScan())
    arm = ArmClient(ctx, config_for(fake_azure), credential=object())  # type: ignore[arg-type]
    first, second = arm._options()["policies"], arm._options()["policies"]
    assert not {id(policy) for policy in first} & {id(policy) for policy in second}


def test_a_netrc_entry_for_the_arm_host_does_not_replace_the_token(fake_azure: FakeAzure, tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # requests reads ~/.netrc (or $NETRC) on every request when it trusts the environment, and a
    # password found there replaced the bearer token with Basic authentication (ARM: 401).
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password not-a-token\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))

    result = run_azure(fake_azure)

    assert result.data(PROD_ID, "cloud.policy_assignments")["assignments"] == 3
    assert {exchange.request.headers.get("authorization", "")[:7] for exchange in fake_azure.exchanges.all()
            if exchange.route not in ("openid", "token")} == {"Bearer "}


def test_the_environments_ca_bundle_is_trusted_when_none_is_configured(fake_azure: FakeAzure, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(fake_azure.ca_bundle))

    result = run_azure(fake_azure, ca_bundle=None)

    assert result.data(PROD_ID, "cloud.policy_assignments")["assignments"] == 3


def test_the_environments_proxy_is_settled_once_and_no_proxy_honoured(fake_azure: FakeAzure, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    def proxies() -> object:
        arm = ArmClient(context(fake_azure, CollectedScan()), config_for(fake_azure), credential=object())  # type: ignore[arg-type]
        try:
            (policy,) = [p for p in arm._options()["policies"] if isinstance(p, ProxyPolicy)]
            return policy.proxies
        finally:
            arm.close()

    assert proxies() == {"https": "http://proxy.example:3128"}
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert proxies() is None
