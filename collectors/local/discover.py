"""Which folders are repositories: the configured paths, expanded into checkouts.

The rule: a path that contains `.git` (a directory, or the `.git` file of a worktree or
submodule) is one repository, even when folders inside it also hold `.git` (those belong to
its tree). Any other folder is an organization folder: each of its subfolders is a
repository, except hidden ones (`.cache`), symbolic links (never followed) and names the
`exclude` patterns match.

Repository ids are `local:<folder name>`. When two paths hold folders of the same name, the
first in configuration order (then in name order) keeps the plain id and the others get
`local:<name>~2`, `local:<name>~3`, … (the smallest number not already taken), so ids stay
stable as long as the configuration does. A folder reached twice (listed directly and
inside an organization folder) is scanned once.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from collectors.local.text import os_reason, printable

# An exported repository (an archive, a copy without .git) still holds these at its top level; a
# folder of repositories does not (a README or a notes file may sit there, these do not).
_REPOSITORY_FILES = frozenset(
    {
        ".gitlab-ci.yml", "Jenkinsfile", "azure-pipelines.yml", "Dockerfile", "package.json", "go.mod",
        "pyproject.toml", "setup.py", "pom.xml", "build.gradle", "build.gradle.kts", "Cargo.toml", "Gemfile",
        "main.tf", "Chart.yaml", "catalog-info.yaml",
    }
)


@dataclass(frozen=True)
class Repository:
    id: str
    name: str  # printable folder name
    root: str  # absolute, symlink-free path as the OS wants it


@dataclass(frozen=True)
class Discovery:
    repositories: list[Repository]
    problems: list[tuple[str, str]]  # (what happened, what to do)
    unlisted: list[str]  # why a configured folder could not be listed: the repositories in it are unseen


def has_git(folder: str) -> bool:
    return os.path.lexists(os.path.join(folder, ".git"))


def discover(paths: Sequence[Path], exclude: Sequence[str]) -> Discovery:
    problems: list[tuple[str, str]] = []
    unlisted: list[str] = []
    found: list[tuple[str, str]] = []  # (printable name, real root) in configuration order
    seen_roots: set[str] = set()
    for configured in paths:
        roots = _repository_roots(os.fspath(configured), problems, unlisted)
        if roots is None:
            continue
        for name, root in roots:
            if root in seen_roots or any(fnmatchcase(name, pattern) for pattern in exclude):
                continue
            seen_roots.add(root)
            found.append((name, root))
    return Discovery(repositories=_with_unique_ids(found), problems=problems, unlisted=unlisted)


def _repository_roots(
    path: str, problems: list[tuple[str, str]], unlisted: list[str]
) -> list[tuple[str, str]] | None:
    """The repositories at one configured path, sorted by name; None when the path is unusable
    (missing, not a folder, unreadable, or holding no repository folder)."""
    shown = printable(path)
    if not os.path.exists(path):
        problems.append((f"{shown} does not exist", "correct the path in the local collector's paths"))
        return None
    if not os.path.isdir(path):
        problems.append((f"{shown} is not a folder", "list a repository folder or a folder of repositories"))
        return None
    root = os.path.realpath(path)
    if has_git(root):
        return [(printable(os.path.basename(root)), root)]
    try:
        with os.scandir(root) as entries:
            children = sorted(entries, key=lambda entry: entry.name)
    except OSError as exc:
        problems.append((f"cannot list {shown}: {os_reason(exc)}", "give the scanning user read access"))
        unlisted.append(f"cannot list {shown}: {os_reason(exc)}")
        return None
    marks = _repository_marks(root, children)
    if marks and not any(has_git(child.path) for child in children if child.is_dir(follow_symlinks=False)):
        problems.append(
            (
                f"{shown} has no .git but its top level holds {', '.join(marks)}: scanned as one repository",
                "to scan its subfolders as repositories instead, list them in paths",
            )
        )
        return [(printable(os.path.basename(root)), root)]
    roots: list[tuple[str, str]] = []
    for child in children:
        if child.name.startswith("."):
            continue
        if child.is_symlink():
            if os.path.isdir(child.path):
                problems.append(
                    (
                        f"{printable(child.path)} is a symbolic link and was not followed",
                        "list its target in paths to scan it",
                    )
                )
            continue
        if child.is_dir(follow_symlinks=False):
            roots.append((printable(child.name), os.path.join(root, child.name)))
    if not roots:
        problems.append(
            (f"{shown} holds no repository folders", "point paths at a git checkout or at a folder of repositories")
        )
        return None
    return roots


def _repository_marks(root: str, children: list[os.DirEntry[str]]) -> list[str]:
    """What at a folder's top level only a repository holds: its CI, its build manifest."""
    marks = sorted(child.name for child in children if child.name in _REPOSITORY_FILES and child.is_file(follow_symlinks=False))
    workflows = os.path.join(root, ".github", "workflows")
    if not os.path.islink(os.path.join(root, ".github")) and os.path.isdir(workflows) and not os.path.islink(workflows):
        marks.insert(0, ".github/workflows/")
    return marks


def _with_unique_ids(found: list[tuple[str, str]]) -> list[Repository]:
    taken = {name for name, _root in found}
    used: set[str] = set()
    repositories: list[Repository] = []
    for name, root in found:
        key = name
        number = 2
        while key in used or (key != name and key in taken):
            key = f"{name}~{number}"
            number += 1
        used.add(key)
        repositories.append(Repository(id=f"local:{key}", name=name, root=root))
    return repositories
