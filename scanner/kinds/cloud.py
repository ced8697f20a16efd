"""Cloud estate (collectors/azure; other clouds fill the same kinds): one record per subscription
or management group."""

from __future__ import annotations

from pydantic import Field

from scanner.kinds.spec import KindData


class PolicyAssignments(KindData):
    """Policy assignments that apply to a subscription or management group (assigned there or inherited from above)."""

    assignments: int = 0
    enforced: int = Field(default=0, description="Assignments whose effects are enforced (not audit-only by mode).")
    initiatives: int = Field(default=0, description="Assignments of an initiative (a set of definitions).")
    inherited: int = Field(default=0, description="Assignments made at a scope above the subscription or management group.")
    names: list[str] = Field(default_factory=list, description="Assignment names, capped at MAX_PATHS.")
    effects: dict[str, int] = Field(
        default_factory=dict,
        description="Enforced assignments per effect they apply (audit, deny, deployifnotexists, modify, …); "
        "an initiative counts once for each distinct effect of its definitions.",
    )
    unresolved: int = Field(default=0, description="Assignments whose definitions could not be read (effects unknown).")
    enforced_deny: int = Field(default=0, description="Enforced assignments applying a deny effect (effects' deny, for rules).")


class RoleAssignments(KindData):
    """Who holds roles on a subscription or management group (or, for the eligibility kinds, may
    activate them just in time), and how many of those are the privileged ones there or above."""

    assignments: int = 0
    by_principal_type: dict[str, int] = Field(default_factory=dict, description="User, Group, ServicePrincipal, …")
    privileged: int = Field(
        default=0, description="Owner or User Access Administrator at the subscription (or management group) or above."
    )
    privileged_by_principal_type: dict[str, int] = Field(default_factory=dict)
    privileged_users: int = Field(default=0, description="Of the privileged ones, those held by individual users.")
    group_share: float | None = Field(
        default=None, description="Groups among the assignments to users and groups; None without any."
    )
    privileged_inherited: int = Field(
        default=0, description="Of the privileged ones, those held at a management group above (or the tenant root)."
    )


class PolicyCompliance(KindData):
    """The latest policy compliance summary of a subscription (Azure Policy Insights)."""

    resources: int = Field(default=0, description="Resources evaluated, in every compliance state.")
    by_state: dict[str, int] = Field(default_factory=dict, description="compliant, noncompliant, exempt, …")
    noncompliant_resources: int = 0
    noncompliant_policies: int = Field(default=0, description="Policy definitions with at least one non-compliant resource.")
    assignments: int = Field(default=0, description="Assignments summarised.")
    noncompliant_assignments: int = Field(default=0, description="Assignments with at least one non-compliant resource.")


class PolicyExemptions(KindData):
    """Exemptions from policy assignments applying to a subscription, and whether they expire."""

    exemptions: int = 0
    by_category: dict[str, int] = Field(default_factory=dict, description="Waiver, Mitigated.")
    expiring: int = Field(default=0, description="Exemptions with an expiry date.")
    expired: int = Field(default=0, description="Exemptions whose expiry date has passed (they no longer apply).")
    never_expiring: int = Field(default=0, description="Exemptions without an expiry date: they waive a policy for good.")
    from_management_groups: int = Field(
        default=0, description="Of them, exemptions made at a management group above the subscription (ARM lists them too)."
    )


class PolicyRemediations(KindData):
    """Remediation tasks: policies (deployIfNotExists, modify) applied to existing resources."""

    remediations: int = 0
    by_state: dict[str, int] = Field(default_factory=dict, description="Succeeded, Failed, Evaluating, …")
    resources_remediated: int = Field(default=0, description="Resources the tasks brought into compliance.")
    resources_failed: int = Field(default=0, description="Resources the tasks failed to remediate.")


class ActivityLogExport(KindData):
    """Where a subscription's activity log (who changed what) is kept beyond its 90 days."""

    settings: int = Field(default=0, description="Diagnostic settings of the activity log.")
    destinations: list[str] = Field(default_factory=list, description="log_analytics, storage, event_hub, partner.")
    categories: list[str] = Field(default_factory=list, description="Categories exported: Administrative, Security, Policy, …")


