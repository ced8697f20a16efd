"""The walk and the reads: hostile trees are listed safely and never stop the scan."""

from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from collectors.detect import UnreadableFile
from collectors.local.read import FileReader
from collectors.local.text import printable
from collectors.local.walk import ListedPaths, list_files
from scanner.contract import Limits
from scanner.model import EvidenceStatus

WORKFLOW = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n"
NOBODY = 65534


def write(path: Path, content: str | bytes = "x\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


# --- symbolic links -------------------------------------------------------------------


def test_symbolic_links_count_only_when_they_reach_a_regular_file_inside(tmp_path: Path, scan_local) -> None:
    repo = tmp_path / "org" / "api"
    write(repo / "docs" / "OWNERS", "* @acme/api-team\n")
    (repo / ".github").mkdir()
    os.symlink("../docs/OWNERS", repo / ".github" / "CODEOWNERS")  # inside: counted under its own path
    outside = write(tmp_path / "outside" / "ci.yml", WORKFLOW)
    write(tmp_path / "outside" / "workflows" / "deploy.yml", WORKFLOW)
    (repo / ".github" / "workflows").mkdir()
    os.symlink(outside, repo / ".github" / "workflows" / "ci.yml")  # a file out of the tree
    os.symlink(tmp_path / "outside" / "workflows", repo / ".github" / "linked")  # a folder: never followed
    os.symlink("loop", repo / "loop")
    os.symlink("b", repo / "a")
    os.symlink("a", repo / "b")
    os.symlink("missing", repo / "dangling")

    scan = scan_local(tmp_path / "org")

    assert scan.data("local:api", "ownership.codeowners")["present"] is True
    assert ".github/CODEOWNERS" in scan.data("local:api", "ownership.codeowners")["paths"]
    assert scan.data("local:api", "ci.pipelines")["present"] is False
    assert scan.data("local:api", "repo.inventory") | {"files_read": 0} == {
        "files": 2,  # docs/OWNERS and the link to it
        "files_read": 0,
        "skipped": 6,  # out of tree, folder link, three loop members, dangling
    }


def test_a_link_to_a_folder_inside_the_tree_is_not_walked_twice(tmp_path: Path) -> None:
    repo = tmp_path / "api"
    write(repo / "src" / "main.py")
    os.symlink("src", repo / "again")
    os.symlink(".", repo / "src" / "self")

    listing = list_files(str(repo), max_files=100)

    assert listing.paths == ["src/main.py"]
    assert listing.skipped == 2


# --- special and large files ----------------------------------------------------------


def test_a_fifo_is_listed_as_skipped_and_never_opened(tmp_path: Path, scan_local, finishes) -> None:
    repo = tmp_path / "org" / "api"
    write(repo / "CODEOWNERS", "* @acme/api\n")
    (repo / ".github" / "workflows").mkdir(parents=True)
    fifo = repo / ".github" / "workflows" / "ci.yml"
    os.mkfifo(fifo)

    scan = finishes(lambda: scan_local(tmp_path / "org"), fifo)

    assert scan.data("local:api", "ownership.codeowners")["present"] is True
    assert scan.data("local:api", "ci.pipelines")["present"] is False
    assert scan.data("local:api", "repo.inventory")["files"] == 1
    assert scan.data("local:api", "repo.inventory")["skipped"] == 1
    assert scan.messages("local:api") == ["api: .github/workflows/ci.yml: a named pipe, not a regular file: never opened"]


def test_special_files_detection_would_use_are_named_among_the_problems(tmp_path: Path, scan_local, finishes) -> None:
    repo = tmp_path / "org" / "api"
    write(repo / "CODEOWNERS", "* @acme/api\n")
    (repo / "infra").mkdir()
    fifo = repo / "infra" / "main.tf"
    os.mkfifo(fifo)
    os.mknod(repo / "azure-pipelines.yml", stat.S_IFSOCK | 0o600)  # a socket, without binding one
    os.mkfifo(repo / "notes.bin")  # a name detection never reads: skipped, nothing to name
    os.symlink("infra/main.tf", repo / ".gitlab-ci.yml")

    scan = finishes(lambda: scan_local(tmp_path / "org"), fifo)

    hint = "check it in as a regular file to have it read; the rest of the repository was scanned"
    named = sorted((p.message, p.hint) for p in scan.problems if p.subject == "local:api")
    assert named == [
        ("api: .gitlab-ci.yml: a symbolic link to a named pipe, not a regular file: never opened", hint),
        ("api: azure-pipelines.yml: a socket, not a regular file: never opened", hint),
        ("api: infra/main.tf: a named pipe, not a regular file: never opened", hint),
    ]
    assert scan.data("local:api", "iac.usage")["present"] is False  # a name alone proves nothing here
    assert scan.data("local:api", "ci.pipelines")["present"] is False
    assert scan.data("local:api", "repo.inventory")["skipped"] == 4


def test_many_special_files_stay_under_the_per_repository_cap_of_problems(tmp_path: Path, scan_local, finishes) -> None:
    repo = tmp_path / "org" / "api"
    (repo / "infra").mkdir(parents=True)
    for number in range(12):
        os.mkfifo(repo / "infra" / f"m{number:02}.tf")

    messages = finishes(lambda: scan_local(tmp_path / "org"), repo / "infra" / "m00.tf").messages("local:api")

    assert messages[0] == "api: infra/m00.tf: a named pipe, not a regular file: never opened"
    assert len(messages) == 11 and messages[-1] == "api: 2 more problems not shown"


def test_the_reader_refuses_a_fifo_without_blocking(tmp_path: Path, finishes) -> None:
    fifo = tmp_path / "pipe.yml"
    os.mkfifo(fifo)
    reader = FileReader({"pipe.yml": str(fifo)}.get, max_bytes=1024)

    def read() -> str:
        with pytest.raises(UnreadableFile) as raised:
            reader("pipe.yml")
        return str(raised.value)

    assert finishes(read, fifo) == "not a regular file"
    assert reader.refused == {"pipe.yml"}


def test_a_50_mb_file_is_not_read_and_is_reported(tmp_path: Path, scan_local) -> None:
    repo = tmp_path / "org" / "api"
    write(repo / ".github" / "workflows" / "ci.yml", WORKFLOW)
    huge = repo / ".github" / "workflows" / "huge.yml"
    with open(huge, "wb") as sparse:
        sparse.truncate(50 * 1024 * 1024)  # sparse: costs no disk, and a read would return 50 MB of NULs

    scan = scan_local(tmp_path / "org")

    inventory = scan.data("local:api", "repo.inventory")
    # Both workflows were asked for; the huge one was refused on its size before any byte was read.
    assert (inventory["files"], inventory["files_read"], inventory["skipped"]) == (2, 2, 1)
    assert [m for m in scan.messages("local:api") if "huge.yml" in m and "larger than" in m]


def test_the_reader_refuses_files_above_the_limit_even_when_the_listing_said_small(tmp_path: Path) -> None:
    grown = write(tmp_path / "grown.yml", "a" * 20)
    small = write(tmp_path / "small.yml", "a" * 10)
    reader = FileReader({"grown.yml": str(grown), "small.yml": str(small)}.get, max_bytes=10)

    assert reader("small.yml") == b"a" * 10
    with pytest.raises(UnreadableFile, match="^larger than 10 bytes$"):
        reader("grown.yml")
    with pytest.raises(UnreadableFile, match="^not in the repository listing$"):
        reader("elsewhere.yml")
    assert reader.refused == {"grown.yml", "elsewhere.yml"}


# --- broken content -------------------------------------------------------------------


# "Billion laughs": 11 levels of 10 aliases each, 10^12 strings if anything expanded it.
ALIAS_BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join(['*' + previous] * 10)}]\n"
    for previous, name in zip("abcdefghijk", "bcdefghijkl", strict=True)
)


