"""What a Git source knows beyond files: version-control activity and settings (vcs.*), the
repository as a whole (repo.*), and the organization (org.*).

The shapes are the Git host's, not one host's: GitHub and GitLab fill the same fields (a
GitLab top-level group is an organization, its subgroups are teams, its protected branches
protect like GitHub's branch protection); a field a host cannot tell is None, never a guess.
"""

# No `from __future__ import annotations` here: pydantic would compile every field's annotation
# from its text as each model class is made (this module's classes are made in every scan).
from typing import Literal

from pydantic import Field

from scanner.kinds.spec import KindData, KindSpec


class RepositoryInventory(KindData):
    """What the collector could see of the repository's files."""

    files: int = Field(description="Files listed.")
    files_read: int = Field(default=0, description="Files whose content detection needed.")
    skipped: int = Field(default=0, description="Files not read: too large, binary, unreadable, links out of tree.")


class VcsActivity(KindData):
    window_days: int
    head_commit: str | None = None
    last_commit_at: str | None = Field(default=None, description="ISO 8601 time of the newest commit.")
    commits: int = Field(description="Commits in the window.")
    active_weeks: int = Field(description="Weeks of the window with at least one commit.")
    authors: int = Field(description="Distinct commit authors in the window.")
    docs_commits: int | None = Field(
        default=None, description="Commits by people (bots and aliases joined) touching documentation; None: not read."
    )
    docs_active_weeks: int | None = Field(
        default=None, description="Weeks of the window with such a commit; None where the source does not read per-commit paths."
    )


#: The layers a Git host protects a branch with, in words no single host owns:
#: branch_protection, a rule on the branch itself (GitHub branch protection, a GitLab project's
#: protected branch); repository_ruleset, a set of rules the repository holds that targets the
#: branch (a GitHub repository ruleset); organization_ruleset, rules made above the repository
#: that bind it (a GitHub organization ruleset, a GitLab group's protected branch).
ProtectionLayer = Literal["branch_protection", "repository_ruleset", "organization_ruleset"]


#: The vcs.activity fields a Git host's API leaves unread: which commits touched documentation
#: would cost a request per commit. Explicit, so the mapped data is what validation keeps.
UNREAD_DOCS_ACTIVITY: dict[str, None] = {"docs_commits": None, "docs_active_weeks": None}
# GitLab's push rules, which a host without them (GitHub) does not tell.
UNTOLD_PUSH_RULES: dict[str, None] = dict.fromkeys(
    ("signed_commits_required", "commit_authors_checked", "committer_is_pusher", "tag_deletion_denied")
)


#: The approval settings of vcs.branch_protection, None where a host does not show them (GitHub
#: has no such settings; GitLab's Free tier neither): explicit, so the mapped data is what validation keeps.
UNTOLD_APPROVAL_SETTINGS: dict[str, None] = dict.fromkeys(
    ("author_can_approve", "committers_can_approve", "approval_rules_overridable", "stale_approvals_dismissed")
)
#: org.access's directory links, which a host not showing them (GitHub here) leaves unknown.
UNTOLD_DIRECTORY_LINKS: dict[str, None] = dict.fromkeys(("membership_from_directory", "directory_links", "directory_link_roles"))
#: The same above the repositories (org.rulesets), with whether repositories may change them.
UNTOLD_GROUP_APPROVAL_SETTINGS: dict[str, None] = {**UNTOLD_APPROVAL_SETTINGS, "approval_settings_locked": None}


class BranchProtection(KindData):
    """The default branch's protection, from every layer the host offers. None where the source
    could not see a requirement (GitHub's classic protection without admin rights, a GitLab tier
    without the setting), never "none required"."""

    enabled: bool
    required_reviews: int | None = 0
    code_owner_reviews: bool | None = False
    required_checks: list[str] = Field(
        default_factory=list,
        description="Checks that must pass before merging (GitHub status checks, seen without admin rights only as "
        "the branch shows them; GitLab: 'pipeline' when the pipeline must succeed).",
    )
    policy_checks_required: bool | None = Field(
        default=False, description="A policy or security scan is a required check (a status check or a code-scanning rule)."
    )
    required_scans: list[str] = Field(
        default_factory=list,
        description="Security scans that must pass before merging (GitHub code-scanning rules: CodeQL…).",
    )
    required_workflows: list[str] = Field(
        default_factory=list,
        description="Workflows or pipelines that must pass before merging besides the repository's own (GitHub ruleset workflows).",
    )
    required_deployments: list[str] = Field(
        default_factory=list, description="Environments a deployment must have reached before merging."
    )
    via: list[ProtectionLayer] = Field(default_factory=list, description="The layers that protect the branch.")
    author_can_approve: bool | None = Field(default=None, description="A change's author may approve it (None: not seen).")
    committers_can_approve: bool | None = Field(default=None, description="People who committed to a change may approve it.")
    approval_rules_overridable: bool | None = Field(
        default=None, description="A single change (pull or merge request) may override the approval rules."
    )
    stale_approvals_dismissed: bool | None = Field(default=None, description="A new push to a change dismisses its approvals.")


