"""Scope of every finding (issue 13, point 1) and evidence paths per tool (point 15)."""

from __future__ import annotations

import pytest

from scanner.kinds import MAX_PATHS
from scanner.scopes import scope_label, scope_of

KYVERNO = "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata: {name: p}\nspec: {rules: []}\n"
ARGO_APP = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec: {}\n"


@pytest.mark.parametrize(
    ("path", "scope"),
    [
        ("policies/require-labels.yaml", "live"),
        ("tests/fixtures/policy.yaml", "test"),
        ("pkg/testdata/app.yaml", "test"),
        ("src/__tests__/app.yaml", "test"),
        ("e2e/manifests/app.yaml", "test"),
        ("examples/basic/main.tf", "example"),
        ("samples/app.yaml", "example"),
        ("docs/snippets/app.yaml", "docs"),
        ("api/generated/crd.yaml", "generated"),
        ("config/crd/zz_generated.deepcopy.yaml", "generated"),
        # ambiguous: a test folder inside examples is a test; the first scope in order wins
        ("examples/tests/app.yaml", "test"),
        # traps: names that contain a scope word, and settings folders that hold live files
        ("latest/app.yaml", "live"),
        ("contest/app.yaml", "live"),
        ("deploy/test-cluster.yaml", "live"),
        (".github/workflows/tests.yml", "live"),
        (".gitlab/ci/test/build.yml", "live"),
        ("docs/CODEOWNERS", "live"),
        ("Tests/Fixtures/app.yaml", "test"),
    ],
)
def test_scope_by_path(path: str, scope: str) -> None:
    assert scope_of(path) == scope


def test_reports_label_only_what_is_not_live() -> None:
    assert scope_label("tests/fixtures/p.yaml") == "test fixture"
    assert scope_label("examples/main.tf") == "sample"
    assert scope_label("infra/main.tf") is None


def test_a_policy_only_in_test_fixtures_is_present_but_not_live(scan) -> None:
    policy = scan({"tests/fixtures/policy.yaml": KYVERNO}).signals["policy.as_code"]
    assert policy["present"] is True and policy["live"] is False
    assert policy["tools"] == ["kyverno"] and policy["live_tools"] == []


def test_a_live_policy_beside_fixtures_is_live(scan) -> None:
    policy = scan({"tests/fixtures/policy.yaml": KYVERNO, "policies/p.yaml": KYVERNO}).signals["policy.as_code"]
    assert policy["live"] is True and policy["live_tools"] == ["kyverno"]
    assert policy["paths"] == ["policies/p.yaml", "tests/fixtures/policy.yaml"]


def test_live_tools_name_only_the_tools_found_in_live_files(scan) -> None:
    gitops = scan({"clusters/app.yaml": ARGO_APP, "test/flux.yaml": "apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\n"})
    data = gitops.signals["gitops.controllers"]
    assert data["tools"] == ["argocd", "flux"] and data["live_tools"] == ["argocd"]


def test_paths_are_capped_per_tool_and_the_count_is_exact(scan) -> None:
    files = {f"modules/m{index:02}/main.tf": 'resource "x" "y" {}\n' for index in range(MAX_PATHS + 10)}
    files["charts/app/Chart.yaml"] = "apiVersion: v2\nname: app\nversion: 1.0.0\n"
    iac = scan(files).signals["iac.usage"]
    assert "charts/app/Chart.yaml" in iac["paths"]
    assert sum(path.endswith(".tf") for path in iac["paths"]) == MAX_PATHS
    assert iac["path_count"] == MAX_PATHS + 11


def test_one_tool_with_many_files_cannot_hide_another(scan) -> None:
    files = {f"a{index:02}/main.tf": 'resource "x" "y" {}\n' for index in range(MAX_PATHS + 5)}
    files["z/kustomization.yaml"] = "resources: [a.yaml]\n"
    iac = scan(files).signals["iac.usage"]
    assert "z/kustomization.yaml" in iac["paths"]  # sorted and cut at 20 overall, it was lost
    assert iac["path_count"] == MAX_PATHS + 6
