"""One scan of GitHub accounts: what `GitHubCollector.collect` runs (see collector.py for the
request budget). Kept apart from the plugin class so that PyGithub loads only for a GitHub scan."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

from github import Auth

from collectors.base import Findings, Gap, WorkerPool, each_target
from collectors.cross_subject import ORIGINS, TEMPLATE_LINK, cross_reference_records, template_in_organization
from collectors.detect.references import InternalSources, classify
from collectors.githost.cache import FileEvidence, ScanCache
from collectors.githost.subjects import repository_subject
from collectors.github import access, credentials, mapping
from collectors.github.client import RATE_LIMIT_PHRASE, ApiError, GitHubClient, TokenRefused
from collectors.github.config import GitHubConfig
from collectors.github.graphql import RepoRef
from collectors.github.mapping import Listed
from collectors.github.metadata import DeniedParts, RepoMetadata, fetch_batch
from collectors.github.organization import (
    Account,
    OrganizationFacts,
    find_account,
    list_repositories,
    organization_facts,
)
from collectors.github.provides import (
    ORGANIZATION_KINDS,
    ORGANIZATION_SETTING_KINDS,
    REPOSITORY_SETTING_KINDS,
    sharded_reason,
    unread_reason,
)
from collectors.github.repository import (
    ADMIN_PERMISSION,
    Examination,
    FileOptions,
    examine,
)
from collectors.github.settings import AccountSettings, OrganizationSettings, organization_evidence
from collectors.github.settings import read_organization as read_organization_settings
from collectors.github.settings import read_repository as read_repository_settings
from collectors.github.settings_mapping import literal_names
from collectors.people import Mailmap, people
from scanner.contract import CollectContext
from scanner.errors import SourceUnavailable
from scanner.kinds import FILE_SIGNAL_KINDS
from scanner.model import Evidence, EvidenceStatus, Subject

METADATA_KINDS = ("vcs.activity", "vcs.template", "vcs.contributions", "delivery.deployments", "vcs.access")
PLATFORM_ROLES = frozenset({"admin", "maintain"})
# A 403 or 404 listing them: the token cannot see the account's repositories (fine-grained: "Repository access").
REPOSITORIES_PERMISSION = "the token needs access to the account's repositories (Metadata: read)"
USER_ACCOUNT_REASON = "a user account has no teams, members or rulesets"
SECURITY_HIDDEN = f"GitHub did not show security settings — {ADMIN_PERMISSION} (or be a security manager)"
DEPLOYMENTS_PERMISSION = "the token needs Deployments: read"
_FILE_HINT = "the file was left out; the rest of the repository was scanned"
NOT_READ = Gap("the repository could not be examined", failure=True)

GAP_HINT = "grant the permission named to see it; the rest was scanned"
RATE_HINT = "scan again after the reset, raise max_rate_limit_wait_seconds, or use a GitHub App for higher limits"


def _gap(reason: str, failure: bool = False) -> Gap:
    """A gap known only by its reason (organization facts, a page of a GraphQL list): a rate
    limit is told by the words the client's RateLimited uses."""
    return Gap(reason, failure=failure, rate_limited=RATE_LIMIT_PHRASE in reason)


