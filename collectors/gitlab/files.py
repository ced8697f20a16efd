"""A GitLab project as the Git-host file layer reads it (`collectors.githost.files`): one archive
of the default branch where the project listing shows a repository small enough, which lists
every file and holds those detection reads (one request instead of the tree's pages and one per
file); else the repository tree and one raw file at a time. An archive too large, refused or
unreadable falls back to the tree, so the evidence is the same either way."""

from __future__ import annotations

import logging
from typing import Any

from collectors.detect import RepoFile
from collectors.githost.files import Listing
from collectors.githost.tarball import BadArchive, listing
from collectors.gitlab import mapping
from collectors.gitlab.client import ApiError, GitLabClient, RateLimited

log = logging.getLogger(__name__)

TREE = "repository/tree"
FILES = "repository/files"
ARCHIVE = "repository/archive"


class GitLabProject:
    """`RepositoryFiles` and `ArchiveSource` for one project. `archive_max_bytes`: fetch the
    archive first (None: never)."""

    def __init__(self, client: GitLabClient, project_id: int, archive_max_bytes: int | None = None) -> None:
        self._client = client
        self._id = project_id
        self._archive_max_bytes = archive_max_bytes
        self._archive: bytes | None = None  # the archive the listing came from

    def list_files(self, ref: str, max_files: int) -> Listing:
        """Every file path at `ref`: from the archive when there is one, else keyset pages of the
        tree (GitLab 17.1+), offset pages where refused. The tree gives no sizes; folders and
        submodules are not listed as files."""
        archived = self._archived_files(ref)
        if archived is not None:
            return Listing(archived[:max_files], 0, len(archived) > max_files)
        path = f"/projects/{self._id}/repository/tree"
        params: dict[str, Any] = {"recursive": True, "ref": ref}
        try:
            paths = mapping.blob_paths(self._client.pages(TREE, path, {**params, "pagination": "keyset"}))
        except ApiError as exc:
            if exc.status not in (400, 405):  # an older instance refuses keyset for trees
                raise
            paths = mapping.blob_paths(self._client.pages(TREE, path, params))
        return Listing([RepoFile(item, None) for item in paths[:max_files]], 0, len(paths) > max_files)

    def read_file(self, path: str, ref: str) -> bytes:
        return self._client.raw_file(FILES, self._id, path, ref)

    def fetch_archive(self, ref: str, max_bytes: int) -> bytes | None:
        """The archive `list_files` read, if it read one: never fetched twice."""
        return self._archive

    def _archived_files(self, ref: str) -> list[RepoFile] | None:
        """The files of the archive of `ref`, sorted by path as the tree lists them; None when
        there is no usable archive."""
        if self._archive_max_bytes is None:
            return None
        try:
            data = self._client.archive(ARCHIVE, self._id, ref, self._archive_max_bytes)
        except RateLimited:
            raise  # the whole API is closed: the tree would not be answered either
        except ApiError as exc:
            log.debug("project %d: no archive (%s); listing the tree", self._id, exc.reason())
            return None
        if data is None:
            return None
        try:
            files = sorted(listing(data))
        except BadArchive as exc:
            log.debug("project %d: unusable archive (%s); listing the tree", self._id, exc)
            return None
        self._archive = data
        return [RepoFile(path, size) for path, size in files]
