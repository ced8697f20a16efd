"""The declarative state the fake GitHub serves: plain mutable dataclasses.

Declare an organization by building these objects; the server derives every REST and GraphQL
payload from them on each request, so a test may change them between requests (add a
file, protect a branch, archive a repository) and the next response reflects it.

Simplifications, on purpose: every commit and branch of a repository points at the same
file tree (`Repository.files`); the default branch exists even when `branches` does not list
it; ids are unique integers handed out in creation order.
"""

from __future__ import annotations

import hashlib
import itertools
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Literal

_ids = itertools.count(1_000)

EPOCH = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)  # default timestamps are days after this


def next_id() -> int:
    return next(_ids)


def stable_id(*parts: object) -> int:
    """A stable positive 31-bit id (GraphQL's Int) for an object the state does not declare."""
    return zlib.crc32("\x00".join(str(part) for part in parts).encode()) & 0x7FFFFFFF


def fake_sha(*parts: object) -> str:
    """A stable 40-hex sha for a synthetic object (commits that carry no real content)."""
    return hashlib.sha1("\x00".join(str(part) for part in parts).encode()).hexdigest()


@dataclass
class User:
    login: str
    name: str | None = None
    email: str | None = None
    site_admin: bool = False
    repos: list[Repository] = field(default_factory=list)  # repositories this user owns
    created_at: datetime = EPOCH
    id: int = field(default_factory=next_id)


@dataclass
class Commit:
    sha: str
    date: datetime = EPOCH
    author_email: str = "dev@example.com"
    author_name: str = "Dev"
    author_login: str | None = None  # None: the email maps to no GitHub account
    message: str = "Update"


@dataclass
class BranchProtection:
    """Classic branch protection; None in a field means that requirement is off."""

    required_approving_review_count: int | None = 1  # None: pull-request reviews not required
    require_code_owner_reviews: bool = False
    dismiss_stale_reviews: bool = False
    required_status_checks: list[str] | None = None  # contexts; None: status checks not required
    strict_status_checks: bool = False
    enforce_admins: bool = False
    allow_force_pushes: bool = False
    allow_deletions: bool = False
    required_linear_history: bool = False
    required_signatures: bool = False
    required_conversation_resolution: bool = False
    lock_branch: bool = False
    id: int = field(default_factory=next_id)


@dataclass
class Branch:
    name: str
    sha: str | None = None  # None: the repository's head commit
    protection: BranchProtection | None = None


RulesetEnforcement = Literal["active", "evaluate", "disabled"]


@dataclass
class Ruleset:
    """A repository or organization ruleset. `rules` are GitHub's rule objects, see `rule()`."""

    name: str
    rules: list[dict[str, Any]] = field(default_factory=list)
    target: Literal["branch", "tag", "push"] = "branch"
    enforcement: RulesetEnforcement = "active"
    include_refs: list[str] = field(default_factory=lambda: ["~DEFAULT_BRANCH"])  # or "refs/heads/rel/*", "~ALL"
    exclude_refs: list[str] = field(default_factory=list)
    include_repositories: list[str] = field(default_factory=lambda: ["~ALL"])  # organization rulesets only
    exclude_repositories: list[str] = field(default_factory=list)
    bypass_actors: list[dict[str, Any]] = field(default_factory=list)
    created_at: datetime = EPOCH
    id: int = field(default_factory=next_id)


def rule(rule_type: str, **parameters: Any) -> dict[str, Any]:
    """One ruleset rule in GitHub's shape, e.g. rule("pull_request", required_approving_review_count=2).

    `pull_request` and `required_status_checks` get GitHub's required parameters filled in.
    """
    defaults: dict[str, dict[str, Any]] = {
        "pull_request": {
            "dismiss_stale_reviews_on_push": False,
            "require_code_owner_review": False,
            "require_last_push_approval": False,
            "required_approving_review_count": 1,
            "required_review_thread_resolution": False,
        },
        "required_status_checks": {"required_status_checks": [], "strict_required_status_checks_policy": False},
    }
    if rule_type not in defaults and not parameters:
        return {"type": rule_type}
    return {"type": rule_type, "parameters": {**defaults.get(rule_type, {}), **parameters}}


