"""Which folders become repositories, and with which ids."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from collectors.local import LocalCollector, LocalConfig
from collectors.local.collector import BRANCH_PROTECTION_REASON, PLAIN_FOLDER_REASON
from scanner.errors import UserError
from scanner.kinds import FILE_SIGNAL_KINDS
from scanner.model import EvidenceStatus


def make_repo(folder: Path, *, git: bool = False) -> Path:
    (folder / "src").mkdir(parents=True)
    (folder / "src" / "main.py").write_text("print('hi')\n")
    if git:
        (folder / ".git").mkdir()  # enough for discovery; git metadata is tested with real repositories
        (folder / ".git" / "config").write_text("[core]\n")
    return folder


def test_a_repositorys_url_is_its_folders_file_url_whatever_its_name(tmp_path: Path, scan_local) -> None:
    names = ["with space", "per%cent", "hash#and?query", "ünïcode", "semi;colon", "tilde~plus+"]
    for name in names:
        make_repo(tmp_path / name)

    scan = scan_local(tmp_path, git=None)

    assert {subject.url for subject in scan.subjects} == {(tmp_path / name).resolve().as_uri() for name in names}
    assert {subject.files_url for subject in scan.subjects} == {(tmp_path / name).resolve().as_uri() + "/" for name in names}


def test_an_organization_folder_lists_its_subfolders_as_repositories(tmp_path: Path, scan_local) -> None:
    make_repo(tmp_path / "zeta")
    make_repo(tmp_path / "alpha", git=True)
    make_repo(tmp_path / ".cache")  # hidden: not a repository
    (tmp_path / "notes.txt").write_text("a file beside the repositories is not one\n")

    scan = scan_local(tmp_path, git=None)

    assert scan.ids == ["local:alpha", "local:zeta"]
    alpha = scan.subject("local:alpha")
    assert (alpha.kind, alpha.name, alpha.source) == ("repository", "alpha", "local")
    assert alpha.url == (tmp_path / "alpha").resolve().as_uri()
    assert scan.problems == []


def test_every_subject_gets_exactly_one_record_of_every_provided_kind(tmp_path: Path, scan_local) -> None:
    make_repo(tmp_path / "one")
    make_repo(tmp_path / "two")

    scan = scan_local(tmp_path)

    assert len(scan.evidence) == 2 * len(LocalCollector.provides)
    assert LocalCollector.provides == {
        *FILE_SIGNAL_KINDS, "repo.inventory", "vcs.activity", "vcs.branch_protection", "repo.cross_references"
    }
    protection = scan.of("local:one", "vcs.branch_protection")
    assert (protection.status, protection.reason) == (EvidenceStatus.UNSUPPORTED, BRANCH_PROTECTION_REASON)
    activity = scan.of("local:one", "vcs.activity")
    assert (activity.status, activity.reason) == (EvidenceStatus.UNSUPPORTED, PLAIN_FOLDER_REASON)
    assert scan.data("local:one", "repo.inventory")["files"] == 1


def test_a_folder_containing_git_is_one_repository_even_with_checkouts_inside(tmp_path: Path, scan_local) -> None:
    monorepo = make_repo(tmp_path / "monorepo", git=True)
    make_repo(monorepo / "vendored-checkout", git=True)

    scan = scan_local(monorepo, git=None)

    assert scan.ids == ["local:monorepo"]
    # The nested checkout's files belong to the monorepo; its .git folder is never listed.
    assert scan.data("local:monorepo", "repo.inventory")["files"] == 2


def test_a_git_worktree_file_also_marks_a_single_repository(tmp_path: Path, scan_local) -> None:
    worktree = make_repo(tmp_path / "feature")
    (worktree / ".git").write_text("gitdir: /elsewhere/.git/worktrees/feature\n")
    make_repo(worktree / "sub")

    assert scan_local(worktree, git=None).ids == ["local:feature"]


@pytest.mark.parametrize("mark", ["Dockerfile", "package.json", ".github/workflows/ci.yml"])
def test_an_exported_repository_without_git_is_one_repository(tmp_path: Path, mark: str, scan_local) -> None:
    """A copy without .git (an archive, a CI artifact) keeps its CI or build manifest at the top."""
    export = make_repo(tmp_path / "service")
    make_repo(export / "docs")
    (export / mark).parent.mkdir(parents=True, exist_ok=True)
    (export / mark).write_text("x\n")

    scan = scan_local(export, git=None)

    assert scan.ids == ["local:service"]
    shown = ".github/workflows/" if mark.startswith(".github") else mark
    assert scan.messages() == [
        f"{export} has no .git but its top level holds {shown}: scanned as one repository"
    ]


def test_a_folder_of_repositories_stays_one_even_with_a_manifest_at_its_top(tmp_path: Path, scan_local) -> None:
    make_repo(tmp_path / "alpha", git=True)
    make_repo(tmp_path / "beta")
    (tmp_path / "Makefile").write_text("all:\n")  # not a mark: organizations keep such helpers
    (tmp_path / "README.md").write_text("# our repositories\n")
    assert scan_local(tmp_path, git=None).ids == ["local:alpha", "local:beta"]
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")  # a mark, but a subfolder is a git checkout
    assert scan_local(tmp_path, git=None).ids == ["local:alpha", "local:beta"]


def test_exclude_patterns_match_repository_names(tmp_path: Path, scan_local) -> None:
    for name in ("api", "api-archive", "web", "old-web-archive"):
        make_repo(tmp_path / name)

    scan = scan_local(tmp_path, exclude=["*-archive", "w?b"])

    assert scan.ids == ["local:api"]


def test_same_names_in_two_folders_get_distinct_ids_in_configuration_order(tmp_path: Path, scan_local) -> None:
    for team in ("team-b", "team-a", "team-c"):
        make_repo(tmp_path / team / "api")
    make_repo(tmp_path / "team-a" / "api~2")  # a real folder spelled like a generated id

    scan = scan_local(tmp_path / "team-b", tmp_path / "team-a", tmp_path / "team-c")

    urls = {subject.id: subject.url for subject in scan.subjects}
    assert urls == {
        "local:api": (tmp_path / "team-b" / "api").resolve().as_uri(),
        "local:api~3": (tmp_path / "team-a" / "api").resolve().as_uri(),
        "local:api~2": (tmp_path / "team-a" / "api~2").resolve().as_uri(),
        "local:api~4": (tmp_path / "team-c" / "api").resolve().as_uri(),
    }
    assert {subject.name for subject in scan.subjects} == {"api", "api~2"}


def test_a_folder_reached_twice_is_scanned_once(tmp_path: Path, scan_local) -> None:
    make_repo(tmp_path / "org" / "api", git=True)

    scan = scan_local(tmp_path / "org", tmp_path / "org" / "api", tmp_path / "org", git=None)

    assert scan.ids == ["local:api"]


def test_unusable_paths_are_problems_while_another_path_works(tmp_path: Path, scan_local) -> None:
    make_repo(tmp_path / "org" / "api")
    (tmp_path / "file.txt").write_text("not a folder\n")

    scan = scan_local(tmp_path / "missing", tmp_path / "file.txt", tmp_path / "org")

    assert scan.ids == ["local:api"]
    assert scan.messages() == [f"{tmp_path / 'missing'} does not exist", f"{tmp_path / 'file.txt'} is not a folder"]


def test_no_usable_path_is_a_user_error_in_one_line(tmp_path: Path, scan_local) -> None:
    with pytest.raises(UserError) as raised:
        scan_local(tmp_path / "missing", tmp_path / "gone")

    line = raised.value.one_line()
    assert "\n" not in line and line.startswith(f"no repositories found under {tmp_path / 'missing'}, {tmp_path / 'gone'}; ")
    assert f"{tmp_path / 'missing'} does not exist" in line


def test_symlinked_subfolders_are_not_followed(tmp_path: Path, scan_local) -> None:
    make_repo(tmp_path / "elsewhere" / "secret-repo")
    make_repo(tmp_path / "org" / "api")
    os.symlink(tmp_path / "elsewhere" / "secret-repo", tmp_path / "org" / "linked")

    scan = scan_local(tmp_path / "org")

    assert scan.ids == ["local:api"]
    assert scan.messages() == [f"{tmp_path / 'org' / 'linked'} is a symbolic link and was not followed"]


def test_a_folder_without_repositories_is_not_scanned_as_an_empty_organization(tmp_path: Path, scan_local) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("no repository here\n")

    with pytest.raises(UserError) as raised:
        scan_local(tmp_path / "empty")

    assert raised.value.one_line() == (
        f"no repositories found under {tmp_path / 'empty'}; {tmp_path / 'empty'} holds no repository folders "
        "(give a repository folder (with .git) or a folder of repository folders)"
    )


def test_a_folder_without_repositories_beside_one_with_them_is_a_problem(tmp_path: Path, scan_local) -> None:
    (tmp_path / "empty").mkdir()
    make_repo(tmp_path / "org" / "api")

    scan = scan_local(tmp_path / "empty", tmp_path / "org")

    assert scan.ids == ["local:api"]
    assert scan.messages() == [f"{tmp_path / 'empty'} holds no repository folders"]


def test_relative_paths_are_relative_to_the_context_base_dir(tmp_path: Path, scan_local) -> None:
    make_repo(tmp_path / "org" / "api")

    assert scan_local(Path("org"), base_dir=tmp_path).ids == ["local:api"]


@pytest.mark.parametrize(
    "options",
    [{"paths": []}, {}, {"paths": ["."], "window_days": 0}, {"paths": ["."], "token": "x"}],
    ids=["no-paths", "paths-missing", "zero-window", "unknown-key"],
)
def test_config_refuses_bad_settings(options: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        LocalConfig.model_validate(options)


def test_a_repository_folder_named_with_undecodable_bytes_gets_a_printable_id(tmp_path: Path, scan_local) -> None:
    os.makedirs(os.fsencode(tmp_path / "org") + b"/caf\xe9/src")

    scan = scan_local(tmp_path / "org")

    subject = scan.subject("local:caf\\xe9")
    assert subject.name == "caf\\xe9"
    assert subject.url is not None and subject.url.endswith("/org/caf%E9")
    assert "caf\\\\xe9" in subject.model_dump_json()
