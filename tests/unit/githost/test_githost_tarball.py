"""The tarball reader against archives written by `tarfile` (pax, GNU and ustar formats), as
GitHub writes them (one top folder, a pax global header), and against broken ones."""

from __future__ import annotations

import gzip
import io
import tarfile
import tracemalloc
from datetime import datetime, timezone

import pytest

from collectors.githost.tarball import BadArchive, extract, listing
from tests.fakes.github.gitobjects import tarball

FILES = {
    "README.md": b"# hello\n",
    "deep/" + "very-long-folder-name/" * 8 + "values.yaml": b"replicas: 2\n",  # over ustar's 100 bytes: a pax path
    "chart/Chart.yaml": b"apiVersion: v2\nname: app\n",
    "empty.txt": b"",
    "big.bin": bytes(range(256)) * 40,
}


def _github_like(files: dict[str, bytes]) -> bytes:
    return tarball(files, "acme-svc-abc1234", "abc1234" + "0" * 33, datetime(2026, 1, 1, tzinfo=timezone.utc))


def _written_by_tarfile(files: dict[str, bytes], fmt: int) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=fmt) as archive:
        for path, content in files.items():
            info = tarfile.TarInfo(f"top/{path}")
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
        link = tarfile.TarInfo("top/link.yaml")
        link.type, link.linkname = tarfile.SYMTYPE, "README.md"
        archive.addfile(link)
    return buffer.getvalue()


def test_every_wanted_file_is_read_from_a_github_tarball() -> None:
    assert extract(_github_like(FILES), set(FILES), 1 << 20) == FILES


@pytest.mark.parametrize("fmt", [tarfile.PAX_FORMAT, tarfile.GNU_FORMAT], ids=["pax", "gnu"])
def test_long_names_are_read_in_either_format(fmt: int) -> None:
    wanted = {path for path in FILES if path.startswith("deep/")} | {"README.md"}
    assert extract(_written_by_tarfile(FILES, fmt), wanted, 1 << 20) == {path: FILES[path] for path in wanted}


def test_only_wanted_regular_files_within_the_limit_are_kept() -> None:
    found = extract(_written_by_tarfile(FILES, tarfile.PAX_FORMAT), {"README.md", "big.bin", "link.yaml", "missing"}, 1000)
    assert found == {"README.md": FILES["README.md"]}  # big.bin is over the limit, link.yaml a link


def test_a_truncated_or_corrupt_archive_is_refused() -> None:
    data = _github_like(FILES)
    with pytest.raises(BadArchive):
        extract(data[: len(data) // 2], set(FILES), 1 << 20)
    with pytest.raises(BadArchive):
        extract(data[:20] + bytes(len(data) - 20), set(FILES), 1 << 20)
    with pytest.raises(BadArchive):
        extract(gzip.compress(b"x" * 700), {"a"}, 1 << 20)  # a header whose size is not a number


def test_a_bomb_is_not_inflated_past_what_is_kept() -> None:
    """A 200 MB file of zeros compressed to a fraction of a megabyte, before the one wanted file:
    skipped a chunk at a time, never held whole."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", format=tarfile.PAX_FORMAT) as archive:
        bomb = tarfile.TarInfo("top/zeros.bin")
        bomb.size = 200 << 20
        archive.addfile(bomb, io.BytesIO(bytes(bomb.size)))
        wanted = tarfile.TarInfo("top/ci.yml")
        wanted.size = 3
        archive.addfile(wanted, io.BytesIO(b"on:"))
    tracemalloc.start()
    try:
        assert extract(buffer.getvalue(), {"ci.yml"}, 1 << 20) == {"ci.yml": b"on:"}
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20


def test_a_listing_names_every_file_with_its_size_and_links_without_one() -> None:
    """What a Git host's tree would list: files and links, not folders; sizes where the archive has them."""
    listed = listing(_written_by_tarfile(FILES, tarfile.PAX_FORMAT))
    assert sorted(listed) == sorted([*((path, len(content)) for path, content in FILES.items()), ("link.yaml", None)])
    assert sorted(path for path, _ in listing(_github_like(FILES))) == sorted(FILES)  # its folders left out
    data = _github_like(FILES)
    with pytest.raises(BadArchive):
        listing(data[: len(data) // 2])