DeploymentState = Literal["success", "failure", "error", "inactive", "in_progress", "queued", "pending"]


@dataclass
class DeploymentStatus:
    state: DeploymentState
    created_at: datetime = EPOCH
    description: str = ""
    id: int = field(default_factory=next_id)


@dataclass
class Deployment:
    environment: str = "production"
    created_at: datetime = EPOCH
    ref: str = "main"
    sha: str | None = None  # None: the repository's head commit
    creator: str | None = None  # login; None: the organization's first member
    statuses: list[DeploymentStatus] = field(default_factory=list)  # oldest first, as created
    task: str = "deploy"
    id: int = field(default_factory=next_id)


@dataclass
class Environment:
    name: str
    created_at: datetime = EPOCH
    required_reviewers: list[str] = field(default_factory=list)  # logins; non-empty adds a protection rule
    wait_timer_minutes: int = 0
    # Which branches may deploy: None every branch; "protected_branches" or "custom_branch_policies"
    branch_policy: Literal["protected_branches", "custom_branch_policies"] | None = None
    id: int = field(default_factory=next_id)


@dataclass
class Pages:
    """A GitHub Pages site published from the repository."""

    build_type: Literal["workflow", "legacy"] = "workflow"
    public: bool = True
    cname: str | None = None
    https_enforced: bool = True


@dataclass
class CustomProperty:
    """An organization's custom property (its schema); repositories set values in `Repository.custom_properties`."""

    name: str
    value_type: Literal["string", "single_select", "multi_select", "true_false"] = "string"
    required: bool = False
    default_value: str | None = None
    allowed_values: list[str] | None = None
    description: str | None = None


@dataclass
class CodeSecurityConfiguration:
    """An organization's code-security configuration and the repositories attached to it."""

    name: str
    code_scanning_default_setup: Literal["enabled", "disabled", "not_set"] = "enabled"
    repositories: list[str] = field(default_factory=list)  # names of attached repositories
    id: int = field(default_factory=next_id)


@dataclass
class ActionsPermissions:
    """An organization's GitHub Actions policy (Settings > Actions > General)."""

    enabled_repositories: Literal["all", "none", "selected"] = "all"
    allowed_actions: Literal["all", "local_only", "selected"] = "all"
    github_owned_allowed: bool = True  # with allowed_actions "selected"
    verified_allowed: bool = False
    patterns_allowed: list[str] = field(default_factory=list)
    default_workflow_permissions: Literal["read", "write"] = "read"
    can_approve_pull_request_reviews: bool = False


WorkflowStatus = Literal["completed", "in_progress", "queued", "waiting", "requested", "pending"]


@dataclass
class WorkflowRun:
    created_at: datetime = EPOCH
    name: str = "CI"
    workflow_path: str = ".github/workflows/ci.yml"
    head_branch: str = "main"
    head_sha: str | None = None  # None: the repository's head commit
    event: str = "push"
    status: WorkflowStatus = "completed"
    conclusion: str | None = "success"  # success, failure, cancelled, skipped, ...; None while running
    duration: timedelta = timedelta(minutes=4)
    run_attempt: int = 1
    workflow_id: int = 161335
    id: int = field(default_factory=next_id)


Visibility = Literal["public", "private", "internal"]
TeamPermission = Literal["pull", "triage", "push", "maintain", "admin"]


