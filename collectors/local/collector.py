"""The local collector: repositories checked out on disk, file signals and git metadata."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote_from_bytes

from pydantic import BaseModel

from collectors.base import Collector, Findings, Found, Gap, WorkerPool
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
from scanner.kinds import FILE_SIGNAL_KINDS
from scanner.model import Evidence, Subject

BRANCH_PROTECTION_REASON = (
    "a local checkout cannot show branch protection; scan the Git host (github collector) to see it"
)
PLAIN_FOLDER_REASON = "plain folder: no history"
NO_GIT_REASON = "git not installed: install git to see commit activity"
GIT_DISABLED_REASON = "git disabled in the configuration: set git to see commit activity"
HEAD_UNREADABLE_REASON = "HEAD could not be read from .git/HEAD, its refs or packed-refs (a reftable is not read)"
MAX_MAILMAP_BYTES = 1_048_576  # real ones are a few hundred lines

_FILE_HINT = "the file was left out; the rest of the repository was scanned"


class LocalCollector(Collector):
    name: ClassVar[str] = "local"
    version: ClassVar[str] = "4"  # 4: references.origins.backstage_templates, Backstage source-template references; 2: references.origins, repo.cross_references, live and path_count; 3: files named like a signal count only once read (iac.usage.unread), cross_references.created_from_here
    config_model: ClassVar[type[LocalConfig]] = LocalConfig
    provides: ClassVar[frozenset[str]] = frozenset(
        (*FILE_SIGNAL_KINDS, "repo.inventory", "vcs.activity", "vcs.branch_protection", CROSS_REFERENCES)
    )

    @classmethod
    def scope(cls, config: BaseModel, base_dir: Path) -> tuple[str, ...]:
        return tuple(f"{cls.name}:{path}" for path in cls.settings(config, LocalConfig).resolved_paths(base_dir))

    def collect(self, ctx: CollectContext) -> Iterator[Subject | Evidence]:
        config = self.settings(ctx.config, LocalConfig)
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
        # Each checkout's git directory, looked up once: its remotes now, its history later.
        directories = {repository.id: git_dir(repository.root) for repository in found.repositories}
        remotes = {repository.id: _remote_urls(repository.root, directories[repository.id]) for repository in found.repositories}
        # Every repository found, in every shard: what a reference may name inside the scan.
        unowned = frozenset(repository.name.lower() for repository in found.repositories if not remotes[repository.id])
        repositories = [repository for repository in found.repositories if ctx.includes(repository.id)]
        subjects: list[Subject] = []
        origins: dict[str, dict[str, Any] | None] = {}
        findings = Findings(ctx, self.name)

        for repository, files, history in _examine_all(repositories, directories, config, ctx.limits, git, now):
            url = _file_url(repository.root)
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
            internal = InternalSources.of(remotes[repository.id], ctx.internal_sources, unowned)
            origins[subject.id] = None
            yield from _evidence(findings, subject, files, history, ctx.limits, internal, origins)
            findings.end_subject(subject)
        yield from cross_reference_records(ctx, subjects, origins)

    @classmethod
    def recompute(cls, subjects: Sequence[Subject], evidence: Sequence[Evidence]) -> list[Evidence]:
        """repo.cross_references from the merged evidence of every shard (see CrossSubjectCollector)."""
        return recompute_cross_references(subjects, evidence)


def _file_url(root: str) -> str:
    """`Path(root).as_uri()` of a root as discovery gives it (absolute, normalized), without
    building the Path where the URL is the root's bytes quoted."""
    if os.sep == "/":
        return "file://" + quote_from_bytes(os.fsencode(root))
    return Path(root).as_uri()


def _remote_urls(root: str, directory: str | None) -> list[str]:
    """The checkout's remotes, which tell its organization; none for a plain folder."""
    return remote_urls(root, directory) if directory else []


