"""One scan of GitHub accounts: what `GitHubCollector.collect` runs (see collector.py for the
request budget). Kept apart from the plugin class so that PyGithub loads only for a GitHub scan."""

from __future__ import annotations

import logging
from collections import Counter, deque
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from github import Auth

from collectors.cross_subject import ORIGINS, cross_reference_records
from collectors.detect.references import InternalSources, classify
from collectors.githost.cache import FileEvidence, ScanCache
from collectors.github import credentials, mapping
from collectors.github.client import ApiError, GitHubClient, TokenRefused
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
from collectors.github.provides import ORGANIZATION_KINDS, sharded_reason, unread_reason
from collectors.github.repository import (
    ADMIN_PERMISSION,
    Examination,
    FileOptions,
    Gap,
    examine,
)
from collectors.people import Mailmap, people
from scanner.contract import CollectContext
from scanner.errors import SourceUnavailable
from scanner.kinds import FILE_SIGNAL_KINDS
from scanner.model import Evidence, EvidenceStatus, Subject

log = logging.getLogger(__name__)

METADATA_KINDS = ("vcs.activity", "vcs.template", "vcs.contributions", "delivery.deployments")
PLATFORM_ROLES = frozenset({"admin", "maintain"})
MAX_PROBLEMS_PER_REPOSITORY = 10
USER_ACCOUNT_REASON = "a user account has no teams, members or rulesets"
SECURITY_HIDDEN = f"GitHub did not show security settings — {ADMIN_PERMISSION} (or be a security manager)"
DEPLOYMENTS_PERMISSION = "the token needs Deployments: read"
_FILE_HINT = "the file was left out; the rest of the repository was scanned"