@dataclass
class Repository:
    name: str
    files: dict[str, bytes] = field(default_factory=dict)  # path -> content, the default branch's tree
    default_branch: str = "main"
    description: str | None = None
    language: str | None = None
    visibility: Visibility = "private"
    archived: bool = False
    fork: bool = False
    topics: list[str] = field(default_factory=list)
    is_template: bool = False
    template_repository: str | None = None  # "owner/name" of the template it was created from
    has_issues: bool = True
    has_discussions: bool = False
    has_vulnerability_alerts: bool = False
    security_and_analysis: dict[str, str] | None = None  # feature -> "enabled"/"disabled"; None: all disabled
    created_at: datetime = EPOCH
    pushed_at: datetime = EPOCH
    commits: list[Commit] = field(default_factory=list)  # default-branch history, newest first
    branches: list[Branch] = field(default_factory=list)  # the default branch may be omitted
    rulesets: list[Ruleset] = field(default_factory=list)
    deployments: list[Deployment] = field(default_factory=list)
    environments: list[Environment] = field(default_factory=list)  # deployments' environments are added
    workflow_runs: list[WorkflowRun] = field(default_factory=list)
    # People granted access one by one (members or outside collaborators), login -> permission;
    # team grants are on `Team.repos`.
    collaborators: dict[str, TeamPermission] = field(default_factory=dict)
    empty: bool = False  # created without any commit: no branch at all, as GitHub shows a new repository
    custom_properties: dict[str, str | list[str]] = field(default_factory=dict)  # property name -> value
    pages: Pages | None = None
    code_scanning_default_setup: bool = False  # configured on the repository itself
    id: int = field(default_factory=next_id)

    def __post_init__(self) -> None:
        if not self.commits and not self.empty:
            self.commits.append(
                Commit(sha=fake_sha(self.name, "initial"), date=self.pushed_at, message="Initial commit")
            )

    @property
    def head_sha(self) -> str:
        return self.commits[0].sha

    def branch(self, name: str) -> Branch | None:
        if self.empty:
            return None
        for branch in self.branches:
            if branch.name == name:
                return branch
        return Branch(name) if name == self.default_branch else None

    def all_branches(self) -> list[Branch]:
        if self.empty:
            return []
        listed = {branch.name for branch in self.branches}
        implicit = [] if self.default_branch in listed else [Branch(self.default_branch)]
        return sorted(implicit + self.branches, key=lambda branch: branch.name)

    def branch_sha(self, branch: Branch) -> str:
        return branch.sha or self.head_sha

    def all_environments(self) -> list[Environment]:
        """Declared environments plus those GitHub creates implicitly on a first deployment, by name."""
        declared = {environment.name for environment in self.environments}
        implied = [
            Environment(
                name,
                created_at=min(d.created_at for d in self.deployments if d.environment == name),
                id=stable_id(self.id, name),
            )
            for name in {deployment.environment for deployment in self.deployments} - declared
        ]
        return sorted([*self.environments, *implied], key=lambda environment: environment.name)


@dataclass
class Team:
    slug: str
    name: str | None = None  # None: the slug
    description: str | None = None
    privacy: Literal["closed", "secret"] = "closed"
    members: list[str] = field(default_factory=list)  # logins
    maintainers: list[str] = field(default_factory=list)  # logins, also members with role maintainer
    repos: dict[str, TeamPermission] = field(default_factory=dict)  # repository name -> permission
    id: int = field(default_factory=next_id)

    def visible_to(self, token: Token) -> bool:
        """GitHub shows a secret team only to organization owners and to the team's members."""
        return self.privacy != "secret" or token.org_admin or token.login in (*self.members, *self.maintainers)


@dataclass
class Organization:
    login: str
    name: str | None = None
    description: str | None = None
    repos: list[Repository] = field(default_factory=list)
    members: list[User] = field(default_factory=list)
    owners: set[str] = field(default_factory=set)  # logins of members whose role is admin
    teams: list[Team] = field(default_factory=list)
    rulesets: list[Ruleset] = field(default_factory=list)
    two_factor_requirement_enabled: bool = False
    saml_enforced: bool = False  # tokens not authorized for its SSO get 403 and an X-GitHub-SSO header
    custom_properties: list[CustomProperty] = field(default_factory=list)
    code_security_configurations: list[CodeSecurityConfiguration] = field(default_factory=list)
    actions_permissions: ActionsPermissions = field(default_factory=ActionsPermissions)
    plan: str = "enterprise"
    created_at: datetime = EPOCH
    installation_id: int = field(default_factory=next_id)  # the GitHub App's installation on this org
    id: int = field(default_factory=next_id)

    def repo(self, name: str) -> Repository | None:
        return next((repo for repo in self.repos if repo.name == name), None)

    def member(self, login: str) -> User | None:
        return next((user for user in self.members if user.login == login), None)

    def team(self, slug: str) -> Team | None:
        return next((team for team in self.teams if team.slug == slug), None)


