"""Repository signals found in files by the shared detection (collectors/detect), whatever the
Git source: a local checkout, GitHub or GitLab read them alike.

They share one convention: `present` says whether the signal was found, `paths` lists where
(capped, see MAX_PATHS), and lists such as `tools` name what was found.
"""

# No `from __future__ import annotations` here: pydantic would compile every field's annotation
# from its text as each model class is made (this module's classes are made in every scan).
from pydantic import Field

from scanner.kinds.spec import KindData, KindSpec, Signal, ToolSignal


class IacUsage(ToolSignal):
    """tools: terraform, bicep, arm, pulumi, cloudformation, helm, kustomize, crossplane, ansible."""

    module_refs: list[str] = Field(
        default_factory=list, description="Shared modules/charts referenced from elsewhere (git, registry, OCI)."
    )
    unread: list[str] = Field(
        default_factory=list,
        description="Terraform and Bicep files past the read cap: named like IaC but not read, so a clue only, "
        "never counted in present, live, tools or path_count.",
    )
    self_service: list[str] = Field(
        default_factory=list,
        description="Self-service abstractions offered in live files: crossplane (an XRD with a Composition implementing it).",
    )


class IacRemoteRunner(ToolSignal):
    """Infrastructure applied by a remote runner, not from a laptop. tools: terraform_cloud
    (`cloud {}`, `backend "remote"`), atlantis, spacelift, env0, digger, azure_pipelines
    (a deployment job that applies infrastructure)."""


class CiPipelines(Signal):
    """systems: github_actions, gitlab_ci, azure_pipelines, jenkins, circleci."""

    systems: list[str] = Field(default_factory=list)
    deploys: bool = Field(
        default=False,
        description="A job deploys: targets an environment, runs a deploy or apply command against a real target, or "
        "is named deploy; publishing docs, Pages or packages and commands aimed at a cluster the job creates are not.",
    )
    applies_infrastructure: bool = Field(
        default=False, description="A pipeline applies IaC: terraform apply, az deployment, helm upgrade, pulumi up."
    )


class ReusableCiProvided(Signal):
    """Reusable CI this repository offers others: workflow_call workflows, GitLab CI templates."""

    workflows: list[str] = Field(default_factory=list)
    internal_only: bool = Field(
        default=False,
        description="Every workflow or template offered is called by this repository itself: nothing shows it is meant for others.",
    )


class ReferenceOrigins(Signal):
    """What the repository's live files take from elsewhere, each reference told internal or external:
    IaC modules, charts, reusable workflows and actions, CI includes, project templates, Crossplane
    packages, Argo CD and Flux sources. A reference is 'via ref', e.g. 'terraform acme/vpc/aws'."""

    refs: list[str] = Field(default_factory=list, description="Every reference found, as 'via ref'.")
    internal: list[str] = Field(default_factory=list, description="The references into the organization.")
    external: list[str] = Field(default_factory=list, description="The references to public or third-party sources.")
    internal_count: int = Field(
        default=0, description="Internal references that take an asset (repositories GitOps deploys are not counted)."
    )
    internal_module_count: int = Field(default=0, description="Of those, IaC modules, charts and packages.")
    external_count: int = Field(default=0, description="External references that take an asset.")
    external_share: float | None = Field(default=None, description="external_count / all references; None without any.")
    gitops_sources: list[str] = Field(
        default_factory=list, description="Repository URLs that Argo CD or Flux objects here deploy from."
    )
    backstage_templates: list[str] = Field(
        default_factory=list,
        description="Backstage software templates defined in live files here ('template:namespace/name'), "
        "which other repositories' backstage.io/source-template annotations name.",
    )


class ReusableCiUsed(Signal):
    """References to CI defined elsewhere: `uses: org/repo/.github/workflows/x.yml@ref`, GitLab `include:`."""

    refs: list[str] = Field(default_factory=list, description="e.g. 'acme/platform/.github/workflows/build.yml@v1'.")


class PolicyAsCode(ToolSignal):
    """tools: rego, kyverno, gatekeeper, azure_policy."""


class PolicyScanners(ToolSignal):
    """Policy or security scanners run as pipeline steps. tools: checkov, tfsec, trivy, kics, conftest,
    codeql, semgrep, snyk, sonarqube, gitleaks, trufflehog, grype, terrascan, kyverno."""


class Codeowners(Signal):
    rules: int = Field(default=0, description="Ownership lines in the CODEOWNERS file.")
    owners: list[str] = Field(default_factory=list, description="Distinct owners named (teams and users).")
    default_owners: list[str] = Field(
        default_factory=list, description="Owners of the whole repository (its last `*` rule)."
    )
    teams: list[str] = Field(default_factory=list, description="Owners that are teams: @org/team (GitLab: @group/subgroup).")
    users: list[str] = Field(
        default_factory=list, description="Owners that are people: @user and e-mail addresses (a bare GitLab @group too)."
    )


