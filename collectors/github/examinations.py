"""The examination of an account's repositories, handed back in listing order: each batch of
repositories' GraphQL metadata asked for a bounded number of batches ahead, then each
repository examined in the pool once its batch is answered (files, protection, deploy runs:
repository.py; then its settings, which wait for the account's)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from collectors.base import Gap, WorkerPool
from collectors.githost.cache import ScanCache
from collectors.github.client import ApiError, GitHubClient, TokenRefused
from collectors.github.config import GitHubConfig
from collectors.github.graphql import RepoRef
from collectors.github.mapping import Listed
from collectors.github.metadata import DeniedParts, RepoMetadata, fetch_batch
from collectors.github.repository import Examination, FileOptions, examine
from collectors.github.settings import AccountSettings, OrganizationSettings
from collectors.github.settings import read_repository as read_repository_settings
from collectors.github.settings_mapping import literal_names
from scanner.contract import CollectContext

# GraphQL batches asked for ahead of the repositories being examined: two keep the next batch
# answered before its repositories are reached, and leave the other workers to files.
BATCHES_AHEAD = 2

_Answered = tuple[Listed, RepoMetadata | ApiError]


@dataclass(frozen=True)
class Examiner:
    """How one scan examines repositories, the same for each of its accounts."""

    batch_size: int
    now: datetime
    since: datetime  # the start of the activity window
    environments: list[str]  # the production environments GitHub can be asked for by name (in the batch)
    options: FileOptions
    cache: ScanCache | None
    denied: DeniedParts = field(default_factory=DeniedParts)  # shared by the batches of the whole scan

    @classmethod
    def of(cls, ctx: CollectContext, config: GitHubConfig, cache: ScanCache | None, now: datetime) -> Examiner:
        return cls(
            batch_size=config.graphql_batch_size,
            now=now,
            since=now - timedelta(days=config.window_days),
            environments=literal_names(config.production_environments),
            options=FileOptions(config.archive_threshold, config.archive_max_megabytes, ctx.limits),
            cache=cache,
        )

    def examinations(
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
        answered = (
            (repo, metas[repo.full_name])
            for repo, metas in pool.batched_ahead(repos, self.batch_size, partial(self._batch, client), BATCHES_AHEAD)
        )
        for (repo, _meta), examination in pool.in_order(
            answered, lambda item: self._examine(client, *item, settings), _failed, fatal=(TokenRefused,)
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


def _failed(item: _Answered, exc: Exception) -> Examination:
    """An answer of a shape we did not expect costs one repository."""
    failed = Gap(f"unexpected answer from GitHub: {type(exc).__name__}: {exc}", failure=True)
    return Examination(item[0], failed, failed, failed)
