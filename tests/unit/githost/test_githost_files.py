"""The Git-host file layer over a repository held in memory: what it reads, from an archive or
file by file, and what it makes of refusals, failures and listings cut short."""

from __future__ import annotations

import io
import tarfile

import pytest

from collectors.detect import RepoFile
from collectors.githost.files import ArchivePlan, Listing, read_files
from collectors.http_answers import ApiError
from scanner.contract import Limits

WORKFLOW = b"on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps: [{run: make}]\n"
TERRAFORM = b'module "net" {\n  source = "git::https://example.test/acme/modules.git//net?ref=v1"\n}\n'


class InMemoryRepository:
    """`RepositoryFiles` and `ArchiveSource` over a dict; `refused` paths answer as a host refusing them."""

    def __init__(self, files: dict[str, bytes], *, refused: dict[str, int] | None = None, truncated: tuple[str, ...] = ()) -> None:
        self.files = files
        self.refused = refused or {}
        self.truncated = truncated
        self.reads: list[str] = []
        self.archives = 0

    def list_files(self, ref: str, max_files: int) -> Listing:
        listed = [RepoFile(path, len(data)) for path, data in sorted(self.files.items())]
        return Listing(listed[:max_files], 0, len(listed) > max_files, self.truncated)

    def read_file(self, path: str, ref: str) -> bytes:
        self.reads.append(path)
        if path in self.refused:
            raise ApiError(self.refused[path], "refused", f"/files/{path}")
        return self.files[path]

    def fetch_archive(self, ref: str, max_bytes: int) -> bytes | None:
        self.archives += 1
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            for path, data in self.files.items():
                member = tarfile.TarInfo(f"acme-svc-{ref}/{path}")
                member.size = len(data)
                archive.addfile(member, io.BytesIO(data))
        return buffer.getvalue()


def _repository() -> InMemoryRepository:
    return InMemoryRepository(
        {".github/workflows/ci.yml": WORKFLOW, "infra/main.tf": TERRAFORM, "src/app.py": b"print()\n", ".mailmap": b"A <a@x>\n"}
    )


def test_files_are_read_one_by_one_below_the_archive_threshold() -> None:
    repository = _repository()
    files = read_files(repository, "abc", Limits(), host="GitHub", archive=ArchivePlan(repository, 5, 1 << 20), mailmap=True)
    assert repository.archives == 0
    assert sorted(repository.reads) == [".github/workflows/ci.yml", ".mailmap", "infra/main.tf"]
    assert files.head == "abc" and files.inventory == {"files": 4, "files_read": 2, "skipped": 0}
    assert files.signals["iac.usage"]["tools"] == ["terraform"] and files.locators["iac.usage"] == ["infra/main.tf"]
    assert files.mailmap == "A <a@x>\n"


def test_one_archive_replaces_the_reads_above_the_threshold() -> None:
    repository = _repository()
    files = read_files(repository, "abc", Limits(), host="GitHub", archive=ArchivePlan(repository, 1, 1 << 20))
    assert repository.archives == 1 and repository.reads == []
    assert files.signals["ci.pipelines"]["present"] is True and files.mailmap == ""


def test_a_refused_file_is_unreadable_and_counted_the_rest_is_read() -> None:
    repository = _repository()
    repository.refused["infra/main.tf"] = 403
    files = read_files(repository, "abc", Limits(), host="GitLab")
    assert files.inventory["skipped"] == 1
    assert files.signals["ci.pipelines"]["present"] is True


def test_a_failing_host_is_not_a_file_problem() -> None:
    repository = _repository()
    repository.refused["infra/main.tf"] = 502
    with pytest.raises(ApiError):
        read_files(repository, "abc", Limits(), host="GitLab")


def test_listings_cut_short_are_problems_naming_the_host() -> None:
    repository = InMemoryRepository({f"src/{index}.py": b"" for index in range(5)}, truncated=("vendor",))
    files = read_files(repository, "abc", Limits(max_files_per_repository=3), host="GitLab")
    assert files.inventory["files"] == 3
    assert files.problems == [
        "vendor: GitLab would not list every file in this folder — signals in the files left out are not detected",
        "listed only the first 3 files — raise limits.max_files_per_repository to see them all",
    ]