def test_broken_files_become_problems_and_the_scan_goes_on(tmp_path: Path, scan_local) -> None:
    repo = tmp_path / "org" / "api"
    write(repo / "CODEOWNERS", "* @acme/api\n")
    write(repo / ".github" / "workflows" / "good.yml", WORKFLOW)
    write(repo / ".github" / "workflows" / "binary.yml", b"name: x\x00\x00\x01\x02\xff")
    write(repo / ".github" / "workflows" / "broken.yml", "on: [push\njobs: {\n")
    write(repo / ".github" / "workflows" / "bomb.yml", ALIAS_BOMB)

    scan = scan_local(tmp_path / "org")

    assert scan.data("local:api", "ownership.codeowners")["present"] is True
    # Workflows that cannot be parsed leave the repository's CI unknown, not absent.
    pipelines = scan.of("local:api", "ci.pipelines")
    assert pipelines.status is EvidenceStatus.UNAVAILABLE and pipelines.reason.startswith("pipeline file ")
    messages = scan.messages("local:api")
    for name in ("binary.yml", "broken.yml", "bomb.yml"):
        assert [m for m in messages if m.startswith(f"api: .github/workflows/{name}: ")], (name, messages)


# --- names ----------------------------------------------------------------------------


def test_odd_file_names_are_listed_printably_and_read(tmp_path: Path, scan_local) -> None:
    repo = os.fsencode(tmp_path / "org" / "api")
    os.makedirs(repo + b"/.github/workflows")
    os.makedirs(repo + b"/caf\xe9")
    for name in (b"/.github/workflows/\xff build.yml", b"/caf\xe9/new\nline.md", b"/with space.md", b"/back\\slash"):
        with open(repo + name, "w") as file:
            file.write(WORKFLOW)

    first = scan_local(tmp_path / "org")
    second = scan_local(tmp_path / "org")

    assert first.data("local:api", "ci.pipelines")["paths"] == [".github/workflows/\\xff build.yml"]
    assert first.data("local:api", "repo.inventory")["files"] == 4
    assert [e.model_dump_json() for e in first.evidence] == [e.model_dump_json() for e in second.evidence]
    listing = list_files(os.fsdecode(repo), max_files=100)
    assert sorted(listing.paths) == [
        ".github/workflows/\\xff build.yml",
        "back\\\\slash",
        "caf\\xe9/new\\nline.md",
        "with space.md",
    ]
    # By folder, the same listed (escaped) names: what detection's path filter is handed.
    assert [prefix + name for prefix, names in listing.folders for name in names] == listing.paths


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain name.yml", "plain name.yml"),
        (os.fsdecode(b"\xff"), "\\xff"),
        ("\x85", "\\u0085"),  # a real character, distinct from the undecodable byte 0x85
        (os.fsdecode(b"\x85"), "\\x85"),
        ("a\\xff", "a\\\\xff"),  # a literal backslash never reads as an escape
        ("tab\there", "tab\\there"),
        ("\U0001f600.md", "\U0001f600.md"),
        ("\u200b", "\\u200b"),
    ],
)
def test_printable_names_are_one_line_and_never_collide(raw: str, shown: str) -> None:
    assert printable(raw) == shown


