"""The records that need every repository of an account: who uses each one's reusable CI
(ci.reusable_consumers) and what the others take from it (repo.cross_references). What they
are made of is noted as each repository's records go by, and they are made once the last
repository of the account has been examined."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from collectors.base import Gap
from collectors.cross_subject import ORIGINS, TEMPLATE_LINK, cross_reference_records, template_in_organization
from collectors.githost.cache import FileEvidence
from collectors.github import mapping
from collectors.github.provides import sharded_reason, unread_reason
from scanner.contract import CollectContext
from scanner.model import Evidence, EvidenceStatus, Subject


class AccountRelations:
    """One account's repositories and what their records said of one another."""

    def __init__(self, ctx: CollectContext, login: str) -> None:
        self._ctx = ctx
        self._login = login
        self._unread = 0  # repositories whose files are unknown, so whose references are too
        self._subjects: dict[str, Subject] = {}  # full name -> subject
        self._used: dict[str, list[str]] = {}  # full name -> the reusable CI it uses
        self._provides: dict[str, bool] = {}  # full name -> whether it offers reusable CI
        self._origins: dict[str, dict[str, Any] | None] = {}  # subject id -> references.origins, None: not observed
        self._template_links: dict[str, str | None] = {}  # subject id -> the organization's template it came from

    def repository(
        self, full_name: str, subject: Subject, records: Iterable[Evidence], files: FileEvidence | Gap
    ) -> Iterator[Evidence]:
        """The repository's `records`, passed on as they are, noting what the relations need."""
        self._subjects[full_name] = subject
        self._origins[subject.id] = None
        for item in records:
            if item.kind == ORIGINS and item.status is EvidenceStatus.OBSERVED:
                self._origins[subject.id] = item.data
            elif item.kind == TEMPLATE_LINK and item.status is EvidenceStatus.OBSERVED:
                self._template_links[subject.id] = template_in_organization(item.data)
            yield item
        if isinstance(files, FileEvidence):
            self._used[full_name] = list(files.signals["ci.reusable_used"].get("refs") or ())
            self._provides[full_name] = bool(files.signals["ci.reusable_provided"].get("present"))
        else:
            self._unread += 1

    def records(self) -> Iterator[Evidence]:
        """ci.reusable_consumers, then repo.cross_references, of every repository noted."""
        yield from self._consumers()
        yield from cross_reference_records(self._ctx, list(self._subjects.values()), self._origins, self._template_links)

    def _consumers(self) -> Iterator[Evidence]:
        """Where some repositories could not be read, a repository with no known consumer may have some."""
        ctx, login = self._ctx, self._login
        known = mapping.consumers_by_repository(self._subjects, self._used, login, self._unread, self._provides)
        for full_name, subject in self._subjects.items():
            found = known[full_name]
            if ctx.shard is not None:  # consumers live in every shard; `pecm merge` recomputes them
                yield ctx.unavailable("ci.reusable_consumers", subject, sharded_reason(login))
            elif found is not None:
                yield ctx.observed("ci.reusable_consumers", subject, {"consumers": len(found), "repositories": found})
            else:
                yield ctx.unavailable("ci.reusable_consumers", subject, unread_reason(login))
