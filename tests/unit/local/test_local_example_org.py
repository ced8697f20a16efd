"""The bundled example organization scans cleanly and shows each repository's intended maturity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scanner.kinds import KINDS, KindRegistry
from scanner.model import EvidenceStatus

ACME = Path(__file__).resolve().parents[3] / "examples" / "acme"
REPOSITORIES = [
    "broken-repo",
    "checkout-service",
    "gitops-config",
    "legacy-app",
    "orders-api",
    "payments-api",
    "platform-engineering",
    "service-templates",
]


@pytest.fixture(scope="module")
def acme(scan_local):
    return scan_local(ACME)


def present(scan, name: str) -> set[str]:
    """The file-signal kinds found in one repository."""
    return {
        item.kind
        for item in scan.evidence
        if item.subject == f"local:{name}" and item.status is EvidenceStatus.OBSERVED and item.data.get("present")
    }


def test_every_example_repository_is_scanned(acme) -> None:
    assert acme.ids == [f"local:{name}" for name in REPOSITORIES]
    for name in REPOSITORIES:
        activity = acme.of(f"local:{name}", "vcs.activity")
        assert (activity.status, activity.reason) == (EvidenceStatus.UNSUPPORTED, "plain folder: no history")


def test_every_record_holds_its_kinds_validated_data(acme) -> None:
    """Most records are built without validating their data again (CollectContext.observed_valid):
    validating it must not change its JSON, types included."""
    registry = KindRegistry(KINDS)
    for item in acme.evidence:
        if item.status is EvidenceStatus.OBSERVED:
            validated = registry.validate_data(item.kind, item.data)
            assert json.dumps(validated, sort_keys=True) == json.dumps(item.data, sort_keys=True), item.kind


def test_legacy_app_shows_nothing_but_code(acme) -> None:
    assert present(acme, "legacy-app") == set()
    assert not any(acme.data("local:legacy-app", "product.artifacts")[flag] for flag in ("roadmap", "changelog"))
    assert acme.messages("local:legacy-app") == []


def test_payments_api_rides_the_paved_road(acme) -> None:
    assert present(acme, "payments-api") >= {
        "iac.usage",
        "ci.pipelines",
        "ci.reusable_used",
        "policy.ci_scanners",
        "ownership.codeowners",
        "portal.catalog",
        "deps.automation",
    }
    iac = acme.data("local:payments-api", "iac.usage")
    assert "terraform" in iac["tools"]
    assert any("acme/platform-engineering" in ref for ref in iac["module_refs"])
    assert (
        "acme/platform-engineering/.github/workflows/terraform.yml@v1"
        in acme.data("local:payments-api", "ci.reusable_used")["refs"]
    )
    assert "checkov" in acme.data("local:payments-api", "policy.ci_scanners")["tools"]
    assert acme.data("local:payments-api", "deps.automation")["tools"] == ["dependabot"]
    assert acme.messages("local:payments-api") == []


def test_platform_engineering_is_run_as_a_product(acme) -> None:
    assert present(acme, "platform-engineering") >= {
        "iac.usage",
        "ci.pipelines",
        "ci.reusable_provided",
        "policy.ci_scanners",
        "ownership.codeowners",
        "observability.dashboards",
        "observability.alerting",
        "observability.slo",
        "portal.catalog",
        "golden_path.templates",
        "devenv.devcontainer",
        "docs.site",
    }
    data = lambda kind: acme.data("local:platform-engineering", kind)  # noqa: E731
    assert data("ci.pipelines")["applies_infrastructure"] is True
    assert sorted(data("ci.reusable_provided")["workflows"]) == [
        ".github/workflows/python-service.yml",
        ".github/workflows/terraform.yml",
    ]
    assert "backstage" in data("golden_path.templates")["tools"]
    assert "grafana" in data("observability.dashboards")["tools"]
    assert "prometheus_rules" in data("observability.alerting")["tools"]
    assert "openslo" in data("observability.slo")["tools"]
    assert "mkdocs" in data("docs.site")["tools"]
    product = data("product.artifacts")
    for flag in ("roadmap", "changelog", "contributing", "issue_templates", "feature_request_template"):
        assert product[flag] is True, flag
    assert acme.messages("local:platform-engineering") == []


def test_gitops_config_reconciles_and_enforces(acme) -> None:
    assert present(acme, "gitops-config") >= {
        "gitops.controllers",
        "policy.as_code",
        "iac.usage",
        "ownership.rbac_manifests",
    }
    data = lambda kind: acme.data("local:gitops-config", kind)  # noqa: E731
    assert data("gitops.controllers")["tools"] == ["argocd"]
    assert data("policy.as_code")["tools"] == ["kyverno"]
    assert {"helm", "kustomize"} <= set(data("iac.usage")["tools"])
    assert set(data("ownership.rbac_manifests")["kinds"]) == {"ClusterRoleBinding", "Role", "RoleBinding"}
    assert acme.messages("local:gitops-config") == []


def test_checkout_service_was_created_from_the_golden_path(acme) -> None:
    assert present(acme, "checkout-service") >= {
        "golden_path.origin",
        "ci.reusable_used",
        "ci.pipelines",
        "iac.usage",
        "devenv.devcontainer",
        "portal.catalog",
        "ownership.codeowners",
    }
    data = lambda kind: acme.data("local:checkout-service", kind)  # noqa: E731
    assert data("golden_path.origin")["tools"] == ["copier"]
    assert "helm" in data("iac.usage")["tools"]
    assert data("ci.pipelines")["deploys"] is True
    assert acme.messages("local:checkout-service") == []


def test_orders_api_deploys_with_the_shared_chart(acme) -> None:
    assert present(acme, "orders-api") >= {"ci.pipelines", "ci.reusable_used", "iac.usage", "ownership.codeowners"}
    data = lambda kind: acme.data("local:orders-api", kind)  # noqa: E731
    assert any("oci://ghcr.io/acme/charts" in ref for ref in data("iac.usage")["module_refs"])
    assert data("ci.pipelines")["deploys"] is True
    assert acme.messages("local:orders-api") == []


def test_service_templates_offers_a_copier_template(acme) -> None:
    assert present(acme, "service-templates") >= {"golden_path.templates", "ownership.codeowners"}
    assert acme.data("local:service-templates", "golden_path.templates")["tools"] == ["copier"]
    assert acme.messages("local:service-templates") == []


def test_broken_repo_costs_problems_not_the_scan(acme) -> None:
    # CODEOWNERS is the one valid file. Whether unparseable workflow files still count as
    # pipelines is detection's call (tested there); nothing else may come out of the damage.
    found = present(acme, "broken-repo")
    assert "ownership.codeowners" in found and found <= {"ownership.codeowners", "ci.pipelines"}
    # Its workflows cannot be parsed: CI is unknown there, not absent.
    pipelines = acme.of("local:broken-repo", "ci.pipelines")
    assert pipelines.status is EvidenceStatus.UNAVAILABLE
    assert pipelines.reason.startswith("pipeline file .github/workflows/")
    messages = acme.messages("local:broken-repo")
    for path in (
        ".github/workflows/deploy.yml",  # malformed YAML
        ".github/workflows/build.yml",  # binary
        "dashboards/overview.json",  # malformed JSON
        ".github/workflows/laughs.yml",  # alias bomb
    ):
        assert [m for m in messages if m.startswith(f"broken-repo: {path}: ")], (path, messages)
    inventory = acme.data("local:broken-repo", "repo.inventory")
    assert inventory["skipped"] == 4  # config/loop, config/a, config/b, config/outside
