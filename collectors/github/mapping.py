"""Pure functions from GitHub's REST and GraphQL answers to evidence data (scanner/kinds/).

Nothing here talks to the network or reads the clock: every input is a payload as GitHub
shapes it (or the part of it the collector asked for) and every output validates against
the kind's data model.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from collectors.detect import RepoFile
from collectors.githost.dora import Delivery, dora, is_production, parse_time
from collectors.people import Mailmap, Person, people
from scanner.kinds.git_host import (
    UNREAD_DOCS_ACTIVITY,
    UNTOLD_APPROVAL_SETTINGS,
    UNTOLD_DIRECTORY_LINKS,
    UNTOLD_GROUP_APPROVAL_SETTINGS,
    UNTOLD_PUSH_RULES,
)

WEEK = timedelta(days=7)

#: Required-check names that reveal a policy or security scan (lower-cased substrings).
POLICY_CHECK_WORDS = (
    "checkov",
    "tfsec",
    "trivy",
    "kics",
    "conftest",
    "opa",
    "policy",
    "security",
    "codeql",
    "code scanning",
    "snyk",
    "semgrep",
    "scorecard",
    "gitleaks",
    "trufflehog",
    "kyverno",
    "terrascan",
    "grype",
)

_BLOB_SYMLINK = "120000"
_FAILED_STATES = frozenset({"FAILURE", "ERROR"})
_SUCCEEDED_STATES = frozenset({"SUCCESS", "INACTIVE"})  # INACTIVE: a successful deployment since superseded
_RUN_FAILURES = frozenset({"failure", "timed_out"})
_DEPLOY_WORDS = re.compile(r"deploy|release|(?<![a-z])cd(?![a-z])")  # "ci-cd", "cd.yml"; not "abcd"
WORKFLOWS_FOLDER = ".github/workflows/"
_WORKFLOW_REF = re.compile(r"^([^/\s]+)/([^/\s]+)/\.github/workflows/[^@\s]+@\S+$")


# --- repositories as listed -------------------------------------------------------------


@dataclass(frozen=True)
class Listed:
    """What `GET /orgs/{org}/repos` says about one repository: all the collector needs of it."""

    owner: str
    name: str
    html_url: str | None
    default_branch: str | None
    archived: bool
    fork: bool
    topics: tuple[str, ...]
    pushed_at: str | None
    size_kb: int
    has_issues: bool
    has_discussions: bool
    security_and_analysis: Mapping[str, Any] | None
    team_permission: str | None = None  # the platform team's role on it, when it has one
    has_pages: bool = False
    visibility: str = "private"  # public, private or internal

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


def listed(item: Mapping[str, Any], owner: str) -> Listed:
    security = item.get("security_and_analysis")
    return Listed(
        owner=str((item.get("owner") or {}).get("login") or owner),
        name=str(item["name"]),
        html_url=item.get("html_url"),
        default_branch=item.get("default_branch"),
        archived=bool(item.get("archived")),
        fork=bool(item.get("fork")),
        topics=tuple(str(topic) for topic in item.get("topics") or ()),
        pushed_at=item.get("pushed_at"),
        size_kb=int(item.get("size") or 0),
        has_issues=bool(item.get("has_issues")),
        has_discussions=bool(item.get("has_discussions")),
        security_and_analysis=security if isinstance(security, dict) else None,
        has_pages=bool(item.get("has_pages")),
        visibility=str(item.get("visibility") or ("private" if item.get("private", True) else "public")),
    )


# --- files ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TreeListing:
    files: list[RepoFile]
    skipped: int  # symbolic links and submodules: no content to read
    subtrees: list[tuple[str, str]]  # (path, sha) of the trees listed: walked when the answer was truncated


def tree_entries(entries: Iterable[Mapping[str, Any]], prefix: str = "") -> TreeListing:
    """Files of a Git Trees API answer (`tree` entries), paths prefixed with `prefix`."""
    files: list[RepoFile] = []
    subtrees: list[tuple[str, str]] = []
    skipped = 0
    for entry in entries:
        path = f"{prefix}{entry.get('path', '')}"
        kind = entry.get("type")
        if kind == "blob":
            if entry.get("mode") == _BLOB_SYMLINK:
                skipped += 1
                continue
            size = entry.get("size")
            files.append(RepoFile(path, int(size) if isinstance(size, int) else None))
        elif kind == "tree":
            subtrees.append((path, str(entry.get("sha"))))
        else:  # "commit": a submodule, whose files live in another repository
            skipped += 1
    return TreeListing(files, skipped, subtrees)


# --- GraphQL repository metadata ---------------------------------------------------------


def head(meta: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The default branch's head commit (with its `history`), or None for an empty repository."""
    ref = meta.get("defaultBranchRef")
    target = ref.get("target") if isinstance(ref, dict) else None
    return target if isinstance(target, dict) and target.get("oid") else None


