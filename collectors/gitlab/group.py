"""A top-level group's own reads, in the scan's thread before its projects are examined: the
group found by its path, its projects listed (subgroups included), its subgroups and the
platform team's members (org.teams), its approval settings; then, where the group is the
scan's to record (its shard), its members and directory links (org.access), its own protected
branches (org.rulesets) and its DORA figures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import quote

from collectors.base import Gap
from collectors.githost.cache import ScanCache
from collectors.githost.selection import selected
from collectors.gitlab import approval_settings, directory, dora_api, mapping
from collectors.gitlab.approval_settings import GroupSettings
from collectors.gitlab.client import ApiError, GitLabClient
from collectors.gitlab.config import DEFAULT_BASE_URL, GitLabConfig
from collectors.gitlab.gaps import PREMIUM, READ_PERMISSION, gap
from collectors.gitlab.mapping import Listed
from collectors.gitlab.subgroup_links import SubgroupLinks
from scanner.contract import CollectContext
from scanner.model import Subject


@dataclass(frozen=True)
class Team:
    """The platform team: its subgroup and its members' usernames."""

    path: str
    usernames: frozenset[str]


@dataclass(frozen=True)
class GroupRead:
    """What the scan knows of a group before examining its projects."""

    subject: Subject
    group: Mapping[str, Any]  # the group as GitLab answered it
    projects: list[Listed]  # every project listed, in listing order; those before a failure when it broke off
    chosen: list[Listed]  # the projects selected for examination (filters and shard)
    teams: dict[str, Any] | Gap  # org.teams
    team: Team | None  # the platform team, where there is one
    subgroups: list[int] | Gap  # the ids of every subgroup, or why they could not be listed
    premium: bool  # the tier has merge-request approvals (Free lists no approval setting)
    approval_settings: GroupSettings | None


@dataclass(frozen=True)
class GroupFacts:
    """The group's own evidence: org.access (with why its directory links are unknown), org.rulesets, DORA figures."""

    access: dict[str, Any] | Gap
    directory_gap: Gap | None
    access_read_at: datetime | None  # the subgroups' directory links in `access` were carried from the scan at this time
    rulesets: dict[str, Any] | Gap
    dora_figures: dict[str, Any] | Gap


def find_group(client: GitLabClient, path: str) -> dict[str, Any] | Gap:
    try:
        group = client.get("groups", f"/groups/{quote(path, safe='')}").data
    except ApiError as exc:
        return Gap(exc.reason_with(READ_PERMISSION))  # a 403 or 404 may be the token's scope or role
    if not isinstance(group, dict) or "id" not in group:
        return Gap("the answer is not a GitLab group (is base_url the instance's address?)")
    return group


def read_group(ctx: CollectContext, config: GitLabConfig, client: GitLabClient, group: Mapping[str, Any]) -> GroupRead:
    path = str(group.get("full_path") or group.get("path"))
    subject = Subject(id=f"gitlab:{path}", kind="organization", name=path, source="gitlab", url=group.get("web_url"))
    projects = _list_projects(ctx, config, client, group, path)
    teams, team, subgroups = _teams(config, client, group, path, projects)
    premium = any(project.required_approvals is not None for project in projects)
    settings = approval_settings.read_group(client, group["id"], premium)
    chosen = [
        project
        for project in projects
        if selected(project, (project.name, project.relative_path), config) and ctx.includes(f"gitlab:{project.full_path}")
    ]
    return GroupRead(subject, group, projects, chosen, teams, team, subgroups, premium, settings)


def read_facts(
    config: GitLabConfig, client: GitLabClient, cache: ScanCache | None, dora: dora_api.DoraApi, read: GroupRead,
    now: datetime,
) -> GroupFacts:
    group = read.group
    access: dict[str, Any] | Gap
    directory_gap: Gap | None = None
    read_at: datetime | None = None
    try:
        members = list(client.pages("groups/members", f"/groups/{group['id']}/members"))
        access = mapping.organization_access(group, members)
    except ApiError as exc:
        access = gap(exc)
    if not isinstance(access, Gap):
        subgroups = SubgroupLinks(cache, read.subject.name, read.subgroups, now, config.settings_max_age_hours)
        links = directory.read(client, group["id"], read.premium, config.base_url != DEFAULT_BASE_URL, subgroups)
        access.update(links.fields)
        directory_gap, read_at = links.gap, links.read_at
    rulesets = _rulesets(client, group, read.approval_settings)
    figures = dora.group_figures(group["id"], read.projects, now, config.window_days)
    return GroupFacts(access, directory_gap, read_at, rulesets, figures)


def _list_projects(
    ctx: CollectContext, config: GitLabConfig, client: GitLabClient, group: Mapping[str, Any], path: str
) -> list[Listed]:
    """The projects of the group and all its subgroups; those listed before a failure, and the
    failure said (cut_short), when the listing breaks off."""
    projects: list[Listed] = []
    # statistics: the repository's size, which says whether one archive can replace the tree and files
    params: dict[str, Any] = {"include_subgroups": True, "with_shared": False, "order_by": "id", "sort": "asc",
                              "statistics": True}
    if not config.include_archived:
        params["archived"] = False
    try:
        for data in client.pages("projects", f"/groups/{group['id']}/projects", params):
            projects.append(mapping.listed(data, path))
    except ApiError as exc:
        reason = f"gitlab: cannot list the projects of {path}: {exc.reason_with(READ_PERMISSION)}"
        ctx.problem(reason, hint="the projects listed before the failure were scanned; scan again later")
        ctx.cut_short("repository", reason)
    return projects


def _teams(
    config: GitLabConfig, client: GitLabClient, group: Mapping[str, Any], path: str, projects: list[Listed]
) -> tuple[dict[str, Any] | Gap, Team | None, list[int] | Gap]:
    """org.teams, the platform team when there is one, and the subgroups' ids."""
    try:
        subgroups = list(client.pages("groups/descendant_groups", f"/groups/{group['id']}/descendant_groups"))
    except ApiError as exc:
        unlisted = gap(exc)
        return unlisted, None, replace(unlisted, reason=f"the subgroups could not be listed: {unlisted.reason}")
    ids = [subgroup["id"] for subgroup in subgroups if isinstance(subgroup, dict) and isinstance(subgroup.get("id"), int)]
    platform = mapping.platform_group(subgroups, path, config.platform_team)
    try:
        members = list(client.pages("groups/members", f"/groups/{platform['id']}/members")) if platform is not None else []
    except ApiError as exc:
        return gap(exc), None, ids
    team = (
        Team(str(platform["full_path"]), frozenset(str(m.get("username") or "").lower() for m in members))
        if platform is not None else None
    )
    return mapping.team_structure(subgroups, platform, len(members), projects), team, ids


def _rulesets(
    client: GitLabClient, group: Mapping[str, Any], settings: GroupSettings | None
) -> dict[str, Any] | Gap:
    """org.rulesets: the group's own protected branches, with its approval settings where they were read."""
    try:
        protected = list(client.pages("groups/protected_branches", f"/groups/{group['id']}/protected_branches"))
    except ApiError as exc:
        return (  # a tier without group-level protected branches (or hiding them) cannot tell
            Gap(f"{exc.reason()} — group-level protected branches {PREMIUM} and the Maintainer role", unsupported=True)
            if exc.status in (403, 404)
            else gap(exc, None)
        )
    rulesets = mapping.group_rulesets(group, protected)
    if settings is not None:
        rulesets.update(settings.values, approval_settings_locked=settings.locked)
    return rulesets
