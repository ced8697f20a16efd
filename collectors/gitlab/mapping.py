"""Pure mapping from GitLab API answers to evidence data. No I/O: unit-tested on payloads."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from collectors.githost.dora import Delivery, dora, is_production, parse_time
from collectors.people import is_bot
from scanner.kinds.git_host import (
    UNREAD_DOCS_ACTIVITY,
    UNTOLD_APPROVAL_SETTINGS,
    UNTOLD_DIRECTORY_LINKS,
    UNTOLD_GROUP_APPROVAL_SETTINGS,
)

OWNER_ACCESS = 50  # GitLab's access level of an Owner
# Project and group access tokens act as users named project_<id>_bot_<hash> / group_<id>_bot_<hash>.
BOT_USERNAMES = ("project_*_bot*", "group_*_bot*")
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Listed:
    """A project as the group's project list shows it."""

    id: int
    full_path: str  # "acme/apps/svc-a"
    relative_path: str  # below the top-level group: "apps/svc-a"
    default_branch: str | None
    archived: bool
    fork: bool
    topics: tuple[str, ...]
    web_url: str | None
    empty: bool
    pipeline_must_succeed: bool
    last_activity_at: str | None = None  # moves with every push: unchanged, the files are too
    required_approvals: int | None = None  # None: the tier has no merge-request approvals (Free)
    repository_size: int | None = None  # bytes, from the listing's statistics (Reporter and above); None: not shown
    shared_with_groups: tuple[Mapping[str, Any], ...] | None = None  # None: the list did not say

    @property
    def name(self) -> str:
        return self.full_path.rsplit("/", 1)[-1]


def listed(data: Mapping[str, Any], group_path: str) -> Listed:
    full_path = str(data["path_with_namespace"])
    return Listed(
        id=int(data["id"]),
        full_path=full_path,
        relative_path=full_path.removeprefix(group_path + "/"),
        default_branch=data.get("default_branch") or None,
        archived=bool(data.get("archived")),
        fork=data.get("forked_from_project") is not None,
        topics=tuple(str(topic) for topic in data.get("topics") or data.get("tag_list") or ()),
        web_url=data.get("web_url"),
        empty=bool(data.get("empty_repo")) or not data.get("default_branch"),
        pipeline_must_succeed=bool(data.get("only_allow_merge_if_pipeline_succeeds")),
        last_activity_at=str(data["last_activity_at"]) if data.get("last_activity_at") else None,
        # Premium and Ultimate list the project's approval setting with it: no request of its own.
        required_approvals=data["approvals_before_merge"] if isinstance(data.get("approvals_before_merge"), int) else None,
        repository_size=_repository_size(data.get("statistics")),
        shared_with_groups=(
            tuple(share for share in data["shared_with_groups"] if isinstance(share, dict))
            if isinstance(data.get("shared_with_groups"), list) else None
        ),
    )


def _repository_size(statistics: Any) -> int | None:
    size = statistics.get("repository_size") if isinstance(statistics, dict) else None
    return size if isinstance(size, int) and not isinstance(size, bool) and size >= 0 else None


def blob_paths(entries: Iterable[Mapping[str, Any]]) -> list[str]:
    """The file paths of a recursive repository tree (folders and submodules left out)."""
    return [str(entry["path"]) for entry in entries if entry.get("type") == "blob"]


