"""The local collector: repositories checked out on disk, file signals and git metadata."""

from __future__ import annotations

import os
import shutil
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel

from collectors.base import Collector
from collectors.cross_subject import CROSS_REFERENCES, ORIGINS, cross_reference_records, recompute_cross_references
from collectors.detect.references import InternalSources, classify
from collectors.local.config import LocalConfig
from collectors.local.discover import Repository, discover
from collectors.local.examine import FileExamination, available_cpus, examine_all
from collectors.local.git import GitFailed, git_dir, read_activity, read_head, remote_urls
from collectors.local.git_isolation import HistoryRefused, checked_common_dir, checked_objects, private_git_dir, read_small
from collectors.local.text import printable
from collectors.people import Mailmap, people
from scanner.contract import CollectContext, Limits
from scanner.errors import UserError
from scanner.heap import keep_what_exists
from scanner.kinds import FILE_SIGNAL_KINDS
from scanner.model import Evidence, EvidenceStatus, Subject

BRANCH_PROTECTION_REASON = (
    "a local checkout cannot show branch protection; scan the Git host (github collector) to see it"
)
PLAIN_FOLDER_REASON = "plain folder: no history"
NO_GIT_REASON = "git not installed: install git to see commit activity"
GIT_DISABLED_REASON = "git disabled in the configuration: set git to see commit activity"
HEAD_UNREADABLE_REASON = "HEAD could not be read from .git/HEAD, its refs or packed-refs (a reftable is not read)"
MAX_MAILMAP_BYTES = 1_048_576  # real ones are a few hundred lines
MAX_PROBLEMS_PER_REPOSITORY = 10  # a checkout full of unreadable files should not bury every other problem

_FILE_HINT = "the file was left out; the rest of the repository was scanned"


@dataclass(frozen=True)
class _History:
    """What vcs.activity says about one repository."""

    status: EvidenceStatus
    data: dict[str, Any] = field(default_factory=dict)
    reason: str = ""  # why it was not observed


class LocalCollector(Collector):
    name: ClassVar[str] = "local"
    version: ClassVar[str] = "2"  # 2: references.origins, repo.cross_references, live and path_count
    config_model: ClassVar[type[LocalConfig]] = LocalConfig
    provides: ClassVar[frozenset[str]] = frozenset(
        (*FILE_SIGNAL_KINDS, "repo.inventory", "vcs.activity", "vcs.branch_protection", CROSS_REFERENCES)
    )

    @classmethod
    def scope(cls, config: BaseModel, base_dir: Path) -> tuple[str, ...]:
        if not isinstance(config, LocalConfig):
            raise TypeError(f"the local collector needs a LocalConfig, got {type(config).__name__}")
        return tuple(f"{cls.name}:{path}" for path in config.resolved_paths(base_dir))

    def collect(self, ctx: CollectContext) -> Iterator[Subject | Evidence]:
        config = ctx.config
        if not isinstance(config, LocalConfig):
            raise TypeError(f"the local collector needs a LocalConfig, got {type(config).__name__}")
        paths = config.resolved_paths(ctx.base_dir)
        found = discover(paths, config.exclude)
        if not found.repositories:  # a verdict on nothing would read as "every capability initial"
            shown = ", ".join(printable(str(path)) for path in paths) or "(no path)"
            reasons = "".join(f"; {message}" for message, _hint in found.problems)
            raise UserError(
                f"no repositories found under {shown}{reasons}",
                hint="give a repository folder (with .git) or a folder of repository folders",
            )
        for message, hint in found.problems:
            ctx.problem(message, hint=hint)
        for reason in found.unlisted:
            ctx.cut_short("repository", reason)
        git = shutil.which(config.git) if config.git else None
        if config.git and git is None:
            ctx.problem(f"git executable {config.git!r} not found", hint="install git or set sources.local.git")
        now = ctx.clock()
        remotes = {repository.id: _remote_urls(repository.root) for repository in found.repositories}
        # Every repository found, in every shard: what a reference may name inside the scan.
        unowned = frozenset(repository.name.lower() for repository in found.repositories if not remotes[repository.id])
        repositories = [repository for repository in found.repositories if ctx.includes(repository.id)]
        subjects: list[Subject] = []
        origins: dict[str, dict[str, Any] | None] = {}

        for repository, files, history in _examine_all(repositories, config, ctx.limits, git, now):
            url = Path(repository.root).as_uri()
            subject = Subject(
                id=repository.id,
                kind="repository",
                name=repository.name,
                source=self.name,
                url=url,
                files_url=url + "/",
            )
            yield subject
            subjects.append(subject)
            origins[subject.id] = None
            internal = InternalSources.of(remotes[repository.id], ctx.internal_sources, unowned)
            for item in _evidence(ctx, subject, files, history, ctx.limits, internal):
                if item.kind == ORIGINS and item.status is EvidenceStatus.OBSERVED:
                    origins[subject.id] = item.data
                yield item
            ctx.progress(subject.id)
            keep_what_exists()  # the records live until the scan ends
        yield from cross_reference_records(ctx, subjects, origins)

    @classmethod
    def recompute(cls, subjects: Sequence[Subject], evidence: Sequence[Evidence]) -> list[Evidence]:
        """repo.cross_references from the merged evidence of every shard (see CrossSubjectCollector)."""
        return recompute_cross_references(subjects, evidence)