class SecuritySettings(KindData):
    """None where the host did not say (the token may lack the permission to see it)."""

    secret_scanning: bool | None = None
    push_protection: bool | None = None
    dependency_alerts: bool | None = None
    dependency_security_updates: bool | None = None
    signed_commits_required: bool | None = Field(
        default=None, description="Pushes of unsigned commits are rejected (a GitLab push rule)."
    )
    commit_authors_checked: bool | None = Field(
        default=None, description="Commits whose author is not a user of the host are rejected (GitLab: member_check)."
    )
    committer_is_pusher: bool | None = Field(
        default=None,
        description="Commits are accepted only when their committer email is one of the pusher's verified "
        "emails (GitLab: commit_committer_check).",
    )
    tag_deletion_denied: bool | None = Field(default=None, description="Tags cannot be deleted with a push.")


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
    created_from_here: list[str] = Field(
        default_factory=list,
        description="Repositories created from this one as a project template: their Copier or cruft answers "
        "name it, the Git host's template link does, or their Backstage entity's backstage.io/source-template "
        "names a template defined here.",
    )


class ReusableCiConsumers(KindData):
    """Who uses the reusable CI this repository provides, across the scanned organization."""

    consumers: int
    repositories: list[str] = Field(default_factory=list)


class RepositoryAccess(KindData):
    """Grants beyond the organization's base permission: to teams, or to people one by one."""

    team_grants: int = Field(description="Teams granted access to the repository.")
    direct_collaborators: int = Field(
        description="People granted access directly (members or outside collaborators), not through a team."
    )
    team_grant_share: float | None = Field(
        default=None, description="Teams among the grants: team_grants / (team_grants + direct_collaborators); None without any."
    )
    expiring_grants: int | None = Field(
        default=None, description="Of the grants, those set to end on a date (GitLab's access expiration); None: not told."
    )


class FeedbackChannels(KindData):
    issues_enabled: bool
    discussions_enabled: bool


class TeamStructure(KindData):
    teams: int = Field(description="Teams of the organization (GitHub teams, GitLab subgroups).")
    platform_team: str | None = Field(default=None, description="The team matching the configured platform-team pattern.")
    platform_team_members: int = 0
    platform_team_repositories: list[str] = Field(default_factory=list)


class OrganizationAccess(KindData):
    owners: int
    members: int
    two_factor_required: bool | None = None
    membership_from_directory: bool | None = Field(
        default=None,
        description="Membership is granted from an identity provider's or a directory's groups (GitLab SAML or LDAP "
        "group links; GitHub team sync or Enterprise Managed Users). None: not seen.",
    )
    directory_links: int | None = Field(
        default=None, description="Links from directory groups to the organization that grant membership; None: not seen."
    )
    directory_link_roles: list[str] | None = Field(
        default=None, description="The roles those links grant, lowest first (e.g. 'developer', 'maintainer'); None: not seen."
    )


class OrganizationRulesets(KindData):
    """Rules made above the repositories that bind them: GitHub organization rulesets, a GitLab
    group's protected branches."""

    rulesets: int
    active_on_default_branch: int = Field(description="Active rulesets that target every repository's default branch.")
    require_reviews: bool = False
    require_status_checks: bool = False
    author_can_approve: bool | None = Field(
        default=None, description="Settings made above the repositories: a change's author may approve it (None: not seen)."
    )
    committers_can_approve: bool | None = None
    approval_rules_overridable: bool | None = None
    stale_approvals_dismissed: bool | None = None
    approval_settings_locked: bool | None = Field(
        default=None, description="The repositories cannot change those settings (GitLab: every one locked by the group)."
    )


#: What any Git source, a local checkout included, can tell of a repository beyond its file signals.
REPOSITORY: list[KindSpec] = [
    KindSpec("repo.inventory", "repository", RepositoryInventory, "What could be seen of the files."),
    KindSpec("vcs.activity", "repository", VcsActivity, "Commit activity over a window."),
    KindSpec("vcs.branch_protection", "repository", BranchProtection, "Default-branch protection and rulesets."),
    KindSpec("repo.cross_references", "repository", CrossReferences, "What other scanned repositories take from this one."),
]

#: What only a Git host (GitHub, GitLab) knows.
GIT_HOST: list[KindSpec] = [
    KindSpec("vcs.security_settings", "repository", SecuritySettings, "Secret scanning and dependency alerts."),
    KindSpec("vcs.template", "repository", TemplateLink, "Template repositories and repositories made from them."),
    KindSpec("vcs.contributions", "repository", Contributions, "Who contributes, and from outside the platform team."),
    KindSpec("ci.reusable_consumers", "repository", ReusableCiConsumers, "Repositories using this one's reusable CI."),
    KindSpec("collaboration.feedback", "repository", FeedbackChannels, "Issues and discussions enabled."),
    KindSpec("vcs.access", "repository", RepositoryAccess, "Access granted to teams, or to people one by one."),
    KindSpec("org.teams", "organization", TeamStructure, "Teams, and the platform team."),
    KindSpec("org.access", "organization", OrganizationAccess, "Owners, members and two-factor requirement."),
    KindSpec("org.rulesets", "organization", OrganizationRulesets, "Organization-wide rulesets."),
]
