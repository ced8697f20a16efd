"""The records that need every project of a group: who includes each one's CI
(ci.reusable_consumers) and what the others take from it (repo.cross_references). What they
are made of is noted as each project's records go by, and they are made once the last project
of the group has been examined."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from collectors.base import Gap
from collectors.cross_subject import ORIGINS, SHARDED_REASON, UNREAD_REASON
from collectors.githost.cache import FileEvidence
from collectors.gitlab import consumers
from scanner.contract import CollectContext
from scanner.model import Evidence, EvidenceStatus, Subject


class GroupRelations:
    """One group's projects and what their records said of one another."""

    def __init__(self, ctx: CollectContext, group: str, instance: str) -> None:
        self._ctx = ctx
        self._group = group
        self._instance = instance  # the instance's server_fqdn (instance.py)
        self._subjects: dict[str, Subject] = {}  # full path -> subject
        self._taken: dict[str, dict[str, Any] | None] = {}  # full path -> references.origins, None: not observed
        self._provides: dict[str, bool] = {}  # full path -> whether it offers reusable CI (where its files were read)

    def project(
        self, full_path: str, subject: Subject, records: Iterable[Evidence], files: FileEvidence | Gap
    ) -> Iterator[Evidence]:
        """The project's `records`, passed on as they are, noting what the relations need."""
        self._subjects[full_path], self._taken[full_path] = subject, None
        for item in records:
            if item.kind == ORIGINS and item.status is EvidenceStatus.OBSERVED:
                self._taken[full_path] = item.data
            yield item
        if isinstance(files, FileEvidence):
            self._provides[full_path] = bool(files.signals["ci.reusable_provided"].get("present"))

    def records(self) -> Iterator[Evidence]:
        """ci.reusable_consumers and repo.cross_references of every project noted. Where some
        project could not be read, "nobody" is not known (unless the project offers no reusable
        CI: then it has no CI consumer whatever the others hold)."""
        ctx, group = self._ctx, self._group
        including, relations = consumers.relations(self._taken, self._instance)
        unread = any(data is None for data in self._taken.values())
        for full_path, subject in self._subjects.items():
            if ctx.shard is not None:  # the others live in other shards
                yield ctx.unavailable("ci.reusable_consumers", subject, f"a sharded scan reads one share of {group}'s projects, "
                                      "so who includes this one's CI is not known")
                yield ctx.unavailable("repo.cross_references", subject, SHARDED_REASON)
                continue
            users = including[full_path]
            if users or not unread or self._provides.get(full_path) is False:
                yield ctx.observed("ci.reusable_consumers", subject, {"consumers": len(users), "repositories": users})
            else:
                yield ctx.unavailable("ci.reusable_consumers", subject, f"not every project of {group} could be read, "
                                      "so who includes this one's CI is not known")
            found = relations[full_path]
            if any(found.values()) or not unread:
                yield ctx.observed("repo.cross_references", subject, dict(found))
            else:
                yield ctx.unavailable("repo.cross_references", subject, UNREAD_REASON)