def _remote_urls(root: str) -> list[str]:
    """The checkout's remotes, which tell its organization; none for a plain folder."""
    directory = git_dir(root)
    return remote_urls(root, directory) if directory else []


def _examine_all(
    repositories: list[Repository], config: LocalConfig, limits: Limits, git: str | None, now: datetime
) -> Iterator[tuple[Repository, FileExamination, _History]]:
    """Examine repositories in order: files in worker processes (`examine_all`), git's
    subprocesses running ahead in threads of this process.

    Plain folders need no git at all and start no thread: with the pool running beside it,
    the walk of 500 plain folders took about 0.15 s longer (measured).
    Abandoning the iteration cancels the git lookups and examinations not started.
    """
    workers = max(1, limits.max_workers)
    processes = config.processes or available_cpus()
    # The worker processes are forked first, before this process starts any thread of its own.
    examinations = examine_all([repository.root for repository in repositories], limits, processes)
    pool: ThreadPoolExecutor | None = None
    histories: deque[Future[_History]] = deque()
    ahead = iter(repositories)

    def schedule(repository: Repository) -> Future[_History]:
        nonlocal pool
        directory = git_dir(repository.root)
        if git is None or config.git is None or directory is None:
            done: Future[_History] = Future()
            done.set_result(_history(repository.root, directory, config, git, now))  # answers without running git
            return done
        if pool is None:
            pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="pecm-git")
        return pool.submit(_history, repository.root, directory, config, git, now)

    try:
        for repository in repositories:
            files = next(examinations)
            while len(histories) < 2 * workers and (next_up := next(ahead, None)) is not None:
                histories.append(schedule(next_up))
            yield repository, files, histories.popleft().result()
    finally:
        examinations.close()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def _history(root: str, directory: str | None, config: LocalConfig, git: str | None, now: datetime) -> _History:
    if directory is None:
        return _History(EvidenceStatus.UNSUPPORTED, reason=PLAIN_FOLDER_REASON)
    if config.git is None:
        return _History(EvidenceStatus.UNSUPPORTED, reason=GIT_DISABLED_REASON)
    if git is None:
        return _History(EvidenceStatus.UNSUPPORTED, reason=NO_GIT_REASON)
    try:
        common = checked_common_dir(root, directory)
        head = read_head(directory, common)
        data: dict[str, Any] = {"window_days": config.window_days, "head_commit": head.commit}
        if head.unborn:  # git log would fail on a branch without commits; there is nothing to count
            return _History(EvidenceStatus.OBSERVED, {**data, "commits": 0, "active_weeks": 0, "authors": 0})
        if head.commit is None:
            return _History(EvidenceStatus.UNAVAILABLE, reason=HEAD_UNREADABLE_REASON)
        objects = checked_objects(common)
        # The checkout's .mailmap as data (git is never told of it); a link or a FIFO is no file.
        mailmap = Mailmap(read_small(os.path.join(root, ".mailmap"), limit=MAX_MAILMAP_BYTES) or "")
        person = people(mailmap, config.bots)
        with private_git_dir(head.commit, common) as private:
            activity = read_activity(git, private, objects, now, config.window_days, config.git_timeout_seconds, person)
    except (HistoryRefused, GitFailed) as exc:
        return _History(EvidenceStatus.UNAVAILABLE, reason=str(exc))
    return _History(
        EvidenceStatus.OBSERVED,
        {
            **data,
            "commits": activity.commits,
            "active_weeks": activity.active_weeks,
            "authors": activity.authors,
            "last_commit_at": activity.last_commit_at,
        },
    )


