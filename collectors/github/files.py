"""A GitHub repository as the Git-host file layer reads it (`collectors.githost.files`): the Git
Trees listing, one file through the contents API, the tarball of a ref."""

from __future__ import annotations

import logging

from collectors.detect import RepoFile
from collectors.githost.files import Listing
from collectors.github.client import ApiError, GitHubClient, RateLimited
from collectors.github.mapping import tree_entries

log = logging.getLogger(__name__)

TREES = "git/trees"
CONTENTS = "contents"
TARBALL = "tarball"


class GitHubRepository:
    """`RepositoryFiles` and `ArchiveSource` for one repository."""

    def __init__(self, client: GitHubClient, owner: str, name: str) -> None:
        self._client = client
        self._owner = owner
        self._name = name

    def list_files(self, ref: str, max_files: int) -> Listing:
        """One recursive tree request; when GitHub truncates it, the root is listed on its own
        and each sub-tree recursively, descending the same way into any still truncated."""
        client, owner, name = self._client, self._owner, self._name
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

    def read_file(self, path: str, ref: str) -> bytes:
        return self._client.raw_file(CONTENTS, self._owner, self._name, path, ref)

    def fetch_archive(self, ref: str, max_bytes: int) -> bytes | None:
        """The tarball, or None when it is larger than `max_bytes` or could not be downloaded
        (proxies often let only the API host through)."""
        try:
            data = self._client.archive(TARBALL, self._owner, self._name, ref, max_bytes)
        except RateLimited:
            raise  # nothing else would be answered either
        except ApiError as exc:
            log.debug("%s/%s: no tarball (%s); reading files one by one", self._owner, self._name, exc.reason())
            return None
        if data is None:
            log.debug("%s/%s: tarball larger than %d bytes; reading files one by one", self._owner, self._name, max_bytes)
        return data
