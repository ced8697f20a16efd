"""One scan of GitLab groups: what `GitLabCollector.collect` runs (see collector.py for the
request budget). Kept apart from the plugin class so that python-gitlab loads only for a GitLab scan.

It composes the parts, on the collector base: each top-level group found (`each_target`) is
read (group.py), its projects examined in listing order (examinations.py, one project:
project.py), each subject yielded before its records (records.py), and the records that need
every project of the group made last (relations.py); gaps are told once per reason at the end
(`Findings`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from collectors.base import Findings, each_target
from collectors.githost.cache import ScanCache
from collectors.githost.file_records import file_problems
from collectors.githost.subjects import repository_subject
from collectors.gitlab import mapping
from collectors.gitlab.client import GitLabClient, TokenRefused
from collectors.gitlab.config import GitLabConfig
from collectors.gitlab.dora_api import DoraApi
from collectors.gitlab.examinations import examinations
from collectors.gitlab.group import find_group, read_facts, read_group
from collectors.gitlab.instance import server_fqdn
from collectors.gitlab.project import Examiner, GroupScope
from collectors.gitlab.records import FILE_HINT, Records
from collectors.gitlab.relations import GroupRelations
from scanner.contract import CollectContext
from scanner.errors import CredentialsUnusable
from scanner.model import Evidence, Subject

GAP_HINT = "grant the role or scope named to see it; the rest was scanned"
RATE_HINT = "scan again after the reset, or raise max_rate_limit_wait_seconds"


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
    # File evidence is reused while a project's default branch and last activity are
    # unchanged: its tree and files then cost no request (GitLab lists both for free).
    cache = ScanCache.of_scan(ctx, "gitlab", config.base_url)
    findings = Findings(ctx, "gitlab")
    dora = DoraApi(client)  # the group's refusal spares its projects the asking
    scan = _Parts(ctx, config, client, cache, findings, dora, Records(ctx, findings, config.base_url, ctx.internal_sources),
                  Examiner.of(ctx, config, client, cache, dora))
    try:
        yield from each_target(
            ctx,
            "gitlab",
            config.base_url,
            config.groups,
            lambda path: find_group(client, path),
            lambda group: _group(scan, group),
            name_hint="check the path in sources.gitlab.groups",
            unreachable_hint="check base_url (the instance's address, without /api/v4), the group paths and the network",
        )
        findings.report_gaps(GAP_HINT, RATE_HINT)
        if cache is not None:
            cache.prune_unused(ctx, config.cache_max_age_days)
    except TokenRefused as exc:
        raise CredentialsUnusable(
            f"gitlab: the token in {config.token_env} was refused ({exc})",
            hint="create a new token with the read_api scope; it may have expired or been revoked",
        ) from None
    finally:
        client.close()


@dataclass(frozen=True)
class _Parts:
    """What every group of one scan is read, examined and recorded with."""

    ctx: CollectContext
    config: GitLabConfig
    client: GitLabClient
    cache: ScanCache | None
    findings: Findings
    dora: DoraApi
    records: Records
    examiner: Examiner


def _group(scan: _Parts, group: Mapping[str, Any]) -> Iterator[Subject | Evidence]:
    """The group's subject and records (when its shard holds it), then each project's in listing
    order, then those that need every project of the group."""
    ctx, findings, records = scan.ctx, scan.findings, scan.records
    read = read_group(ctx, scan.config, scan.client, group)
    org = read.subject
    if ctx.includes(org.id):
        yield org
        yield from records.group(org, read_facts(scan.config, scan.client, scan.cache, scan.dora, read, ctx.clock()), read.teams)
        findings.end_subject(org)
    team = read.team
    scope = GroupScope(team, frozenset(project.full_path.lower() for project in read.projects), read.approval_settings)
    relations = GroupRelations(ctx, org.name, server_fqdn(scan.config.base_url))
    for project, examination in examinations(ctx, scan.examiner, read.chosen, scope):
        subject = repository_subject(
            "gitlab", project.full_path, org, project.web_url, project.default_branch, "/-/blob/",
            platform=team is not None and mapping.in_group(project, team.path),
        )
        yield subject
        yield from relations.project(project.full_path, subject, records.project(subject, examination), examination.files)
        findings.end_subject(subject, file_problems(examination.files, FILE_HINT))
    yield from relations.records()
