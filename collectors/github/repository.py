"""One repository's REST work, run in a worker thread: its files (or the cache's copy), the
protection of its default branch and, where they are the only way to see deployments, its
workflow runs. Everything else about it came in its GraphQL batch."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from collectors.base import Gap
from collectors.githost.cache import FileEvidence, ScanCache
from collectors.githost.files import ArchivePlan, no_files, read_files
from collectors.github import mapping
from collectors.github.client import ApiError, GitHubClient, RateLimited
from collectors.github.files import GitHubRepository
from collectors.github.mapping import Listed
from collectors.github.metadata import RepoMetadata
from scanner.contract import Limits

if TYPE_CHECKING:
    from collectors.github.settings import Setting

log = logging.getLogger(__name__)

RULES = "rules"
BRANCHES = "branches"
RUNS = "actions/runs"
MEGABYTE = 1 << 20
MAX_RUN_PAGES = 10  # 1,000 runs of the default branch in the window: enough to measure

CONTENTS_PERMISSION = "the token needs Contents: read"
RULES_PERMISSION = "the token needs Metadata: read"
ADMIN_PERMISSION = "the token needs Administration: read"
ACTIONS_PERMISSION = "the token needs Actions: read"


@dataclass
class Examination:
    repo: Listed
    meta: RepoMetadata | Gap
    files: FileEvidence | Gap
    protection: dict[str, Any] | Gap
    deploy_runs: list[Mapping[str, Any]] | Gap | None = None  # None: not asked for (see _deploy_runs)
    settings: dict[str, Setting] = field(default_factory=dict)  # kind -> data or why not (settings.py)


@dataclass(frozen=True)
class FileOptions:
    archive_threshold: int
    archive_max_megabytes: int
    limits: Limits


def examine(
    client: GitHubClient,
    repo: Listed,
    meta: RepoMetadata | ApiError,
    options: FileOptions,
    cache: ScanCache | None,
    since: datetime,
) -> Examination:
    """`since`: the start of the activity window, from which deploy runs are asked for."""
    metadata: RepoMetadata | Gap = meta if isinstance(meta, RepoMetadata) else gap(meta)
    target = mapping.head(meta.data) if isinstance(meta, RepoMetadata) else None
    branch = _default_branch(repo, meta)
    files: FileEvidence | Gap
    cached = cache.files(repo.full_name, str(target["oid"])) if cache is not None and target is not None else None
    if cached is not None:
        files = cached
    elif isinstance(meta, RepoMetadata) and target is None:
        files = no_files()  # no default branch yet: nothing to list
    elif branch is None:
        files = Gap("the repository has no default branch to read")
    else:
        files = _read_files(client, repo, str(target["oid"]) if target is not None else branch, options)
        if cache is not None and target is not None and isinstance(files, FileEvidence):
            cache.save_files(repo.full_name, files)
    if isinstance(meta, RepoMetadata) and target is None:
        protection: dict[str, Any] | Gap = Gap("the repository is empty: it has no branch to protect yet")
    elif branch is None:
        protection = Gap("the repository has no default branch")
    else:
        protection = _protection(client, repo, branch, meta)
    runs = _deploy_runs(client, repo, branch, meta, files, since) if branch else None
    return Examination(repo, metadata, files, protection, runs)


def gap(exc: ApiError, permission: str | None = None) -> Gap:
    if isinstance(exc, RateLimited):
        return Gap(exc.reason(), rate_limited=True)
    if exc.status is None or exc.status >= 500:
        return Gap(exc.reason(), failure=True)
    return Gap(exc.reason_with(permission) if permission else exc.reason())


def _default_branch(repo: Listed, meta: RepoMetadata | ApiError) -> str | None:
    if isinstance(meta, RepoMetadata):
        ref = meta.data.get("defaultBranchRef")
        if isinstance(ref, dict) and ref.get("name"):
            return str(ref["name"])
    return repo.default_branch


def _read_files(client: GitHubClient, repo: Listed, ref: str, options: FileOptions) -> FileEvidence | Gap:
    repository = GitHubRepository(client, repo.owner, repo.name)
    max_bytes = options.archive_max_megabytes * MEGABYTE
    archive = ArchivePlan(repository, options.archive_threshold, max_bytes) if repo.size_kb * 1024 <= max_bytes else None
    try:
        return read_files(repository, ref, options.limits, host="GitHub", archive=archive, mailmap=True)
    except ApiError as exc:
        return gap(exc, CONTENTS_PERMISSION)
    except Exception as exc:  # a detection bug must cost one repository's file signals, not the scan
        log.debug("file detection failed for %s", repo.full_name, exc_info=True)
        return Gap(f"file detection failed: {type(exc).__name__}: {exc}", failure=True)


def _protection(
    client: GitHubClient, repo: Listed, branch: str, meta: RepoMetadata | ApiError
) -> dict[str, Any] | Gap:
    """Classic protection comes from the GraphQL batch, rules in force from REST (asked only
    when GraphQL says some branch ruleset applies). When classic protection is hidden (no
    admin read) and no rule applies, the branch's `protected` flag, which any reader may
    see, still says whether it is protected."""
    classic: list[dict[str, Any]] | None = None
    classic_gap: Gap | None = None
    if isinstance(meta, ApiError):
        classic_gap = gap(meta)
    elif "branchProtectionRules" in meta.denied or not isinstance(meta.data.get("branchProtectionRules"), dict):
        classic_gap = Gap(f"{meta.denied.get('branchProtectionRules', 'classic branch protection not shown')} — {ADMIN_PERMISSION}")
    elif meta.data.get("viewerCanAdminister") is False and not meta.data["branchProtectionRules"].get("nodes"):
        # GitHub shows a classic token without admin rights an empty list, not an error.
        classic_gap = Gap(f"classic branch protection is hidden from this token — {ADMIN_PERMISSION}")
    else:
        classic = list(meta.data["branchProtectionRules"].get("nodes") or ())
    rules: list[dict[str, Any]] = []  # when no branch ruleset applies, there is nothing to ask
    if not (isinstance(meta, RepoMetadata) and _no_branch_ruleset(meta)):
        path = f"/repos/{repo.owner}/{repo.name}/rules/branches/{quote(branch, safe='')}"
        try:
            answer = list(client.pages(RULES, path, conditional=True))
        except ApiError as exc:
            from_classic = mapping.branch_protection(branch, classic, []) if classic is not None else None
            if from_classic is not None and from_classic["enabled"]:
                return from_classic  # protected for sure; rulesets could only add to it
            return gap(exc, RULES_PERMISSION)
        rules = [rule for rule in answer if isinstance(rule, dict)]
    if classic is None and not rules:
        return _protected_flag(client, repo, branch, classic_gap)
    return mapping.branch_protection(branch, classic, rules)


def _no_branch_ruleset(meta: RepoMetadata) -> bool:
    rulesets = meta.data.get("rulesets")
    return "rulesets" not in meta.denied and isinstance(rulesets, dict) and rulesets.get("totalCount") == 0


def _protected_flag(client: GitHubClient, repo: Listed, branch: str, classic_gap: Gap | None) -> dict[str, Any] | Gap:
    if classic_gap is not None and classic_gap.failure:
        return classic_gap
    try:
        answer = client.get(BRANCHES, f"/repos/{repo.owner}/{repo.name}/branches/{quote(branch, safe='')}", conditional=True)
    except ApiError as exc:
        return gap(exc, RULES_PERMISSION)
    return mapping.protected_flag(answer.data)


def _deploy_runs(
    client: GitHubClient,
    repo: Listed,
    branch: str,
    meta: RepoMetadata | ApiError,
    files: FileEvidence | Gap,
    since: datetime,
) -> list[Mapping[str, Any]] | Gap | None:
    """The default branch's runs of deploy workflows since `since`, asked for only where they are
    the way to see deployments: a GitHub workflow deploys (ci.pipelines) and GitHub recorded no
    deployment in the window, or the token may not see deployments. One conditional request per
    100 runs, so an unchanged re-scan on the same day costs nothing."""
    if not isinstance(meta, RepoMetadata) or not isinstance(files, FileEvidence):
        return None
    pipelines = files.signals.get("ci.pipelines") or {}
    paths = [str(path) for path in pipelines.get("paths") or ()]
    if not pipelines.get("deploys") or not mapping.workflow_files(paths):
        return None
    if "deployments" not in meta.denied and mapping.deployed_since(meta.deployments, since):
        return None
    params = {"created": f">={since.astimezone(timezone.utc):%Y-%m-%d}", "branch": branch}
    try:
        runs = list(
            client.pages(
                RUNS, f"/repos/{repo.owner}/{repo.name}/actions/runs", params,
                conditional=True, list_key="workflow_runs", max_pages=MAX_RUN_PAGES,
            )
        )
    except ApiError as exc:
        return gap(exc, ACTIONS_PERMISSION)
    return mapping.deploy_runs([run for run in runs if isinstance(run, dict)], paths)
