"""A Git host's re-scan cache: file evidence per repository head, what the host keeps beside it
(history, settings, with the time they were read), and answers to revalidate with ETags.

One JSON file per entry, written atomically, so concurrent workers never share a file and an
interrupted scan leaves every finished entry usable. An unreadable or foreign entry is a miss.
An entry's modification time is its last use: `prune` removes those unused for long (answers
whose URL names a date, like a window's workflow runs, are never asked again).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from scanner.atomic_write import write_atomically
from scanner.contract import CollectContext
from scanner.version import VERSION

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CachedAnswer:
    etag: str
    data: Any
    next_url: str | None


class ConditionalStore(Protocol):
    """Remembers answers by URL so that a re-scan can ask `If-None-Match` (304s are free)."""

    def load(self, url: str) -> CachedAnswer | None: ...

    def save(self, url: str, answer: CachedAnswer) -> None: ...


@dataclass(frozen=True)
class FileEvidence:
    """What a repository's files said at one head commit."""

    head: str
    inventory: dict[str, Any]
    signals: dict[str, dict[str, Any]]
    locators: dict[str, list[str]]
    problems: list[str]
    unknown: dict[str, str]  # kind -> why detection could not tell it
    mailmap: str = ""  # the repository's .mailmap, as text: who its commit addresses belong to


class ScanCache:
    def __init__(self, root: Path, source: str, base_url: str, fingerprint: str) -> None:
        """Entries live under `root`/`source`/the host. `fingerprint` names everything that changes
        what is cached (versions, limits): entries written under another fingerprint are ignored."""
        parts = urlsplit(base_url)
        host = f"{parts.hostname}_{parts.port}" if parts.port else str(parts.hostname)
        self._root = root / source / f"{host}{parts.path.replace('/', '_')}"
        self._source = source
        self._fingerprint = fingerprint

    @classmethod
    def of_scan(cls, ctx: CollectContext, source: str, base_url: str) -> ScanCache | None:
        """The scan's cache for `source`, or None when the scan keeps none. Its fingerprint holds
        what changes file evidence: the collector's and pecm's versions and the file limits."""
        if ctx.cache_dir is None:
            return None
        limits = ctx.limits
        fingerprint = f"{ctx.collector_version}/{VERSION}/{limits.max_file_bytes}/{limits.max_files_per_repository}"
        return cls(ctx.cache_dir, source, base_url, fingerprint)

    # --- file evidence ------------------------------------------------------------------

    def files(self, full_name: str, head: str) -> FileEvidence | None:
        entry = self._read(self._repo_path(full_name))
        if entry is None or entry.get("head") != head:
            return None
        try:
            return FileEvidence(
                head=head,
                inventory=dict(entry["inventory"]),
                signals={kind: dict(data) for kind, data in entry["signals"].items()},
                locators={kind: list(paths) for kind, paths in entry["locators"].items()},
                problems=[str(line) for line in entry["problems"]],
                unknown={str(kind): str(why) for kind, why in entry["unknown"].items()},
                mailmap=str(entry["mailmap"]),
            )
        except (KeyError, TypeError, AttributeError, ValueError):
            return None

    def save_files(self, full_name: str, evidence: FileEvidence) -> None:
        self._write(
            self._repo_path(full_name),
            {
                "head": evidence.head,
                "inventory": evidence.inventory,
                "signals": evidence.signals,
                "locators": evidence.locators,
                "problems": evidence.problems,
                "unknown": evidence.unknown,
                "mailmap": evidence.mailmap,
            },
        )

    # --- what a host keeps beside the files (history, settings) ---------------------------

    def details(self, full_name: str, head: str) -> tuple[float, dict[str, Any]] | None:
        """What was saved for a repository at `head`, and when (epoch seconds); None otherwise."""
        entry = self._read(self._details_path(full_name))
        if entry is None or entry.get("head") != head or not isinstance(entry.get("data"), dict):
            return None
        saved_at = entry.get("saved_at")
        return (float(saved_at), entry["data"]) if isinstance(saved_at, (int, float)) else None

    def save_details(self, full_name: str, head: str, saved_at: float, data: dict[str, Any]) -> None:
        self._write(self._details_path(full_name), {"head": head, "saved_at": saved_at, "data": data})

    # --- conditional answers (client.ConditionalStore) -----------------------------------

    def load(self, url: str) -> CachedAnswer | None:
        entry = self._read(self._answer_path(url))
        if entry is None or entry.get("url") != url or not isinstance(entry.get("etag"), str):
            return None
        return CachedAnswer(etag=entry["etag"], data=entry.get("data"), next_url=entry.get("next_url"))

    def save(self, url: str, answer: CachedAnswer) -> None:
        self._write(
            self._answer_path(url), {"url": url, "etag": answer.etag, "data": answer.data, "next_url": answer.next_url}
        )

    # --- storage ------------------------------------------------------------------------

    def _repo_path(self, full_name: str) -> Path:
        return self._root / "repositories" / f"{_digest(full_name.lower())}.json"

    def _details_path(self, full_name: str) -> Path:
        return self._root / "details" / f"{_digest(full_name.lower())}.json"

    def _answer_path(self, url: str) -> Path:
        return self._root / "answers" / f"{_digest(url)}.json"

    def prune_unused(self, ctx: CollectContext, max_age_days: int) -> int:
        """At the end of a scan: remove the entries unused for `max_age_days` of the scan's timer."""
        return self.prune(ctx.timer.time() - max_age_days * 86400)

    def prune(self, unused_since: float) -> int:
        """Remove the entries last used before `unused_since` (epoch seconds); how many went."""
        removed = 0
        for folder in ("answers", "repositories", "details"):
            try:
                entries = list(os.scandir(self._root / folder))
            except OSError:
                continue
            for entry in entries:
                try:
                    if entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_mtime < unused_since:
                        os.unlink(entry.path)
                        removed += 1
                except OSError as exc:
                    log.debug("cannot prune the cache entry %s: %s", entry.path, exc)
        return removed

    def _read(self, path: Path) -> dict[str, Any] | None:
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            log.debug("ignoring unreadable cache entry %s: %s", path, exc)
            return None
        if not isinstance(entry, dict) or entry.get("fingerprint") != self._fingerprint:
            return None
        value = entry.get("value")
        if not isinstance(value, dict):
            return None
        try:
            os.utime(path)  # used now: kept by `prune`
        except OSError:
            pass
        return value

    def _write(self, path: Path, value: dict[str, Any]) -> None:
        """Best effort: a cache that cannot be written costs the next scan requests, nothing else.
        Not synced to disk: an entry lost in a crash is only a miss."""
        try:
            text = json.dumps({"fingerprint": self._fingerprint, "value": value}, separators=(",", ":"))
            write_atomically(path, text, durable=False)
        except (OSError, TypeError, ValueError) as exc:
            log.warning("cannot write the %s cache entry %s: %s", self._source, path, exc)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:40]
