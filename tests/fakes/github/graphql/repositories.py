"""Repository, Ref, BranchProtectionRule and RepositoryRuleset objects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from .. import rulesets
from ..model import (
    Branch,
    Environment,
    Organization,
    Repository,
    Ruleset,
    stable_id,
)
from ..payloads.links import iso, node_id
from . import accounts, context, deployments, git
from .connections import connection


class RepositoryNode:
    typename: ClassVar[str] = "Repository"

    def __init__(self, ctx: context.GqlContext, repo: Repository) -> None:
        self.ctx, self.repo = ctx, repo
        self.owner_account = ctx.owner_of(repo)
        self.name = repo.name
        self.name_with_owner = f"{self.owner_account.login}/{repo.name}"
        self.resource_path = f"/{self.name_with_owner}"
        self.url = ctx.links.html(self.resource_path)
        self.id = node_id("Repository", repo.id)
        self.database_id = repo.id
        self.description = repo.description
        self.is_archived = repo.archived
        self.is_fork = repo.fork
        self.is_template = repo.is_template
        self.is_private = repo.visibility != "public"
        self.is_empty = not repo.files
        self.is_disabled = self.is_locked = self.is_mirror = False
        self.is_in_organization = isinstance(self.owner_account, Organization)
        self.visibility = repo.visibility.upper()
        self.created_at = iso(repo.created_at)
        self.updated_at = self.pushed_at = iso(repo.pushed_at)
        self.archived_at = iso(repo.pushed_at) if repo.archived else None
        self.has_issues_enabled = repo.has_issues
        self.has_discussions_enabled = repo.has_discussions
        self.has_vulnerability_alerts_enabled = repo.has_vulnerability_alerts
        self.has_projects_enabled = True
        self.has_wiki_enabled = False
        self.disk_usage = sum(len(content) for content in repo.files.values()) // 1024
        self.viewer_can_administer = ctx.token.repo_admin
        self.viewer_permission = "ADMIN" if ctx.token.repo_admin else "WRITE"
        self.parent = None

    def _org(self) -> Organization | None:
        return self.owner_account if isinstance(self.owner_account, Organization) else None

    def owner(self) -> accounts.OrganizationNode | accounts.UserNode:
        return accounts.account_node(self.ctx, self.owner_account)

    def primary_language(self) -> dict[str, Any] | None:
        language = self.repo.language
        return {"id": node_id("Language", stable_id(language)), "name": language, "color": None} if language else None

    def template_repository(self) -> RepositoryNode | None:
        if not self.repo.template_repository:
            return None
        owner, _, name = self.repo.template_repository.partition("/")
        template = self.ctx.world.repo(owner, name)
        return RepositoryNode(self.ctx, template) if template else None

    def default_branch_ref(self) -> RefNode | None:
        branch = self.repo.branch(self.repo.default_branch)
        return RefNode(self.ctx, self, branch) if branch is not None else None  # null for an empty repository

    def ref(self, qualified_name: str) -> RefNode | None:
        branch = self.repo.branch(qualified_name.removeprefix("refs/heads/"))
        return RefNode(self.ctx, self, branch) if branch else None

    def object_(self, expression: str | None = None, oid: str | None = None) -> Any:
        if oid is not None:
            return self._object_by_oid(oid)
        if expression is None:
            return None
        revision, has_path, path = expression.partition(":")
        commit = self._commit_sha(revision or "HEAD")
        if commit is None:
            return None
        if not has_path:
            return git.CommitNode(self.ctx, self, commit)
        objects = self.ctx.objects(self.repo)
        path = path.strip("/")
        if not path:
            return git.TreeNode(self.ctx, self, objects.root)
        entry = next((entry for found, entry in objects.walk(objects.root) if found == path), None)
        if entry is None:
            return None
        return (
            git.TreeNode(self.ctx, self, entry.sha) if entry.type == "tree" else git.BlobNode(self.ctx, self, entry.sha)
        )

    def _commit_sha(self, revision: str) -> str | None:
        if revision == "HEAD":
            return self.repo.head_sha
        branch = self.repo.branch(revision.removeprefix("refs/heads/"))
        if branch is not None:
            return self.repo.branch_sha(branch)
        return next((c.sha for c in self.repo.commits if len(revision) >= 7 and c.sha.startswith(revision)), None)

    def _object_by_oid(self, oid: str) -> Any:
        if any(commit.sha == oid for commit in self.repo.commits):
            return git.CommitNode(self.ctx, self, oid)
        objects = self.ctx.objects(self.repo)
        if oid in objects.trees:
            return git.TreeNode(self.ctx, self, oid)
        return git.BlobNode(self.ctx, self, oid) if oid in objects.blobs else None

    def branch_protection_rules(
        self, first: int | None = None, after: str | None = None, last: int | None = None, before: str | None = None
    ) -> dict[str, Any]:
        if not self.ctx.token.repo_admin:
            # GitHub's answer to a token without admin rights on the repository: a classic token
            # sees an empty list and no error; an App or a fine-grained token is refused.
            if self.ctx.token.kind == "classic":
                return connection([], first, after, last, before)
            raise context.Forbidden(f"Resource not accessible by {self.ctx.token.kind_in_errors}")
        protected = [b for b in self.repo.all_branches() if b.protection is not None]
        return connection([BranchProtectionRuleNode(self.ctx, self, b) for b in protected], first, after, last, before)

    def collaborators(
        self,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        affiliation: str | None = None,
        login: str | None = None,
        query: str | None = None,
    ) -> dict[str, Any]:
        """Direct collaborators only (the fake keeps no base permission): ALL would add team
        members and owners, which the fake does not derive; OUTSIDE those outside the organization."""
        if not self.ctx.token.repo_push:
            raise context.Forbidden("Must have push access to view repository collaborators.")
        org = self._org()
        granted = [
            (person, permission)
            for person, permission in self.repo.collaborators.items()
            if (login is None or person == login)
            and (query is None or query.lower() in person.lower())
            and (affiliation != "OUTSIDE" or org is None or org.member(person) is None)
        ]
        levels = {"pull": "READ", "triage": "TRIAGE", "push": "WRITE", "maintain": "MAINTAIN", "admin": "ADMIN"}
        nodes = [accounts.UserNode(self.ctx, self.ctx.person(person)) for person, _ in granted]
        permissions = {person: levels[permission] for person, permission in granted}
        return connection(nodes, first, after, last, before, lambda node: {"permission": permissions[node.login]})

    def _rulesets(self, include_parents: bool) -> list[tuple[Ruleset, Organization | None]]:
        found = rulesets.covering(self.repo, self._org())
        return found if include_parents else [(r, org) for r, org in found if org is None]

    def rulesets(
        self,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        include_parents: bool = True,
        targets: list[str] | None = None,
    ) -> dict[str, Any]:
        chosen = [(r, org) for r, org in self._rulesets(include_parents) if not targets or r.target.upper() in targets]
        return connection(
            [RulesetNode(self.ctx, r, org, None if org else self) for r, org in chosen], first, after, last, before
        )

    def ruleset(self, database_id: int, include_parents: bool = True) -> RulesetNode | None:
        found = next(((r, org) for r, org in self._rulesets(include_parents) if r.id == database_id), None)
        return RulesetNode(self.ctx, found[0], found[1], None if found[1] else self) if found else None

    def deployments(
        self,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        environments: list[str] | None = None,
        order_by: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        chosen = [d for d in self.repo.deployments if not environments or d.environment in environments]
        chosen.sort(key=lambda d: (d.created_at, d.id), reverse=bool(order_by and order_by["direction"] == "DESC"))
        return connection(
            [deployments.DeploymentNode(self.ctx, self.repo, d, self) for d in chosen], first, after, last, before
        )

    def environments(
        self,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        names: list[str] | None = None,
        order_by: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        if not self.ctx.token.actions_read:  # environments need Actions: read, as GitHub Apps and fine-grained tokens
            raise context.Forbidden(f"Resource not accessible by {self.ctx.token.kind_in_errors}")
        chosen = [e for e in self.repo.all_environments() if not names or e.name in names]
        if order_by and order_by["direction"] == "DESC":
            chosen.reverse()
        return connection([EnvironmentNode(e) for e in chosen], first, after, last, before)

    def codeowners(self, ref_name: str | None = None) -> dict[str, Any] | None:
        """GitHub reads the first of .github/CODEOWNERS, CODEOWNERS, docs/CODEOWNERS; null when none exists."""
        path = next((p for p in _CODEOWNERS_PATHS if p in self.repo.files), None)
        if path is None:
            return None
        return {"errors": codeowners_errors(self._org(), self.ctx, path, self.repo.files[path])}

    def repository_topics(
        self, first: int | None = None, after: str | None = None, last: int | None = None, before: str | None = None
    ) -> dict[str, Any]:
        nodes = [
            {
                "id": node_id("RepositoryTopic", self.repo.id * 1000 + index),
                "resourcePath": f"/topics/{topic}",
                "url": self.ctx.links.html(f"/topics/{topic}"),
                "topic": {"id": node_id("Topic", stable_id(topic)), "name": topic},
            }
            for index, topic in enumerate(self.repo.topics)
        ]
        return connection(nodes, first, after, last, before)


class RefNode:
    typename: ClassVar[str] = "Ref"

    def __init__(self, ctx: context.GqlContext, repository: RepositoryNode, branch: Branch) -> None:
        self.ctx, self.repository, self.branch = ctx, repository, branch
        self.name = branch.name
        self.prefix = "refs/heads/"
        self.id = node_id("Ref", stable_id(repository.repo.id, branch.name))

    def target(self) -> git.CommitNode:
        return git.CommitNode(self.ctx, self.repository, self.repository.repo.branch_sha(self.branch))

    def branch_protection_rule(self) -> BranchProtectionRuleNode | None:
        return BranchProtectionRuleNode(self.ctx, self.repository, self.branch) if self.branch.protection else None


class BranchProtectionRuleNode:
    typename: ClassVar[str] = "BranchProtectionRule"

    def __init__(self, ctx: context.GqlContext, repository: RepositoryNode, branch: Branch) -> None:
        rules = branch.protection
        assert rules is not None
        self.repository = repository
        self.id = node_id("BranchProtectionRule", rules.id)
        self.database_id = rules.id
        self.pattern = branch.name
        self.allows_deletions = rules.allow_deletions
        self.allows_force_pushes = rules.allow_force_pushes
        self.blocks_creations = False
        self.dismisses_stale_reviews = rules.dismiss_stale_reviews
        self.is_admin_enforced = rules.enforce_admins
        self.lock_branch = rules.lock_branch
        self.require_last_push_approval = False
        self.required_approving_review_count = rules.required_approving_review_count
        self.requires_approving_reviews = rules.required_approving_review_count is not None
        self.requires_code_owner_reviews = rules.require_code_owner_reviews
        self.requires_commit_signatures = rules.required_signatures
        self.requires_conversation_resolution = rules.required_conversation_resolution
        self.requires_linear_history = rules.required_linear_history
        self.required_status_check_contexts = list(rules.required_status_checks or [])
        self.requires_status_checks = rules.required_status_checks is not None
        self.requires_strict_status_checks = rules.strict_status_checks
        self.restricts_pushes = self.restricts_review_dismissals = False


class RulesetNode:
    typename: ClassVar[str] = "RepositoryRuleset"

    def __init__(
        self, ctx: context.GqlContext, ruleset: Ruleset, org: Organization | None, repository: RepositoryNode | None
    ) -> None:
        self.ctx, self.ruleset, self.org, self.repository = ctx, ruleset, org, repository
        self.id = node_id("RepositoryRuleset", ruleset.id)
        self.database_id = ruleset.id
        self.name = ruleset.name
        self.enforcement = ruleset.enforcement.upper()
        self.target = ruleset.target.upper()
        self.created_at = self.updated_at = iso(ruleset.created_at)
        self.conditions = {
            "refName": {"include": list(ruleset.include_refs), "exclude": list(ruleset.exclude_refs)},
            "repositoryName": {
                "include": list(ruleset.include_repositories),
                "exclude": list(ruleset.exclude_repositories),
                "protected": False,
            }
            if org
            else None,
        }

    def source(self) -> accounts.OrganizationNode | RepositoryNode:
        if self.org is not None:
            return accounts.OrganizationNode(self.ctx, self.org)
        assert self.repository is not None
        return self.repository

    def rules(
        self,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        type_: str | None = None,
    ) -> dict[str, Any]:
        chosen = [rule for rule in self.ruleset.rules if type_ is None or rule["type"].upper() == type_]
        nodes = [
            {
                "id": node_id("RepositoryRule", self.ruleset.id * 100 + index),
                "type": rule["type"].upper(),
                "parameters": _rule_parameters(rule),
                "repositoryRuleset": self,
            }
            for index, rule in enumerate(chosen)
        ]
        return connection(nodes, first, after, last, before)


@dataclass
class _Parameters:
    typename: str
    values: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None


def _rule_parameters(rule: dict[str, Any]) -> _Parameters | None:
    parameters = rule.get("parameters") or {}
    if rule["type"] == "pull_request":
        return _Parameters(
            "PullRequestParameters",
            {
                "dismiss_stale_reviews_on_push": parameters["dismiss_stale_reviews_on_push"],
                "require_code_owner_review": parameters["require_code_owner_review"],
                "require_last_push_approval": parameters["require_last_push_approval"],
                "required_approving_review_count": parameters["required_approving_review_count"],
                "required_review_thread_resolution": parameters["required_review_thread_resolution"],
            },
        )
    if rule["type"] == "required_status_checks":
        return _Parameters(
            "RequiredStatusChecksParameters",
            {
                "do_not_enforce_on_create": parameters.get("do_not_enforce_on_create", False),
                "required_status_checks": [
                    {"context": check["context"], "integrationId": check.get("integration_id")}
                    for check in parameters["required_status_checks"]
                ],
                "strict_required_status_checks_policy": parameters["strict_required_status_checks_policy"],
            },
        )
    return None


_CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


class EnvironmentNode:
    typename: ClassVar[str] = "Environment"

    def __init__(self, environment: Environment) -> None:
        self.environment = environment
        self.id = node_id("Environment", environment.id)
        self.database_id = environment.id
        self.name = environment.name

    def protection_rules(
        self, first: int | None = None, after: str | None = None, last: int | None = None, before: str | None = None
    ) -> dict[str, Any]:
        entry = self.environment
        rules = []
        if entry.wait_timer_minutes:
            rules.append({"databaseId": entry.id * 10 + 1, "type": "WAIT_TIMER", "timeout": entry.wait_timer_minutes,
                          "preventSelfReview": None})
        if entry.required_reviewers:
            rules.append({"databaseId": entry.id * 10 + 2, "type": "REQUIRED_REVIEWERS", "timeout": 0,
                          "preventSelfReview": False})
        if entry.branch_policy is not None:
            rules.append({"databaseId": entry.id * 10 + 3, "type": "BRANCH_POLICY", "timeout": 0, "preventSelfReview": None})
        return connection(rules, first, after, last, before)


def codeowners_errors(org: Organization | None, ctx: context.GqlContext, path: str, content: bytes) -> list[dict[str, Any]]:
    """GitHub's checks of a CODEOWNERS file, the ones the fake can make: owners that do not exist."""
    errors = []
    for number, line in enumerate(content.decode("utf-8", errors="replace").splitlines(), start=1):
        words = line.split("#", 1)[0].split()
        for column, owner in ((line.find(word) + 1, word) for word in words[1:]):
            if owner.startswith("@"):
                team_org, _, slug = owner[1:].partition("/")
                known = (
                    org is not None and team_org.lower() == org.login.lower() and org.team(slug) is not None
                    if slug
                    else ctx.world.user(owner[1:]) is not None
                )
                kind = "Unknown owner"
            else:
                known, kind = "@" in owner, "Invalid owner"
            if not known:
                errors.append({
                    "column": column, "kind": kind, "line": number, "path": path, "source": line,
                    "message": f"{kind} on line {number}: make sure {owner} exists and has write access to the repository\n\n  {line}",
                    "suggestion": None,
                })
    return errors
