"""Cloud estate (collectors/azure; other clouds fill the same kinds): one record per subscription."""

from __future__ import annotations

from pydantic import Field

from scanner.kinds.spec import KindData, KindSpec


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
    group_share: float | None = Field(
        default=None, description="Groups among the assignments to users and groups; None without any."
    )


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


CLOUD: list[KindSpec] = [
    KindSpec("cloud.policy_assignments", "subscription", PolicyAssignments, "Policy assignments and their enforcement."),
    KindSpec("cloud.role_assignments", "subscription", RoleAssignments, "Role assignments by principal type; privileged ones."),
    KindSpec("cloud.role_eligibility", "subscription", RoleAssignments, "Just-in-time (PIM) eligible roles; privileged ones."),
    KindSpec("cloud.locks", "subscription", ResourceLocks, "Delete and read-only locks."),
    KindSpec("cost.budgets", "subscription", Budgets, "Budgets and their actual / forecast alerts."),
]
