"""`pecm scan` with an Azure source, through the real pipeline: evidence in every output, no secret in any."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from scanner.cli import main
from tests.fakes.azure.samples import PROD
from tests.fakes.azure.server import ACCESS_TOKEN_PREFIX, CLIENT_ID, CLIENT_SECRET, TENANT_ID, FakeAzure


def test_a_scan_of_azure_writes_its_evidence_and_never_the_secret_or_token(fake_azure: FakeAzure, tmp_path: Path) -> None:
    fake_azure.fail(f"{PROD}/providers/microsoft.consumption/budgets", 403, "AuthorizationFailed")
    config = tmp_path / "pecm.yaml"
    config.write_text(
        "sources:\n  azure:\n    authentication: client_secret\n"
        f"    tenant_id: {TENANT_ID}\n    client_id: {CLIENT_ID}\n    client_secret_env: PECM_AZURE_SECRET\n"
        f"    arm_url: {fake_azure.url}\n    authority: {fake_azure.url}\n    ca_bundle: {fake_azure.ca_bundle}\n"
    )
    outputs = tmp_path / "out"

    result = CliRunner().invoke(
        main,
        ["-vv", "scan", "--config", str(config), "--format", "json", "--no-progress",
         "--output", str(outputs / "report.json"), "--evidence-out", str(outputs / "evidence.json"),
         "--store", f"sqlite:///{outputs / 'history.db'}"],
        env={"PECM_AZURE_SECRET": CLIENT_SECRET},
    )

    assert result.exit_code == 0, result.output + result.stderr
    bundle = json.loads((outputs / "evidence.json").read_text())
    records = {(item["subject"], item["kind"]): item for item in bundle["evidence"]}
    assert records[(f"azure:{PROD}", "cloud.policy_assignments")]["data"]["assignments"] == 3
    assert "grant Cost Management Reader" in records[(f"azure:{PROD}", "cost.budgets")]["reason"]
    written = [path for path in tmp_path.rglob("*") if path.is_file()]
    for leaked in (CLIENT_SECRET, ACCESS_TOKEN_PREFIX):
        assert leaked not in result.output + result.stderr
        assert not [path for path in written if leaked.encode() in path.read_bytes()]
