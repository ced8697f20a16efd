"""People, not addresses: which commit authors are bots, and who an address belongs to.

Shared by the collectors that count authors (local `git log`, GitHub commit history). A
`.mailmap` is parsed here as data: git is never asked to read one, so a hostile checkout
cannot point git at anything through it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from fnmatch import fnmatchcase

# GitHub App and Actions bots (`dependabot[bot]`, `41898282+github-actions[bot]@users.noreply.github.com`),
# GitLab project and group access-token bots (`project_42_bot_…@noreply.gitlab.example`).
_BOT_EMAIL = re.compile(r"\[bot\]@|^(?:project|group)_\d+_bot(?:_[0-9a-f]+)?@noreply\.", re.I)
# One mailmap line: a proper name and/or address, then optionally the commit's name and/or address.
_MAILMAP_LINE = re.compile(r"^([^<#]*?)\s*<([^>]*)>(?:\s*([^<#]*?)\s*<([^>]*)>)?")


def is_bot(name: str, email: str, patterns: Iterable[str] = ()) -> bool:
    """Bots by GitHub's `[bot]` suffix, the hosts' bot noreply addresses, or a configured
    glob pattern matching the name or the address (case-insensitive)."""
    if name.lower().endswith("[bot]") or _BOT_EMAIL.search(email):
        return True
    name, email = name.lower(), email.lower()
    return any(fnmatchcase(name, pattern.lower()) or fnmatchcase(email, pattern.lower()) for pattern in patterns)


class Mailmap:
    """git's .mailmap rules that change an address: who a commit address stands for.

    Only the address matters for counting people, so a line that merely renames
    (`Proper Name <address>`) changes nothing here."""

    def __init__(self, text: str = "") -> None:
        self._by_email: dict[str, str] = {}  # commit address -> proper address
        self._by_name_and_email: dict[tuple[str, str], str] = {}  # (commit name, address) -> proper address
        for line in text.splitlines():
            match = _MAILMAP_LINE.match(line.strip())
            if match is None:
                continue
            _proper_name, proper_email, commit_name, commit_email = match.groups()
            if commit_email is None or not proper_email.strip():
                continue
            proper, commit = proper_email.strip().lower(), commit_email.strip().lower()
            if commit_name:
                self._by_name_and_email[(commit_name.strip().lower(), commit)] = proper
            else:
                self._by_email[commit] = proper

    def person(self, name: str, email: str) -> str:
        """The key of the person behind a commit: the address the mailmap maps it to."""
        email = email.strip().lower()
        return self._by_name_and_email.get((name.strip().lower(), email)) or self._by_email.get(email) or email


#: Who wrote a commit, from its author name and address: a person's key, None for a bot.
Person = Callable[[str, str], "str | None"]


def people(mailmap: Mailmap, bot_patterns: Iterable[str] = ()) -> Person:
    """Who wrote a commit, from its author name and address: the person's key, None for a bot."""
    patterns = tuple(bot_patterns)

    def person(name: str, email: str) -> str | None:
        return None if is_bot(name, email, patterns) else mailmap.person(name, email)

    return person

