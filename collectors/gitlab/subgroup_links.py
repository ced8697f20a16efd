"""The subgroups' directory links (directory.py), carried from the last scan: one list's links on
every subgroup cost a request per subgroup, every scan, and change without a push or any activity a
scan could see. So, like the approval rules (carried.py), they are carried only while younger than
`settings_max_age_hours`, and the record they go into keeps the time they were read. One entry per
list and top-level group, under the subgroups' ids: a subgroup added or gone reads them again.
Refusals and failures are never carried."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime

from collectors.base import Gap
from collectors.githost.cache import ScanCache
from collectors.gitlab.carried import fresh_details


class SubgroupLinks:
    """One top-level group's subgroups, and the links read (or carried) of each list."""

    def __init__(
        self, cache: ScanCache | None, group: str, subgroups: Sequence[int] | Gap, now: datetime, max_age_hours: float
    ) -> None:
        self._cache = cache
        self._group = group
        self._subgroups = subgroups  # their ids, or why they could not be listed
        self._now = now
        self._max_age_hours = max_age_hours
        self.read_at: datetime | None = None  # when the oldest links carried were read; None: all read now

    def levels(self, kind: str, read: Callable[[int], list[int] | Gap]) -> list[int] | Gap:
        """The access levels the `kind` links of every subgroup grant; `read` asks one subgroup's.
        The first refusal or failure ends the asking (the count is unknown from then on)."""
        subgroups = self._subgroups
        if isinstance(subgroups, Gap):
            return subgroups
        key = f"{self._group}/-/{kind}_group_links"  # `-` is no group's or project's path
        state = hashlib.sha256(",".join(map(str, subgroups)).encode()).hexdigest()[:40]
        carried = self._carried(key, state)
        if carried is not None:
            return carried
        levels: list[int] = []
        for subgroup in subgroups:
            found = read(subgroup)
            if isinstance(found, Gap):
                if found.unsupported:  # gone since it was listed: it holds no link
                    continue
                return found
            levels += found
        if self._cache is not None:
            self._cache.save_details(key, state, self._now.timestamp(), {"levels": levels})
        return levels

    def _carried(self, key: str, state: str) -> list[int] | None:
        found = fresh_details(self._cache, key, state, self._now, self._max_age_hours) if self._cache is not None else None
        if found is None:
            return None
        read_at, data = found
        levels = data.get("levels")
        if not isinstance(levels, list) or not all(isinstance(level, int) for level in levels):
            return None
        self.read_at = read_at if self.read_at is None else min(self.read_at, read_at)
        return levels
