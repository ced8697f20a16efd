"""One scan of GitHub accounts: what `GitHubCollector.collect` runs (see collector.py for the
request budget). Kept apart from the plugin class so that PyGithub loads only for a GitHub scan."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future
from datetime import timedelta
from typing import Any

from collectors.base import Findings, Gap, WorkerPool, completed, each_target
from collectors.cross_subject import ORIGINS, TEMPLATE_LINK, cross_reference_records, template_in_organization
from collectors.githost.cache import FileEvidence, ScanCache
from collectors.githost.file_records import file_problems
from collectors.githost.selection import selected
from collectors.githost.subjects import repository_subject
from collectors.github import access, credentials
from collectors.github.client import ApiError, GitHubClient, TokenRefused
from collectors.github.clients import ScanClients
from collectors.github.config import GitHubConfig
from collectors.github.graphql import RepoRef
from collectors.github.mapping import Listed
from collectors.github.metadata import DeniedParts, RepoMetadata, fetch_batch
from collectors.github.organization import (
    Account,
    find_account,
    list_repositories,
    organization_facts,
)
from collectors.github.records import FILE_HINT, Records
from collectors.github.repository import (
    Examination,
    FileOptions,
    examine,
)
from collectors.github.settings import AccountSettings, OrganizationSettings
from collectors.github.settings import read_organization as read_organization_settings
from collectors.github.settings import read_repository as read_repository_settings
from collectors.github.settings_mapping import literal_names
from scanner.contract import CollectContext
from scanner.errors import SourceUnavailable
from scanner.model import Evidence, EvidenceStatus, Subject

PLATFORM_ROLES = frozenset({"admin", "maintain"})
# A 403 or 404 listing them: the token cannot see the account's repositories (fine-grained: "Repository access").
REPOSITORIES_PERMISSION = "the token needs access to the account's repositories (Metadata: read)"
# GraphQL batches asked for ahead of the repositories being examined: two keep the next batch
# answered before its repositories are reached, and leave the other workers to files.
BATCHES_AHEAD = 2

GAP_HINT = "grant the permission named to see it; the rest was scanned"
RATE_HINT = "scan again after the reset, raise max_rate_limit_wait_seconds, or use a GitHub App for higher limits"


def scan_github(ctx: CollectContext, config: GitHubConfig) -> Iterator[Subject | Evidence]:
    credentials.scrub_pygithub_logs()
    scan = _Scan(ctx, config)
    try:
        yield from scan.run()
    except TokenRefused as exc:
        raise credentials.refused(config, exc.message) from None
    finally:
        scan.close()


class _Scan:
    def __init__(self, ctx: CollectContext, config: GitHubConfig) -> None:
        self.ctx = ctx
        self.config = config
        self.now = ctx.clock()
        self.since = self.now - timedelta(days=config.window_days)
        self.cache = ScanCache.of_scan(ctx, "github", config.base_url)
        self.options = FileOptions(config.archive_threshold, config.archive_max_megabytes, ctx.limits)
        self.denied = DeniedParts()
        self.findings = Findings(ctx, "github")
        self.environments = literal_names(config.production_environments)  # asked for in the GraphQL batch
        self.records = Records(ctx, config, self.findings, self.now)
        self.repositories: set[str] = set()  # the ids of the repositories examined
        self.clients = ScanClients(ctx, config, self.cache)

    def close(self) -> None:
        self.clients.close()

    def run(self) -> Iterator[Subject | Evidence]:
        yield from each_target(
            self.ctx,
            "github",
            self.config.base_url,
            self.config.organizations,
            self._find,
            lambda found: self._scan_account(*found),
            name_hint="check the name in sources.github.organizations",
            unreachable_hint="check base_url, the organization names and the network",
        )
        self.findings.report_gaps(GAP_HINT, RATE_HINT)
        if self.cache is not None:
            self.cache.prune_unused(self.ctx, self.config.cache_max_age_days)
        _check_coverage(self.repositories, self.findings, self.config.coverage_floor)

    def _find(self, login: str) -> tuple[GitHubClient, Account] | Gap:
        try:
            client = self.clients.for_account(login)
            account = find_account(client, login)
        except ApiError as exc:
            return Gap(exc.reason())
        if account is None:
            return Gap("no organization or user of that name is visible to the token")
        return client, account

    # --- one account ---------------------------------------------------------------------

    def _scan_account(self, client: GitHubClient, account: Account) -> Iterator[Subject | Evidence]:
        with WorkerPool(self.ctx.limits.max_workers, "pecm-github") as pool:
            yield from self._scan_account_in(pool, client, account)

    def _scan_account_in(self, pool: WorkerPool, client: GitHubClient, account: Account) -> Iterator[Subject | Evidence]:
        """The account's own lists run in the pool beside one another (the repository listing
        while the organization's facts are read, then the settings beside each team's
        repositories), so that no chain of them holds the repositories' examinations back."""
        ctx = self.ctx
        org = Subject(
            id=f"github:{account.login}", kind="organization", name=account.login, source="github", url=account.url
        )
        listing = pool.submit(list_repositories, client, account)
        facts = organization_facts(client, account, self.config.platform_team) if account.is_organization else None
        unread = 0  # repositories whose files are unknown, so whose reusable-CI references are too
        try:
            listed = listing.result()
        except ApiError as exc:
            listed, unread = [], 1
            why = f"github: cannot list the repositories of {account.login}: {exc.reason_with(REPOSITORIES_PERMISSION)}"
            ctx.problem(why, hint="the organization's own evidence was kept; scan again later")
            ctx.cut_short("repository", why)
        production = tuple(self.config.production_environments)
        settings: Future[OrganizationSettings | AccountSettings] = (
            pool.submit(read_organization_settings, client, account.login, listed, production)
            if account.is_organization
            else completed(AccountSettings(production))
        )
        # After the settings, which the examinations wait for; the team lists only the evidence does.
        grants = access.TeamGrants(pool, client, account, facts.team_slugs) if facts is not None else None
        if ctx.includes(org.id):  # a sharded scan: the organization belongs to one shard, like a repository
            yield org
            yield from self.records.organization(org, facts, settings.result())
            self.findings.end_subject(org)

        config = self.config
        repos = [
            repo
            for repo in listed
            if selected(repo, (repo.name,), config) and ctx.includes(f"github:{repo.full_name}")
        ]
        platform = facts.platform_repositories if facts is not None else {}
        subjects: dict[str, Subject] = {}
        used: dict[str, list[str]] = {}
        provides: dict[str, bool] = {}
        origins: dict[str, dict[str, Any] | None] = {}
        template_links: dict[str, str | None] = {}
        for repo, examination in self._examine_all(pool, client, repos, settings):
            subject = repository_subject(
                "github", repo.full_name, org, repo.html_url, repo.default_branch, "/blob/",
                platform=platform.get(repo.name.lower()) in PLATFORM_ROLES,
            )
            subjects[repo.full_name] = subject
            self.repositories.add(subject.id)
            yield subject
            origins[subject.id] = None
            teams = grants.result() if grants is not None else None
            for item in self.records.repository(subject, examination, facts, teams):
                if item.kind == ORIGINS and item.status is EvidenceStatus.OBSERVED:
                    origins[subject.id] = item.data
                elif item.kind == TEMPLATE_LINK and item.status is EvidenceStatus.OBSERVED:
                    template_links[subject.id] = template_in_organization(item.data)
                yield item
            if isinstance(examination.files, FileEvidence):
                used[repo.full_name] = list(examination.files.signals["ci.reusable_used"].get("refs") or ())
                provides[repo.full_name] = bool(examination.files.signals["ci.reusable_provided"].get("present"))
            else:
                unread += 1
            self.findings.end_subject(subject, file_problems(examination.files, FILE_HINT))
        yield from self.records.consumers(account.login, subjects, used, unread, provides)
        yield from cross_reference_records(ctx, list(subjects.values()), origins, template_links)

    def _examine_all(
        self,
        pool: WorkerPool,
        client: GitHubClient,
        repos: list[Listed],
        settings: Future[OrganizationSettings | AccountSettings],
    ) -> Iterator[tuple[Listed, Examination]]:
        """Examinations in listing order. A batch's repositories are examined once its GraphQL
        query is answered, a bounded number ahead. Only BATCHES_AHEAD queries are queued ahead of
        the examinations: queued all at once, they kept every worker on GraphQL and none on
        files until the last batch was answered."""
        size = self.config.graphql_batch_size
        batches = [repos[start : start + size] for start in range(0, len(repos), size)]

        def answered() -> Iterator[tuple[Listed, RepoMetadata | ApiError]]:
            unasked = iter(batches)
            asked: deque[tuple[list[Listed], Future[dict[str, RepoMetadata | ApiError]]]] = deque()
            while True:
                while len(asked) < BATCHES_AHEAD and (batch := next(unasked, None)) is not None:
                    asked.append((batch, pool.submit(self._batch, client, batch)))
                if not asked:
                    return
                batch, metas = asked.popleft()
                yield from ((repo, metas.result()[repo.full_name]) for repo in batch)

        for (repo, _meta), examination in pool.in_order(
            answered(), lambda item: self._examine(client, *item, settings),
            self._failed, fatal=(TokenRefused,),
        ):
            yield repo, examination

    def _batch(self, client: GitHubClient, batch: list[Listed]) -> dict[str, RepoMetadata | ApiError]:
        refs = [RepoRef(repo.owner, repo.name) for repo in batch]
        try:
            answers = fetch_batch(client, refs, self.since, self.now, self.denied, self.environments)
        except ApiError as exc:
            return {repo.full_name: exc for repo in batch}
        return {repo.full_name: answers[ref] for repo, ref in zip(batch, refs)}

    def _examine(
        self,
        client: GitHubClient,
        repo: Listed,
        meta: RepoMetadata | ApiError,
        settings: Future[OrganizationSettings | AccountSettings],
    ) -> Examination:
        examination = examine(client, repo, meta, self.options, self.cache, self.since)
        # Queued before any examination, so running or done by now: waiting here cannot starve the pool.
        examination.settings = read_repository_settings(client, repo, meta, settings.result())
        return examination

    @staticmethod
    def _failed(item: tuple[Listed, RepoMetadata | ApiError], exc: Exception) -> Examination:
        """An answer of a shape we did not expect costs one repository."""
        failed = Gap(f"unexpected answer from GitHub: {type(exc).__name__}: {exc}", failure=True)
        return Examination(item[0], failed, failed, failed)


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
