"""The evidence vocabulary: every kind an evidence record may have, and the shape of its data.

Kinds are source-neutral, so one rule covers GitHub, GitLab and local checkouts alike.
Collectors of other sources add their own vocabularies through the `pecm.kinds` entry-point
group (a module-level `KINDS: list[KindSpec]`), without touching this file.

Repository signals share one convention: `present` says whether the signal was found,
`paths` lists where (capped, see MAX_PATHS), and lists such as `tools` name what was found.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scanner.model import SubjectKind

MAX_PATHS = 20  # paths kept per tool of a signal: enough to show where, small enough for 10k repositories


@dataclass(frozen=True)
class KindSpec:
    name: str
    subject_kind: SubjectKind
    data_model: type[BaseModel]
    description: str


class KindData(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Signal(KindData):
    present: bool = False
    paths: list[str] = Field(default_factory=list)
    live: bool = Field(
        default=False,
        description="Found in a live file, not only in test fixtures, samples, documentation or generated files.",
    )
    path_count: int = Field(default=0, description="Files the signal was found in, all of them (paths is capped).")
    templated: list[str] = Field(
        default_factory=list, description="Of the paths, templated files (*.j2, *.tpl) read with template blocks stripped."
    )


class ToolSignal(Signal):
    tools: list[str] = Field(default_factory=list, description="Sorted names of the tools found.")
    live_tools: list[str] = Field(default_factory=list, description="The tools found in live files.")


# --- repository signals found in files (collectors/detect) --------------------------------


class IacUsage(ToolSignal):
    """tools: terraform, bicep, arm, pulumi, cloudformation, helm, kustomize, crossplane, ansible."""

    module_refs: list[str] = Field(
        default_factory=list, description="Shared modules/charts referenced from elsewhere (git, registry, OCI)."
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


class RepositoryInventory(KindData):
    """What the collector could see of the repository's files."""

    files: int = Field(description="Files listed.")
    files_read: int = Field(default=0, description="Files whose content detection needed.")
    skipped: int = Field(default=0, description="Files not read: too large, binary, unreadable, links out of tree.")


# --- version-control activity and settings ------------------------------------------------


class VcsActivity(KindData):
    window_days: int
    head_commit: str | None = None
    last_commit_at: str | None = Field(default=None, description="ISO 8601 time of the newest commit.")
    commits: int = Field(description="Commits in the window.")
    active_weeks: int = Field(description="Weeks of the window with at least one commit.")
    authors: int = Field(description="Distinct commit authors in the window.")


class BranchProtection(KindData):
    """None where the token could not see a requirement (classic protection hidden without admin rights)."""

    enabled: bool
    required_reviews: int | None = 0
    code_owner_reviews: bool | None = False
    required_checks: list[str] = Field(
        default_factory=list, description="Required checks seen (without admin rights: those the branch shows)."
    )
    policy_checks_required: bool | None = Field(
        default=False, description="A policy or security scan is a required check (a status check or a code-scanning rule)."
    )
    required_scans: list[str] = Field(default_factory=list, description="Code-scanning tools a ruleset requires (CodeQL…).")
    required_workflows: list[str] = Field(default_factory=list, description="Workflows a ruleset requires to pass.")
    required_deployments: list[str] = Field(
        default_factory=list, description="Environments a ruleset requires a deployment to before merging."
    )
    via: list[str] = Field(
        default_factory=list, description="What protects the branch: branch_protection, repository_ruleset, organization_ruleset."
    )


# --- settings and history only a Git host knows (GitHub, GitLab) ---------------------------


class SecuritySettings(KindData):
    """None where the host did not say (the token may lack the permission to see it)."""

    secret_scanning: bool | None = None
    push_protection: bool | None = None
    dependency_alerts: bool | None = None
    dependency_security_updates: bool | None = None


class TemplateLink(KindData):
    is_template: bool = Field(description="The repository is offered as a template for new ones.")
    created_from: str | None = Field(default=None, description="The template it was created from, e.g. 'acme/service-template'.")
    created_from_organization: bool = Field(default=False, description="That template belongs to the scanned organization.")


class Contributions(KindData):
    window_days: int
    contributors: int = Field(description="Distinct authors of commits on the default branch in the window.")
    outside_platform_team: int | None = Field(
        default=None, description="Of those, how many are not members of the platform team (None: no team known)."
    )
    outside_share: float | None = Field(default=None, description="outside_platform_team / contributors.")


class CrossReferences(KindData):
    """What the other scanned repositories say about this one: who deploys it through GitOps,
    and who takes its assets (reusable CI, modules, charts, templates) by an internal reference."""

    applied_by: list[str] = Field(default_factory=list, description="Repositories whose Argo CD or Flux sources point here.")
    consumed_by: list[str] = Field(default_factory=list, description="Repositories referencing this one's assets.")


