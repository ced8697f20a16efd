"""The fake GitLab's state: groups, projects with their files and settings, tokens and the licence tier."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Tier = Literal["free", "premium", "ultimate"]

# Access levels, as GitLab numbers them.
DEVELOPER, MAINTAINER, OWNER, NO_ACCESS = 30, 40, 50, 0


@dataclass
class Policy:
    """A security policy (Ultimate) of a project or a group, as its policy project's YAML holds it."""

    name: str
    type: Literal["scan_execution_policy", "pipeline_execution_policy"]
    enabled: bool = True
    rules: list[dict[str, Any]] = field(default_factory=list)  # scan execution: [{type: pipeline, branch_type: default}]


@dataclass
class Group:
    id: int
    full_path: str  # "acme" or "acme/platform"
    parent_id: int | None = None
    require_two_factor_authentication: bool = False
    members: list[tuple[str, int]] = field(default_factory=list)  # (username, access level), direct members
    protected_branches: list[dict[str, Any]] = field(default_factory=list)  # Premium: group-level protection
    # Premium, shown to Owners: merge-request approval settings, name -> (value, locked); unset ones are
    # GitLab's defaults, unlocked
    approval_setting: dict[str, tuple[bool, bool]] = field(default_factory=dict)
    dora: dict[str, float | None] = field(default_factory=dict)  # Ultimate: metric -> its value over the range
    # Premium, shown to Owners: links granting membership from directory groups, (group name, access level)
    saml_links: list[tuple[str, int]] = field(default_factory=list)
    ldap_links: list[tuple[str, int]] = field(default_factory=list)  # self-managed: (LDAP group cn, access level)
    policies: list[Policy] = field(default_factory=list)  # Ultimate: they bind every project below the group

    @property
    def path(self) -> str:
        return self.full_path.rsplit("/", 1)[-1]


@dataclass
class ProtectedBranch:
    name: str  # a branch name or a wildcard such as "release/*"
    push_access_level: int = MAINTAINER
    merge_access_level: int = MAINTAINER
    allow_force_push: bool = False
    code_owner_approval_required: bool = False  # Premium


@dataclass
class Commit:
    id: str
    committed_date: str  # ISO 8601
    author_email: str = "bob@example.com"


@dataclass
class MergeRequest:
    author: str  # username
    merged_at: str  # ISO 8601
    state: str = "merged"


@dataclass
class Deployment:
    environment: str
    created_at: str  # ISO 8601
    status: str = "success"  # created, running, success, failed, canceled, blocked
    sha: str = "c" * 40
    committed_at: str | None = None  # the commit's date, where the deployable names it
    tier: str = "other"  # the environment's tier: production, staging, testing, development, other


@dataclass
class ApprovalRule:
    """A project's merge-request approval rule (Premium)."""

    name: str
    approvals_required: int
    rule_type: str = "regular"  # regular, any_approver, code_owner, report_approver
    branches: list[str] = field(default_factory=list)  # protected branch names it is scoped to; empty: all branches
    applies_to_all_protected_branches: bool = False


@dataclass
class Project:
    id: int
    namespace: Group
    path: str
    default_branch: str | None = "main"  # None: an empty repository
    files: dict[str, bytes] = field(default_factory=dict)
    archived: bool = False
    forked_from: str | None = None
    topics: list[str] = field(default_factory=list)
    last_activity_at: str = "2026-05-29T10:00:00.000Z"
    head_commit: str = "0" * 40
    tags: list[str] = field(default_factory=list)  # refs whose files are the default branch's (the fake keeps one version)
    releases: list[str] = field(default_factory=list)  # their tags, oldest first (the last is the latest)
    protected_branches: list[ProtectedBranch] = field(default_factory=list)
    approvals_before_merge: int = 0  # Premium: project-level approval setting
    only_allow_merge_if_pipeline_succeeds: bool = False
    issues_enabled: bool = True
    deployments: list[Deployment] = field(default_factory=list)
    commits: list[Commit] = field(default_factory=list)  # of the default branch, any order
    merge_requests: list[MergeRequest] = field(default_factory=list)
    approval_rules: list[ApprovalRule] = field(default_factory=list)  # Premium
    push_rule: dict[str, Any] | None = None  # Premium: the push rule's settings (payloads.push_rule fills the rest)
    approvals: dict[str, bool] = field(default_factory=dict)  # Premium: `/approvals` settings (payloads fills the rest)
    members: list[tuple[str, int, str | None]] = field(default_factory=list)  # direct: (username, access level, expires_at)
    shared_with: list[tuple[str, int, str | None]] = field(default_factory=list)  # groups: (full path, access level, expires_at)
    dora: dict[str, float | None] = field(default_factory=dict)  # Ultimate: metric -> its value over the range
    policies: list[Policy] = field(default_factory=list)  # Ultimate: the project's own security policies
    compliance_frameworks: list[tuple[str, str | None]] = field(default_factory=list)  # (name, pipeline configuration)

    @property
    def path_with_namespace(self) -> str:
        return f"{self.namespace.full_path}/{self.path}"


@dataclass
class Instance:
    """One GitLab instance as the fake serves it."""

    groups: list[Group]
    projects: list[Project]
    tokens: set[str]
    tier: Tier = "free"
    keyset_tree: bool = True  # GitLab 17.1+ pages repository trees by keyset
    maintainer_tokens: set[str] = field(default_factory=set)  # tokens whose user is a Maintainer; others are Reporters
    owner_tokens: set[str] = field(default_factory=set)  # tokens whose user owns the top-level group (so its subgroups)
    developer_tokens: set[str] = field(default_factory=set)  # tokens whose user is a Developer (Maintainers and Owners too)
    saml_group_sync: bool = True  # SAML group sync is set up for the groups (else GitLab refuses even Owners)
    policy_fields: bool = True  # False: a GitLab before 17.2, whose GraphQL has no security policies on a project
    push_rule_fields: bool = True  # False: a GitLab before merge request 223061, whose GraphQL push rules have rejectUnsignedCommits only
    withhold_push_rules: bool = False  # a token GitLab does not let read push rules over GraphQL: null and an error
    dora_metric_fields: bool = True  # False: a GitLab before 15.10, whose GraphQL DORA metrics have one `value` each
    protectable_field: bool = True  # False: a GitLab before 16.9, whose GraphQL projects have no protectableBranches
    directory_link_routes: bool = True  # False: an instance before GitLab 15.3 or without the EE code

    def administers(self, token: str) -> bool:
        """Whether the token's user is a Maintainer or an Owner, the roles GitLab grants
        `admin_project`: a Reporter or a Developer may not read branch rules or REST's push rule."""
        return token in self.maintainer_tokens or token in self.owner_tokens

    def group(self, ref: str) -> Group | None:
        for group in self.groups:
            if ref == str(group.id) or ref == group.full_path:
                return group
        return None

    def project(self, ref: str) -> Project | None:
        for project in self.projects:
            if ref == str(project.id) or ref == project.path_with_namespace:
                return project
        return None

    def descendants(self, group: Group) -> list[Group]:
        """The group and every subgroup below it."""
        found = [group]
        for candidate in self.groups:
            if candidate.full_path.startswith(group.full_path + "/"):
                found.append(candidate)
        return found
