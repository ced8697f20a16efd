"""A repository's files over the API: the Git Trees listing, and reads of only what detection needs.

Detection says up front which files it may read (`collectors.detect.classify.plan_files`), so
the choice between one contents request per file and one tarball of the whole tree is made
before the first read.
"""

from __future__ import annotations

import io
import logging
import tarfile
from collections.abc import Sequence
from dataclasses import dataclass, fields

from collectors.detect import RepoFile, UnreadableFile
from collectors.detect.classify import plan_files
from collectors.detect.findings import Findings
from collectors.github.client import ApiError, GitHubClient, RateLimited
from collectors.github.mapping import tree_entries

log = logging.getLogger(__name__)

TREES = "git/trees"
CONTENTS = "contents"
TARBALL = "tarball"


@dataclass(frozen=True)
class Listing:
    files: list[RepoFile]
    skipped: int
    capped: bool  # stopped at the per-repository file limit
    truncated: tuple[str, ...] = ()  # folders GitHub would not list in full even on their own

    @property
    def paths(self) -> list[str]:
        return [file.path for file in self.files]

    @property
    def sizes(self) -> dict[str, int]:
        return {file.path: file.size for file in self.files if file.size is not None}


def list_files(client: GitHubClient, owner: str, name: str, ref: str, max_files: int) -> Listing:
    """One recursive tree request; when GitHub truncates it, the root is listed on its own
    and each sub-tree recursively, descending the same way into any still truncated."""
    answer = client.get(TREES, f"/repos/{owner}/{name}/git/trees/{ref}", {"recursive": 1}).data
    if not answer.get("truncated"):
        entries = tree_entries(answer.get("tree") or ())
        capped = len(entries.files) > max_files
        return Listing(entries.files[:max_files], entries.skipped, capped)
    log.debug("%s/%s: the recursive tree is truncated; walking its sub-trees", owner, name)
    files: list[RepoFile] = []
    truncated: list[str] = []
    skipped = 0
    pending = [("", str(answer.get("sha") or ref), False)]  # (path prefix, tree sha, recursive)
    while pending and len(files) <= max_files:
        prefix, sha, recursive = pending.pop()
        params = {"recursive": 1} if recursive else None
        tree = client.get(TREES, f"/repos/{owner}/{name}/git/trees/{sha}", params).data
        entries = tree_entries(tree.get("tree") or (), prefix)
        if recursive and tree.get("truncated"):
            pending.append((prefix, sha, False))  # too big even on its own: one level at a time
            continue
        if not recursive and tree.get("truncated"):
            truncated.append(prefix.rstrip("/") or "/")
        files.extend(entries.files)
        skipped += entries.skipped
        if not recursive:
            pending.extend((f"{path}/", sub_sha, True) for path, sub_sha in reversed(entries.subtrees))
    capped = len(files) > max_files or bool(pending)
    return Listing(files[:max_files], skipped, capped, tuple(truncated))


def files_to_read(listing: Listing, max_file_bytes: int) -> list[RepoFile]:
    """The files detection may read: its plan, less those over the size limit (never read)."""
    plan = plan_files(listing.paths, listing.sizes, Findings())
    wanted: dict[str, RepoFile] = {}
    for item in fields(plan):
        for entry in getattr(plan, item.name):
            if isinstance(entry, RepoFile) and (entry.size is None or entry.size <= max_file_bytes):
                wanted[entry.path] = entry
    return list(wanted.values())


class RemoteFiles:
    """The `ReadFile` callable detection gets: from an archive when one was fetched, else
    one contents request per file. A refused file is unreadable; a failing API is not a
    file's problem, so other errors propagate and cost the repository its file signals."""

    def __init__(self, client: GitHubClient, owner: str, name: str, ref: str) -> None:
        self._client = client
        self._owner = owner
        self._name = name
        self._ref = ref
        self._archived: dict[str, bytes] = {}
        self.refused = 0  # files the API would not give

    def fetch_archive(self, wanted: Sequence[RepoFile], max_bytes: int, max_file_bytes: int) -> bool:
        """Read every wanted file from one tarball; False when it was too large, unusable or could
        not be downloaded (proxies often let only the API host through): files are then read one by one."""
        try:
            data = self._client.archive(TARBALL, self._owner, self._name, self._ref, max_bytes)
        except RateLimited:
            raise  # nothing else would be answered either
        except ApiError as exc:
            log.debug("%s/%s: no tarball (%s); reading files one by one", self._owner, self._name, exc.reason())
            return False
        if data is None:
            log.debug("%s/%s: tarball larger than %d bytes; reading files one by one", self._owner, self._name, max_bytes)
            return False
        paths = {file.path for file in wanted}
        try:
            self._archived = _extract(data, paths, max_file_bytes)
        except (tarfile.TarError, OSError, EOFError) as exc:
            log.debug("%s/%s: unusable tarball (%s); reading files one by one", self._owner, self._name, exc)
            return False
        return True

    def __call__(self, path: str) -> bytes:
        if path in self._archived:
            return self._archived.pop(path)
        try:
            return self._client.raw_file(CONTENTS, self._owner, self._name, path, self._ref)
        except ApiError as exc:
            if exc.status in (403, 404, 451):  # this file, not the API: the others may still be read
                self.refused += 1
                raise UnreadableFile(exc.reason()) from None
            raise


def _extract(data: bytes, paths: set[str], max_file_bytes: int) -> dict[str, bytes]:
    """The wanted files of a GitHub tarball, whose entries sit under one top folder."""
    found: dict[str, bytes] = {}
    left = set(paths)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r|gz") as archive:
        for member in archive:
            path = member.name.split("/", 1)[1] if "/" in member.name else ""
            if path not in left or not member.isfile() or member.size > max_file_bytes:
                continue
            stream = archive.extractfile(member)
            if stream is not None:
                found[path] = stream.read()
            left.discard(path)
            if not left:  # every wanted file is in hand: the rest of the archive is not parsed
                break
    return found
