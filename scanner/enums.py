"""The model's enumerations: stages, capabilities, rule outcomes and evidence statuses.

Free of pydantic, so that what only compares stages and outcomes (the gate reading a saved
assessment, the stage walk) is not charged the ~0.1 s of CPU pydantic's first model costs.
scanner.model re-exports them: both names are the same objects.
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Final


class Stage(str, Enum):
    """The five maturity stages, ordered: `Stage.DEFINED > Stage.REPEATABLE`."""

    INITIAL = "initial"
    REPEATABLE = "repeatable"
    DEFINED = "defined"
    MANAGED = "managed"
    OPTIMIZING = "optimizing"

    @property
    def rank(self) -> int:
        return _STAGE_RANK[self]

    # str already defines the comparisons (alphabetical), so all four are overridden here.
    def __lt__(self, other: object) -> bool:
        return self.rank < other.rank if isinstance(other, Stage) else NotImplemented

    def __le__(self, other: object) -> bool:
        return self.rank <= other.rank if isinstance(other, Stage) else NotImplemented

    def __gt__(self, other: object) -> bool:
        return self.rank > other.rank if isinstance(other, Stage) else NotImplemented

    def __ge__(self, other: object) -> bool:
        return self.rank >= other.rank if isinstance(other, Stage) else NotImplemented

    __hash__ = str.__hash__

    def next(self) -> Stage | None:
        stages = list(Stage)
        return stages[self.rank] if self.rank < len(stages) else None


_STAGE_RANK = {stage: index + 1 for index, stage in enumerate(Stage)}
_STAGES_BY_NUMBER: Final = {rank: stage for stage, rank in _STAGE_RANK.items()}


def parse_stage(value: Any) -> Stage | None:
    """A stage from its name or its number (1-5); None when it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return _STAGES_BY_NUMBER.get(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text.isdigit():
            return _STAGES_BY_NUMBER.get(int(text))
        return next((stage for stage in Stage if stage.value == text), None)
    return None


class Capability(str, Enum):
    INVESTMENT = "investment"
    ADOPTION = "adoption"
    GOVERNANCE = "governance"
    PROVISIONING = "provisioning"
    INTERFACES = "interfaces"
    MEASUREMENT = "measurement"


class EvidenceStatus(str, Enum):
    OBSERVED = "observed"
    UNAVAILABLE = "unavailable"  # the source could have told, but did not (error, permission, rate limit)
    UNSUPPORTED = "unsupported"  # this source cannot know (a local checkout has no branch protection)


class Outcome(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"  # the evidence needed could not be collected and could change the outcome
    NOT_APPLICABLE = "not_applicable"  # no configured source provides the evidence