@dataclass
class Token:
    """A token the fake accepts. Requests with any other token get 401 Bad credentials."""

    value: str
    login: str = "pecm-bot"  # the user the token acts as
    repo_admin: bool = True  # False: branch protection answers 403 "Must have admin rights"
    org_admin: bool = True  # False: organization rulesets answer 403; secret teams it is not in are hidden
    repo_push: bool = True  # False: a repository's collaborators answer FORBIDDEN (GitHub asks for push access)
    actions_read: bool = True  # False: workflow runs answer 403 "Resource not accessible by personal access token"
    rate_limit: int = 5000  # primary REST budget per hour
    graphql_limit: int = 5000  # GraphQL points per hour
    expires_at: datetime | None = None  # set for installation tokens
    sso_authorized: bool = True  # False: SAML-enforced organizations refuse it
    custom_properties_read: bool = True  # False: custom properties answer 403 (fine-grained: Custom properties)

    @property
    def kind(self) -> Literal["classic", "fine_grained", "installation"]:
        """As GitHub tells them apart, by prefix: ghp_ classic, github_pat_ fine-grained, ghs_ App installation."""
        if self.value.startswith("ghs_"):
            return "installation"
        return "fine_grained" if self.value.startswith("github_pat_") else "classic"

    @property
    def kind_in_errors(self) -> str:
        """How GitHub names the caller in "Resource not accessible by …"."""
        return "integration" if self.kind == "installation" else "personal access token"


@dataclass
class GitHubApp:
    """A GitHub App whose JWTs (RS256, `iss` = app_id) the fake verifies with `public_key_pem`."""

    app_id: int
    public_key_pem: bytes
    slug: str = "pecm-scanner"
    permissions: dict[str, str] = field(
        default_factory=lambda: {"administration": "read", "contents": "read", "metadata": "read", "members": "read"}
    )
    id: int = field(default_factory=next_id)


DEFAULT_TOKEN = "ghp_fake_token"


@dataclass
class World:
    """Everything the fake serves: organizations, personal accounts, accepted tokens, the App."""

    orgs: list[Organization] = field(default_factory=list)
    users: list[User] = field(default_factory=list)  # accounts outside any organization's member list
    tokens: list[Token] = field(default_factory=lambda: [Token(DEFAULT_TOKEN)])
    app: GitHubApp | None = None

    def org(self, login: str) -> Organization | None:
        return next((org for org in self.orgs if org.login.lower() == login.lower()), None)

    def user(self, login: str) -> User | None:
        for account in self.accounts():
            if isinstance(account, User) and account.login.lower() == login.lower():
                return account
        return None

    def accounts(self) -> list[Organization | User]:
        """Every account that can own repositories: organizations, users, and organization members."""
        return [*self.orgs, *self.users, *(member for org in self.orgs for member in org.members)]

    def owner_repos(self, owner: str) -> list[Repository] | None:
        """The repositories of an organization or user; None when no such account exists."""
        org = self.org(owner)
        if org is not None:
            return org.repos
        user = self.user(owner)
        return user.repos if user is not None else None

    def repo(self, owner: str, name: str) -> Repository | None:
        repos = self.owner_repos(owner) or []
        return next((repo for repo in repos if repo.name.lower() == name.lower()), None)

    def token(self, value: str) -> Token | None:
        return next((token for token in self.tokens if token.value == value), None)
