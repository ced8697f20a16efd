"""List a repository's files without following it anywhere it should not go.

The walk is iterative (deep trees cannot exhaust the stack) and sorted (the same tree always
lists the same way, and a file cap always keeps the same files): a folder's files in name
order, then its subfolders, depth first. It never follows directory symbolic links; a file
symbolic link counts only when it resolves to a regular file inside the repository, so loops
and links out of the tree are skipped, never followed. FIFOs, sockets and devices (and links to
them) are never opened: they are skipped and kept apart in `special`, so that detection can name
those it would have read. Anything that cannot be listed is skipped, counted and described, and
the walk goes on.

It runs once per file of every repository, so a folder costs one scandir and each regular
file two cached type checks and a string: no stat, no object per file (measured: as fast as
os.walk; a NamedTuple per file alone added two thirds).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import overload

from collectors.local.text import os_reason, printable
from scanner.errors import file_kind

#: Folders never entered: version-control internals, then vendored or generated trees that
#: describe someone else's project (detection ignores them too).
PRUNED_FOLDERS = frozenset({".git", "node_modules", "vendor", ".terraform", "third_party"})


_NAME = attrgetter("name")
_ACCESS_HINT = "give the scanning user read access; the rest was scanned"
_LINK_HINT = "links are never followed out of a repository; the rest was scanned"


@dataclass
class Listing:
    root: str
    # The listed files by folder: its prefix in `paths` ("" or "a/b/") and its files' names there,
    # in listing order; detection tests a folder's names together (candidates_by_folder).
    folders: list[tuple[str, list[str]]] = field(default_factory=list)
    files: int = 0  # listed files
    # Listed paths whose file is not at root/path: resolved links, names shown escaped.
    redirects: dict[str, str] = field(default_factory=dict)
    skipped: int = 0
    # Skipped FIFOs, sockets and devices, and links to them: listed path -> what it is.
    special: dict[str, str] = field(default_factory=dict)
    problems: list[tuple[str, str]] = field(default_factory=list)  # ("<path>: <what happened>", what to do)
    capped: bool = False
    root_error: str | None = None  # the repository folder itself could not be listed
    _paths: list[str] | None = field(default=None, init=False, repr=False)
    _by_prefix: dict[str, list[str]] | None = field(default=None, init=False, repr=False)
    _listed: dict[str, frozenset[str]] = field(default_factory=dict, init=False, repr=False)

    @property
    def paths(self) -> list[str]:
        """POSIX, relative to root, printable, in listing order; joined when first asked for (a
        path per file costs the walk a third more, and most repositories' detection needs none:
        `ListedPaths`)."""
        if self._paths is None:
            self._paths = [prefix + name for prefix, names in self.folders for name in names]
        return self._paths

    def locate(self, path: str) -> str | None:
        """The file to open for a listed path; None for a path the walk did not list."""
        folder, slash, name = path.rpartition("/")
        prefix = folder + slash
        listed = self._listed.get(prefix)
        if listed is None:  # a folder's names as a set on its first read: most repositories read a few files
            if self._by_prefix is None:
                self._by_prefix = dict(self.folders)
            listed = self._listed[prefix] = frozenset(self._by_prefix.get(prefix, ()))
        if name not in listed:
            return None
        return self.redirects.get(path) or os.path.join(self.root, path)


class ListedPaths(Sequence[str]):
    """A listing's paths for detection: its length known, the paths joined only if a check reads
    them (one that looks beside a file, as Hugo's and a few named files' do)."""

    def __init__(self, listing: Listing) -> None:
        self._listing = listing

    def __len__(self) -> int:
        return self._listing.files

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        return self._listing.paths[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self._listing.paths)


def list_files(root: str, max_files: int) -> Listing:
    listing = Listing(root)
    # (folder on disk, its listed path relative to root, whether that path is root-relative
    # as is: False below a folder whose name had to be escaped)
    pending: list[tuple[str, str, bool]] = [(root, "", True)]
    while pending and not listing.capped:
        folder, relative, exact = pending.pop()
        names: list[str] = []  # regular files, and links to regular files inside
        subfolders: list[str] = []
        others: list[os.DirEntry[str]] = []  # links, special files, entries whose type is unreadable
        try:
            with os.scandir(folder) as scan:
                for entry in scan:
                    try:
                        if entry.is_file(follow_symlinks=False):
                            names.append(entry.name)
                        elif entry.is_dir(follow_symlinks=False):
                            if entry.name not in PRUNED_FOLDERS:
                                subfolders.append(entry.name)
                        else:
                            others.append(entry)
                    except OSError:
                        others.append(entry)
        except OSError as exc:
            if not relative:
                listing.root_error = os_reason(exc)
                return listing
            listing.skipped += 1
            listing.problems.append((f"{relative}/: cannot list folder ({os_reason(exc)})", _ACCESS_HINT))
            continue
        for entry in sorted(others, key=_NAME):  # name order: problems come out the same every time
            _add_other(listing, entry, relative, names)
        prefix = f"{relative}/" if relative else ""
        names.sort()
        room = max_files - listing.files
        if len(names) > room:
            del names[room:]
            listing.capped = True
        _add_files(listing, folder, prefix, names, exact)
        subfolders.sort(reverse=True)  # popped in name order
        for name in subfolders:
            shown = printable(name)
            pending.append((os.path.join(folder, name), prefix + shown, exact and shown == name))
    return listing


def _add_other(listing: Listing, entry: os.DirEntry[str], relative: str, names: list[str]) -> None:
    """A link to a regular file inside joins `names`; anything else is counted as skipped."""
    try:
        if entry.is_symlink():
            target = _link_target(listing, entry, relative)
            if target is not None:
                names.append(entry.name)
                listing.redirects[_path(relative, entry.name)] = target
        else:
            kind = file_kind(entry.stat(follow_symlinks=False).st_mode) or "not a regular file"
            listing.skipped += 1  # FIFO, socket or device: reading could block or mean nothing
            listing.special[_path(relative, entry.name)] = kind
    except OSError as exc:
        listing.skipped += 1
        listing.problems.append((f"{_path(relative, entry.name)}: cannot inspect ({os_reason(exc)})", _ACCESS_HINT))


def _add_files(listing: Listing, folder: str, prefix: str, names: list[str], exact: bool) -> None:
    if not names:
        return
    joined = "".join(names)
    listing.files += len(names)
    if exact and joined.isprintable() and "\\" not in joined:  # one check for the whole folder: the common case
        listing.folders.append((prefix, names))
        return
    shown_names: list[str] = []
    for name in names:
        shown = printable(name)
        shown_names.append(shown)
        if not exact or shown != name:  # root/<listed path> is not where the file is
            listing.redirects.setdefault(prefix + shown, os.path.join(folder, name))
    listing.folders.append((prefix, shown_names))


def _path(relative: str, name: str) -> str:
    return f"{relative}/{printable(name)}" if relative else printable(name)


def _link_target(listing: Listing, entry: os.DirEntry[str], relative: str) -> str | None:
    """The regular file inside the repository that a file link resolves to, else None (skipped)."""
    path = _path(relative, entry.name)
    real_root = os.path.realpath(listing.root)  # only for links: resolving costs a call per path component
    try:
        target = os.path.realpath(entry.path, strict=True)  # strict: a loop raises instead of resolving
        target_stat = os.stat(target)
    except OSError as exc:
        listing.skipped += 1
        what = "a symbolic-link loop" if exc.errno == errno.ELOOP else "a dangling symbolic link"
        listing.problems.append((f"{path}: {what}, not followed", _LINK_HINT))
        return None
    inside = os.path.commonpath([real_root, target]) == real_root
    if inside and stat.S_ISREG(target_stat.st_mode):
        return target
    listing.skipped += 1
    if not inside:
        listing.problems.append((f"{path}: links outside the repository, not followed", _LINK_HINT))
    elif not stat.S_ISDIR(target_stat.st_mode):
        listing.special[path] = f"a symbolic link to {file_kind(target_stat.st_mode)}"
    return None
