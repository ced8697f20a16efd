"""The collector base: what every collector shares, so that each supplies only its subjects and
how to examine one of them. The contract itself is `scanner.contract.CollectorPlugin`.

- `Collector`: the plugin class, with its typed settings (`settings`).
- `WorkerPool.in_order`: examinations run in worker threads, a bounded number ahead, and come
  back in the order the subjects were listed; one whose examination raises costs that subject.
- `Findings`: one collect's records (observed / unavailable / unsupported from a `Found`),
  problems capped per subject, progress, and gaps told once per reason at the end.
- `each_target`: the top-level targets of a source (organizations, groups); those that cannot
  be found are problems and leave their subjects unknown, none found at all ends the source.
  `find_targets`: the same finding, for a source that examines all its targets' subjects in one pool.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel

from scanner.contract import CollectContext
from scanner.errors import SourceUnavailable
from scanner.model import Evidence, Subject

log = logging.getLogger(__name__)

T = TypeVar("T")
K = TypeVar("K")
R = TypeVar("R")
C = TypeVar("C", bound=BaseModel)

MAX_PROBLEMS_PER_SUBJECT = 10  # a repository full of unreadable files should not bury every other problem


class Collector(ABC):
    name: ClassVar[str]
    version: ClassVar[str]
    config_model: ClassVar[type[BaseModel]]
    provides: ClassVar[frozenset[str]]

    @classmethod
    def scope(cls, config: BaseModel, base_dir: Path) -> tuple[str, ...]:
        """What a scan with `config` looks at, one entry per target ("github:acme"): history
        tells scans of different targets apart by it. Collectors with targets override it."""
        return (cls.name,)

    @classmethod
    def settings(cls, config: BaseModel, model: type[C]) -> C:
        """`config` as the collector's own settings model (the pipeline validated it with `config_model`)."""
        if not isinstance(config, model):
            raise TypeError(f"the {cls.name} collector needs a {model.__name__}, got {type(config).__name__}")
        return config

    @abstractmethod
    def collect(self, ctx: CollectContext) -> Iterator[Subject | Evidence]:
        """Yield each subject, then one evidence record per provided kind for it."""


@dataclass(frozen=True)
class Gap:
    """Why a piece of evidence is missing: the source could have told but did not (unavailable),
    or cannot know (`unsupported`). `failure`: requests kept failing, not a refusal;
    `rate_limited`: the source's rate limit ran out. Both mean the subject was not read in full.
    `told`: the collector has reported it already, with a hint of its own (a cluster that could
    not be reached, a list that failed for every namespace of it): recorded, not reported again."""

    reason: str
    failure: bool = False
    rate_limited: bool = False
    unsupported: bool = False
    told: bool = False


Found = dict[str, Any] | Gap  # a kind's data, or why there is none


class WorkerPool:
    """Threads for examining subjects; none is started until work needs one."""

    def __init__(self, workers: int, name: str) -> None:
        self.workers = max(1, workers)
        self._name = name
        self._pool: ThreadPoolExecutor | None = None

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Cancel what has not started and wait for what has."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def submit(self, work: Callable[..., R], *args: Any) -> Future[R]:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix=self._name)
        return self._pool.submit(work, *args)

    def in_order(
        self,
        items: Iterable[T],
        examine: Callable[[T], R],
        failed: Callable[[T, Exception], R],
        *,
        fatal: tuple[type[BaseException], ...] = (),
        inline: Callable[[T], bool] | None = None,
    ) -> Generator[tuple[T, R], None, None]:
        """(item, examination) in the order of `items`, examined in the pool at most twice as
        many ahead as there are workers (`items` is read lazily, only that far ahead).

        An examination that raises becomes `failed(item, exc)`: an unexpected answer costs one
        subject, not the scan; `SourceUnavailable` and the `fatal` exceptions end the source.
        Items for which `inline` holds are examined here, without a thread (work that is known
        to be instant). Examinations queued when the iteration is abandoned are cancelled when
        the pool closes."""
        ahead: deque[tuple[T, Future[R] | _Known[R]]] = deque()
        pending = iter(items)
        stop: tuple[type[BaseException], ...] = (SourceUnavailable, *fatal)

        def guarded(item: T) -> R:
            try:
                return examine(item)
            except stop:
                raise
            except Exception as exc:
                log.debug("examining %r failed", item, exc_info=True)
                return failed(item, exc)

        def schedule(item: T) -> Future[R] | _Known[R]:
            if inline is not None and inline(item):
                return _Known(guarded(item))
            return self.submit(guarded, item)

        while True:
            while len(ahead) < 2 * self.workers and (item := next(pending, _END)) is not _END:
                ahead.append((item, schedule(item)))
            if not ahead:
                return
            item, examination = ahead.popleft()
            yield item, examination.result()

    def batched_ahead(
        self, items: Sequence[T], size: int, ask: Callable[[list[T]], R], ahead: int
    ) -> Iterator[tuple[T, R]]:
        """Each item, in order, with the answer to the query of its batch of `size`. The queries
        run in the pool, only `ahead` of the items handed out: asked all first, they kept the
        workers idle until the last was answered; queued all at once, they would hold every worker.
        A query that raises raises here, when its first item is reached."""
        unasked = (list(items[start : start + size]) for start in range(0, len(items), size))
        asked: deque[tuple[list[T], Future[R]]] = deque()
        while True:
            while len(asked) < ahead and (batch := next(unasked, None)) is not None:
                asked.append((batch, self.submit(ask, batch)))
            if not asked:
                return
            batch, answer = asked.popleft()
            found = answer.result()
            yield from ((item, found) for item in batch)