class ReusableCiConsumers(KindData):
    """Who uses the reusable CI this repository provides, across the scanned organization."""

    consumers: int
    repositories: list[str] = Field(default_factory=list)


class Deployments(KindData):
    """DORA inputs over a window. Each figure says how it was derived and over how many events."""

    window_days: int
    derived_from: str = Field(description="deployments, workflow_runs or none.")
    events: int = Field(description="Deployments (or deploy runs) in the window.")
    failed: int = 0
    per_week: float = 0.0
    change_failure_rate: float | None = None
    lead_time_hours_median: float | None = Field(default=None, description="Commit to deployment, where SHAs allow it.")
    time_to_restore_hours_median: float | None = None
    environments: list[str] = Field(
        default_factory=list, description="The deployment environments counted (production ones where any are named so)."
    )


class FeedbackChannels(KindData):
    issues_enabled: bool
    discussions_enabled: bool


class TeamStructure(KindData):
    teams: int
    platform_team: str | None = Field(default=None, description="The team matching the configured platform-team pattern.")
    platform_team_members: int = 0
    platform_team_repositories: list[str] = Field(default_factory=list)


class OrganizationAccess(KindData):
    owners: int
    members: int
    two_factor_required: bool | None = None


class OrganizationRulesets(KindData):
    rulesets: int
    active_on_default_branch: int = Field(description="Active rulesets that target every repository's default branch.")
    require_reviews: bool = False
    require_status_checks: bool = False


# --- cluster evidence (collectors/kubernetes) ------------------------------------------------


class AdminGrants(KindData):
    """Kubernetes' own identities (names starting with system:) are not counted."""

    admin_roles: list[str] = Field(description="Cluster roles that allow every verb on every resource.")
    to_users: int = Field(description="Individual users bound to such a role.")
    to_groups: int = Field(description="Groups bound to such a role.")
    to_service_accounts: int = Field(description="Service accounts bound to such a role.")
    user_bindings: int = Field(description="Binding subjects, any role, that are individual users.")
    group_bindings: int = Field(description="Binding subjects, any role, that are groups.")
    group_binding_share: float | None = Field(
        default=None, description="Groups among the people-facing binding subjects (users and groups); None without any."
    )


class AdmissionControl(KindData):
    """engines: validating_admission_policy, kyverno."""

    engines: list[str] = Field(description="Admission engines the source serves and that were read.")
    not_served: list[str] = Field(default_factory=list, description="Engines whose API the source does not serve.")
    policies: int
    enforcing: int = Field(description="Policies that reject what they do not allow.")
    audit_only: int = Field(description="Policies that only audit or warn.")
    mutating: int = Field(default=0, description="Policies that change requests (defaults, labels).")
    generating: int = Field(default=0, description="Policies that create resources (quotas, network policies).")
    webhooks: int = Field(default=0, description="Validating admission webhooks (any engine).")
    webhooks_fail_open: int = Field(default=0, description="Webhooks with failurePolicy Ignore: unchecked when down.")


class TenancyGuardrails(KindData):
    """Counts over tenant namespaces (not those of the platform itself, such as kube-system)."""

    namespaces: int
    with_quota: int
    with_limit_range: int
    with_default_deny: int = Field(description="Namespaces whose network policies deny ingress by default.")
    with_pod_security_enforce: int = Field(description="Namespaces enforcing the baseline or restricted Pod Security level.")


