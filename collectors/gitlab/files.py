"""A GitLab project as the Git-host file layer reads it (`collectors.githost.files`): the
repository tree and one raw file at a time. Archives are not fetched: the project list gives
no repository size to decide one would be cheaper."""

from __future__ import annotations

from typing import Any

from collectors.detect import RepoFile
from collectors.githost.files import Listing
from collectors.gitlab import mapping
from collectors.gitlab.client import ApiError, GitLabClient

TREE = "repository/tree"
FILES = "repository/files"


class GitLabProject:
    """`RepositoryFiles` for one project."""

    def __init__(self, client: GitLabClient, project_id: int) -> None:
        self._client = client
        self._id = project_id

    def list_files(self, ref: str, max_files: int) -> Listing:
        """Every file path at `ref`: keyset pages (GitLab 17.1+), offset pages where refused.
        The tree gives no sizes; folders and submodules are not listed as files."""
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
