"""Settings a Git host keeps for repositories and organizations, beyond branch protection:
custom properties (a service catalogue), deployment environments and what guards them, the
host's code scanning, CODEOWNERS as the host checks it, hosted pages, the CI policy and the CI
templates an organization offers.

Source-neutral like git_host: GitHub fills them today; GitLab has the same settings under
other names (protected environments, project topics and custom attributes, Pages, CI/CD
templates), a field a host cannot tell is None, never a guess.
"""

from __future__ import annotations

from pydantic import Field

from scanner.kinds.spec import KindData


class RepositoryProperties(KindData):
    """The organization's custom properties as set on this repository: a service catalogue many
    organizations keep on the Git host (owner, tier, lifecycle)."""

    values: dict[str, str | list[str]] = Field(
        default_factory=dict, description="Property name -> value, for the properties set on the repository."
    )
    required_missing: list[str] = Field(
        default_factory=list, description="Properties the organization marks required that have no value here."
    )


class PropertySchema(KindData):
    properties: list[str] = Field(default_factory=list, description="Custom properties the organization defines.")
    required: list[str] = Field(default_factory=list, description="Of those, the ones every repository must set.")


class EnvironmentProtection(KindData):
    """A repository's production deployment environments (named like production: the collector's
    production patterns) and what guards them (GitHub environments, GitLab protected environments)."""

    production: list[str] = Field(default_factory=list, description="Production environments found.")
    required_reviewers: list[str] = Field(default_factory=list, description="Of those, the ones a deployment to needs approval for.")
    wait_timer: list[str] = Field(default_factory=list, description="Of those, the ones with a wait timer.")
    branch_policy: list[str] = Field(default_factory=list, description="Of those, the ones only some branches may deploy to.")
    protected: bool | None = Field(
        default=None,
        description="Every production environment needs an approval or a branch policy (None: none found, or not all read).",
    )


class CodeScanning(KindData):
    default_setup: bool = Field(description="The host's default code scanning runs on the default branch.")
    available: bool = Field(default=True, description="The repository's plan offers code scanning at all.")
    via: str = Field(description="configuration (an organization's code-security configuration) or repository.")
    configuration: str | None = Field(default=None, description="The configuration that decides it, when one does.")


class CodeownersCheck(KindData):
    """What the Git host says of the CODEOWNERS file it uses (none: nothing to check)."""

    checked: bool = Field(description="The host found a CODEOWNERS file to check.")
    errors: int = 0
    error_kinds: list[str] = Field(default_factory=list, description="Sorted kinds of error ('Unknown owner'…).")
    locations: list[str] = Field(default_factory=list, description="path:line of the first errors (capped).")


class HostedPages(KindData):
    """A static site the Git host publishes from the repository (GitHub Pages, GitLab Pages)."""

    enabled: bool
    url: str | None = None
    build: str | None = Field(default=None, description="workflow (built by CI) or legacy (from a branch).")
    public: bool | None = None


class CiPolicy(KindData):
    """The organization's CI policy: which actions may run, what CI tokens may do by default."""

    enabled_for: str = Field(description="Repositories that may run CI: all, selected or none.")
    allowed_actions: str = Field(description="all, local_only (the organization's own) or selected.")
    github_owned_allowed: bool | None = Field(default=None, description="With selected: the host's own actions allowed.")
    verified_allowed: bool | None = Field(default=None, description="With selected: verified creators' actions allowed.")
    patterns_allowed: int = Field(default=0, description="With selected: allow-list patterns.")
    default_token_permissions: str | None = Field(default=None, description="read or write: CI jobs' token by default.")
    token_can_approve_reviews: bool | None = None


class CiTemplates(KindData):
    """Workflow templates the organization offers its repositories (GitHub: .github/workflow-templates)."""

    templates: int
    names: list[str] = Field(default_factory=list)
    repository: str | None = Field(default=None, description="Where they live.")
