"""The Globex example organization (examples/globex): files that look like platform work but are
test fixtures, samples, public references or reusable CI nobody else calls, and a central GitOps
repository deploying two others, and a project template nobody owns or uses. The verdicts it
must get (issue 13, points 1, 2, 3, 4, 7, 9, 10)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scanner.cli import main

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "globex"


def small_sample_config(folder: Path) -> Path:
    """Globex has five repositories and two with IaC: its proofs are about what the detectors see,
    so the pack's minimum samples (issue 12) are lowered to let the rules decide on so few."""
    config = folder / "pecm.yaml"
    config.write_text(
        f"sources:\n  local:\n    paths: [{EXAMPLE}]\n"
        "rules:\n  params: {sample_repositories_min: 1, sample_platform_repositories_min: 1}\n"
    )
    return config


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], dict[str, Any]]:
    out = tmp_path_factory.mktemp("globex")
    config = str(small_sample_config(out))
    arguments = ["scan", "--config", config, "--format", "json", "--output", str(out / "a.json"), "--evidence-out", str(out / "e.json"), "--no-progress"]
    result = CliRunner().invoke(main, arguments, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads((out / "a.json").read_text()), json.loads((out / "e.json").read_text())


def data(bundle: dict[str, Any], repository: str, kind: str) -> dict[str, Any]:
    return next(e["data"] for e in bundle["evidence"] if e["subject"] == f"local:{repository}" and e["kind"] == kind)


def rule(assessment: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(r for c in assessment["capabilities"] for r in c["rules"] if r["rule_id"] == rule_id)


def metric(assessment: dict[str, Any], name: str) -> float | None:
    return next(m["low"] for m in assessment["metrics"] if m["name"] == name)


def test_test_fixtures_and_samples_prove_nothing(scanned) -> None:
    assessment, bundle = scanned
    assert data(bundle, "policy-lib", "policy.as_code")["present"] is True
    assert data(bundle, "policy-lib", "policy.as_code")["live"] is False
    assert data(bundle, "policy-lib", "gitops.controllers")["live"] is False
    assert data(bundle, "policy-lib", "references.origins")["refs"] == []  # the sample's module call
    assert rule(assessment, "governance.policy_as_code_exists")["outcome"] == "fail"
    # billing-api and orders-service, of the repositories that deploy or carry live IaC; not the sample
    assert metric(assessment, "iac_share") == pytest.approx(1.0)


def test_public_references_are_not_the_organizations_platform(scanned) -> None:
    assessment, bundle = scanned
    billing = data(bundle, "billing-api", "references.origins")
    assert (billing["internal_count"], billing["external_count"], billing["external_share"]) == (0, 3, 1.0)
    assert rule(assessment, "provisioning.shared_iac_modules_referenced")["outcome"] == "fail"
    assert metric(assessment, "shared_asset_use_share") == pytest.approx(1 / 6)  # orders-service alone
    assert metric(assessment, "external_reference_share") == pytest.approx(1.0)


def test_the_central_gitops_repository_applies_the_repositories_it_deploys(scanned) -> None:
    assessment, bundle = scanned
    assert data(bundle, "orders-service", "repo.cross_references")["applied_by"] == ["gitops-central"]
    assert data(bundle, "billing-api", "repo.cross_references")["applied_by"] == ["gitops-central"]
    assert data(bundle, "gitops-central", "references.origins")["external"] == [
        "flux https://charts.bitnami.com/bitnami",
        "flux https://charts.bitnami.com/bitnami/redis@19.0.1",
    ]
    assert metric(assessment, "automated_iac_share") == pytest.approx(1.0)
    assert rule(assessment, "provisioning.infrastructure_applied_automatically")["outcome"] == "pass"


def test_reusable_ci_only_its_own_repository_calls_does_not_count(scanned) -> None:
    assessment, bundle = scanned
    assert data(bundle, "policy-lib", "ci.reusable_provided")["internal_only"] is True
    assert data(bundle, "ci-library", "repo.cross_references")["consumed_by"] == ["orders-service"]
    assert metric(assessment, "shared_asset_repos") == 2  # ci-library and service-template, not policy-lib


def test_platform_repositories_from_evidence(scanned) -> None:
    _assessment, bundle = scanned
    tags = {subject["name"]: subject["tags"] for subject in bundle["subjects"]}
    assert tags == {
        "billing-api": [],
        "ci-library": ["platform"],  # orders-service consumes it
        "gitops-central": ["platform"],  # CODEOWNERS gives it to the platform team
        "orders-service": [],  # the platform team co-owns only its infra/ folder
        "policy-lib": [],
        "service-template": [],
    }


def test_a_template_nobody_owns_or_uses_is_no_golden_path(scanned) -> None:
    assessment, bundle = scanned
    assert data(bundle, "service-template", "golden_path.templates")["live_tools"] == ["copier"]
    assert data(bundle, "service-template", "repo.cross_references")["created_from_here"] == []
    assert (metric(assessment, "golden_path_repos_owned"), metric(assessment, "golden_path_repos_used")) == (0, 0)
    assert rule(assessment, "interfaces.golden_path_templates_exist")["outcome"] == "fail"


def test_stages(scanned) -> None:
    assessment, _bundle = scanned
    assert {c["capability"]: c["stage"] for c in assessment["capabilities"]} == {
        "investment": "repeatable",
        "adoption": "repeatable",
        "governance": "initial",
        "provisioning": "repeatable",
        "interfaces": "initial",
        "measurement": "initial",
    }


@pytest.mark.parametrize("fmt", ["markdown", "html"])
def test_reports_show_the_scope_beside_each_evidence_path(fmt: str, tmp_path: Path) -> None:
    config = str(small_sample_config(tmp_path))
    result = CliRunner().invoke(main, ["scan", "--config", config, "--format", fmt, "--no-progress"], catch_exceptions=False)
    line = next(line for line in result.output.splitlines() if "tests/fixtures/require-labels.yaml" in line)
    assert "(test fixture)" in line
    assert "(test fixture)" not in next(line for line in result.output.splitlines() if "infra/main.tf" in line)


def test_sarif_locations_name_the_scope_of_a_file_that_is_not_live() -> None:
    result = CliRunner().invoke(main, ["scan", str(EXAMPLE), "--format", "sarif", "--no-progress"], catch_exceptions=False)
    locations = [
        location
        for run in json.loads(result.output)["runs"]
        for item in run["results"]
        for location in item["locations"]
    ]
    by_uri = {location["physicalLocation"]["artifactLocation"]["uri"]: location.get("message") for location in locations}
    assert by_uri["tests/fixtures/require-labels.yaml"] == {"text": "test fixture"}
    assert by_uri["infra/main.tf"] is None