class ResourceProvenance(KindData):
    """How a subscription's resources were made, as far as can be traced (Resource Graph, deployments, stacks)."""

    resources: int = Field(default=0, description="Resources in the subscription (Resource Graph).")
    traceable: int = Field(default=0, description="Resources with an IaC tag, a deployment's output or managed by a stack.")
    iac_tagged: int = Field(default=0, description="Resources carrying one of the configured IaC tags.")
    deployed: int = Field(default=0, description="Resources among the outputs of the deployments kept (subscription and "
                          "resource-group scope).")
    from_template_specs: int = Field(default=0, description="Of the deployed ones, those deployed from a template spec.")
    stack_managed: int = Field(default=0, description="Resources a deployment stack manages (subscription or resource-group scope).")
    traceable_share: float | None = Field(default=None, description="traceable / resources; none without resources.")


class DeploymentHistory(KindData):
    """Deployments of the window at a subscription's scope and its resource groups', by who ran them."""

    window_days: int = 90
    deployments: int = 0
    by_caller_type: dict[str, int] = Field(default_factory=dict, description="User, Application, ManagedIdentity, Key, Unknown.")
    automated: int = Field(default=0, description="Run by a service principal or managed identity, not a person.")
    succeeded: int = 0
    failed: int = 0
    from_template_specs: int = Field(default=0, description="Deployed from a template spec.")
    resource_groups: int | None = Field(
        default=None, description="Resource groups whose deployments were read as well; none: the subscription's scope only."
    )


class SelfService(KindData):
    """What teams can deploy from on their own: template specs and deployment stacks."""

    template_specs: int = 0
    deployment_stacks: int = 0
    stacks_with_deny: int = Field(default=0, description="Stacks whose deny settings keep their resources from changes outside them.")


class Autoscale(KindData):
    """Autoscale settings (Azure Monitor) in a subscription."""

    settings: int = 0
    enabled: int = 0


class CloudMonitoring(KindData):
    """How a subscription is watched: alert rules and where they notify, dashboards, Application Insights."""

    metric_alerts: int = 0
    dynamic_threshold_alerts: int = Field(default=0, description="Metric alerts with dynamic (learned) thresholds.")
    log_alerts: int = Field(default=0, description="Log search (scheduled query) alert rules.")
    activity_log_alerts: int = 0
    action_groups: int = Field(default=0, description="Where alerts notify: e-mail, webhooks, ITSM, …")
    workbooks: int = 0
    dashboards: int = Field(default=0, description="Shared Azure portal dashboards.")
    grafana: int = Field(default=0, description="Azure Managed Grafana instances.")
    app_insights: int = Field(default=0, description="Application Insights components.")
    availability_tests: int = Field(default=0, description="Application Insights availability (web) tests.")


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


class TagCoverage(KindData):
    """How many of a subscription's resources say who owns them and who pays for them (tags)."""

    resources: int = 0
    owner_tagged: int = Field(default=0, description="Resources carrying one of the configured owner tags.")
    cost_center_tagged: int = Field(default=0, description="Resources carrying one of the configured cost-centre tags.")
    owner_share: float | None = Field(default=None, description="owner_tagged / resources (None: no resources).")
    cost_center_share: float | None = Field(default=None, description="cost_center_tagged / resources (None: no resources).")


class CostAllocationRules(KindData):
    """Cost allocation rules of a billing account: shared costs (a resource group, a subscription or
    a tag's resources) re-charged to others in set proportions, the showback / chargeback of a
    funded platform. Counts of rules in force (Active, or Processing: saved, allocation being updated)."""

    rules: int = Field(default=0, description="Rules, whatever their status.")
    active: int = Field(default=0, description="Rules in force: Active or Processing (NotActive: saved, not applied).")
    by_source: dict[str, int] = Field(
        default_factory=dict, description="Rules in force by what their costs come from: subscription, resource_group, tag."
    )
    by_target: dict[str, int] = Field(
        default_factory=dict, description="Rules in force by what their costs go to: subscription, resource_group, tag."
    )
    spread: int = Field(
        default=0, description="Rules in force whose costs go to several targets (subscriptions, resource groups or tag values)."
    )
    targets: int = Field(default=0, description="Distinct targets the rules in force charge (each with its kind).")
