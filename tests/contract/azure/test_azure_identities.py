"""The identities a scan runs as in production, each through the real azure-identity credential
against the fake's Entra ID or managed-identity endpoint (their variables set as a platform would)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import trustme

from collectors.azure.collector import AzureCollector
from scanner.errors import SourceUnavailable
from tests.collecting import CollectedScan
from tests.contract.azure.scanning import context, run_azure
from tests.fakes.azure.samples import PROD
from tests.fakes.azure.server import ACCESS_TOKEN_PREFIX, CLIENT_ID, FEDERATED_TOKEN, IDENTITY_HEADER, TENANT_ID, FakeAzure

_AZURE_VARIABLES = ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE",
                    "AZURE_AUTHORITY_HOST", "AZURE_USERNAME", "AZURE_CLIENT_CERTIFICATE_PATH",
                    "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET")


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in _AZURE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _federated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    token_file = tmp_path / "azure-identity-token"
    token_file.write_text(FEDERATED_TOKEN)  # as the workload-identity webhook projects it
    monkeypatch.setenv("AZURE_TENANT_ID", TENANT_ID)
    monkeypatch.setenv("AZURE_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("AZURE_FEDERATED_TOKEN_FILE", str(token_file))


def test_workload_identity(
    fake_azure: FakeAzure, clean_environment: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _federated(clean_environment, tmp_path)
    caplog.set_level(logging.DEBUG)
    fake_azure.fail(f"{PROD}/providers/microsoft.consumption/budgets", 403, "AuthorizationFailed")

    result = run_azure(fake_azure, authentication="workload_identity", tenant_id=None, client_id=None)

    assert result.data(f"azure:{PROD}", "cloud.policy_assignments")["assignments"] == 3
    output = "\n".join([item.model_dump_json() for item in [*result.evidence, *result.problems]]
                       + [record.getMessage() for record in caplog.records])
    assert FEDERATED_TOKEN not in output and ACCESS_TOKEN_PREFIX not in output


def test_default_credential_finds_the_workload_identity(fake_azure: FakeAzure, clean_environment: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _federated(clean_environment, tmp_path)
    # DefaultAzureCredential hands its workload identity no authority: that one reads the variable.
    clean_environment.setenv("AZURE_AUTHORITY_HOST", fake_azure.url)
    result = run_azure(fake_azure, authentication="default", tenant_id=None, client_id=None)
    assert result.data(f"azure:{PROD}", "cloud.role_assignments")["assignments"] == 5


def test_managed_identity(fake_azure: FakeAzure, clean_environment: pytest.MonkeyPatch) -> None:
    clean_environment.setenv("IDENTITY_ENDPOINT", f"{fake_azure.url}/msi/token")
    clean_environment.setenv("IDENTITY_HEADER", IDENTITY_HEADER)
    result = run_azure(fake_azure, authentication="managed_identity", tenant_id=None, client_id=None)
    assert result.data(f"azure:{PROD}", "cost.budgets")["budgets"] == 3
    assert fake_azure.count("/msi/token") >= 1


def test_no_workload_identity_configured_stops_the_source_in_one_line(fake_azure: FakeAzure, clean_environment: pytest.MonkeyPatch) -> None:
    scan = CollectedScan()
    with pytest.raises(SourceUnavailable) as raised:
        list(AzureCollector().collect(context(fake_azure, scan, authentication="workload_identity", tenant_id=None, client_id=None)))
    assert raised.value.message.startswith("azure: no workload_identity credential available (")
    assert "\n" not in raised.value.one_line()
    assert fake_azure.requests == []


def _rsa_certificate(name: str) -> trustme.LeafCert:
    """A certificate with an RSA key: azure-identity signs its client assertion with RS256."""
    return trustme.CA(key_type=trustme.KeyType.RSA).issue_cert(name, key_type=trustme.KeyType.RSA)


def test_client_certificate(fake_azure: FakeAzure, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    leaf = _rsa_certificate("pecm-scanner.example.com")
    pem = tmp_path / "pecm-client.pem"
    leaf.private_key_and_cert_chain_pem.write_to_path(str(pem))  # key, then certificate: what CertificateCredential reads
    fake_azure.client_certificate = leaf.cert_chain_pems[0].bytes()
    caplog.set_level(logging.DEBUG)
    fake_azure.fail(f"{PROD}/providers/microsoft.consumption/budgets", 403, "AuthorizationFailed")

    result = run_azure(fake_azure, authentication="certificate", certificate_file=str(pem), secret="")

    assert result.data(f"azure:{PROD}", "cloud.role_assignments")["assignments"] == 5
    assert fake_azure.count("oauth2/v2.0/token") >= 1
    key = leaf.private_key_pem.bytes().decode()
    key_body = "".join(key.splitlines()[1:-1])[:40]
    output = "\n".join([item.model_dump_json() for item in [*result.evidence, *result.problems]]
                       + [record.getMessage() for record in caplog.records] + [repr(record.args) for record in caplog.records])
    assert key_body not in output and "PRIVATE KEY" not in output and ACCESS_TOKEN_PREFIX not in output


def test_a_certificate_the_tenant_does_not_know_stops_the_source_in_one_line(fake_azure: FakeAzure, tmp_path: Path) -> None:
    registered, presented = _rsa_certificate("registered"), _rsa_certificate("stranger")
    fake_azure.client_certificate = registered.cert_chain_pems[0].bytes()
    pem = tmp_path / "stranger.pem"
    presented.private_key_and_cert_chain_pem.write_to_path(str(pem))

    with pytest.raises(SourceUnavailable) as raised:
        list(AzureCollector().collect(context(fake_azure, CollectedScan(), authentication="certificate", certificate_file=str(pem))))

    line = raised.value.one_line()
    assert line.startswith("azure: no token for Azure Resource Manager (") and "AADSTS7000215" in line and "\n" not in line
    assert "PRIVATE KEY" not in line
