"""A project's file evidence at its default branch: the cache's copy while the project is
unchanged, else one archive where the listing shows a repository small enough (else the tree
and the files detection needs), with the files its pipeline includes from other projects and
the CI/CD components of this instance it uses; cached with them, so an unchanged project asks
nothing again."""

from __future__ import annotations

from dataclasses import dataclass, replace

from collectors.base import Gap
from collectors.githost.cache import FileEvidence, ScanCache
from collectors.githost.files import ArchivePlan, no_files, read_files
from collectors.gitlab.client import ApiError, GitLabClient
from collectors.gitlab.files import GitLabProject
from collectors.gitlab.gaps import gap
from collectors.gitlab.includes import IncludedFiles
from collectors.gitlab.mapping import Listed
from scanner.contract import Limits

MEGABYTE = 1 << 20


@dataclass(frozen=True)
class ProjectFiles:
    """How one scan reads projects' files, shared by its workers."""

    client: GitLabClient
    cache: ScanCache | None
    includes: IncludedFiles
    limits: Limits
    archive_max_bytes: int

    def read(self, project: Listed, state: str, scanned: frozenset[str]) -> FileEvidence | Gap:
        """The file evidence under `state` (the cache's key); `scanned`: the lower-case paths of
        the group's projects, whose files an include names."""
        cached = self.cache.files(project.full_path, state) if self.cache is not None else None
        if cached is not None:
            return cached
        files = self._read_files(project, state)
        if isinstance(files, FileEvidence):  # cached with them: an unchanged project asks nothing again
            files = self.includes.resolve(files, scanned)
        if self.cache is not None and isinstance(files, FileEvidence) and project.last_activity_at:
            self.cache.save_files(project.full_path, files)
        return files

    def _read_files(self, project: Listed, state: str) -> FileEvidence | Gap:
        if project.empty or project.default_branch is None:
            return no_files(state)
        max_bytes = self.archive_max_bytes
        archive = project.repository_size is not None and project.repository_size <= max_bytes
        source = GitLabProject(self.client, project.id, max_bytes if archive else None)
        try:
            files = read_files(source, project.default_branch, self.limits, host="GitLab",
                               archive=ArchivePlan(source, 0, max_bytes) if archive else None)
        except ApiError as exc:
            return gap(exc)
        return replace(files, head=state)
