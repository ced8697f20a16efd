"""The collector contract: what the core gives a collector, and what it expects back.

The core owns this so that it never imports collectors/; `collectors.base.Collector` is the
convenience base class built-in collectors derive from.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol, TextIO, runtime_checkable

from pydantic import BaseModel

from scanner.kinds import KindRegistry
from scanner.model import (
    Assessment,
    CapabilityResult,
    Evidence,
    EvidenceStatus,
    Problem,
    RequestCount,
    Subject,
    typed_evidence,
)
from scanner.shard import Shard


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 1_048_576  # files larger than this are not read (a 50 MB YAML says nothing useful)
    max_files_per_repository: int = 200_000
    max_workers: int = 4


class Timer(Protocol):
    """Wall-clock time and waiting, for collectors that wait on servers (rate limits, retries)."""

    def time(self) -> float:
        """Seconds since the epoch, comparable with the reset times servers send."""
        ...

    def sleep(self, seconds: float) -> None: ...


class RealTimer:
    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class RequestCounter:
    """Requests a collector sent, per endpoint family; API-backed collectors count into it.

    Thread-safe: collectors count from their worker threads."""

    def __init__(self) -> None:
        self._counts: dict[str, RequestCount] = {}
        self._lock = threading.Lock()

    def add(self, family: str, sent: int = 1, charged: int = 0, cost: int = 0) -> None:
        with self._lock:
            old = self._counts.get(family, RequestCount())
            self._counts[family] = RequestCount(
                sent=old.sent + sent, charged=old.charged + charged, cost=old.cost + cost
            )

    def snapshot(self) -> dict[str, RequestCount]:
        with self._lock:
            return dict(sorted(self._counts.items()))


@dataclass
class CollectContext:
    """Everything a collector may use. Collectors read no environment variables and no globals."""

    collector: str
    collector_version: str
    config: BaseModel
    kinds: KindRegistry
    clock: Callable[[], datetime]
    logger: logging.Logger
    limits: Limits = field(default_factory=Limits)
    base_dir: Path = Path(".")  # relative paths in the collector's config are relative to this
    cache_dir: Path | None = None
    secret: Callable[[str], str | None] = lambda _name: None  # environment variable name -> value
    progress: Callable[[str], None] = lambda _subject_id: None  # called once per finished subject
    report_problem: Callable[[Problem], None] = lambda _problem: None
    # (subject kind, why): the source may have subjects of that kind it could not even list.
    report_unreached: Callable[[str, str], None] = lambda _subject_kind, _reason: None
    requests: RequestCounter = field(default_factory=RequestCounter)
    # A sharded scan: collectors skip the repositories it does not include before examining them.
    shard: Shard | None = None
    timer: Timer = field(default_factory=RealTimer)  # tests pass a virtual one: waits cost no real time
    # Patterns of where the organization's own assets live (config platform.internal_sources and
    # organization): references there are internal (collectors/detect/references.py).
    internal_sources: tuple[str, ...] = ()
    # (subject id, when it was examined, whether those are typed): see `_examined`.
    _stamp: tuple[str, Any, bool] | None = field(default=None, init=False, repr=False, compare=False)
    # Kind -> the fields of its "nothing found" records but their subject and time: see `_nothing_found`.
    _nothing: dict[str, dict[str, Any]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def includes(self, subject_id: str) -> bool:
        return self.shard is None or self.shard.includes(subject_id)

    def observed(self, kind: str, subject: Subject, data: dict[str, Any], locators: tuple[str, ...] = ()) -> Evidence:
        return self._evidence(kind, subject, EvidenceStatus.OBSERVED, self.kinds.record_data(kind, data), None, locators)

    def observed_valid(
        self, kind: str, subject: Subject, data: dict[str, Any], locators: tuple[str, ...] = ()
    ) -> Evidence:
        """`observed`, for data the caller's own code builds in the kind's validated form: pecm's file
        detection, whose tests check that validation leaves every data dict it makes unchanged. Data
        read back from anywhere (a cache, a plugin) goes through `observed`, which validates it."""
        return self._evidence(kind, subject, EvidenceStatus.OBSERVED, data, None, locators)

    def observed_defaults(self, kind: str, subject: Subject) -> Evidence:
        """Observed, and nothing of the kind found: its data is the kind's defaults, one validated
        dict shared by every such record (most records of a scan say that)."""
        return self.observed_defaults_of((kind,), subject)[0]

    def observed_defaults_of(self, kinds: Iterable[str], subject: Subject) -> list[Evidence]:
        """`observed_defaults` for each of `kinds`, in order: the subject's time and types are read
        once, and each record is its kind's fields, checked once a scan, with the subject's own."""
        examined_at, stamp_typed = self._examined(subject)
        nothing, subject_id = self._nothing, subject.id
        records: list[Evidence] = []
        for kind in kinds:
            shared = (nothing.get(kind) or self._nothing_found(kind)) if stamp_typed and type(kind) is str else None
            if shared is None:
                # Something of another type (a clock's string, a plugin's str subclass): the model's checks decide.
                records.append(self._evidence(kind, subject, EvidenceStatus.OBSERVED, self.kinds.defaults(kind), None, ()))
            else:  # updating a key keeps its place: the fields in the order `_evidence` gives them
                records.append(typed_evidence({**shared, "subject": subject_id, "observed_at": examined_at}))
        return records

    def unavailable(self, kind: str, subject: Subject, reason: str) -> Evidence:
        return self._evidence(kind, subject, EvidenceStatus.UNAVAILABLE, {}, reason, ())

    def unsupported(self, kind: str, subject: Subject, reason: str) -> Evidence:
        return self._evidence(kind, subject, EvidenceStatus.UNSUPPORTED, {}, reason, ())

    def cut_short(self, subject_kind: str, reason: str) -> None:
        """Say that subjects of this kind may exist that the collector never reached (a listing that
        failed): the rules then count them as unknown instead of absent."""
        self.report_unreached(subject_kind, reason)

    def problem(self, message: str, subject: Subject | None = None, hint: str | None = None) -> None:
        self.report_problem(
            Problem(source=self.collector, subject=subject.id if subject else None, message=message, hint=hint)
        )

    def _evidence(
        self,
        kind: str,
        subject: Subject,
        status: EvidenceStatus,
        data: dict[str, Any],
        reason: str | None,
        locators: tuple[str, ...],
    ) -> Evidence:
        examined_at, stamp_typed = self._examined(subject)
        fields = self._fields(kind, subject.id, status, data, reason, tuple(locators), examined_at)
        if stamp_typed and _typed(kind, data, reason, fields["locators"]):
            return typed_evidence(fields)  # nothing left that the model would check
        # Something of another type (a plugin's Path, a clock's string): the model's checks decide.
        evidence: Evidence = _EVIDENCE.validate_python(fields)
        return evidence

    def _nothing_found(self, kind: str) -> dict[str, Any] | None:
        """The kind's "nothing found" fields but the subject and time, kept for its next records;
        None for a kind whose fields are not exactly of Evidence's types."""
        data = self.kinds.defaults(kind)
        if not _typed(kind, data, None, ()):
            return None
        fields = self._nothing[kind] = self._fields(kind, "", EvidenceStatus.OBSERVED, data, None, (), None)
        return fields

    def _fields(
        self,
        kind: str,
        subject_id: str,
        status: EvidenceStatus,
        data: dict[str, Any],
        reason: str | None,
        locators: tuple[str, ...],
        examined_at: Any,
    ) -> dict[str, Any]:
        return {
            "kind": kind,
            "subject": subject_id,
            "status": status,
            "data": data,
            "reason": reason,
            "locators": locators,
            "collector": self.collector,
            "collector_version": self.collector_version,
            "observed_at": examined_at,
        }

    def _examined(self, subject: Subject) -> tuple[Any, bool]:
        """When the subject was examined: the clock read at the first of its records built one after
        another, which all say that time. With it, whether it, the subject's id and this context's
        names are of Evidence's types (checked once a subject, not once a record)."""
        stamp = self._stamp
        if stamp is None or stamp[0] != subject.id:
            at = self.clock()
            typed = (
                type(at) is datetime
                and type(subject.id) is str
                and type(self.collector) is str
                and type(self.collector_version) is str
            )
            stamp = self._stamp = (subject.id, at, typed)
        return stamp[1], stamp[2]