def protection_of(branch: str, protected: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The protection that applies to `branch`: its own entry, else the first matching wildcard."""
    for entry in protected:
        if entry.get("name") == branch:
            return entry
    for entry in protected:
        name = str(entry.get("name") or "")
        if "*" in name and fnmatch.fnmatchcase(branch, name):
            return entry
    return None


def branch_protection(
    project: Listed, protected: Sequence[Mapping[str, Any]], policy_checks: bool | None = None
) -> dict[str, Any]:
    """vcs.branch_protection of the default branch. Required approvals and code-owner approval
    are unknown (None) where the tier has no such setting, never "none required"; `policy_checks`:
    True where a policy or compliance pipeline binds the branch's pipelines (policies.py), else unknown."""
    entry = protection_of(project.default_branch or "", protected) if project.default_branch else None
    if entry is None:
        return {"enabled": False, "required_reviews": 0, "code_owner_reviews": False, "required_checks": [],
                "policy_checks_required": False, "via": [], **UNTOLD_APPROVAL_SETTINGS}
    code_owners = entry.get("code_owner_approval_required")  # absent where the tier has no code-owner approval
    return {
        "enabled": True,
        "required_reviews": project.required_approvals,
        "code_owner_reviews": bool(code_owners) if isinstance(code_owners, bool) else None,
        # GitLab's one required check: the pipeline must succeed before a merge.
        "required_checks": ["pipeline"] if project.pipeline_must_succeed else [],
        "policy_checks_required": policy_checks,
        "via": ["branch_protection"],
        **UNTOLD_APPROVAL_SETTINGS,  # read on their own (approval_settings.py)
    }


def organization_access(group: Mapping[str, Any], members: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """org.access of a top-level group from its direct members."""
    two_factor = group.get("require_two_factor_authentication")
    return {
        "owners": sum(1 for member in members if int(member.get("access_level") or 0) >= OWNER_ACCESS),
        "members": len(members),
        "two_factor_required": two_factor if isinstance(two_factor, bool) else None,
        **UNTOLD_DIRECTORY_LINKS,  # read on their own (directory.py)
    }


def group_rulesets(group: Mapping[str, Any], protected: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """org.rulesets from a group's own protected branches (Premium), which bind every project in it.
    The default branch is the group's setting for new projects, GitLab's `main` when it has none."""
    default = str(group.get("default_branch") or "main")
    binding = [entry for entry in protected if protection_of(default, [entry]) is not None]
    return {
        "rulesets": len(protected),
        "active_on_default_branch": len(binding),
        "require_reviews": any(entry.get("code_owner_approval_required") is True for entry in binding),
        "require_status_checks": False,  # a group's protected branches cannot require a pipeline
        **UNTOLD_GROUP_APPROVAL_SETTINGS,  # read on their own (approval_settings.py)
    }


_DEPLOYMENT_OUTCOMES = {"success": True, "failed": False}  # canceled, running, blocked...: no outcome


def deployments(
    items: Iterable[Mapping[str, Any]], now: datetime, window_days: int, production: Sequence[str]
) -> dict[str, Any]:
    """delivery.deployments from a project's deployments (`/projects/:id/deployments`).

    Only deployments to production count: environments GitLab tiers `production`, or named like
    `production`; when none is, every deployment counts, and `environments` says which were.
    Lead time: the commit's date to its first successful deployment, where GitLab names the commit."""
    since = now - timedelta(days=window_days)
    deliveries: list[Delivery] = []
    live: list[Delivery] = []
    for item in items:
        created = parse_time(item.get("created_at"))
        if created is None or not since < created <= now:
            continue
        environment = item.get("environment") or {}
        commit = (item.get("deployable") or {}).get("commit") or {}
        delivery = Delivery(
            at=created,
            track=str(environment.get("name") or ""),
            succeeded=_DEPLOYMENT_OUTCOMES.get(str(item.get("status"))),
            commit=str(item["sha"]) if item.get("sha") else None,
            committed_at=parse_time(commit.get("committed_date") or commit.get("created_at")),
        )
        deliveries.append(delivery)
        if environment.get("tier") == "production" or is_production(delivery.track, production):
            live.append(delivery)
    counted = live or deliveries
    environments = sorted({delivery.track for delivery in counted})
    return dora(window_days, "deployments" if deliveries else "none", counted, environments)


def platform_group(subgroups: Sequence[Mapping[str, Any]], group_path: str, pattern: str) -> Mapping[str, Any] | None:
    """The subgroup whose path below the top-level group matches `pattern` (the shallowest, then by name)."""
    matching = [
        subgroup for subgroup in subgroups
        if fnmatch.fnmatchcase(str(subgroup.get("full_path") or "").removeprefix(group_path + "/").lower(), pattern.lower())
    ]
    return min(matching, key=lambda subgroup: (str(subgroup["full_path"]).count("/"), str(subgroup["full_path"])), default=None)


def in_group(project: Listed, group_full_path: str) -> bool:
    return project.full_path.startswith(group_full_path + "/")


def team_structure(
    subgroups: Sequence[Mapping[str, Any]], platform: Mapping[str, Any] | None, members: int, projects: Sequence[Listed]
) -> dict[str, Any]:
    """org.teams: on GitLab a team is a subgroup; the platform team's projects are those within its subgroup."""
    if platform is None:
        return {"teams": len(subgroups), "platform_team": None, "platform_team_members": 0, "platform_team_repositories": []}
    path = str(platform["full_path"])
    return {
        "teams": len(subgroups),
        "platform_team": path,
        "platform_team_members": members,
        "platform_team_repositories": [project.full_path for project in projects if in_group(project, path)],
    }


def activity(commits: Sequence[Mapping[str, Any]], now: datetime, window_days: int) -> dict[str, Any]:
    """vcs.activity from the default branch's commits of the window, newest first (GitLab's order).
    Authors are told apart by email, GitLab's only author field on a commit."""
    dates = [date for commit in commits if (date := parse_time(commit.get("committed_date"))) is not None]
    authors = {str(commit.get("author_email") or commit.get("author_name") or "").strip().lower() for commit in commits}
    authors.discard("")
    newest = commits[0] if commits else None
    return {
        "window_days": window_days,
        "head_commit": str(newest["id"]) if newest is not None and newest.get("id") else None,
        "last_commit_at": max(dates).isoformat() if dates else None,
        "commits": len(commits),
        "active_weeks": len({int((now - date) / WEEK) for date in dates if date <= now}),
        "authors": len(authors),
        **UNREAD_DOCS_ACTIVITY,
    }


def contributions(authors: Iterable[str], window_days: int, platform_members: frozenset[str] | None) -> dict[str, Any]:
    """vcs.contributions from the window's authors (bots left out). `platform_members`: the
    platform team's usernames when `authors` are usernames too, else None (outside unknown)."""
    people = {
        author.strip().lower()
        for author in authors
        if author and not is_bot(author, author if "@" in author else "", BOT_USERNAMES)
    }
    outside = None if platform_members is None else len(people - platform_members)
    return {
        "window_days": window_days,
        "contributors": len(people),
        "outside_platform_team": outside,
        "outside_share": round(outside / len(people), 4) if outside is not None and people else None,
    }


def merge_request_authors(merge_requests: Iterable[Mapping[str, Any]]) -> list[str]:
    return [str((item.get("author") or {}).get("username") or "") for item in merge_requests]