_FILE_SIGNALS: list[KindSpec] = [
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

# --- cloud estate (collectors/azure; other clouds fill the same kinds) ---------------------


class PolicyAssignments(KindData):
    """Policy assignments that apply to a subscription (assigned there or inherited from above)."""

    assignments: int = 0
    enforced: int = Field(default=0, description="Assignments whose effects are enforced (not audit-only by mode).")
    initiatives: int = Field(default=0, description="Assignments of an initiative (a set of definitions).")
    inherited: int = Field(default=0, description="Assignments made at a scope above the subscription.")
    names: list[str] = Field(default_factory=list, description="Assignment names, capped at MAX_PATHS.")
    effects: dict[str, int] = Field(
        default_factory=dict,
        description="Enforced assignments per effect they apply (audit, deny, deployifnotexists, modify, …); "
        "an initiative counts once for each distinct effect of its definitions.",
    )
    unresolved: int = Field(default=0, description="Assignments whose definitions could not be read (effects unknown).")


class RoleAssignments(KindData):
    """Who holds roles on a subscription (or, for cloud.role_eligibility, may activate them just in
    time), and how many of those are the privileged ones there or above."""

    assignments: int = 0
    by_principal_type: dict[str, int] = Field(default_factory=dict, description="User, Group, ServicePrincipal, …")
    privileged: int = Field(default=0, description="Owner or User Access Administrator at subscription scope or above.")
    privileged_by_principal_type: dict[str, int] = Field(default_factory=dict)
    privileged_users: int = Field(default=0, description="Of the privileged ones, those held by individual users.")


class ResourceLocks(KindData):
    """Locks that keep resources from being deleted or changed, at the subscription or below it."""

    locks: int = 0
    by_level: dict[str, int] = Field(default_factory=dict, description="CanNotDelete, ReadOnly.")
    on_subscription: int = Field(default=0, description="Locks on the subscription itself (they cover everything in it).")


class Budgets(KindData):
    """Cost budgets on a subscription and their alerts."""

    budgets: int = 0
    with_notifications: int = Field(default=0, description="Budgets with at least one enabled alert.")
    with_forecast_notifications: int = Field(default=0, description="Budgets alerting on forecast cost, not only actual.")


_REPOSITORY: list[KindSpec] = [
    KindSpec("repo.inventory", "repository", RepositoryInventory, "What could be seen of the files."),
    KindSpec("vcs.activity", "repository", VcsActivity, "Commit activity over a window."),
    KindSpec("vcs.branch_protection", "repository", BranchProtection, "Default-branch protection and rulesets."),
    KindSpec("repo.cross_references", "repository", CrossReferences, "What other scanned repositories take from this one."),
]

_GIT_HOST: list[KindSpec] = [
    KindSpec("vcs.security_settings", "repository", SecuritySettings, "Secret scanning and dependency alerts."),
    KindSpec("vcs.template", "repository", TemplateLink, "Template repositories and repositories made from them."),
    KindSpec("vcs.contributions", "repository", Contributions, "Who contributes, and from outside the platform team."),
    KindSpec("ci.reusable_consumers", "repository", ReusableCiConsumers, "Repositories using this one's reusable CI."),
    KindSpec("delivery.deployments", "repository", Deployments, "Deployment history: DORA inputs."),
    KindSpec("collaboration.feedback", "repository", FeedbackChannels, "Issues and discussions enabled."),
    KindSpec("org.teams", "organization", TeamStructure, "Teams, and the platform team."),
    KindSpec("org.access", "organization", OrganizationAccess, "Owners, members and two-factor requirement."),
    KindSpec("org.rulesets", "organization", OrganizationRulesets, "Organization-wide rulesets."),
]

_CLOUD: list[KindSpec] = [
    KindSpec("cloud.policy_assignments", "subscription", PolicyAssignments, "Policy assignments and their enforcement."),
    KindSpec("cloud.role_assignments", "subscription", RoleAssignments, "Role assignments by principal type; privileged ones."),
    KindSpec("cloud.role_eligibility", "subscription", RoleAssignments, "Just-in-time (PIM) eligible roles; privileged ones."),
    KindSpec("cloud.locks", "subscription", ResourceLocks, "Delete and read-only locks."),
    KindSpec("cost.budgets", "subscription", Budgets, "Budgets and their actual / forecast alerts."),
]

#: Kinds emitted by the shared file-signal detection (collectors/detect).
FILE_SIGNAL_KINDS: tuple[str, ...] = tuple(spec.name for spec in _FILE_SIGNALS)

class WorkloadCoverage(KindData):
    """Deployments and StatefulSets in tenant namespaces, seen by their metadata only."""

    workloads: int
    autoscaled: int = Field(description="Workloads a HorizontalPodAutoscaler targets.")
    gitops_managed: int = Field(description="Workloads carrying an Argo CD or Flux label or annotation.")
    helm_managed: int = Field(description="Workloads labelled app.kubernetes.io/managed-by: Helm.")
    managed: int = Field(description="Workloads managed by a GitOps controller or Helm; the rest were applied by hand.")


class Reconciliation(KindData):
    """controllers: argocd, flux. Counts over Argo CD Applications and Flux Kustomizations / HelmReleases."""

    controllers: list[str] = Field(description="GitOps controllers the source serves and that were read.")
    not_served: list[str] = Field(default_factory=list, description="Controllers whose API the source does not serve.")
    applications: int
    automated: int = Field(description="Reconciled automatically (Argo CD automated sync; Flux: not suspended).")
    self_heal: int = Field(description="Drift in the cluster is reverted (Argo CD selfHeal; Flux Kustomizations, HelmReleases with drift detection).")
    prune: int = Field(description="What is removed from Git is removed from the cluster.")
    in_sync: int = Field(description="Synced (Argo CD) or Ready (Flux) when read.")


class ObservabilityCoverage(KindData):
    """tools: prometheus_operator, opentelemetry. Counts over tenant namespaces."""

    tools: list[str] = Field(description="Monitoring APIs the source serves and that were read.")
    not_served: list[str] = Field(default_factory=list, description="Monitoring APIs the source does not serve.")
    namespaces: int
    monitored: int = Field(description="Namespaces a ServiceMonitor or PodMonitor scrapes.")
    alerted: int = Field(description="Namespaces with alerting rules (PrometheusRule).")
    alert_rules: int
    predictive_alerts: int = Field(description="Alerting rules that forecast (predict_linear, holt_winters).")
    instrumented: int = Field(description="Namespaces with an OpenTelemetry auto-instrumentation.")


_CLUSTER: list[KindSpec] = [
    KindSpec("access.admin_grants", "cluster", AdminGrants, "Standing administrative grants, to people or groups."),
    KindSpec("policy.admission", "cluster", AdmissionControl, "Admission policies, and whether they enforce."),
    KindSpec("tenancy.guardrails", "cluster", TenancyGuardrails, "Quotas, limits, default-deny and pod security per namespace."),
    KindSpec("gitops.reconciliation", "cluster", Reconciliation, "GitOps applications: automated, self-healing, pruning, in sync."),
    KindSpec("observability.coverage", "cluster", ObservabilityCoverage, "Scraping, alerting and auto-instrumentation per namespace."),
    KindSpec("workloads.coverage", "cluster", WorkloadCoverage, "Workloads autoscaled, and managed by GitOps or Helm."),
]

KINDS: list[KindSpec] = _FILE_SIGNALS + _REPOSITORY + _GIT_HOST + _CLOUD + _CLUSTER


class KindRegistry:
    """The kinds known in this process: the core vocabulary plus every `pecm.kinds` plugin."""

    def __init__(self, specs: list[KindSpec]) -> None:
        self._specs: dict[str, KindSpec] = {}
        # Per kind: its model's defaults as validated data, and the fields holding empty
        # containers; None where the model has required fields or non-empty defaults.
        self._defaults: dict[str, tuple[dict[str, Any], tuple[str, ...]] | None] = {}
        for spec in specs:
            self.add(spec)

    def add(self, spec: KindSpec) -> None:
        if spec.name in self._specs and self._specs[spec.name] is not spec:
            raise ValueError(f"evidence kind {spec.name!r} is defined twice")
        self._specs[spec.name] = spec

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __getitem__(self, name: str) -> KindSpec:
        return self._specs[name]

    def names(self) -> list[str]:
        return sorted(self._specs)

    def validate_data(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        """Return the data normalised by the kind's model; raise ValueError naming the kind."""
        try:
            model = self._specs[kind].data_model
        except KeyError:
            raise ValueError(f"unknown evidence kind {kind!r}") from None
        if kind not in self._defaults:
            self._defaults[kind] = _validated_defaults(model)
        defaults = self._defaults[kind]
        if defaults is not None and data == defaults[0]:
            # Most records say "nothing of this kind here" (79% of them in a scan of 500
            # repositories): their data is the defaults, validated once; a copy with fresh
            # containers costs a fifth of validating it again.
            valid, containers = defaults
            return {**valid, **{name: type(valid[name])() for name in containers}}
        try:
            # The model's own validator and serializer: what model_validate and model_dump call,
            # without their per-call wrapping (half the time; every evidence record passes here).
            valid_model = model.__pydantic_validator__.validate_python(data)
            return model.__pydantic_serializer__.to_python(valid_model, mode="json")  # type: ignore[no-any-return]
        except ValidationError as exc:
            raise ValueError(f"evidence data for {kind!r} does not fit its model: {exc}") from None

    def has_field(self, kind: str, path: str) -> bool:
        """Whether `path` (dotted) names a field of the kind's data model."""
        model: Any = self._specs[kind].data_model
        for part in path.split("."):
            if not (isinstance(model, type) and issubclass(model, BaseModel)):
                return True  # inside a free-form dict or list: cannot check further
            field = model.model_fields.get(part)
            if field is None:
                return False
            model = field.annotation
        return True


def _validated_defaults(model: type[BaseModel]) -> tuple[dict[str, Any], tuple[str, ...]] | None:
    try:
        valid: dict[str, Any] = model.__pydantic_serializer__.to_python(model(), mode="json")
    except (ValidationError, TypeError):  # required fields: there are no defaults to compare with
        return None
    containers = tuple(name for name, value in valid.items() if isinstance(value, (list, dict)))
    if any(valid[name] for name in containers):  # copying those would need a deep copy
        return None
    return valid, containers