class RbacManifests(Signal):
    kinds: list[str] = Field(default_factory=list, description="Role, ClusterRole, RoleBinding, ClusterRoleBinding.")


class Dashboards(ToolSignal):
    """tools: grafana (dashboard JSON), grafana_operator (GrafanaDashboard), azure_workbook."""


class Alerting(ToolSignal):
    """tools: prometheus_rules (rule files, PrometheusRule), service_monitor (ServiceMonitor/PodMonitor)."""


class SloDefinitions(ToolSignal):
    """tools: openslo, sloth, slo_recording_rules."""


class CatalogEntities(Signal):
    """Backstage catalog descriptors (catalog-info.yaml and friends)."""

    entity_kinds: list[str] = Field(default_factory=list, description="Component, API, System, Template, …")


class GoldenPathTemplates(ToolSignal):
    """Templates this repository offers. tools: backstage, cookiecutter, copier."""

    names: list[str] = Field(default_factory=list, description="Backstage templates offered, by metadata.name.")
    owners: list[str] = Field(default_factory=list, description="Owners the templates name (Backstage spec.owner).")


class TemplateOrigin(ToolSignal):
    """This repository was generated from a template. tools: copier, cruft, backstage."""

    sources: list[str] = Field(
        default_factory=list,
        description="What it was generated from: copier _src_path, cruft template, Backstage source-template.",
    )


class DevContainer(Signal):
    pass


class DocsSite(ToolSignal):
    """tools: mkdocs, techdocs, docusaurus, sphinx, antora, hugo."""


class GitOps(ToolSignal):
    """tools: argocd, flux."""


class DependencyAutomation(ToolSignal):
    """tools: dependabot, renovate."""


class ProductArtifacts(KindData):
    """Artifacts of a repository run as a product."""

    roadmap: bool = False
    changelog: bool = False
    contributing: bool = False
    security_policy: bool = False
    issue_templates: bool = False
    feature_request_template: bool = False
    paths: list[str] = Field(default_factory=list)


FILE_SIGNALS: list[KindSpec] = [
    KindSpec("iac.usage", "repository", IacUsage, "Infrastructure as code in the repository."),
    KindSpec("iac.remote_runner", "repository", IacRemoteRunner, "Infrastructure applied by a remote runner."),
    KindSpec("ci.pipelines", "repository", CiPipelines, "CI/CD pipeline definitions."),
    KindSpec("ci.reusable_provided", "repository", ReusableCiProvided, "Reusable CI offered to other repositories."),
    KindSpec("ci.reusable_used", "repository", ReusableCiUsed, "Reusable CI consumed from elsewhere."),
    KindSpec("policy.as_code", "repository", PolicyAsCode, "Policy-as-code definitions."),
    KindSpec("policy.ci_scanners", "repository", PolicyScanners, "Policy and security scanners run in CI."),
    KindSpec("ownership.codeowners", "repository", Codeowners, "A CODEOWNERS file."),
    KindSpec("ownership.rbac_manifests", "repository", RbacManifests, "Kubernetes RBAC manifests."),
    KindSpec("observability.dashboards", "repository", Dashboards, "Dashboards as code."),
    KindSpec("observability.alerting", "repository", Alerting, "Alerting rules and scrape definitions."),
    KindSpec("observability.slo", "repository", SloDefinitions, "SLO definitions."),
    KindSpec("portal.catalog", "repository", CatalogEntities, "Service-catalog descriptors."),
    KindSpec("golden_path.templates", "repository", GoldenPathTemplates, "Project templates offered."),
    KindSpec("golden_path.origin", "repository", TemplateOrigin, "Created from a project template."),
    KindSpec("devenv.devcontainer", "repository", DevContainer, "Development container definitions."),
    KindSpec("docs.site", "repository", DocsSite, "A documentation site."),
    KindSpec("gitops.controllers", "repository", GitOps, "GitOps controller manifests."),
    KindSpec("deps.automation", "repository", DependencyAutomation, "Automated dependency updates."),
    KindSpec("product.artifacts", "repository", ProductArtifacts, "Roadmap, changelog, contribution guide, templates."),
    KindSpec("references.origins", "repository", ReferenceOrigins, "References to assets kept elsewhere, internal or external."),
]

#: Kinds emitted by the shared file-signal detection (collectors/detect).
FILE_SIGNAL_KINDS: tuple[str, ...] = tuple(spec.name for spec in FILE_SIGNALS)
