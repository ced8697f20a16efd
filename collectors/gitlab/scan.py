"""One GitLab scan: for each configured top-level group, the group's evidence, then each
selected project's, examined by the base's workers and emitted in listing order."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import islice
from typing import Any
from urllib.parse import quote

from collectors.base import Findings, Gap, WorkerPool, each_target
from collectors.cross_subject import ORIGINS, SHARDED_REASON, UNREAD_REASON
from collectors.githost.cache import FileEvidence, ScanCache
from collectors.githost.file_records import file_problems, file_records
from collectors.githost.files import ArchivePlan, no_files, read_files
from collectors.githost.selection import selected
from collectors.githost.subjects import repository_subject
from collectors.gitlab import (
    access,
    approval_settings,
    approvals,
    batch,
    carried,
    consumers,
    directory,
    dora_api,
    includes,
    mapping,
    origins,
)
from collectors.gitlab.client import ApiError, GitLabClient, TokenRefused
from collectors.gitlab.config import DEFAULT_BASE_URL, GitLabConfig
from collectors.gitlab.files import GitLabProject
from collectors.gitlab.gaps import PREMIUM, READ_PERMISSION, gap
from collectors.gitlab.mapping import Listed
from scanner.contract import CollectContext
from scanner.errors import CredentialsUnusable
from scanner.model import Evidence, EvidenceStatus, Subject

MEGABYTE = 1 << 20
THREADS_PER_REQUEST = 2  # examining threads per request in flight
BATCHES_AHEAD = 2  # GraphQL batches asked ahead of the examinations that wait for them
MAX_COMMITS = 1000  # commits of the window read per project: enough to measure, bounded in requests
FILE_HINT = "the file was left out; the rest of the project was scanned"
GAP_HINT = "grant the role or scope named to see it; the rest was scanned"
RATE_HINT = "scan again after the reset, or raise max_rate_limit_wait_seconds"
# GitLab's API names no project template a project was made from (the import type, shown to
# Maintainers only, says a custom template was used, never which): template links stay unknown.
TEMPLATE_LINKS_HIDDEN = "GitLab's API does not say which project template a project was created from"


@dataclass(frozen=True)
class Team:
    """The platform team: its subgroup and its members' usernames."""

    path: str
    usernames: frozenset[str]


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
    carried_protection: bool = False  # the approvals in `protection` were carried too


def scan_gitlab(ctx: CollectContext, config: GitLabConfig) -> Iterator[Subject | Evidence]:
    token = ctx.secret(config.token_env)
    if not token:
        raise CredentialsUnusable(
            f"gitlab: environment variable {config.token_env} is not set",
            hint="export a personal, group or project access token with the read_api scope in it",
        )
    client = GitLabClient(
        config.base_url,
        token,
        counter=ctx.requests,
        timeout=config.request_timeout_seconds,
        max_retries=config.max_retries,
        max_rate_limit_wait=config.max_rate_limit_wait_seconds,
        rate_limit_wait_budget=config.rate_limit_wait_budget_seconds,
        timer=ctx.timer,
        in_flight=ctx.limits.max_workers,
    )
    try:
        yield from _Scan(ctx, config, client).run()
    except TokenRefused as exc:
        raise CredentialsUnusable(
            f"gitlab: the token in {config.token_env} was refused ({exc})",
            hint="create a new token with the read_api scope; it may have expired or been revoked",
        ) from None
    finally:
        client.close()


