"""List a repository's files without following it anywhere it should not go.

The walk is iterative (deep trees cannot exhaust the stack) and sorted (the same tree always
lists the same way, and a file cap always keeps the same files). It never follows directory
symbolic links; a file symbolic link counts only when it resolves to a regular file inside
the repository, so loops and links out of the tree are skipped, never followed. FIFOs,
sockets and devices are never opened. Anything that cannot be listed is skipped, counted
and described, and the walk goes on.
"""

from __future__ import annotations

import errno
import os
import stat
from operator import attrgetter
from dataclasses import dataclass, field

from collectors.detect import RepoFile
from collectors.local.text import os_reason, printable

#: Folders never entered: version-control internals, then vendored or generated trees that
#: describe someone else's project (detection ignores them too).
PRUNED_FOLDERS = frozenset({".git", "node_modules", "vendor", ".terraform", "third_party"})


_ACCESS_HINT = "give the scanning user read access; the rest was scanned"
_LINK_HINT = "links are never followed out of a repository; the rest was scanned"


@dataclass
class Listing:
    files: list[RepoFile] = field(default_factory=list)
    locations: dict[str, str] = field(default_factory=dict)  # RepoFile.path -> path to open
    skipped: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)  # ("<path>: <what happened>", what to do)
    capped: bool = False
    root_error: str | None = None  # the repository folder itself could not be listed


_NAME = attrgetter("name")


def list_files(root: str, max_files: int) -> Listing:
    listing = Listing()
    real_root = os.path.realpath(root)
    pending: list[tuple[str, str]] = [(root, "")]  # (folder on disk, its path relative to root)
    files, locations = listing.files, listing.locations
    while pending:
        folder, relative = pending.pop()
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=_NAME)  # name order: deterministic, and the cap keeps the same files
        except OSError as exc:
            if not relative:
                listing.root_error = os_reason(exc)
                return listing
            listing.skipped += 1
            listing.problems.append((f"{relative}/: cannot list folder ({os_reason(exc)})", _ACCESS_HINT))
            continue
        subfolders: list[tuple[str, str]] = []
        for entry in entries:
            path = f"{relative}/{printable(entry.name)}" if relative else printable(entry.name)
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in PRUNED_FOLDERS:
                        subfolders.append((entry.path, path))
                    continue
                if entry.is_symlink():
                    _add_link(listing, entry, path, real_root, max_files)
                elif entry.is_file(follow_symlinks=False):
                    # No stat: sizes are checked only for the few files detection reads (FileReader),
                    # which keeps the walk as cheap as a plain directory listing. Inlined: 100,000 calls.
                    if len(files) >= max_files:
                        listing.capped = True
                        break
                    files.append(RepoFile(path))
                    locations[path] = entry.path
                else:
                    listing.skipped += 1  # FIFO, socket or device: reading could block or mean nothing
            except OSError as exc:
                listing.skipped += 1
                listing.problems.append((f"{path}: cannot inspect ({os_reason(exc)})", _ACCESS_HINT))
            if listing.capped:
                break
        if listing.capped:
            break
        pending.extend(reversed(subfolders))  # popped in name order
    return listing


def _add(listing: Listing, path: str, location: str, max_files: int) -> None:
    if len(listing.files) >= max_files:
        listing.capped = True
        return
    listing.files.append(RepoFile(path=path))
    listing.locations[path] = location


def _add_link(listing: Listing, entry: os.DirEntry[str], path: str, real_root: str, max_files: int) -> None:
    try:
        target = os.path.realpath(entry.path, strict=True)  # strict: a loop raises instead of resolving
        target_stat = os.stat(target)
    except OSError as exc:
        listing.skipped += 1
        what = "a symbolic-link loop" if exc.errno == errno.ELOOP else "a dangling symbolic link"
        listing.problems.append((f"{path}: {what}, not followed", _LINK_HINT))
        return
    inside = os.path.commonpath([real_root, target]) == real_root
    if inside and stat.S_ISREG(target_stat.st_mode):
        _add(listing, path, target, max_files)
        return
    listing.skipped += 1
    if not inside:
        listing.problems.append((f"{path}: links outside the repository, not followed", _LINK_HINT))