def activity(
    meta: Mapping[str, Any],
    commits: Sequence[Mapping[str, Any]],
    now: datetime,
    window_days: int,
    person: Person = people(Mailmap()),
) -> dict[str, Any]:
    """vcs.activity from the head commit and the window's history nodes (every page). Authors
    and active weeks count people: `person` (collectors.people) leaves bots out and joins one
    person's addresses."""
    target = head(meta)
    if target is None:
        return {
            "window_days": window_days,
            "head_commit": None,
            "last_commit_at": None,
            "commits": 0,
            "active_weeks": 0,
            "authors": 0,
            **UNREAD_DOCS_ACTIVITY,
        }
    history = target.get("history") or {}
    humans = [(node, key) for node in commits if (key := _person_key(node, person, by_login=False)) is not None]
    dates = [date for node, _ in humans if (date := parse_time(node.get("committedDate"))) is not None]
    authors = {key for _, key in humans}
    authors.discard("")
    return {
        "window_days": window_days,
        "head_commit": target["oid"],
        "last_commit_at": _iso(target.get("committedDate")),
        "commits": max(int(history.get("totalCount") or 0), len(commits)),
        "active_weeks": len({int((now - date) / WEEK) for date in dates if date <= now}),
        "authors": len(authors),
        **UNREAD_DOCS_ACTIVITY,
    }


def contributions(
    commits: Sequence[Mapping[str, Any]],
    window_days: int,
    platform_members: frozenset[str] | None,
    person: Person = people(Mailmap()),
) -> dict[str, Any]:
    """vcs.contributions: people (bots left out) who authored commits in the window.

    An author whose email maps to no GitHub account cannot be matched to the platform team,
    so it counts as outside it."""
    humans = {key for node in commits if (key := _person_key(node, person, by_login=True))}
    outside = None if platform_members is None else len([key for key in humans if key not in platform_members])
    return {
        "window_days": window_days,
        "contributors": len(humans),
        "outside_platform_team": outside,
        "outside_share": round(outside / len(humans), 4) if outside is not None and humans else None,
    }


def template_link(meta: Mapping[str, Any], organization: str) -> dict[str, Any]:
    template = meta.get("templateRepository")
    created_from = template.get("nameWithOwner") if isinstance(template, dict) else None
    owner = ((template or {}).get("owner") or {}).get("login") if isinstance(template, dict) else None
    if created_from and not owner:
        owner = created_from.split("/", 1)[0]
    return {
        "is_template": bool(meta.get("isTemplate")),
        "created_from": created_from,
        "created_from_organization": bool(owner) and str(owner).lower() == organization.lower(),
    }


def feedback(repo: Listed, meta: Mapping[str, Any] | None) -> dict[str, Any]:
    if meta is not None and "hasIssuesEnabled" in meta:
        return {
            "issues_enabled": bool(meta.get("hasIssuesEnabled")),
            "discussions_enabled": bool(meta.get("hasDiscussionsEnabled")),
        }
    return {"issues_enabled": repo.has_issues, "discussions_enabled": repo.has_discussions}