class _Scan:
    def __init__(self, ctx: CollectContext, config: GitLabConfig, client: GitLabClient) -> None:
        self.ctx = ctx
        self.config = config
        self.client = client
        # File evidence is reused while a project's default branch and last activity are
        # unchanged: its tree and files then cost no request (GitLab lists both for free).
        self.cache = ScanCache.of_scan(ctx, "gitlab", config.base_url)
        self.findings = Findings(ctx, "gitlab")
        self.dora = dora_api.DoraApi(client)
        self.group_approvals: dict[str, approval_settings.GroupSettings | None] = {}  # by top-level group path
        self.access = access.ProjectAccess(client)
        self.includes = includes.IncludedFiles(client, ctx.limits.max_file_bytes, config.base_url)
        self.scanned_paths: frozenset[str] = frozenset()  # the group's projects, lower case: whose files includes name

    def run(self) -> Iterator[Subject | Evidence]:
        yield from each_target(
            self.ctx,
            "gitlab",
            self.config.base_url,
            self.config.groups,
            self._find,
            self._scan_group,
            name_hint="check the path in sources.gitlab.groups",
            unreachable_hint="check base_url (the instance's address, without /api/v4), the group paths and the network",
        )
        self.findings.report_gaps(GAP_HINT, RATE_HINT)
        if self.cache is not None:
            self.cache.prune_unused(self.ctx, self.config.cache_max_age_days)

    def _find(self, path: str) -> dict[str, Any] | Gap:
        try:
            group = self.client.get("groups", f"/groups/{quote(path, safe='')}").data
        except ApiError as exc:
            return Gap(exc.reason_with(READ_PERMISSION))  # a 403 or 404 may be the token's scope or role
        if not isinstance(group, dict) or "id" not in group:
            return Gap("the answer is not a GitLab group (is base_url the instance's address?)")
        return group

    # --- one group -----------------------------------------------------------------------

    def _scan_group(self, group: dict[str, Any]) -> Iterator[Subject | Evidence]:
        ctx = self.ctx
        path = str(group.get("full_path") or group.get("path"))
        subject = Subject(id=f"gitlab:{path}", kind="organization", name=path, source="gitlab", url=group.get("web_url"))
        projects = self._list_projects(group, path)
        teams, team = self._teams(group, path, projects)
        premium = any(project.required_approvals is not None for project in projects)  # Free lists no approval setting
        self.scanned_paths = frozenset(project.full_path.lower() for project in projects)
        self.group_approvals[path] = approval_settings.read_group(self.client, group["id"], premium)
        if ctx.includes(subject.id):
            yield subject
            yield from self._group_evidence(subject, group, premium)
            yield self.findings.record("org.teams", subject, teams)
            figures = self.dora.group_figures(group["id"], projects, ctx.clock(), self.config.window_days)
            yield self.findings.record("delivery.dora_figures", subject, figures, what="DORA metrics")
            self.findings.end_subject(subject)
        config = self.config
        chosen = [
            project
            for project in projects
            if selected(project, (project.name, project.relative_path), config) and ctx.includes(f"gitlab:{project.full_path}")
        ]
        scanned: dict[str, Subject] = {}
        taken: dict[str, dict[str, Any] | None] = {}  # each project's classified references.origins
        provides: dict[str, bool] = {}
        # Twice as many examining threads as requests in flight (the client holds those to
        # max_workers): while some threads unpack archives and detect, others' requests wait on
        # the network, so max_workers requests stay in flight instead of idling through the CPU work.
        with WorkerPool(THREADS_PER_REQUEST * ctx.limits.max_workers, "pecm-gitlab") as pool:
            for project, examination in self._examine_all(pool, chosen, team):
                for item in self._project_evidence(subject, examination, team):
                    if isinstance(item, Subject):
                        scanned[project.full_path], taken[project.full_path] = item, None
                    elif item.kind == ORIGINS and item.status is EvidenceStatus.OBSERVED:
                        taken[project.full_path] = item.data
                    yield item
                if isinstance(examination.files, FileEvidence):
                    provides[project.full_path] = bool(examination.files.signals["ci.reusable_provided"].get("present"))
        yield from self._relations(path, scanned, taken, provides)

    def _examine_all(self, pool: WorkerPool, projects: list[Listed], team: Team | None) -> Iterator[tuple[Listed, Examination]]:
        """Examinations in listing order. A batch's projects are examined once its GraphQL query
        (head commits, protected branches, members) is answered; the queries run in the pool,
        BATCHES_AHEAD of the examinations: all asked first, they kept the workers idle until the
        last was answered, and all queued at once, they would hold every worker."""
        states = batch.ProjectStates(self.client, projects)

        answered = (
            (project, known.get(project.id))
            for project, known in pool.batched_ahead(projects, batch.BATCH, states.of, BATCHES_AHEAD)
        )
        for (project, _known), examination in pool.in_order(
            answered, lambda item: self._examine(item[0], team, item[1]), lambda item, exc: self._failed(item[0], exc),
            fatal=(TokenRefused,),
        ):
            yield project, examination

    def _relations(
        self, group: str, scanned: dict[str, Subject], taken: dict[str, dict[str, Any] | None], provides: dict[str, bool]
    ) -> Iterator[Evidence]:
        """ci.reusable_consumers and repo.cross_references, once every project's references are
        known. Where some project could not be read, "nobody" is not known (unless the project
        offers no reusable CI: then it has no CI consumer whatever the others hold)."""
        ctx = self.ctx
        including, relations = consumers.relations(taken)
        unread = any(data is None for data in taken.values())
        for full_path, subject in scanned.items():
            if ctx.shard is not None:  # the others live in other shards
                yield ctx.unavailable("ci.reusable_consumers", subject, f"a sharded scan reads one share of {group}'s projects, "
                                      "so who includes this one's CI is not known")
                yield ctx.unavailable("repo.cross_references", subject, SHARDED_REASON)
                continue
            users = including[full_path]
            if users or not unread or provides.get(full_path) is False:
                yield ctx.observed("ci.reusable_consumers", subject, {"consumers": len(users), "repositories": users})
            else:
                yield ctx.unavailable("ci.reusable_consumers", subject, f"not every project of {group} could be read, "
                                      "so who includes this one's CI is not known")
            found = relations[full_path]
            if any(found.values()) or not unread:
                yield ctx.observed("repo.cross_references", subject, dict(found))
            else:
                yield ctx.unavailable("repo.cross_references", subject, UNREAD_REASON)

    def _list_projects(self, group: Mapping[str, Any], path: str) -> list[Listed]:
        """The projects of the group and all its subgroups; those listed before a failure, and the
        failure said (cut_short), when the listing breaks off."""
        projects: list[Listed] = []
        # statistics: the repository's size, which says whether one archive can replace the tree and files
        params: dict[str, Any] = {"include_subgroups": True, "with_shared": False, "order_by": "id", "sort": "asc",
                                  "statistics": True}
        if not self.config.include_archived:
            params["archived"] = False
        try:
            for data in self.client.pages("projects", f"/groups/{group['id']}/projects", params):
                projects.append(mapping.listed(data, path))
        except ApiError as exc:
            reason = f"gitlab: cannot list the projects of {path}: {exc.reason_with(READ_PERMISSION)}"
            self.ctx.problem(reason, hint="the projects listed before the failure were scanned; scan again later")
            self.ctx.cut_short("repository", reason)
        return projects

    def _teams(self, group: Mapping[str, Any], path: str, projects: list[Listed]) -> tuple[dict[str, Any] | Gap, Team | None]:
        """org.teams, and the platform team when there is one."""
        try:
            subgroups = list(self.client.pages("groups/descendant_groups", f"/groups/{group['id']}/descendant_groups"))
            platform = mapping.platform_group(subgroups, path, self.config.platform_team)
            members = (
                list(self.client.pages("groups/members", f"/groups/{platform['id']}/members")) if platform is not None else []
            )
        except ApiError as exc:
            return gap(exc), None
        team = (
            Team(str(platform["full_path"]), frozenset(str(m.get("username") or "").lower() for m in members))
            if platform is not None else None
        )
        return mapping.team_structure(subgroups, platform, len(members), projects), team

    def _group_evidence(self, subject: Subject, group: Mapping[str, Any], premium: bool) -> Iterator[Evidence]:
        access: dict[str, Any] | Gap
        try:
            members = list(self.client.pages("groups/members", f"/groups/{group['id']}/members"))
            access = mapping.organization_access(group, members)
        except ApiError as exc:
            access = gap(exc)
        if not isinstance(access, Gap):
            links = directory.read(self.client, group["id"], premium, self.config.base_url != DEFAULT_BASE_URL)
            access.update(links.fields)
            if links.gap is not None:
                self.findings.note(subject, "directory group links", links.gap)
        yield self.findings.record("org.access", subject, access)
        rulesets: dict[str, Any] | Gap
        try:
            protected = list(self.client.pages("groups/protected_branches", f"/groups/{group['id']}/protected_branches"))
            rulesets = mapping.group_rulesets(group, protected)
            settings = self.group_approvals.get(subject.name)
            if settings is not None:
                rulesets.update(settings.values, approval_settings_locked=settings.locked)
        except ApiError as exc:
            rulesets = (  # a tier without group-level protected branches (or hiding them) cannot tell
                Gap(f"{exc.reason()} — group-level protected branches {PREMIUM} and the Maintainer role", unsupported=True)
                if exc.status in (403, 404)
                else gap(exc, None)
            )
        yield self.findings.record("org.rulesets", subject, rulesets)

    # --- one project ---------------------------------------------------------------------

    @staticmethod
    def _failed(project: Listed, exc: Exception) -> Examination:
        """An answer of a shape we did not expect costs one project."""
        failed = Gap(f"unexpected answer from GitLab: {type(exc).__name__}: {exc}", failure=True)
        return Examination(project, failed, failed, failed, failed, failed, failed, failed)

    def _examine(self, project: Listed, team: Team | None, known: batch.ProjectState | None) -> Examination:
        # last_activity_at moves with a push, but GitLab updates it at most once an hour: the
        # head commit, where GraphQL gave it, tells a push within that hour
        state = f"{project.default_branch}@{project.last_activity_at}" + (f"@{known.head}" if known is not None else "")
        platform = team is not None and mapping.in_group(project, team.path)
        before = self._carried(project, state, known, platform)
        now = self.ctx.clock()
        window = self.config.window_days
        start = now - timedelta(days=window)
        commits = carried.since(before.commits, "committed_date", start) if before is not None else self._commits(project)
        activity = commits if isinstance(commits, Gap) else mapping.activity(commits, now, window)
        merged: list[dict[str, Any]] | Gap | None = None
        contributions: dict[str, Any] | Gap
        if team is not None and platform:
            merged = carried.since(before.merged or (), "updated_at", start) if before is not None else self._merged(project)
            contributions = merged if isinstance(merged, Gap) else mapping.contributions(
                mapping.merge_request_authors(merged), window, team.usernames
            )
        else:  # commit authors are emails, which cannot be matched to team members: outside unknown
            contributions = commits if isinstance(commits, Gap) else mapping.contributions(
                (str(commit.get("author_email") or "") for commit in commits), window, None
            )
        protection, required = self._protection(project, known, before)
        deployments = before.deployments if before is not None else self._deployments(project)
        # carried ones keep the time they were read (carried_at); else the batch's, else REST's
        security = before.security if before is not None else known.security if known is not None and known.security is not None \
            else approvals.read_push_rule(self.client, project)
        grants = before.access if before is not None and before.access is not None else self.access.read(
            project, project.full_path.split("/", 1)[0], now.date(), known.members if known is not None else None
        )
        if before is None and known is not None and self.cache is not None and not isinstance(commits, Gap) \
                and not isinstance(merged, Gap) and carried.keeps(deployments) and carried.keeps(security) \
                and carried.keeps(grants):
            carried.save(self.cache, project.full_path, state,
                         carried.Carried(now, commits, merged, deployments, security, required, grants,
                                         approval_settings.of_protection(protection)))
        return Examination(
            project, self._files(project, state), activity, contributions, protection, deployments, security, grants,
            carried_at=before.read_at if before is not None else None,
            carried_protection=before is not None and required is not None and before.required_approvals == required,
        )

    def _carried(self, project: Listed, state: str, known: batch.ProjectState | None, platform: bool) -> carried.Carried | None:
        """The last scan's answers for an unchanged project, when the head commit is known (without
        it, last_activity_at alone would miss a push within its hour)."""
        if self.cache is None or known is None:
            return None
        found = carried.load(self.cache, project.full_path, state, self.ctx.clock(), self.config.settings_max_age_hours)
        return None if found is None or (platform and found.merged is None) else found

    def _files(self, project: Listed, state: str) -> FileEvidence | Gap:
        cached = self.cache.files(project.full_path, state) if self.cache is not None else None
        if cached is not None:
            return cached
        files = self._read_files(project, state)
        if isinstance(files, FileEvidence):  # cached with them: an unchanged project asks nothing again
            files = self.includes.resolve(files, self.scanned_paths)
        if self.cache is not None and isinstance(files, FileEvidence) and project.last_activity_at:
            self.cache.save_files(project.full_path, files)
        return files

    def _read_files(self, project: Listed, state: str) -> FileEvidence | Gap:
        """The file evidence at the default branch, under `state` (the cache's key)."""
        if project.empty or project.default_branch is None:
            return no_files(state)
        max_bytes = self.config.archive_max_megabytes * MEGABYTE
        archive = project.repository_size is not None and project.repository_size <= max_bytes
        source = GitLabProject(self.client, project.id, max_bytes if archive else None)
        try:
            files = read_files(source, project.default_branch, self.ctx.limits, host="GitLab",
                               archive=ArchivePlan(source, 0, max_bytes) if archive else None)
        except ApiError as exc:
            return gap(exc)
        return replace(files, head=state)

    def _protection(
        self, project: Listed, known: batch.ProjectState | None, before: carried.Carried | None
    ) -> tuple[dict[str, Any] | Gap, int | None]:
        """vcs.branch_protection, and the approvals the default branch needs where they were read
        (carried from `before` when it has them: approval rules change without a push)."""
        if known is not None and known.protected is not None:
            protected = known.protected
        else:
            try:
                protected = list(self.client.pages("protected_branches", f"/projects/{project.id}/protected_branches"))
            except ApiError as exc:
                return gap(exc), None
        if project.default_branch is None or mapping.protection_of(project.default_branch, protected) is None:
            return mapping.branch_protection(project, protected), None  # unprotected: no approval rule can bind it
        if before is not None and before.required_approvals is not None:
            required: int | None | Gap = before.required_approvals
        else:
            required = approvals.read_required_approvals(self.client, project)
        if isinstance(required, Gap):
            return required, None
        group = self.group_approvals.get(project.full_path.split("/", 1)[0])
        settings = (
            before.approval_settings if before is not None and before.approval_settings is not None
            else approval_settings.read_project(self.client, project, group)
        )
        if isinstance(settings, Gap):
            return settings, None
        checks = known.policy_checks if known is not None else None  # policies come with the GraphQL batch only
        return {**mapping.branch_protection(replace(project, required_approvals=required), protected, checks), **settings}, required

    def _commits(self, project: Listed) -> list[dict[str, Any]] | Gap:
        """The default branch's commits of the window, newest first, at most MAX_COMMITS."""
        if project.empty or project.default_branch is None:
            return []
        since = self.ctx.clock() - timedelta(days=self.config.window_days)
        params = {"ref_name": project.default_branch, "since": since.isoformat()}
        try:
            listing = self.client.pages("repository/commits", f"/projects/{project.id}/repository/commits", params)
            return list(islice(listing, MAX_COMMITS))
        except ApiError as exc:
            return gap(exc)

    def _merged(self, project: Listed) -> list[dict[str, Any]] | Gap:
        """The merge requests merged into a platform project in the window (their authors contribute)."""
        since = self.ctx.clock() - timedelta(days=self.config.window_days)
        params = {"state": "merged", "updated_after": since.isoformat(), "scope": "all"}
        try:
            return list(self.client.pages("merge_requests", f"/projects/{project.id}/merge_requests", params))
        except ApiError as exc:
            return gap(exc)

    def _deployments(self, project: Listed) -> dict[str, Any] | Gap:
        now = self.ctx.clock()
        since = now - timedelta(days=self.config.window_days)
        params = {"updated_after": since.isoformat(), "order_by": "updated_at", "sort": "asc"}
        try:
            items = list(self.client.pages("deployments", f"/projects/{project.id}/deployments", params))
        except ApiError as exc:
            return gap(exc)
        found = mapping.deployments(items, now, self.config.window_days, self.config.production_environments)
        if not found["events"] or project.required_approvals is None:  # nothing to measure, or a Free tier
            return found
        figures = self.dora.figures(project.id, now, self.config.window_days)
        if figures is None:
            return found
        return figures if isinstance(figures, Gap) else dora_api.with_figures(found, figures)

    def _project_evidence(
        self, parent: Subject, examination: Examination, team: Team | None
    ) -> Iterator[Subject | Evidence]:
        ctx = self.ctx
        project = examination.project
        subject = repository_subject(
            "gitlab", project.full_path, parent, project.web_url, project.default_branch, "/-/blob/",
            platform=team is not None and mapping.in_group(project, team.path),
        )
        yield subject
        findings = self.findings
        files = examination.files
        yield from file_records(
            ctx, findings, subject, files,
            lambda signal: origins.classified(signal, self.config.base_url, project, ctx.internal_sources),
        )
        yield findings.record("vcs.activity", subject, examination.activity, what="commit history")
        yield findings.record("vcs.contributions", subject, examination.contributions, what="contributions")
        protection = findings.record("vcs.branch_protection", subject, examination.protection, what="branch protection")
        yield _read_at(protection, examination.carried_at if examination.carried_protection else None)
        deployments = findings.record("delivery.deployments", subject, examination.deployments, what="deployments")
        yield _read_at(deployments, examination.carried_at)
        yield findings.record("vcs.access", subject, examination.access, what="project members")
        security = findings.record("vcs.security_settings", subject, examination.security, what="push rules")
        yield _read_at(security, examination.carried_at)
        yield ctx.unsupported("vcs.template", subject, TEMPLATE_LINKS_HIDDEN)
        findings.end_subject(subject, file_problems(files, FILE_HINT))


def _read_at(record: Evidence, carried_at: datetime | None) -> Evidence:
    """A record carried from an earlier scan keeps the time it was read there."""
    return record if carried_at is None else record.model_copy(update={"observed_at": carried_at})
