"""References to assets kept elsewhere (issue 13, points 2 and 3): what detection records in
references.origins, from every kind of file that takes something from elsewhere."""

from __future__ import annotations

ARGO_GIT = """apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: orders}
spec:
  source:
    repoURL: https://github.com/acme/orders.git
    path: deploy
    targetRevision: main
"""
ARGO_CHARTS = """apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: cache}
spec:
  sources:
    - repoURL: https://charts.bitnami.com/bitnami
      chart: redis
      targetRevision: 19.0.1
    - repoURL: https://user:s3cret@git.acme.io/platform/values.git
      path: redis
"""
APPLICATION_SET = """apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: all}
spec:
  generators:
    - git:
        repoURL: https://github.com/acme/clusters.git
        revision: HEAD
  template:
    metadata: {name: '{{path.basename}}'}
    spec:
      source:
        repoURL: https://github.com/acme/apps.git
        path: '{{path}}'
"""
FLUX = """apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: internal}
spec:
  url: oci://registry.acme.io/charts
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: web}
spec:
  chart:
    spec:
      chart: web-service
      version: 1.2.0
      sourceRef: {kind: HelmRepository, name: internal}
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: orphan}
spec:
  chart:
    spec:
      chart: lost
      sourceRef: {kind: HelmRepository, name: nowhere}
"""
CROSSPLANE_PACKAGE = """apiVersion: meta.pkg.crossplane.io/v1
kind: Configuration
metadata: {name: platform}
spec:
  dependsOn:
    - provider: xpkg.upbound.io/upbound/provider-aws-s3
      version: ">=v1.0.0"
    - function: xpkg.acme.io/acme/function-naming
"""
CROSSPLANE_PIPELINE = """apiVersion: pkg.crossplane.io/v1beta1
kind: Function
metadata: {name: function-patch-and-transform}
spec:
  package: xpkg.upbound.io/crossplane-contrib/function-patch-and-transform:v0.7.0
---
apiVersion: apiextensions.crossplane.io/v1
kind: Composition
metadata: {name: bucket}
spec:
  compositeTypeRef: {apiVersion: acme.io/v1, kind: XBucket}
  mode: Pipeline
  pipeline:
    - step: patch
      functionRef: {name: function-patch-and-transform}
    - step: unknown
      functionRef: {name: function-nobody-installed}
"""


def refs(scan, files: dict[str, str]) -> list[str]:
    return scan(files).signals["references.origins"]["refs"]


def test_argo_cd_git_sources_are_references_and_deployments(scan) -> None:
    data = scan({"apps/orders.yaml": ARGO_GIT}).signals["references.origins"]
    assert data["refs"] == ["argocd https://github.com/acme/orders.git"]
    assert data["gitops_sources"] == ["https://github.com/acme/orders.git"]


def test_argo_cd_chart_sources_are_charts_not_deployed_repositories(scan) -> None:
    data = scan({"apps/cache.yaml": ARGO_CHARTS}).signals["references.origins"]
    assert data["refs"] == [
        "argocd https://charts.bitnami.com/bitnami/redis@19.0.1",
        "argocd https://git.acme.io/platform/values.git",  # the credentials never reach evidence
    ]
    assert data["gitops_sources"] == ["https://git.acme.io/platform/values.git"]


def test_an_application_set_template_and_git_generator(scan) -> None:
    assert refs(scan, {"appsets/all.yaml": APPLICATION_SET}) == [
        "argocd https://github.com/acme/apps.git",
        "argocd https://github.com/acme/clusters.git",
    ]


def test_flux_helm_releases_resolve_their_source_and_unknown_sources_name_nothing(scan) -> None:
    assert refs(scan, {"flux/web.yaml": FLUX}) == [
        "flux oci://registry.acme.io/charts",
        "flux oci://registry.acme.io/charts/web-service@1.2.0",
    ]


def test_a_helm_release_resolves_a_source_declared_in_another_file(scan) -> None:
    source, release = FLUX.split("---\n")[:2]
    assert "flux oci://registry.acme.io/charts/web-service@1.2.0" in refs(
        scan, {"sources/internal.yaml": source, "releases/web.yaml": release}
    )


def test_crossplane_package_dependencies_and_pipeline_functions(scan) -> None:
    assert refs(scan, {"crossplane.yaml": CROSSPLANE_PACKAGE, "apis/bucket.yaml": CROSSPLANE_PIPELINE}) == [
        "crossplane xpkg.acme.io/acme/function-naming",
        "crossplane xpkg.upbound.io/crossplane-contrib/function-patch-and-transform:v0.7.0",
        "crossplane xpkg.upbound.io/upbound/provider-aws-s3@>=v1.0.0",
    ]


def test_actions_and_reusable_workflows_but_not_local_or_docker_ones(scan) -> None:
    workflow = """on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: ./.github/actions/local
      - uses: docker://alpine:3.19
      - run: make
  shared:
    uses: acme/platform/.github/workflows/build.yml@v1
  here:
    uses: ./.github/workflows/lint.yml
"""
    assert refs(scan, {".github/workflows/ci.yml": workflow}) == [
        "github_action actions/checkout@v4",
        "github_workflow acme/platform/.github/workflows/build.yml@v1",
    ]


def test_gitlab_includes_terraform_helm_and_template_origins(scan) -> None:
    found = refs(
        scan,
        {
            ".gitlab-ci.yml": "include:\n  - project: acme/ci\n    file: /build.yml\n  - template: Security/SAST.gitlab-ci.yml\n"
            "build:\n  script: [make]\n",
            "infra/main.tf": 'module "net" {\n  source = "app.terraform.io/acme/network/azurerm"\n}\n'
            'module "local" {\n  source = "./modules/local"\n}\n',
            "chart/Chart.yaml": "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n"
            "  - name: web\n    version: 0.3.0\n    repository: oci://ghcr.io/acme/charts\n",
            ".copier-answers.yml": "_src_path: gh:acme/service-template\n",
            ".cruft.json": '{"template": "https://github.com/cookiecutter/cookiecutter-django"}',
        },
    )
    assert found == [
        "copier gh:acme/service-template",
        "cruft https://github.com/cookiecutter/cookiecutter-django",
        "gitlab_include acme/ci/build.yml",
        "gitlab_include template:Security/SAST.gitlab-ci.yml",
        "helm oci://ghcr.io/acme/charts/web@0.3.0",
        "terraform app.terraform.io/acme/network/azurerm",
    ]


def test_references_in_test_fixtures_samples_and_docs_take_nothing(scan) -> None:
    data = scan(
        {
            "tests/fixtures/app.yaml": ARGO_GIT,
            "examples/basic/main.tf": 'module "m" {\n  source = "acme/network/azurerm"\n}\n',
            "docs/guide/app.yaml": ARGO_CHARTS,
        }
    ).signals["references.origins"]
    assert data["present"] is False and data["refs"] == [] and data["gitops_sources"] == []


def test_a_helm_template_holding_an_application_is_no_problem(scan) -> None:
    template = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: {{ .Values.name }}\nspec:\n  source:\n{{ toYaml .Values.source | indent 4 }}\n"
    detection = scan({"chart/templates/app.yaml": template})
    assert detection.signals["gitops.controllers"]["present"] is True
    assert detection.problems == []
