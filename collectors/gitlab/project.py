"""The examination of one project, run in a worker thread: its files (files.py through
project_files.py), history of the window (history.py), protection (protection.py),
deployments (deployments.py), push rule and members, from the GraphQL batch's answers where it
gave them; or, for a project unchanged since the last scan, what that scan read (carried.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from collectors.base import Gap
from collectors.githost.cache import FileEvidence, ScanCache
from collectors.gitlab import approval_settings, approvals, batch, carried, dora_api, mapping
from collectors.gitlab.access import ProjectAccess
from collectors.gitlab.approval_settings import GroupSettings
from collectors.gitlab.client import GitLabClient
from collectors.gitlab.config import GitLabConfig
from collectors.gitlab.deployments import read_deployments
from collectors.gitlab.group import Team
from collectors.gitlab.history import read_commits, read_merged
from collectors.gitlab.includes import IncludedFiles
from collectors.gitlab.mapping import Listed
from collectors.gitlab.project_files import MEGABYTE, ProjectFiles
from collectors.gitlab.protection import read_protection
from scanner.contract import CollectContext


@dataclass(frozen=True)
class Examination:
    project: Listed
    files: FileEvidence | Gap
    activity: dict[str, Any] | Gap
    contributions: dict[str, Any] | Gap
    protection: dict[str, Any] | Gap
    deployments: dict[str, Any] | Gap
    security: dict[str, Any] | Gap
    access: dict[str, Any] | Gap
    carried_at: datetime | None = None  # deployments and push rules carried from the scan at this time
    carried_protection: bool = False  # `protection` rests on carried answers too (its protected branches or approvals)

    @classmethod
    def failed(cls, project: Listed, exc: Exception) -> Examination:
        """An answer of a shape we did not expect costs one project."""
        failed = Gap(f"unexpected answer from GitLab: {type(exc).__name__}: {exc}", failure=True)
        return cls(project, failed, failed, failed, failed, failed, failed, failed)


@dataclass(frozen=True)
class GroupScope:
    """What the examinations of one group's projects share, read by every worker."""

    team: Team | None  # the platform team
    scanned: frozenset[str]  # the group's projects' paths, lower case: whose files an include names
    approval_settings: GroupSettings | None  # the group's, where they were read


@dataclass(frozen=True)
class Examiner:
    """How one scan examines projects, the same for each of its groups; what it holds is shared
    by the workers (each part guards its own state)."""

    client: GitLabClient
    clock: Callable[[], datetime]
    window_days: int
    production: Sequence[str]  # the production environments' names
    settings_max_age_hours: float
    cache: ScanCache | None
    files: ProjectFiles
    dora: dora_api.DoraApi
    grants: ProjectAccess  # who is granted each project

    @classmethod
    def of(
        cls, ctx: CollectContext, config: GitLabConfig, client: GitLabClient, cache: ScanCache | None, dora: dora_api.DoraApi
    ) -> Examiner:
        includes = IncludedFiles(client, ctx.limits.max_file_bytes, config.base_url)
        files = ProjectFiles(client, cache, includes, ctx.limits, config.archive_max_megabytes * MEGABYTE)
        return cls(client, ctx.clock, config.window_days, config.production_environments, config.settings_max_age_hours,
                   cache, files, dora, ProjectAccess(client))

    def examine(self, project: Listed, known: batch.ProjectState | None, group: GroupScope) -> Examination:
        # last_activity_at moves with a push, but GitLab updates it at most once an hour: the
        # head commit, where GraphQL gave it, tells a push within that hour
        state = f"{project.default_branch}@{project.last_activity_at}" + (f"@{known.head}" if known is not None else "")
        team = group.team
        platform = team is not None and mapping.in_group(project, team.path)
        now = self.clock()
        before = self._carried(project, state, known, platform, now)
        window = self.window_days
        start = now - timedelta(days=window)
        commits = carried.since(before.commits, "committed_date", start) if before is not None else \
            read_commits(self.client, project, start)
        activity = commits if isinstance(commits, Gap) else mapping.activity(commits, now, window)
        merged: list[dict[str, Any]] | Gap | None = None
        contributions: dict[str, Any] | Gap
        if team is not None and platform:
            merged = carried.since(before.merged or (), "updated_at", start) if before is not None else \
                read_merged(self.client, project, start)
            contributions = merged if isinstance(merged, Gap) else mapping.contributions(
                mapping.merge_request_authors(merged), window, team.usernames
            )
        else:  # commit authors are emails, which cannot be matched to team members: outside unknown
            contributions = commits if isinstance(commits, Gap) else mapping.contributions(
                (str(commit.get("author_email") or "") for commit in commits), window, None
            )
        protection = read_protection(self.client, project, known, before, group.approval_settings)
        deployments = before.deployments if before is not None else \
            read_deployments(self.client, self.dora, project, now, window, self.production, known.dora if known is not None else None)
        # carried ones keep the time they were read (carried_at); else the batch's, else REST's
        security = before.security if before is not None else known.security if known is not None and known.security is not None \
            else approvals.read_push_rule(self.client, project)
        grants = before.access if before is not None and before.access is not None else self.grants.read(
            project, project.full_path.split("/", 1)[0], now.date(), known.members if known is not None else None
        )
        if before is None and known is not None and self.cache is not None and not isinstance(commits, Gap) \
                and not isinstance(merged, Gap) and carried.keeps(deployments) and carried.keeps(security) \
                and carried.keeps(grants):
            carried.save(self.cache, project.full_path, state,
                         carried.Carried(now, commits, merged, deployments, security, protection.required, grants,
                                         approval_settings.of_protection(protection.found), protection.listed))
        return Examination(
            project, self.files.read(project, state, group.scanned), activity, contributions, protection.found, deployments,
            security, grants,
            carried_at=before.read_at if before is not None else None,
            carried_protection=protection.carried,
        )

    def _carried(
        self, project: Listed, state: str, known: batch.ProjectState | None, platform: bool, now: datetime
    ) -> carried.Carried | None:
        """The last scan's answers for an unchanged project, when the head commit is known (without
        it, last_activity_at alone would miss a push within its hour)."""
        if self.cache is None or known is None:
            return None
        found = carried.load(self.cache, project.full_path, state, now, self.settings_max_age_hours)
        return None if found is None or (platform and found.merged is None) else found