@dataclass
class _Gaps:
    """Unavailable evidence told once per reason, not once per repository."""

    by_reason: Counter[tuple[str, str]] = field(default_factory=Counter)  # (what, reason) -> repositories
    rate_limited: set[str] = field(default_factory=set)
    rate_reason: str = ""
    failed: set[str] = field(default_factory=set)  # subjects some of whose requests kept failing

    def note(self, subject: Subject, what: str, missing: Gap) -> None:
        if "rate limit exhausted" in missing.reason:
            self.rate_limited.add(subject.id)
            self.rate_reason = self.rate_reason or missing.reason
        elif missing.failure:
            self.failed.add(subject.id)
        else:
            self.by_reason[(what, missing.reason)] += 1


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
        self.gaps = _Gaps()
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
        failures: list[str] = []
        found = 0
        for login in self.config.organizations:
            try:
                client = self._client_for(login)
                account = find_account(client, login)
            except ApiError as exc:
                failures.append(f"{login}: {exc.reason()}")
                continue
            if account is None:
                failures.append(f"{login}: no organization or user of that name is visible to the token")
                continue
            found += 1
            yield from self._scan_account(client, account)
        if not found:
            raise SourceUnavailable(
                f"github: nothing could be scanned at {self.config.base_url}: " + "; ".join(failures),
                hint="check base_url, the organization names and the network",
            )
        for failure in failures:
            self.ctx.problem(f"github: {failure}", hint="check the name in sources.github.organizations")
            for subject_kind in ("organization", "repository"):  # that account's are unknown, not absent
                self.ctx.cut_short(subject_kind, f"github: {failure}")
        self._report_gaps()
        if self.cache is not None:
            self.cache.prune_unused(self.ctx, self.config.cache_max_age_days)
        self._check_coverage()

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
        unread = 0  # repositories whose files are unknown, so whose reusable-CI references are too
        try:
            listed = list_repositories(client, account)
        except ApiError as exc:
            listed, unread = [], 1
            ctx.problem(
                f"github: cannot list the repositories of {account.login}: {exc.reason()}",
                hint="the organization's own evidence was kept; scan again later",
            )
            ctx.cut_short("repository", f"github: cannot list the repositories of {account.login}: {exc.reason()}")
        if ctx.includes(org.id):  # a sharded scan: the organization belongs to one shard, like a repository
            yield org
            yield from self._organization_evidence(org, facts)
            ctx.progress(org.id)

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
        for examination in self._examine_all(client, repos):
            repo = examination.repo
            subject = Subject(
                id=f"github:{repo.full_name}",
                kind="repository",
                name=repo.full_name,
                source="github",
                parent=org.id,
                url=repo.html_url,
                files_url=f"{repo.html_url}/blob/{quote(repo.default_branch, safe='')}/"
                if repo.html_url and repo.default_branch
                else None,
                tags=("platform",) if platform.get(repo.name.lower()) in PLATFORM_ROLES else (),
            )
            subjects[repo.full_name] = subject
            self.repositories.add(subject.id)
            yield subject
            origins[subject.id] = None
            for item in self._repository_evidence(subject, examination, facts):
                if item.kind == ORIGINS and item.status is EvidenceStatus.OBSERVED:
                    origins[subject.id] = item.data
                yield item
            if isinstance(examination.files, FileEvidence):
                used[repo.full_name] = list(examination.files.signals["ci.reusable_used"].get("refs") or ())
                provides[repo.full_name] = bool(examination.files.signals["ci.reusable_provided"].get("present"))
            else:
                unread += 1
            ctx.progress(subject.id)
        yield from self._consumers(account.login, subjects, used, unread, provides)
        yield from cross_reference_records(ctx, list(subjects.values()), origins)

    def _examine_all(self, client: GitHubClient, repos: list[Listed]) -> Iterator[Examination]:
        """Examinations in listing order. GraphQL batches are queued first; each batch's
        repositories are queued as soon as it is answered, a bounded number ahead."""
        workers = max(1, self.ctx.limits.max_workers)
        size = self.config.graphql_batch_size
        batches = [repos[start : start + size] for start in range(0, len(repos), size)]
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pecm-github")
        try:
            metadata = [pool.submit(self._batch, client, batch) for batch in batches]
            ahead: deque[Future[Examination]] = deque()
            for batch, answered in zip(batches, metadata):
                metas = answered.result()
                for repo in batch:
                    ahead.append(pool.submit(self._examine, client, repo, metas[repo.full_name]))
                while len(ahead) > 2 * workers:
                    yield ahead.popleft().result()
            while ahead:
                yield ahead.popleft().result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def _batch(self, client: GitHubClient, batch: list[Listed]) -> dict[str, RepoMetadata | ApiError]:
        refs = [RepoRef(repo.owner, repo.name) for repo in batch]
        try:
            answers = fetch_batch(client, refs, self.since, self.now, self.denied)
        except ApiError as exc:
            return {repo.full_name: exc for repo in batch}
        return {repo.full_name: answers[ref] for repo, ref in zip(batch, refs)}

    def _examine(self, client: GitHubClient, repo: Listed, meta: RepoMetadata | ApiError) -> Examination:
        try:
            return examine(client, repo, meta, self.options, self.cache, self.since)
        except (TokenRefused, SourceUnavailable):
            raise
        except Exception as exc:  # an answer of a shape we did not expect costs one repository
            log.debug("examining %s failed", repo.full_name, exc_info=True)
            failed = Gap(f"unexpected answer from GitHub: {type(exc).__name__}: {exc}", failure=True)
            return Examination(repo, failed, failed, failed)

    # --- evidence --------------------------------------------------------------------------

    def _organization_evidence(self, org: Subject, facts: OrganizationFacts | None) -> Iterator[Evidence]:
        ctx = self.ctx
        if facts is None:
            for kind in ORGANIZATION_KINDS:
                yield ctx.unsupported(kind, org, USER_ACCOUNT_REASON)
            return
        for kind, value in (("org.teams", facts.teams), ("org.access", facts.access), ("org.rulesets", facts.rulesets)):
            if isinstance(value, dict):
                yield ctx.observed(kind, org, value)
            else:
                self.gaps.note(org, kind, Gap(value))
                yield ctx.unavailable(kind, org, value)

    def _repository_evidence(
        self, subject: Subject, examination: Examination, facts: OrganizationFacts | None
    ) -> Iterator[Evidence]:
        ctx, repo, window = self.ctx, examination.repo, self.config.window_days
        failures: list[str] = []

        def missing(kinds: tuple[str, ...], what: str, why: Gap) -> Iterator[Evidence]:
            self.gaps.note(subject, what, why)
            if why.failure and why.reason not in failures:
                failures.append(why.reason)
            for kind in kinds:
                yield ctx.unavailable(kind, subject, why.reason)

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
            self._file_problems(subject, files.problems)
        else:
            yield from missing((*FILE_SIGNAL_KINDS, "repo.inventory"), "file signals", files)

        meta = examination.meta
        data = meta.data if isinstance(meta, RepoMetadata) else None
        # Who wrote each commit: bots left out, addresses joined by the repository's .mailmap.
        person = people(Mailmap(files.mailmap if isinstance(files, FileEvidence) else ""), self.config.bots)
        if isinstance(meta, RepoMetadata):
            if "history" in meta.incomplete:
                yield from missing(("vcs.activity", "vcs.contributions"), "commit history", Gap(meta.incomplete["history"], failure=True))
            else:
                yield ctx.observed("vcs.activity", subject, mapping.activity(meta.data, meta.commits, self.now, window, person))
                members = facts.platform_members if facts is not None else None
                yield ctx.observed("vcs.contributions", subject, mapping.contributions(meta.commits, window, members, person))
            yield ctx.observed("vcs.template", subject, mapping.template_link(meta.data, repo.owner))
            delivery = (
                Gap(meta.incomplete["deployments"], failure=True)
                if "deployments" in meta.incomplete
                else self._delivery(meta, examination.deploy_runs)
            )
            if isinstance(delivery, Gap):
                yield from missing(("delivery.deployments",), "deployments", delivery)
            else:
                yield ctx.observed("delivery.deployments", subject, delivery)
        else:
            yield from missing(METADATA_KINDS, "commit history, template and deployments", meta)

        yield ctx.observed("collaboration.feedback", subject, mapping.feedback(repo, data))
        security = mapping.security_settings(repo, data)
        if security is None:
            yield from missing(("vcs.security_settings",), "security settings", Gap(SECURITY_HIDDEN))
        else:
            yield ctx.observed("vcs.security_settings", subject, security)
        if isinstance(examination.protection, dict):
            yield ctx.observed("vcs.branch_protection", subject, examination.protection)
        else:
            yield from missing(("vcs.branch_protection",), "branch protection", examination.protection)
        if failures:
            ctx.problem(
                f"{repo.full_name}: requests kept failing ({'; '.join(failures)}); the evidence they carry is unavailable",
                subject,
                hint="scan again later; the other repositories were scanned",
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

    def _file_problems(self, subject: Subject, problems: list[str]) -> None:
        for line in problems[:MAX_PROBLEMS_PER_REPOSITORY]:
            self.ctx.problem(f"{subject.name}: {line}", subject, hint=_FILE_HINT)
        if len(problems) > MAX_PROBLEMS_PER_REPOSITORY:
            self.ctx.problem(
                f"{subject.name}: {len(problems) - MAX_PROBLEMS_PER_REPOSITORY} more problems not shown",
                subject,
                hint="fix the ones shown and scan again to see the rest",
            )

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
        fully = total - len(self.repositories & (self.gaps.failed | self.gaps.rate_limited))
        if fully / total < self.config.coverage_floor:
            raise SourceUnavailable(
                f"github: only {fully} of {total} repositories ({fully / total:.1%}) were read in full, below "
                f"coverage_floor {self.config.coverage_floor:.0%}; what was read is kept",
                hint="see the problems above and scan again later, or lower coverage_floor to accept a partial scan",
            )

    def _report_gaps(self) -> None:
        for (what, reason), count in sorted(self.gaps.by_reason.items()):
            self.ctx.problem(
                f"github: {what} unavailable for {count} subject{'s' if count != 1 else ''}: {reason}",
                hint="grant the permission named to see it; the rest was scanned",
            )
        if self.gaps.rate_limited:
            count = len(self.gaps.rate_limited)
            self.ctx.problem(
                f"github: {self.gaps.rate_reason}; {count} subject{'s' if count != 1 else ''} not fully scanned",
                hint="scan again after the reset, raise max_rate_limit_wait_seconds, or use a GitHub App for higher limits",
            )
