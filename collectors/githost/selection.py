"""Which of an account's listed repositories (GitLab: a group's projects) a scan examines: the
selection settings every Git host's config shares (`GitHostConfig`), read alike on every host."""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatchcase
from typing import Protocol

from collectors.githost.config import GitHostConfig


class Listing(Protocol):
    """What a host's repository listing says that the selection reads."""

    @property
    def archived(self) -> bool: ...

    @property
    def fork(self) -> bool: ...

    @property
    def topics(self) -> Sequence[str]: ...


def selected(listing: Listing, names: Sequence[str], config: GitHostConfig) -> bool:
    """Archived repositories and forks only when the config asks for them; then one of `names`
    (GitHub: the repository's name; GitLab: the project's name or its path below the group)
    matching an include pattern, when there are any, and none matching an exclude pattern; then
    a topic in common with the config's, when it names topics. Patterns match case-sensitively
    on every platform (`fnmatch.fnmatch` would fold case on Windows alone)."""
    if listing.archived and not config.include_archived or listing.fork and not config.include_forks:
        return False
    if config.include and not any(fnmatchcase(name, pattern) for pattern in config.include for name in names):
        return False
    if any(fnmatchcase(name, pattern) for pattern in config.exclude for name in names):
        return False
    return not config.topics or not set(config.topics).isdisjoint(listing.topics)