_END: Any = object()


class _Known(Generic[R]):
    """An answer known without a thread, read as a future's: `completed` without the future's
    lock and condition, which `in_order` made for every inline item (every plain folder)."""

    __slots__ = ("_value",)

    def __init__(self, value: R) -> None:
        self._value = value

    def result(self) -> R:
        return self._value


def completed(value: R) -> Future[R]:
    """A future that holds `value` already: work known without a thread, beside work in the pool."""
    done: Future[R] = Future()
    done.set_result(value)
    return done


@dataclass
class Findings:
    """One collect's record keeping over its subjects.

    `record` turns what was found about a kind into its evidence record and notes each gap under
    what it concerns; `end_subject` reports the subject's problems (at most `max_problems`, then
    a count), its requests that kept failing, and its progress; `report_gaps` tells each
    (what, reason) once, with how many subjects it cost, at the end of the scan. Used from the
    collect's own thread, not from workers."""

    ctx: CollectContext
    source: str  # "github": how problems are prefixed
    others: str = "repositories"  # what the subjects are called in hints: "the other repositories were scanned"
    max_problems: int = MAX_PROBLEMS_PER_SUBJECT
    by_reason: dict[tuple[str, str], set[str]] = field(default_factory=dict)  # (what, reason) -> subjects
    rate_limited: set[str] = field(default_factory=set)  # subjects a rate limit kept from being read in full
    rate_reason: str = ""
    failed: set[str] = field(default_factory=set)  # subjects some of whose requests kept failing
    _failures: dict[str, list[str]] = field(default_factory=dict)  # subject -> reasons, until it ends

    def record(self, kind: str, subject: Subject, found: Found, locators: Sequence[str] = (), what: str | None = None) -> Evidence:
        """observed, unavailable or unsupported; a gap is noted under `what` (default: the kind)."""
        if not isinstance(found, Gap):
            return self.ctx.observed(kind, subject, found, tuple(locators))
        self.note(subject, what or kind, found)
        return self._missing(kind, subject, found)

    def records(self, kinds: Iterable[str], subject: Subject, found: Found, what: str) -> list[Evidence]:
        """The same finding for several kinds (all read by one request), its gap noted once."""
        if not isinstance(found, Gap):
            return [self.ctx.observed(kind, subject, found) for kind in kinds]
        self.note(subject, what, found)
        return [self._missing(kind, subject, found) for kind in kinds]

    def _missing(self, kind: str, subject: Subject, gap: Gap) -> Evidence:
        if gap.unsupported:
            return self.ctx.unsupported(kind, subject, gap.reason)
        return self.ctx.unavailable(kind, subject, gap.reason)

    def note(self, subject: Subject, what: str, gap: Gap) -> None:
        if gap.told:
            return
        if gap.failure:
            reasons = self._failures.setdefault(subject.id, [])
            if gap.reason not in reasons:
                reasons.append(gap.reason)
        if gap.rate_limited:
            self.rate_limited.add(subject.id)
            self.rate_reason = self.rate_reason or gap.reason
        elif gap.failure:
            self.failed.add(subject.id)
        elif not gap.unsupported:  # the source cannot know: nothing to grant, nothing to report
            self.by_reason.setdefault((what, gap.reason), set()).add(subject.id)

    def report_problems(self, subject: Subject, problems: Sequence[tuple[str, str]]) -> None:
        """(message, hint) pairs about the subject, under its name: at most `max_problems`, then a count."""
        for line, hint in problems[: self.max_problems]:
            self.ctx.problem(f"{subject.name}: {line}", subject, hint=hint)
        if len(problems) > self.max_problems:
            self.ctx.problem(
                f"{subject.name}: {len(problems) - self.max_problems} more problems not shown",
                subject,
                hint="fix the ones shown and scan again to see the rest",
            )

    def end_subject(self, subject: Subject, problems: Sequence[tuple[str, str]] = ()) -> None:
        """After a subject's records: its problems (`report_problems`), the requests that kept
        failing for it, and its progress."""
        ctx = self.ctx
        self.report_problems(subject, problems)
        failures = self._failures.pop(subject.id, None)
        if failures:
            ctx.problem(
                f"{subject.name}: requests kept failing ({'; '.join(failures)}); the evidence they carry is unavailable",
                subject,
                hint=f"scan again later; the other {self.others} were scanned",
            )
        ctx.progress(subject.id)

    def report_gaps(self, hint: str, rate_hint: str) -> None:
        """Each gap once per (what, reason), then the rate limit once, with the subjects they cost."""
        for (what, reason), subjects in sorted(self.by_reason.items()):
            self.ctx.problem(f"{self.source}: {what} unavailable for {_subjects(len(subjects))}: {reason}", hint=hint)
        if self.rate_limited:
            self.ctx.problem(
                f"{self.source}: {self.rate_reason}; {_subjects(len(self.rate_limited))} not fully scanned", hint=rate_hint
            )