def _typed(kind: str, data: dict[str, Any], reason: str | None, locators: tuple[str, ...]) -> bool:
    """Whether a record's own fields are exactly of Evidence's types, as the validator would leave them."""
    return (
        type(kind) is str
        and type(data) is dict
        and (reason is None or type(reason) is str)
        and (not locators or all(type(path) is str for path in locators))
    )


_EVIDENCE = Evidence.__pydantic_validator__


@runtime_checkable
class CollectorPlugin(Protocol):
    """A collector, as registered in the `pecm.collectors` entry-point group.

    `collect` yields each Subject before any Evidence about it, and for every subject one
    record of every kind in `provides` — `unavailable` or `unsupported` where it could not
    observe. It raises `scanner.errors.SourceUnavailable` when the whole source is out of
    reach, and `scanner.errors.UserError` when its settings name nothing it could scan (the
    run stops in one line, exit 2, as for a bad config); any other exception is treated as a
    bug in the plugin and recorded as a problem.
    """

    name: ClassVar[str]
    version: ClassVar[str]
    config_model: ClassVar[type[BaseModel]]
    provides: ClassVar[frozenset[str]]

    def collect(self, ctx: CollectContext) -> Iterator[Subject | Evidence]: ...


@runtime_checkable
class RendererPlugin(Protocol):
    """A report format, as registered in the `pecm.renderers` entry-point group.

    Renderers are pure: they write the assessment to `out` and do nothing else (no
    evaluation, no files, no collector knowledge). The CLI owns files and paths.
    """

    name: ClassVar[str]
    description: ClassVar[str]

    def render(self, assessment: Assessment, out: TextIO) -> None: ...


class ProgressDisplay(Protocol):
    def __enter__(self) -> ProgressDisplay: ...

    def __exit__(self, *exc_info: object) -> None: ...

    def advance(self, collector: str, subject_id: str) -> None: ...


@runtime_checkable
class InteractiveRenderer(RendererPlugin, Protocol):
    """The renderer for people at a terminal: it also explains one capability (`pecm explain`)
    and shows progress while a long scan runs. The `console` renderer is one."""

    def explain(self, result: CapabilityResult, out: TextIO) -> None: ...

    def progress(self, out: TextIO, enabled: bool = True) -> ProgressDisplay: ...


@runtime_checkable
class CrossSubjectCollector(Protocol):
    """A collector some of whose kinds depend on every subject of its source (who uses a
    repository's reusable CI). A sharded scan cannot observe those; `pecm merge` asks the
    collector to recompute them from the merged evidence and replaces the records it returns."""

    @classmethod
    def recompute(cls, subjects: Sequence[Subject], evidence: Sequence[Evidence]) -> list[Evidence]: ...
