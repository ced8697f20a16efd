"""Git objects derived from a repository's files: real blob and tree shas, tree walks, tarballs.

Shas are computed the way git computes them, so a tree sha names exactly one directory and a
client can walk a truncated tree by requesting sub-trees by sha.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tests.fakes.http.archive import git_archive

BLOB_MODE = "100644"
TREE_MODE = "040000"


@dataclass(frozen=True)
class TreeEntry:
    name: str
    mode: str
    type: str  # "blob" or "tree"
    sha: str
    size: int | None  # blobs only


@dataclass
class GitObjects:
    root: str  # sha of the top-level tree
    trees: dict[str, list[TreeEntry]] = field(default_factory=dict)  # tree sha -> its direct entries
    blobs: dict[str, bytes] = field(default_factory=dict)  # blob sha -> content

    def walk(self, tree_sha: str, prefix: str = "") -> list[tuple[str, TreeEntry]]:
        """Every entry below a tree as (path, entry), in git's order: a tree precedes its contents."""
        entries: list[tuple[str, TreeEntry]] = []
        for entry in self.trees[tree_sha]:
            path = f"{prefix}{entry.name}"
            entries.append((path, entry))
            if entry.type == "tree":
                entries.extend(self.walk(entry.sha, f"{path}/"))
        return entries


def blob_sha(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\x00" % len(content) + content).hexdigest()


def _git_sort_key(entry: TreeEntry) -> bytes:
    # git orders a tree entry as if its name ended with "/"
    return (entry.name + "/" if entry.type == "tree" else entry.name).encode()


def _store_tree(objects: GitObjects, directory: dict[str, object]) -> str:
    entries: list[TreeEntry] = []
    for name, child in directory.items():
        if isinstance(child, dict):
            entries.append(TreeEntry(name, TREE_MODE, "tree", _store_tree(objects, child), None))
        else:
            assert isinstance(child, bytes)
            sha = blob_sha(child)
            objects.blobs[sha] = child
            entries.append(TreeEntry(name, BLOB_MODE, "blob", sha, len(child)))
    entries.sort(key=_git_sort_key)
    body = b"".join(f"{e.mode.lstrip('0')} {e.name}".encode() + b"\x00" + bytes.fromhex(e.sha) for e in entries)
    sha = hashlib.sha1(b"tree %d\x00" % len(body) + body).hexdigest()
    objects.trees[sha] = entries
    return sha


class _Memo:
    """Results of pure functions of a repository's files, so that hashing every blob or building a
    tarball happens once per content, not once per request (a benchmark's 1,000 repositories would
    otherwise measure the fake's CPU, not the collector). Keys hold the contents' identities; the
    entry keeps the contents alive, so an identity cannot be reused while it is cached."""

    def __init__(self, size: int = 4096) -> None:
        self._size = size
        self._entries: dict[tuple[Any, ...], tuple[tuple[bytes, ...], Any]] = {}
        self._lock = threading.Lock()

    def get(self, files: dict[str, bytes], extra: tuple[Any, ...], make: Callable[[], Any]) -> Any:
        key = (*extra, *sorted((path, id(content)) for path, content in files.items()))
        with self._lock:
            hit = self._entries.get(key)
        if hit is not None:
            return hit[1]
        value = make()
        with self._lock:
            if len(self._entries) >= self._size:
                self._entries.pop(next(iter(self._entries)))
            self._entries[key] = (tuple(files.values()), value)
        return value


_MEMO = _Memo()


def build_objects(files: dict[str, bytes]) -> GitObjects:
    return _MEMO.get(files, ("objects",), lambda: _build_objects(files))  # type: ignore[no-any-return]


def _build_objects(files: dict[str, bytes]) -> GitObjects:
    root: dict[str, object] = {}
    for path, content in files.items():
        parts = [part for part in path.split("/") if part]
        directory = root
        for part in parts[:-1]:
            child = directory.setdefault(part, {})
            if not isinstance(child, dict):  # a file and a directory share a name; the directory wins
                child = directory[part] = {}
            directory = child
        directory.setdefault(parts[-1], content)
    objects = GitObjects(root="")
    objects.root = _store_tree(objects, root)
    return objects


def tarball(files: dict[str, bytes], top_folder: str, commit_sha: str, mtime: datetime) -> bytes:
    """A .tar.gz laid out like GitHub's: one top folder, the commit sha in the pax global header."""
    extra = ("tarball", top_folder, commit_sha, mtime)
    return _MEMO.get(files, extra, lambda: git_archive(files, top_folder, commit_sha, mtime))  # type: ignore[no-any-return]
