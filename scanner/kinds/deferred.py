"""The kinds whose models are imported on first use: the families a local scan never records
(cloud, cluster, Git-host settings, delivery). Each spec names its model by "module:Class"
(`KindSpec.data_model` imports it), so a scan pays for the classes of the kinds it records;
the vocabulary (names, subjects, descriptions) is known without them."""

from __future__ import annotations

from scanner.kinds.spec import KindSpec

CLOUD: list[KindSpec] = [
    KindSpec("cloud.policy_assignments", "subscription", "scanner.kinds.cloud:PolicyAssignments",
             "Policy assignments and their enforcement."),
    KindSpec("cloud.role_assignments", "subscription", "scanner.kinds.cloud:RoleAssignments",
             "Role assignments by principal type; privileged ones."),
    KindSpec("cloud.role_eligibility", "subscription", "scanner.kinds.cloud:RoleAssignments",
             "Just-in-time (PIM) eligible roles; privileged ones."),
    KindSpec("cloud.locks", "subscription", "scanner.kinds.cloud:ResourceLocks", "Delete and read-only locks."),
    KindSpec("cost.budgets", "subscription", "scanner.kinds.cloud:Budgets", "Budgets and their actual / forecast alerts."),
    KindSpec("cost.tag_coverage", "subscription", "scanner.kinds.cloud:TagCoverage",
             "Resources tagged with an owner and a cost centre."),
    KindSpec("cloud.policy_compliance", "subscription", "scanner.kinds.cloud:PolicyCompliance",
             "Latest policy compliance summary."),
    KindSpec("cloud.policy_exemptions", "subscription", "scanner.kinds.cloud:PolicyExemptions",
             "Policy exemptions and their expiry."),
    KindSpec("cloud.policy_remediations", "subscription", "scanner.kinds.cloud:PolicyRemediations", "Policy remediation tasks."),
    KindSpec("cloud.activity_log_export", "subscription", "scanner.kinds.cloud:ActivityLogExport",
             "Diagnostic settings of the activity log."),
    KindSpec("cloud.resource_provenance", "subscription", "scanner.kinds.cloud:ResourceProvenance",
             "Resources traceable to IaC, deployments, stacks."),
    KindSpec("cloud.deployments", "subscription", "scanner.kinds.cloud:DeploymentHistory", "Deployment history by caller type."),
    KindSpec("cloud.self_service", "subscription", "scanner.kinds.cloud:SelfService",
             "Template specs and deployment stacks offered."),
    KindSpec("cloud.autoscale", "subscription", "scanner.kinds.cloud:Autoscale", "Autoscale settings."),
    KindSpec("cloud.monitoring", "subscription", "scanner.kinds.cloud:CloudMonitoring",
             "Alert rules, action groups, dashboards, Application Insights."),
    KindSpec("cloud.group_policy_assignments", "management_group", "scanner.kinds.cloud:PolicyAssignments",
             "Policy assignments at a management group and above, and their enforcement."),
    KindSpec("cloud.group_policy_remediations", "management_group", "scanner.kinds.cloud:PolicyRemediations",
             "Policy remediation tasks made at a management group (a subscription's own list leaves them out)."),
    KindSpec("cloud.group_role_assignments", "management_group", "scanner.kinds.cloud:RoleAssignments",
             "Role assignments at a management group and above; privileged ones."),
    KindSpec("cost.allocation_rules", "billing_account", "scanner.kinds.cloud:CostAllocationRules",
             "Cost allocation rules of a billing account: shared costs charged to subscriptions, groups or tags."),
]

CLUSTER: list[KindSpec] = [
    KindSpec("access.admin_grants", "cluster", "scanner.kinds.cluster:AdminGrants",
             "Standing administrative grants, to people or groups."),
    KindSpec("policy.admission", "cluster", "scanner.kinds.cluster:AdmissionControl",
             "Admission policies, and whether they enforce."),
    KindSpec("tenancy.guardrails", "cluster", "scanner.kinds.cluster:TenancyGuardrails",
             "Quotas, limits, default-deny and pod security per namespace."),
    KindSpec("gitops.reconciliation", "cluster", "scanner.kinds.cluster:Reconciliation",
             "GitOps applications: automated, self-healing, pruning, in sync."),
    KindSpec("observability.coverage", "cluster", "scanner.kinds.cluster:ObservabilityCoverage",
             "Scraping, alerting and auto-instrumentation per namespace."),
    KindSpec("workloads.coverage", "cluster", "scanner.kinds.cluster:WorkloadCoverage",
             "Workloads autoscaled, and managed by GitOps or Helm."),
    KindSpec("platform.apis", "cluster", "scanner.kinds.cluster:PlatformApis",
             "Crossplane composite resource definitions and compositions offered."),
    KindSpec("cost.allocation", "cluster", "scanner.kinds.cluster:CostAllocation",
             "Cost-allocation tools (OpenCost, Kubecost) running."),
    KindSpec("tenancy.namespace", "namespace", "scanner.kinds.cluster:NamespaceGuardrails",
             "One namespace's quota, limits, default-deny and pod security."),
    KindSpec("observability.namespace", "namespace", "scanner.kinds.cluster:NamespaceObservability",
             "One namespace's scraping, alerting and auto-instrumentation."),
    KindSpec("workloads.namespace", "namespace", "scanner.kinds.cluster:NamespaceWorkloads",
             "One namespace's workloads, autoscaled and managed."),
    KindSpec("policy.namespace", "namespace", "scanner.kinds.cluster:NamespacePolicies",
             "One namespace's own admission policies and policy reports."),
    KindSpec("platform.claims", "namespace", "scanner.kinds.cluster:NamespaceClaims", "Crossplane claims one namespace holds."),
]

#: Settings of repositories and organizations on a Git host.
HOST_SETTINGS: list[KindSpec] = [
    KindSpec("repo.properties", "repository", "scanner.kinds.host_settings:RepositoryProperties",
             "Custom properties set on the repository."),
    KindSpec("delivery.environments", "repository", "scanner.kinds.host_settings:EnvironmentProtection",
             "Deployment environments and their protection."),
    KindSpec("vcs.code_scanning", "repository", "scanner.kinds.host_settings:CodeScanning", "The host's default code scanning."),
    KindSpec("vcs.codeowners_check", "repository", "scanner.kinds.host_settings:CodeownersCheck",
             "Errors the host finds in CODEOWNERS."),
    KindSpec("vcs.pages", "repository", "scanner.kinds.host_settings:HostedPages",
             "A static site published from the repository."),
    KindSpec("org.property_schema", "organization", "scanner.kinds.host_settings:PropertySchema",
             "Custom properties the organization defines."),
    KindSpec("org.ci_policy", "organization", "scanner.kinds.host_settings:CiPolicy",
             "Allowed actions and CI tokens' default permissions."),
    KindSpec("org.ci_templates", "organization", "scanner.kinds.host_settings:CiTemplates",
             "Workflow templates offered to repositories."),
]

DELIVERY: list[KindSpec] = [
    KindSpec("delivery.deployments", "repository", "scanner.kinds.delivery:Deployments", "Deployment history: DORA inputs."),
    KindSpec("delivery.dora_figures", "organization", "scanner.kinds.delivery:DoraFigures",
             "The Git host's own DORA figures over the organization."),
    KindSpec("history.dora_series", "organization", "scanner.kinds.delivery:DoraSeries",
             "DORA inputs recorded in the earlier scans of this scope."),
]