def test_listed_paths_are_located_by_folder_and_joined_only_for_a_reader(tmp_path: Path) -> None:
    for name in ("b.txt", "c/y.txt", "c/z.txt", "c/d/w.txt"):
        write(tmp_path / name)
    listing = list_files(str(tmp_path), max_files=100)
    paths = ListedPaths(listing)

    assert len(paths) == listing.files == 4
    assert listing.locate("c/z.txt") == str(tmp_path / "c" / "z.txt")
    assert listing.locate("b.txt") == str(tmp_path / "b.txt")
    assert [listing.locate(path) for path in ("c/x.txt", "x/y.txt", "d/w.txt", "c/d", "c")] == [None] * 5
    assert list(paths) == listing.paths == ["b.txt", "c/y.txt", "c/z.txt", "c/d/w.txt"]
    assert paths[1] == "c/y.txt" and paths[-2:] == ["c/z.txt", "c/d/w.txt"]


# --- limits and pruning ---------------------------------------------------------------


def test_the_file_cap_keeps_the_first_files_in_walk_order_and_is_reported(tmp_path: Path, scan_local) -> None:
    repo = tmp_path / "org" / "api"
    for name in ("d/x.txt", "b.txt", "c/y.txt", "a.txt"):
        write(repo / name)

    capped = list_files(str(repo), max_files=3)
    exact = list_files(str(repo), max_files=4)
    scan = scan_local(tmp_path / "org", limits=Limits(max_files_per_repository=3))

    assert capped.paths == ["a.txt", "b.txt", "c/y.txt"]
    assert capped.folders == [("", ["a.txt", "b.txt"]), ("c/", ["y.txt"])]
    assert capped.capped and not exact.capped
    assert scan.data("local:api", "repo.inventory")["files"] == 3
    assert scan.messages("local:api") == ["api: listed only the first 3 files"]