def _evidence(
    ctx: CollectContext,
    subject: Subject,
    examination: FileExamination,
    history: _History,
    limits: Limits,
    internal: InternalSources,
) -> Iterator[Evidence]:
    name = subject.name
    problems = list(examination.walk_problems)
    if examination.capped:
        problems.append(
            (
                f"listed only the first {limits.max_files_per_repository} files",
                "raise limits.max_files_per_repository to see them all",
            )
        )
    detection = examination.detection
    if examination.root_error is not None:
        ctx.problem(f"{name}: {detection}", subject, hint="give the scanning user read access to the folder")
        for kind in (*FILE_SIGNAL_KINDS, "repo.inventory"):
            yield ctx.unavailable(kind, subject, str(detection))
    elif isinstance(detection, str):
        ctx.problem(f"{name}: {detection}", subject, hint="report this as a pecm bug; other repositories were scanned")
        for kind in FILE_SIGNAL_KINDS:
            yield ctx.unavailable(kind, subject, detection)
        yield ctx.observed("repo.inventory", subject, examination.inventory)
    else:
        problems.extend((line, _FILE_HINT) for line in detection.problems)
        for kind in FILE_SIGNAL_KINDS:
            if kind in detection.unknown:
                yield ctx.unavailable(kind, subject, detection.unknown[kind])
                continue
            data = classify(detection.signals[kind], internal, subject.name) if kind == ORIGINS else detection.signals[kind]
            yield ctx.observed(kind, subject, data, detection.locators.get(kind, ()))
        yield ctx.observed("repo.inventory", subject, examination.inventory)
    _report(ctx, subject, problems)

    if history.status is EvidenceStatus.OBSERVED:
        yield ctx.observed("vcs.activity", subject, history.data)
    elif history.status is EvidenceStatus.UNAVAILABLE:
        ctx.problem(f"{name}: {history.reason}", subject, hint="run `git log` in the checkout to see what is wrong")
        yield ctx.unavailable("vcs.activity", subject, history.reason)
    else:
        yield ctx.unsupported("vcs.activity", subject, history.reason)
    yield ctx.unsupported("vcs.branch_protection", subject, BRANCH_PROTECTION_REASON)


def _report(ctx: CollectContext, subject: Subject, problems: list[tuple[str, str]]) -> None:
    for line, hint in problems[:MAX_PROBLEMS_PER_REPOSITORY]:
        ctx.problem(f"{subject.name}: {line}", subject, hint=hint)
    if len(problems) > MAX_PROBLEMS_PER_REPOSITORY:
        ctx.problem(
            f"{subject.name}: {len(problems) - MAX_PROBLEMS_PER_REPOSITORY} more problems not shown",
            subject,
            hint="fix the ones shown and scan again to see the rest",
        )
