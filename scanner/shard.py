"""Sharding: which subjects one of N parallel scans examines.

A subject's shard is a hash of its id, not its position in a listing, so a repository stays
in the same shard when others are added or removed and each shard's caches stay warm.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from scanner.errors import UserError

_SYNTAX = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


@dataclass(frozen=True)
class Shard:
    """Shard `index` (0-based) of `count`. On the command line shards are 1-based: `2/4`."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if self.count < 1 or not 0 <= self.index < self.count:
            raise ValueError(f"shard index {self.index} is not in 0..{self.count - 1}")

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = _SYNTAX.fullmatch(text)
        if match is None:
            raise UserError(f"{text!r} is not a shard: write I/N, e.g. 2/4 for shard 2 of 4")
        number, count = int(match[1]), int(match[2])
        if count < 1 or not 1 <= number <= count:
            raise UserError(f"{text!r} is not a shard: I/N needs 1 <= I <= N")
        return cls(number - 1, count)

    def includes(self, subject_id: str) -> bool:
        return shard_of(subject_id, self.count) == self.index

    def __str__(self) -> str:
        return f"{self.index + 1}/{self.count}"

    def empty_notice(self) -> str:
        """What a scan of this shard says, instead of a report, when it holds no repository."""
        return (
            f"shard {self.index + 1} of {self.count} holds no repository: no report written, nothing recorded "
            "(exit 0); `pecm merge` of every shard's evidence bundle gives the assessment"
        )


def shard_of(subject_id: str, count: int) -> int:
    """The 0-based shard of a subject id; the same on every machine and Python run."""
    digest = hashlib.sha256(subject_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count
