"""The Git-host file layer: a repository's files read over an API, whatever the host.

A host supplies a narrow protocol per repository (`RepositoryFiles`: list the files at a ref,
read one file; `ArchiveSource`: fetch the tree as one tarball) and this module does the rest
the same way for every host: which files detection needs (`collectors.detect.classify.plan_files`
says it up front, so the choice between one request per file and one archive is made before
the first read), reading them, detection, and the file evidence with its problems.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

from collectors.detect import RepoFile, UnreadableFile, detect
from collectors.detect.classify import Plan
from collectors.detect.detection import plan_detection
from collectors.githost.cache import FileEvidence
from collectors.githost.tarball import BadArchive, extract
from collectors.http_answers import ApiError
from scanner.contract import Limits

log = logging.getLogger(__name__)

MAILMAP = ".mailmap"
MAX_MAILMAP_BYTES = 1 << 20  # real ones are a few hundred lines
REFUSED_FILE_STATUSES = (403, 404, 451)  # this file, not the API: the others may still be read


@dataclass(frozen=True)
class Listing:
    files: list[RepoFile]
    skipped: int  # links and submodules: not files of this repository
    capped: bool  # stopped at the per-repository file limit
    truncated: tuple[str, ...] = ()  # folders the host would not list in full

    @property
    def paths(self) -> list[str]:
        return [file.path for file in self.files]

    @cached_property  # asked for by classification, detection and the .mailmap's check
    def sizes(self) -> dict[str, int]:
        return {file.path: file.size for file in self.files if file.size is not None}


class RepositoryFiles(Protocol):
    """One repository's files on a Git host. Both raise `ApiError` when the host refuses or fails."""

    def list_files(self, ref: str, max_files: int) -> Listing:
        """The files at `ref`, at most `max_files` of them (`capped` when there were more)."""
        ...

    def read_file(self, path: str, ref: str) -> bytes: ...


class ArchiveSource(Protocol):
    def fetch_archive(self, ref: str, max_bytes: int) -> bytes | None:
        """The gzipped tarball of `ref`; None when it is larger than `max_bytes` or the host would
        not give it (files are then read one by one). Raises `ApiError` only when nothing else
        would be answered either (a rate limit)."""
        ...


@dataclass(frozen=True)
class ArchivePlan:
    """Read the wanted files from one archive when there are more than `threshold` of them."""

    source: ArchiveSource
    threshold: int
    max_bytes: int


def no_files(head: str = "") -> FileEvidence:
    """The file evidence of a repository with nothing in it yet."""
    detection = detect([], lambda _path: b"")
    return FileEvidence(
        head=head,
        inventory={"files": 0, "files_read": 0, "skipped": 0},
        signals=detection.signals,
        locators={kind: list(paths) for kind, paths in detection.locators.items()},
        problems=[],
        unknown={},
    )


def read_files(
    repository: RepositoryFiles,
    ref: str,
    limits: Limits,
    *,
    host: str,
    archive: ArchivePlan | None = None,
    mailmap: bool = False,
) -> FileEvidence:
    """The file evidence of `repository` at `ref` (its `head`); `host` names the host in problems.
    `mailmap`: also keep the repository's .mailmap (who its commit addresses belong to).
    Raises `ApiError` when the host fails: that costs the repository its file signals."""
    listing = repository.list_files(ref, limits.max_files_per_repository)
    reader = RemoteFiles(repository, ref)
    planned = plan_detection(listing.paths, listing.sizes)
    if archive is not None:
        wanted = files_to_read(planned.plan, limits.max_file_bytes)
        if len(wanted) > archive.threshold:
            reader.fetch_archive(archive, wanted, limits.max_file_bytes)
    detection = detect(listing.paths, reader, sizes=listing.sizes, max_file_bytes=limits.max_file_bytes, planned=planned)
    people = _mailmap(reader, listing.sizes) if mailmap and MAILMAP in listing.paths else ""
    problems = list(detection.problems)
    problems.extend(
        f"{folder}: {host} would not list every file in this folder — signals in the files left out are not detected"
        for folder in listing.truncated
    )
    if listing.capped:
        problems.append(f"listed only the first {limits.max_files_per_repository} files — raise limits.max_files_per_repository to see them all")
    oversized = sum(1 for file in listing.files if file.size is not None and file.size > limits.max_file_bytes)
    return FileEvidence(
        head=ref,
        inventory={
            "files": len(listing.files),
            "files_read": detection.files_read,
            "skipped": listing.skipped + oversized + reader.refused,
        },
        signals=detection.signals,
        locators={kind: list(paths) for kind, paths in detection.locators.items()},
        problems=problems,
        unknown=dict(detection.unknown),
        mailmap=people,
    )


def files_to_read(plan: Plan, max_file_bytes: int) -> list[RepoFile]:
    """The files detection may read: its plan, less those over the size limit (never read)."""
    return [file for file in plan.to_read() if file.size is None or file.size <= max_file_bytes]


class RemoteFiles:
    """The `ReadFile` callable detection gets: from an archive when one was fetched, else one
    request per file. A refused file is unreadable; a failing API is not a file's problem, so
    other errors propagate and cost the repository its file signals."""

    def __init__(self, repository: RepositoryFiles, ref: str) -> None:
        self._repository = repository
        self._ref = ref
        self._archived: dict[str, bytes] = {}
        self.refused = 0  # files the host would not give

    def fetch_archive(self, plan: ArchivePlan, wanted: Sequence[RepoFile], max_file_bytes: int) -> bool:
        """Read every wanted file from one tarball; False when it was too large, unusable or not
        given: files are then read one by one."""
        data = plan.source.fetch_archive(self._ref, plan.max_bytes)
        if data is None:
            return False
        try:
            self._archived = extract(data, {file.path for file in wanted}, max_file_bytes)
        except BadArchive as exc:
            log.debug("unusable tarball of %s (%s); reading files one by one", self._ref, exc)
            return False
        return True

    def __call__(self, path: str) -> bytes:
        if path in self._archived:
            return self._archived.pop(path)
        try:
            return self._repository.read_file(path, self._ref)
        except ApiError as exc:
            if exc.status in REFUSED_FILE_STATUSES:
                self.refused += 1
                raise UnreadableFile(exc.reason()) from None
            raise


def _mailmap(reader: RemoteFiles, sizes: Mapping[str, int]) -> str:
    """The repository's .mailmap as text ("" when too large or refused): data, never config."""
    if sizes.get(MAILMAP, 0) > MAX_MAILMAP_BYTES:
        return ""
    try:
        return reader(MAILMAP)[:MAX_MAILMAP_BYTES].decode("utf-8", errors="replace")
    except UnreadableFile:
        return ""