def _access(data: Mapping[str, Any], name: str, teams: dict[str, int] | str | None) -> dict[str, Any] | Gap:
    """vcs.access of one repository: unsupported for a user account's, unknown when the teams or
    its collaborators could not be seen."""
    if teams is None:
        return Gap(USER_ACCOUNT_REASON, unsupported=True)
    granted = teams if isinstance(teams, str) else access.repository_access(data, teams, name)
    return _gap(granted) if isinstance(granted, str) else granted


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
        self.counter = ctx.requests
        self.now = ctx.clock()
        self.since = self.now - timedelta(days=config.window_days)
        self.cache = ScanCache.of_scan(ctx, "github", config.base_url)
        self.options = FileOptions(config.archive_threshold, config.archive_max_megabytes, ctx.limits)
        self.denied = DeniedParts()
        self.findings = Findings(ctx, "github")
        self.environments = literal_names(config.production_environments)  # asked for in the GraphQL batch
        self.repositories: set[str] = set()  # the ids of the repositories examined
        self.clients: list[GitHubClient] = []
        self._shared: GitHubClient | None = None
        self._app: Auth.AppAuth | None = None
        if config.app is None:
            self._shared = self._client(credentials.token_auth(ctx, config))
        else:
            self._app = credentials.app_auth(ctx, config)
            if config.app.installation_id is not None:
                self._shared = self._client(self._app.get_installation_auth(config.app.installation_id))

    def close(self) -> None:
        for client in self.clients:
            client.close()

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
        self._check_coverage()

    def _find(self, login: str) -> tuple[GitHubClient, Account] | Gap:
        try:
            client = self._client_for(login)
            account = find_account(client, login)
        except ApiError as exc:
            return Gap(exc.reason())
        if account is None:
            return Gap("no organization or user of that name is visible to the token")
        return client, account

    # --- clients -------------------------------------------------------------------------

    def _client(self, auth: Auth.Auth) -> GitHubClient:
        client = GitHubClient(
            self.config.base_url,
            auth,
            counter=self.counter,
            timeout=self.config.request_timeout_seconds,
            max_retries=self.config.max_retries,
            max_rate_limit_wait=self.config.max_rate_limit_wait_seconds,
            rate_limit_wait_budget=self.config.rate_limit_wait_budget_seconds,
            timer=self.ctx.timer,
            conditional=self.cache,
        )
        self.clients.append(client)
        return client

    def _client_for(self, login: str) -> GitHubClient:
        if self._shared is not None:
            return self._shared
        assert self._app is not None
        as_app = self._client(self._app)
        try:
            installation = as_app.get("app", f"/orgs/{login}/installation").data
        except ApiError as exc:
            if exc.status != 404:
                raise
            installation = as_app.get("app", f"/users/{login}/installation").data
        return self._client(self._app.get_installation_auth(int(installation["id"])))

    # --- one account ---------------------------------------------------------------------

    def _scan_account(self, client: GitHubClient, account: Account) -> Iterator[Subject | Evidence]:
        ctx = self.ctx
        org = Subject(
            id=f"github:{account.login}", kind="organization", name=account.login, source="github", url=account.url
        )
        facts = organization_facts(client, account, self.config.platform_team) if account.is_organization else None
        teams = access.team_grants(client, account, facts.team_slugs) if facts is not None else None
        unread = 0  # repositories whose files are unknown, so whose reusable-CI references are too
        try:
            listed = list_repositories(client, account)
        except ApiError as exc:
            listed, unread = [], 1
            why = f"github: cannot list the repositories of {account.login}: {exc.reason_with(REPOSITORIES_PERMISSION)}"
            ctx.problem(why, hint="the organization's own evidence was kept; scan again later")
            ctx.cut_short("repository", why)
        production = tuple(self.config.production_environments)
        settings: OrganizationSettings | AccountSettings = (
            read_organization_settings(client, account.login, listed, production)
            if account.is_organization
            else AccountSettings(production)
        )
        if ctx.includes(org.id):  # a sharded scan: the organization belongs to one shard, like a repository
            yield org
            yield from self._organization_evidence(org, facts, settings)
            self.findings.end_subject(org)

        config = self.config
        repos = [
            repo
            for repo in listed
            if mapping.selected(repo, config.include, config.exclude, config.topics, config.include_archived, config.include_forks)
            and ctx.includes(f"github:{repo.full_name}")
        ]
        platform = facts.platform_repositories if facts is not None else {}
        subjects: dict[str, Subject] = {}
        used: dict[str, list[str]] = {}
        provides: dict[str, bool] = {}
        origins: dict[str, dict[str, Any] | None] = {}
        template_links: dict[str, str | None] = {}
        for repo, examination in self._examine_all(client, repos, settings):
            subject = repository_subject(
                "github", repo.full_name, org, repo.html_url, repo.default_branch, "/blob/",
                platform=platform.get(repo.name.lower()) in PLATFORM_ROLES,
            )
            subjects[repo.full_name] = subject
            self.repositories.add(subject.id)
            yield subject
            origins[subject.id] = None
            for item in self._repository_evidence(subject, examination, facts, teams):
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
            self.findings.end_subject(subject, self._file_problems(examination))
        yield from self._consumers(account.login, subjects, used, unread, provides)
        yield from cross_reference_records(ctx, list(subjects.values()), origins, template_links)

    def _examine_all(
        self, client: GitHubClient, repos: list[Listed], settings: OrganizationSettings | AccountSettings
    ) -> Iterator[tuple[Listed, Examination]]:
        """Examinations in listing order. GraphQL batches are queued first; a batch's
        repositories are examined once it is answered, a bounded number ahead."""
        size = self.config.graphql_batch_size
        batches = [repos[start : start + size] for start in range(0, len(repos), size)]
        with WorkerPool(self.ctx.limits.max_workers, "pecm-github") as pool:
            metadata = [pool.submit(self._batch, client, batch) for batch in batches]

            def answered() -> Iterator[tuple[Listed, RepoMetadata | ApiError]]:
                for batch, asked in zip(batches, metadata):
                    metas = asked.result()
                    yield from ((repo, metas[repo.full_name]) for repo in batch)

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
        self, client: GitHubClient, repo: Listed, meta: RepoMetadata | ApiError, settings: OrganizationSettings | AccountSettings
    ) -> Examination:
        examination = examine(client, repo, meta, self.options, self.cache, self.since)
        examination.settings = read_repository_settings(client, repo, meta, settings)
        return examination

    @staticmethod
    def _failed(item: tuple[Listed, RepoMetadata | ApiError], exc: Exception) -> Examination:
        """An answer of a shape we did not expect costs one repository."""
        failed = Gap(f"unexpected answer from GitHub: {type(exc).__name__}: {exc}", failure=True)
        return Examination(item[0], failed, failed, failed)

    # --- evidence --------------------------------------------------------------------------

    def _organization_evidence(
        self, org: Subject, facts: OrganizationFacts | None, settings: OrganizationSettings | AccountSettings
    ) -> Iterator[Evidence]:
        if facts is None or not isinstance(settings, OrganizationSettings):
            for kind in (*ORGANIZATION_KINDS, *ORGANIZATION_SETTING_KINDS):
                yield self.findings.record(kind, org, Gap(USER_ACCOUNT_REASON, unsupported=True))
            return
        for kind, value in (("org.teams", facts.teams), ("org.access", facts.access), ("org.rulesets", facts.rulesets)):
            yield self.findings.record(kind, org, value if isinstance(value, dict) else _gap(value))
        for kind, setting in organization_evidence(settings):
            yield self.findings.record(kind, org, setting)

    def _repository_evidence(
        self, subject: Subject, examination: Examination, facts: OrganizationFacts | None, teams: dict[str, int] | str | None
    ) -> Iterator[Evidence]:
        ctx, repo, window, findings = self.ctx, examination.repo, self.config.window_days, self.findings
        files = examination.files
        if isinstance(files, FileEvidence):
            for kind in FILE_SIGNAL_KINDS:
                if kind in files.unknown:
                    yield ctx.unavailable(kind, subject, files.unknown[kind])
                    continue
                signal = files.signals[kind]
                if kind == ORIGINS:  # told apart here, not in the cached signals: the patterns may change
                    own_url = repo.html_url or f"https://github.com/{repo.full_name}"
                    signal = classify(signal, InternalSources.of([own_url], ctx.internal_sources), repo.full_name)
                yield ctx.observed(kind, subject, signal, tuple(files.locators.get(kind, ())))
            yield ctx.observed("repo.inventory", subject, files.inventory)
        else:
            yield from findings.records((*FILE_SIGNAL_KINDS, "repo.inventory"), subject, files, "file signals")

        meta = examination.meta
        data = meta.data if isinstance(meta, RepoMetadata) else None
        # Who wrote each commit: bots left out, addresses joined by the repository's .mailmap.
        person = people(Mailmap(files.mailmap if isinstance(files, FileEvidence) else ""), self.config.bots)
        if isinstance(meta, RepoMetadata):
            if "history" in meta.incomplete:
                history = _gap(meta.incomplete["history"], failure=True)
                yield from findings.records(("vcs.activity", "vcs.contributions"), subject, history, "commit history")
            else:
                yield ctx.observed("vcs.activity", subject, mapping.activity(meta.data, meta.commits, self.now, window, person))
                members = facts.platform_members if facts is not None else None
                yield ctx.observed("vcs.contributions", subject, mapping.contributions(meta.commits, window, members, person))
            yield ctx.observed("vcs.template", subject, mapping.template_link(meta.data, repo.owner))
            delivery = (
                _gap(meta.incomplete["deployments"], failure=True)
                if "deployments" in meta.incomplete
                else self._delivery(meta, examination.deploy_runs)
            )
            yield findings.record("delivery.deployments", subject, delivery, what="deployments")
            yield findings.record("vcs.access", subject, _access(meta.data, repo.name, teams), what="repository access")
        else:
            yield from findings.records(METADATA_KINDS, subject, meta, "commit history, template and deployments")

        yield ctx.observed("collaboration.feedback", subject, mapping.feedback(repo, data))
        security = mapping.security_settings(repo, data)
        yield findings.record("vcs.security_settings", subject, Gap(SECURITY_HIDDEN) if security is None else security,
                              what="security settings")
        yield findings.record("vcs.branch_protection", subject, examination.protection, what="branch protection")
        for kind in REPOSITORY_SETTING_KINDS:
            yield findings.record(
                kind, subject, examination.settings.get(kind, examination.meta if isinstance(examination.meta, Gap) else NOT_READ)
            )

    def _delivery(self, meta: RepoMetadata, runs: list[Mapping[str, Any]] | Gap | None) -> dict[str, Any] | Gap:
        """delivery.deployments from GitHub's deployments or, where they were asked for and some
        were found, from deploy workflow runs. A refusal of the runs makes the evidence
        unavailable only where they were the one possible source: no deployment was ever seen."""
        window = self.config.window_days
        if isinstance(runs, list) and runs:
            return mapping.run_deployments(runs, meta.commits, self.now, window)
        if "deployments" in meta.denied:
            return Gap(f"{meta.denied['deployments']} — {DEPLOYMENTS_PERMISSION}")
        if isinstance(runs, Gap) and not meta.deployments:
            return runs
        return mapping.deployments(
            meta.deployments, self.now, window, bool(meta.deployments), self.config.production_environments
        )

    @staticmethod
    def _file_problems(examination: Examination) -> list[tuple[str, str]]:
        files = examination.files
        return [(line, _FILE_HINT) for line in files.problems] if isinstance(files, FileEvidence) else []

    def _consumers(
        self, login: str, subjects: dict[str, Subject], used: dict[str, list[str]], unread: int, provides: dict[str, bool]
    ) -> Iterator[Evidence]:
        """ci.reusable_consumers, once every repository's references are known. Where some
        repositories could not be read, a repository with no known consumer may have some."""
        known = mapping.consumers_by_repository(subjects, used, login, unread, provides)
        for full_name, subject in subjects.items():
            found = known[full_name]
            if self.ctx.shard is not None:  # consumers live in every shard; `pecm merge` recomputes them
                yield self.ctx.unavailable("ci.reusable_consumers", subject, sharded_reason(login))
            elif found is not None:
                yield self.ctx.observed("ci.reusable_consumers", subject, {"consumers": len(found), "repositories": found})
            else:
                yield self.ctx.unavailable("ci.reusable_consumers", subject, unread_reason(login))

    def _check_coverage(self) -> None:
        """A scan that read too few repositories in full is a failed scan, not a verdict on the rest.

        Refusals (a permission the token lacks) do not lower coverage: they are the same for every
        scan and say what to grant. Requests that kept failing and rate limits do."""
        total = len(self.repositories)
        if not total:
            return
        fully = total - len(self.repositories & (self.findings.failed | self.findings.rate_limited))
        if fully / total < self.config.coverage_floor:
            raise SourceUnavailable(
                f"github: only {fully} of {total} repositories ({fully / total:.1%}) were read in full, below "
                f"coverage_floor {self.config.coverage_floor:.0%}; what was read is kept",
                hint="see the problems above and scan again later, or lower coverage_floor to accept a partial scan",
            )