def test_vendored_and_generated_folders_are_pruned(tmp_path: Path) -> None:
    repo = tmp_path / "api"
    for folder in ("node_modules/pkg", "vendor/lib", ".terraform/modules", "third_party/x", ".git/refs", "src/deep"):
        write(repo / folder / "CODEOWNERS")
    write(repo / "src" / "vendor.py")

    listing = list_files(str(repo), max_files=100)

    assert listing.paths == ["src/vendor.py", "src/deep/CODEOWNERS"]


# --- permissions ----------------------------------------------------------------------


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A temporary folder other users can traverse (pytest's tmp_path is private to its owner)."""
    folder = Path(tempfile.mkdtemp(prefix="pecm-local-"))
    folder.chmod(0o755)
    yield folder
    for path in folder.rglob("*"):
        if not path.is_symlink():
            path.chmod(0o755)
    shutil.rmtree(folder)


def _api_summary(result: Any) -> dict[str, Any]:
    return {
        "data": {e.kind: e.data for e in result.evidence if e.subject == "local:api"},
        "messages": result.messages("local:api"),
    }


def collect_unprivileged(
    scan: Callable[[], Any], summarize: Callable[[Any], dict[str, Any]] = _api_summary
) -> dict[str, Any]:
    """Run `scan` where permissions bite: in-process for a normal user; as root, in a forked
    child that drops to user nobody (root reads through chmod 000). Returns `summarize`d results as JSON."""

    def summary() -> dict[str, Any]:
        return summarize(scan())

    if os.geteuid() != 0:
        return summary()
    read_end, write_end = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.close(read_end)
        code = 1
        with os.fdopen(write_end, "w") as out:
            try:
                os.setgroups([])
                os.setgid(NOBODY)
                os.setuid(NOBODY)
                json.dump(summary(), out)
                code = 0
            except BaseException:
                json.dump({"error": traceback.format_exc()}, out)
        os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end) as results:
        payload = json.load(results)
    os.waitpid(child, 0)
    assert "error" not in payload, payload.get("error")
    return payload


def test_unreadable_files_and_folders_are_skipped_and_reported(shared_tmp: Path, scan_local) -> None:
    repo = shared_tmp / "org" / "api"
    write(repo / "CODEOWNERS", "* @acme/api\n")
    workflow = write(repo / ".github" / "workflows" / "ci.yml", WORKFLOW)
    write(repo / "private" / "catalog-info.yaml", "kind: Component\n")
    for path in shared_tmp.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    workflow.chmod(0)
    (repo / "private").chmod(0)

    result = collect_unprivileged(lambda: scan_local(shared_tmp / "org", git=None))

    assert result["data"]["ownership.codeowners"]["present"] is True
    assert result["data"]["repo.inventory"]["files"] == 2
    assert result["data"]["repo.inventory"]["skipped"] == 2  # the folder and the workflow
    messages = result["messages"]
    assert "api: private/: cannot list folder (permission denied)" in messages
    assert [m for m in messages if m.startswith("api: .github/workflows/ci.yml: ") and "permission denied" in m]
    assert stat.S_IMODE(workflow.stat().st_mode) == 0


def test_a_configured_folder_that_cannot_be_listed_leaves_its_repositories_unreached(shared_tmp: Path, scan_local) -> None:
    write(shared_tmp / "org" / "api" / "CODEOWNERS", "* @acme/api\n")
    write(shared_tmp / "locked" / "billing" / "main.tf", 'resource "null_resource" "x" {}\n')
    for path in shared_tmp.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    (shared_tmp / "locked").chmod(0)

    result = collect_unprivileged(
        lambda: scan_local(shared_tmp / "org", shared_tmp / "locked", git=None),
        lambda scan: {"ids": scan.ids, "unreached": scan.unreached},
    )

    assert result["ids"] == ["local:api"]  # the other folder's repositories are unseen, not absent
    assert list(result["unreached"]) == ["repository"]
    assert result["unreached"]["repository"].startswith("cannot list ") and "permission denied" in result["unreached"]["repository"]