def _subjects(count: int) -> str:
    return f"{count} subject{'s' if count != 1 else ''}"


def each_target(
    ctx: CollectContext,
    source: str,
    base_url: str,
    targets: Iterable[str],
    find: Callable[[str], T | Gap],
    scan: Callable[[T], Iterator[Subject | Evidence]],
    *,
    name_hint: str,
    unreachable_hint: str,
) -> Iterator[Subject | Evidence]:
    """Scan each target `find` finds. One it cannot find (a Gap saying why) is a problem and its
    organizations and repositories are unknown, not absent; when none is found, the source is
    unavailable (`SourceUnavailable`, naming every reason)."""
    missing = _MissingTargets(source, base_url, unreachable_hint)
    for target in targets:
        located = find(target)
        if isinstance(located, Gap):
            missing.add(target, located, ("organization", "repository"))
            continue
        missing.found += 1
        yield from scan(located)
    missing.report(ctx, name_hint)


def find_targets(
    ctx: CollectContext,
    source: str,
    base_url: str,
    targets: Iterable[K],
    find: Callable[[K], T | Gap],
    *,
    unknown: Callable[[K], Sequence[str]],
    name_hint: str,
    unreachable_hint: str,
) -> list[T]:
    """`each_target`'s finding alone, for a source that examines the subjects of all its targets
    in one pool: what `find` found, in order. One it cannot find is a problem, and the subject
    kinds `unknown(target)` names are unknown, not absent; none found ends the source. `targets`
    is read lazily: a target found may decide which follow (a management group's subscriptions)."""
    missing = _MissingTargets(source, base_url, unreachable_hint)
    located: list[T] = []
    for target in targets:
        found = find(target)
        if isinstance(found, Gap):
            missing.add(target, found, unknown(target))
        else:
            located.append(found)
    missing.found = len(located)
    missing.report(ctx, name_hint)
    return located


@dataclass
class _MissingTargets:
    """The targets of a source that could not be found, and what they leave unknown."""

    source: str
    base_url: str
    unreachable_hint: str
    found: int = 0
    failures: list[tuple[str, Sequence[str]]] = field(default_factory=list)  # (target: reason, subject kinds unknown)

    def add(self, target: object, gap: Gap, unknown: Sequence[str]) -> None:
        self.failures.append((f"{target}: {gap.reason}", unknown))

    def report(self, ctx: CollectContext, name_hint: str) -> None:
        """Each failure as a problem, its subjects unknown; none found at all: `SourceUnavailable`."""
        if not self.found:
            reasons = "; ".join(failure for failure, _unknown in self.failures)
            raise SourceUnavailable(f"{self.source}: nothing could be scanned at {self.base_url}: {reasons}",
                                    hint=self.unreachable_hint)
        for failure, unknown in self.failures:
            ctx.problem(f"{self.source}: {failure}", hint=name_hint)
            for subject_kind in unknown:  # that target's are unknown, not absent
                ctx.cut_short(subject_kind, f"{self.source}: {failure}")
