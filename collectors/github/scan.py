"""One scan of GitHub accounts: what `GitHubCollector.collect` runs (see collector.py for the
request budget). Kept apart from the plugin class so that PyGithub loads only for a GitHub scan.

It composes the parts, on the collector base: each account found (`each_target`) is read
(account.py), its repositories examined in listing order (examinations.py), each subject
yielded before its records (records.py), and the records that need every repository of the
account made last (relations.py); gaps are told once per reason at the end (`Findings`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from collectors.base import Findings, Gap, WorkerPool, each_target
from collectors.githost.cache import ScanCache
from collectors.githost.file_records import file_problems
from collectors.githost.subjects import repository_subject
from collectors.github import credentials
from collectors.github.account import read_account
from collectors.github.client import ApiError, GitHubClient, TokenRefused
from collectors.github.clients import ScanClients
from collectors.github.config import GitHubConfig
from collectors.github.examinations import Examiner
from collectors.github.organization import Account, find_account
from collectors.github.records import FILE_HINT, Records
from collectors.github.relations import AccountRelations
from scanner.contract import CollectContext
from scanner.errors import SourceUnavailable
from scanner.model import Evidence, Subject

GAP_HINT = "grant the permission named to see it; the rest was scanned"
RATE_HINT = "scan again after the reset, raise max_rate_limit_wait_seconds, or use a GitHub App for higher limits"


def scan_github(ctx: CollectContext, config: GitHubConfig) -> Iterator[Subject | Evidence]:
    credentials.scrub_pygithub_logs()
    now = ctx.clock()
    cache = ScanCache.of_scan(ctx, "github", config.base_url)
    findings = Findings(ctx, "github")
    scan = _Parts(ctx, config, findings, Records(ctx, config, findings, now), Examiner.of(ctx, config, cache, now))
    clients = ScanClients(ctx, config, cache)
    examined: set[str] = set()  # the ids of the repositories examined

    def scan_account(found: tuple[GitHubClient, Account]) -> Iterator[Subject | Evidence]:
        with WorkerPool(ctx.limits.max_workers, "pecm-github") as pool:
            yield from _account(scan, pool, *found, examined)

    try:
        yield from each_target(
            ctx,
            "github",
            config.base_url,
            config.organizations,
            lambda login: _find(clients, login),
            scan_account,
            name_hint="check the name in sources.github.organizations",
            unreachable_hint="check base_url, the organization names and the network",
        )
        findings.report_gaps(GAP_HINT, RATE_HINT)
        if cache is not None:
            cache.prune_unused(ctx, config.cache_max_age_days)
        _check_coverage(examined, findings, config.coverage_floor)
    except TokenRefused as exc:
        raise credentials.refused(config, exc.message) from None
    finally:
        clients.close()


@dataclass(frozen=True)
class _Parts:
    """What every account of one scan is read, examined and recorded with."""

    ctx: CollectContext
    config: GitHubConfig
    findings: Findings
    records: Records
    examiner: Examiner


def _find(clients: ScanClients, login: str) -> tuple[GitHubClient, Account] | Gap:
    try:
        client = clients.for_account(login)
        account = find_account(client, login)
    except ApiError as exc:
        return Gap(exc.reason())
    if account is None:
        return Gap("no organization or user of that name is visible to the token")
    return client, account


def _account(
    scan: _Parts, pool: WorkerPool, client: GitHubClient, account: Account, examined: set[str]
) -> Iterator[Subject | Evidence]:
    """The account's subject and records (when its shard holds it), then each repository's in
    listing order, then those that need every repository of the account."""
    ctx, findings, records = scan.ctx, scan.findings, scan.records
    read = read_account(ctx, scan.config, pool, client, account)
    org = read.subject
    if ctx.includes(org.id):  # a sharded scan: the organization belongs to one shard, like a repository
        yield org
        yield from records.organization(org, read.facts, read.settings.result())
        findings.end_subject(org)
    relations = AccountRelations(ctx, account.login)
    for repo, examination in scan.examiner.examinations(pool, client, read.repositories, read.settings):
        subject = repository_subject(
            "github", repo.full_name, org, repo.html_url, repo.default_branch, "/blob/", platform=read.is_platform(repo)
        )
        examined.add(subject.id)
        yield subject
        evidence = records.repository(subject, examination, read.facts, read.team_grants())
        yield from relations.repository(repo.full_name, subject, evidence, examination.files)
        findings.end_subject(subject, file_problems(examination.files, FILE_HINT))
    yield from relations.records()


def _check_coverage(repositories: set[str], findings: Findings, floor: float) -> None:
    """A scan that read too few repositories (ids) in full is a failed scan, not a verdict on the rest.

    Refusals (a permission the token lacks) do not lower coverage: they are the same for every
    scan and say what to grant. Requests that kept failing and rate limits do."""
    total = len(repositories)
    if not total:
        return
    fully = total - len(repositories & (findings.failed | findings.rate_limited))
    if fully / total < floor:
        raise SourceUnavailable(
            f"github: only {fully} of {total} repositories ({fully / total:.1%}) were read in full, below "
            f"coverage_floor {floor:.0%}; what was read is kept",
            hint="see the problems above and scan again later, or lower coverage_floor to accept a partial scan",
        )