def _examine_all(
    repositories: list[Repository],
    directories: dict[str, str | None],
    config: LocalConfig,
    limits: Limits,
    git: str | None,
    now: datetime,
) -> Iterator[tuple[Repository, FileExamination, Found]]:
    """Examine repositories in order: files in worker processes (`examine_all`), git's
    subprocesses running ahead in threads of this process.

    Plain folders need no git at all and start no thread: with the pool running beside it,
    the walk of 500 plain folders took about 0.15 s longer (measured).
    Abandoning the iteration cancels the git lookups and examinations not started.
    """
    processes = config.processes or available_cpus()
    examinations = examine_all([repository.root for repository in repositories], limits, processes)

    located = ((repository, directories[repository.id]) for repository in repositories)  # (repository, its .git)

    def history(item: tuple[Repository, str | None]) -> Found:
        return _history(item[0].root, item[1], config, git, now)

    def without_git(item: tuple[Repository, str | None]) -> bool:  # answered without running git: no thread
        return git is None or config.git is None or item[1] is None

    def failed(_item: tuple[Repository, str | None], exc: Exception) -> Found:
        return Gap(f"reading the history failed: {type(exc).__name__}: {exc}")

    with WorkerPool(limits.max_workers, "pecm-git") as pool:
        histories = pool.in_order(located, history, failed, inline=without_git)
        try:
            for repository in repositories:
                # The worker processes are forked on the first examination, before `histories`
                # starts any thread of this process.
                files = next(examinations)
                _, found = next(histories)
                yield repository, files, found
        finally:
            examinations.close()
            histories.close()


def _history(root: str, directory: str | None, config: LocalConfig, git: str | None, now: datetime) -> Found:
    """vcs.activity's data, or why there is none (unsupported where a checkout cannot tell)."""
    if directory is None:
        return Gap(PLAIN_FOLDER_REASON, unsupported=True)
    if config.git is None:
        return Gap(GIT_DISABLED_REASON, unsupported=True)
    if git is None:
        return Gap(NO_GIT_REASON, unsupported=True)
    try:
        common = checked_common_dir(root, directory)
        head = read_head(directory, common)
        data: dict[str, Any] = {"window_days": config.window_days, "head_commit": head.commit}
        if head.unborn:  # git log would fail on a branch without commits; there is nothing to count
            return {**data, "commits": 0, "active_weeks": 0, "authors": 0, "docs_commits": 0, "docs_active_weeks": 0}
        if head.commit is None:
            return Gap(HEAD_UNREADABLE_REASON)
        objects = checked_objects(common)
        # The checkout's .mailmap as data (git is never told of it); a link or a FIFO is no file.
        mailmap = Mailmap(read_small(os.path.join(root, ".mailmap"), limit=MAX_MAILMAP_BYTES) or "")
        person = people(mailmap, config.bots)
        with private_git_dir(head.commit, common) as private:
            activity = read_activity(git, private, objects, now, config.window_days, config.git_timeout_seconds, person)
    except (HistoryRefused, GitFailed) as exc:
        return Gap(str(exc))
    return {
        **data,
        "commits": activity.commits,
        "active_weeks": activity.active_weeks,
        "authors": activity.authors,
        "last_commit_at": activity.last_commit_at,
        "docs_commits": activity.docs_commits,
        "docs_active_weeks": activity.docs_active_weeks,
    }


def _evidence(
    findings: Findings,
    subject: Subject,
    examination: FileExamination,
    history: Found,
    limits: Limits,
    internal: InternalSources,
    origins: dict[str, dict[str, Any] | None],
) -> Iterator[Evidence]:
    """The subject's records; `origins` gets its observed references.origins data, for
    repo.cross_references (kept here, not looked for in every record it yields)."""
    ctx, name = findings.ctx, subject.name
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
        found, unknown, locators = detection.found, detection.unknown, detection.locators
        nothing: list[str] = []  # the kinds of which nothing was found: most of them, recorded in one go
        for kind in FILE_SIGNAL_KINDS:
            if kind in unknown:
                yield ctx.unavailable(kind, subject, unknown[kind])
            elif kind == ORIGINS:  # told internal or external here, where the scan's repositories are known
                record = ctx.observed(kind, subject, classify(detection.data(kind), internal, subject.name), locators.get(kind, ()))
                origins[subject.id] = record.data
                yield record
            elif kind in found:  # as detection built it: its tests check that validation would not change it
                yield ctx.observed_valid(kind, subject, found[kind], locators.get(kind, ()))
            else:
                nothing.append(kind)
        yield from ctx.observed_defaults_of(nothing, subject)
        yield ctx.observed_valid("repo.inventory", subject, examination.inventory)  # three counts it made itself
    findings.report_problems(subject, problems)

    if isinstance(history, Gap) and not history.unsupported:
        ctx.problem(f"{name}: {history.reason}", subject, hint="run `git log` in the checkout to see what is wrong")
    yield findings.record("vcs.activity", subject, history)
    yield findings.record("vcs.branch_protection", subject, Gap(BRANCH_PROTECTION_REASON, unsupported=True))