def security_settings(repo: Listed, meta: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """vcs.security_settings, or None when GitHub told nothing (the token cannot see them)."""
    analysis = repo.security_and_analysis or {}

    def status(feature: str) -> bool | None:
        value = (analysis.get(feature) or {}).get("status")
        return None if value is None else value == "enabled"

    vulnerability_alerts = (meta or {}).get("hasVulnerabilityAlertsEnabled")
    data = {
        "secret_scanning": status("secret_scanning"),
        "push_protection": status("secret_scanning_push_protection"),
        "dependency_alerts": vulnerability_alerts if isinstance(vulnerability_alerts, bool) else None,
        "dependency_security_updates": status("dependabot_security_updates"),
    }
    return {**data, **UNTOLD_PUSH_RULES} if any(value is not None for value in data.values()) else None


def deployments(
    nodes: Sequence[Mapping[str, Any]],
    now: datetime,
    window_days: int,
    ever_deployed: bool,
    production: Sequence[str] = (),
) -> dict[str, Any]:
    """delivery.deployments: DORA inputs from the deployments created in the window.

    Only deployments to environments matching `production` (fnmatch patterns, any case) count,
    so previews and staging do not inflate the figures; when no environment of the window
    matches, every deployment counts, and `environments` says which were counted.
    Failed: the latest status is failure or error. Change-failure rate: failed over those
    that finished. Lead time: commit date to its first successful deployment. Time to
    restore: from a failure to the next success in the same environment."""
    since = now - timedelta(days=window_days)
    deliveries = []
    for node in nodes:
        created = parse_time(node.get("createdAt"))
        if created is None or not since < created <= now:
            continue
        state = str((node.get("latestStatus") or {}).get("state") or "").upper()
        commit = node.get("commit") or {}
        deliveries.append(
            Delivery(
                at=created,
                track=str(node.get("environment") or ""),
                succeeded=True if state in _SUCCEEDED_STATES else False if state in _FAILED_STATES else None,
                commit=str(commit["oid"]) if commit.get("oid") else None,
                committed_at=parse_time(commit.get("committedDate")),
            )
        )
    live = [delivery for delivery in deliveries if is_production(delivery.track, production)]
    counted = live or deliveries
    environments = sorted({delivery.track for delivery in counted})
    return dora(window_days, "deployments" if deliveries or ever_deployed else "none", counted, environments)


def deployed_since(nodes: Iterable[Mapping[str, Any]], since: datetime) -> bool:
    """Whether GitHub recorded a deployment after `since` (GraphQL deployment nodes)."""
    return any((created := parse_time(node.get("createdAt"))) is not None and created > since for node in nodes)


def workflow_files(pipeline_paths: Iterable[str]) -> list[str]:
    """The GitHub Actions workflows among ci.pipelines paths."""
    return sorted(path for path in pipeline_paths if path.startswith(WORKFLOWS_FOLDER))


def deploy_runs(runs: Iterable[Mapping[str, Any]], pipeline_paths: Sequence[str]) -> list[Mapping[str, Any]]:
    """The runs (items of `GET /repos/{o}/{r}/actions/runs`) of workflows taken to deploy.

    Detection says that some pipeline deploys, not which one, so a workflow of ci.pipelines
    counts when its file name or its name says deploy, release or cd (not release drafts);
    when the repository's only pipeline is one workflow, that workflow is the one."""
    workflows = set(workflow_files(pipeline_paths))
    ours = [run for run in runs if _run_path(run) in workflows]
    named = [run for run in ours if _names_a_deploy(_run_path(run).rpartition("/")[2], run.get("name"))]
    return ours if not named and len(pipeline_paths) == 1 else named


def run_deployments(
    runs: Iterable[Mapping[str, Any]], commits: Sequence[Mapping[str, Any]], now: datetime, window_days: int
) -> dict[str, Any]:
    """delivery.deployments from the default branch's runs of deploy workflows (deploy_runs).

    An event is a completed run that succeeded or failed (conclusion failure or timed_out);
    a cancelled, skipped or otherwise concluded run neither deployed nor failed to, and a
    running one has not finished. Lead time: the head commit's date to its first successful
    run, where the commit is in the window's history (`commits`, GraphQL history nodes).
    Time to restore: from a failed run to the next successful run of the same workflow."""
    since = now - timedelta(days=window_days)
    committed = {str(node["oid"]): node.get("committedDate") for node in commits if node.get("oid")}
    deliveries = []
    for run in runs:
        created = parse_time(run.get("created_at"))
        conclusion = run.get("conclusion")
        if created is None or not since < created <= now or run.get("status") != "completed":
            continue
        if conclusion != "success" and conclusion not in _RUN_FAILURES:
            continue
        sha = str(run.get("head_sha") or "")
        deliveries.append(
            Delivery(
                at=created,
                track=_run_path(run),
                succeeded=conclusion == "success",
                commit=sha or None,
                committed_at=parse_time(committed.get(sha)),
            )
        )
    return dora(window_days, "workflow_runs", deliveries)


def _run_path(run: Mapping[str, Any]) -> str:
    """The workflow file of a run; GitHub may suffix it with the ref it ran from (`@refs/...`)."""
    return str(run.get("path") or "").partition("@")[0]


def _names_a_deploy(*names: Any) -> bool:
    lowered = [name.lower() for name in names if isinstance(name, str)]
    return any(_DEPLOY_WORDS.search(name) and "draft" not in name for name in lowered)


# --- branch protection ------------------------------------------------------------------


def branch_protection(
    branch: str, classic_rules: Sequence[Mapping[str, Any]] | None, ruleset_rules: Sequence[Mapping[str, Any]]
) -> dict[str, Any]:
    """vcs.branch_protection of `branch` from classic rules (GraphQL branchProtectionRules;
    None: not visible) and the rules in force on it (REST `rules/branches/{branch}`).

    When classic rules are not visible, what the rulesets do not require is unknown (None):
    classic protection may still require it."""
    via: set[str] = set()
    reviews = 0
    code_owners = False
    checks: set[str] = set()
    mandated: dict[str, set[str]] = {"required_scans": set(), "required_workflows": set(), "required_deployments": set()}
    for rule in classic_rules or ():
        if not fnmatch.fnmatchcase(branch, str(rule.get("pattern") or "")):
            continue
        via.add("branch_protection")
        if rule.get("requiresApprovingReviews"):
            reviews = max(reviews, int(rule.get("requiredApprovingReviewCount") or 0))
        code_owners = code_owners or bool(rule.get("requiresCodeOwnerReviews"))
        if rule.get("requiresStatusChecks"):
            checks.update(str(check) for check in rule.get("requiredStatusCheckContexts") or ())
    for rule in ruleset_rules:
        source = str(rule.get("ruleset_source_type") or "Repository")
        via.add("organization_ruleset" if source == "Organization" else "repository_ruleset")
        parameters = rule.get("parameters") or {}
        if rule.get("type") == "pull_request":
            reviews = max(reviews, int(parameters.get("required_approving_review_count") or 0))
            code_owners = code_owners or bool(parameters.get("require_code_owner_review"))
        elif rule.get("type") == "required_status_checks":
            checks.update(str(check.get("context")) for check in parameters.get("required_status_checks") or ())
        elif rule.get("type") == "code_scanning":
            mandated["required_scans"].update(str(tool.get("tool")) for tool in parameters.get("code_scanning_tools") or ())
        elif rule.get("type") == "workflows":
            mandated["required_workflows"].update(str(flow.get("path")) for flow in parameters.get("workflows") or ())
        elif rule.get("type") == "required_deployments":
            mandated["required_deployments"].update(str(name) for name in parameters.get("required_deployment_environments") or ())
    data = _protection(bool(via), reviews, code_owners, sorted(checks), sorted(via), complete=classic_rules is not None)
    data.update({key: sorted(values) for key, values in mandated.items()})
    if data["required_scans"]:  # a code-scanning rule blocks merges on its findings: a required security check
        data["policy_checks_required"] = True
    return data


def protected_flag(branch: Mapping[str, Any]) -> dict[str, Any]:
    """vcs.branch_protection from `GET /repos/{o}/{r}/branches/{b}`, all a reader without admin
    rights sees: whether the branch is protected and its required checks; reviews unknown."""
    protected = bool(branch.get("protected"))
    contexts = ((branch.get("protection") or {}).get("required_status_checks") or {}).get("contexts") or ()
    checks = sorted({str(context) for context in contexts}) if protected else []
    return _protection(protected, 0, False, checks, ["branch_protection"] if protected else [], complete=not protected)


def _protection(
    enabled: bool, reviews: int, code_owners: bool, checks: list[str], via: list[str], *, complete: bool
) -> dict[str, Any]:
    """The kind's data; where the picture is not `complete`, requirements not seen are None (unknown)."""
    policy = any(_is_policy_check(check) for check in checks)
    return {
        "enabled": enabled,
        "required_reviews": reviews if complete or reviews else None,
        "code_owner_reviews": code_owners if complete or code_owners else None,
        "required_checks": checks,
        "policy_checks_required": policy if complete or policy else None,
        "via": via,
        "required_scans": [],
        "required_workflows": [],
        "required_deployments": [],
        **UNTOLD_APPROVAL_SETTINGS,
    }


def _is_policy_check(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in POLICY_CHECK_WORDS)


# --- the organization ---------------------------------------------------------------------


def platform_team(teams: Sequence[Mapping[str, Any]], pattern: str) -> Mapping[str, Any] | None:
    """The team whose slug matches the pattern; of several, the shortest slug (the parent)."""
    matching = [team for team in teams if fnmatch.fnmatch(str(team.get("slug", "")).lower(), pattern.lower())]
    return min(matching, key=lambda team: (len(str(team["slug"])), str(team["slug"]))) if matching else None


def team_permission(item: Mapping[str, Any]) -> str | None:
    """The team's role on a repository of `GET /orgs/{org}/teams/{slug}/repos`."""
    role = item.get("role_name")
    if isinstance(role, str) and role:
        return role
    permissions = item.get("permissions") or {}
    for name in ("admin", "maintain", "push", "triage", "pull"):
        if permissions.get(name):
            return name
    return None


def team_structure(
    teams: int, platform: Mapping[str, Any] | None, members: int, repositories: Iterable[str]
) -> dict[str, Any]:
    return {
        "teams": teams,
        "platform_team": platform.get("slug") if platform else None,
        "platform_team_members": members if platform else 0,
        "platform_team_repositories": sorted(repositories) if platform else [],
    }


def organization_access(owners: int, members: int, two_factor_required: bool | None) -> dict[str, Any]:
    return {"owners": owners, "members": members, "two_factor_required": two_factor_required, **UNTOLD_DIRECTORY_LINKS}


def organization_rulesets(rulesets: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """org.rulesets from `GET /orgs/{org}/rulesets/{id}` answers (with conditions and rules)."""
    branch_rulesets = [ruleset for ruleset in rulesets if ruleset.get("target", "branch") == "branch"]
    active = [ruleset for ruleset in branch_rulesets if ruleset.get("enforcement") == "active"]
    everywhere = [ruleset for ruleset in active if _targets_every_default_branch(ruleset.get("conditions") or {})]
    rule_types = {rule.get("type") for ruleset in everywhere for rule in ruleset.get("rules") or ()}
    return {
        "rulesets": len(rulesets),
        "active_on_default_branch": len(everywhere),
        "require_reviews": "pull_request" in rule_types,
        "require_status_checks": "required_status_checks" in rule_types,
        **UNTOLD_GROUP_APPROVAL_SETTINGS,
    }


def _targets_every_default_branch(conditions: Mapping[str, Any]) -> bool:
    refs = conditions.get("ref_name") or {}
    names = conditions.get("repository_name") or {}
    on_default = not set(refs.get("include") or ()).isdisjoint({"~DEFAULT_BRANCH", "~ALL"}) and not set(
        refs.get("exclude") or ()
    ).intersection({"~DEFAULT_BRANCH", "~ALL"})
    if "repository_id" in conditions or "repository_property" in conditions:
        return False  # a chosen set of repositories, not all of them
    every_repository = "~ALL" in (names.get("include") or ()) and not names.get("exclude")
    return on_default and every_repository


# --- reuse across the organization ----------------------------------------------------------


def reusable_workflow_repository(ref: str, organization: str) -> str | None:
    """'acme/platform' for 'acme/platform/.github/workflows/build.yml@v1' of the organization."""
    match = _WORKFLOW_REF.match(ref)
    if match is None or match.group(1).lower() != organization.lower():
        return None
    return match.group(2).lower()


def consumers_by_repository(
    full_names: Iterable[str],
    used: Mapping[str, Iterable[str]],
    organization: str,
    unread: int,
    provides: Mapping[str, bool],
) -> dict[str, list[str] | None]:
    """Each repository's consumers. None where that is not known: no consumer was found, the
    repository offers reusable CI (or its files are unknown: absent from `provides`), and some
    repository could not be read, so it may be a consumer. A repository offering no reusable CI
    has no consumer, whatever else could not be read: one unreadable repository must not make
    every other one unknown."""
    consumers = reusable_consumers(used, organization)
    known: dict[str, list[str] | None] = {}
    for full_name in full_names:
        found = consumers.get(full_name.rpartition("/")[2].lower(), [])
        known[full_name] = found if found or not unread or provides.get(full_name) is False else None
    return known


def reusable_consumers(used: Mapping[str, Iterable[str]], organization: str) -> dict[str, list[str]]:
    """Repository name (lower case) -> sorted full names of the other repositories using its workflows."""
    consumers: dict[str, set[str]] = {}
    for consumer, refs in used.items():
        for ref in refs:
            provider = reusable_workflow_repository(ref, organization)
            if provider is not None and provider != consumer.rpartition("/")[2].lower():
                consumers.setdefault(provider, set()).add(consumer)
    return {provider: sorted(names) for provider, names in consumers.items()}


# --- helpers --------------------------------------------------------------------------------


def _person_key(node: Mapping[str, Any], person: Person, *, by_login: bool) -> str | None:
    """Who authored a commit node ("" when nothing says), or None for a bot; an address goes
    through the mailmap, a login stands for itself."""
    author = node.get("author") or {}
    found = author.get("user")
    user: Mapping[str, Any] = found if isinstance(found, dict) else {}
    login, email = str(user.get("login") or ""), str(author.get("email") or "")
    if login.lower().endswith("[bot]"):
        return None
    key = person(str(author.get("name") or ""), email)
    if key is None:
        return None
    return _author_key(author, by_login=True) if by_login and login else (key or _author_key(author, by_login=False))


def _author_key(author: Mapping[str, Any], *, by_login: bool) -> str:
    login = (author.get("user") or {}).get("login") if isinstance(author.get("user"), dict) else None
    email = author.get("email")
    if by_login and login:
        return str(login).lower()
    if email:
        return str(email).strip().lower()
    return str(login or author.get("name") or "").strip().lower()


def _iso(value: Any) -> str | None:
    parsed = parse_time(value)
    return parsed.isoformat() if parsed else None
