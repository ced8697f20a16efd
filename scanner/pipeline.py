"""collect: run the configured collectors into one EvidenceBundle (the commands evaluate it).

Failures stay local: a collector that cannot reach its source, or crashes, is recorded as a
problem, every kind it provides becomes `unavailable` for the subjects it had found, the
subjects it may not have found are recorded as unreached (so its kinds are unknown for them,
not absent), and the other collectors go on.
"""

from __future__ import annotations

import fnmatch
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ValidationError

from scanner.config import LoadedConfig, PecmConfig, describe_validation_error, evidence_fingerprint
from scanner.contract import CollectContext, Limits, RequestCounter
from scanner.errors import CredentialsUnusable, ScanFailed, SourceUnavailable, UserError
from scanner.model import Evidence, EvidenceBundle, Problem, SourceRun, Subject
from scanner.platform_evidence import PLATFORM_KINDS, platform_by_evidence, with_platform_tag
from scanner.plugins import Plugins
from scanner.secrets import SecretStore
from scanner.shard import Shard
from scanner.version import VERSION

log = logging.getLogger(__name__)

Progress = Callable[[str, str], None]  # (collector name, subject id)


@dataclass(frozen=True)
class PlannedSource:
    name: str
    plugin: type[Any]
    config: BaseModel


@dataclass(frozen=True)
class ScanPlan:
    """Everything validated before any collection starts: user errors surface first."""

    loaded: LoadedConfig
    sources: tuple[PlannedSource, ...]


def plan_scan(loaded: LoadedConfig, plugins: Plugins) -> ScanPlan:
    if not loaded.config.sources:
        raise UserError("nothing to scan", hint="give a PATH, or configure sources in the config file")
    sources = []
    for name, section in loaded.config.sources.items():
        plugin = plugins.collectors.get(name)
        if plugin is None:
            installed = ", ".join(sorted(plugins.collectors)) or "none"
            raise UserError(f"{loaded.label} sources.{name}: no collector named {name!r} (installed: {installed})")
        try:
            config = plugin.config_model.model_validate(section)
        except ValidationError as exc:
            raise UserError(describe_validation_error(exc, loaded.label, f"sources.{name}.")) from None
        sources.append(PlannedSource(name, plugin, config))
    return ScanPlan(loaded, tuple(sources))


class _SourceRecorder:
    """Keeps one collector's output honest: declared kinds only, one record per subject and kind,
    and the subjects it did not reach never taken for subjects without evidence."""

    def __init__(self, name: str, provides: frozenset[str], kinds_for: Callable[[Subject], list[str]]) -> None:
        self.name = name
        self.provides = provides
        self._kinds_for = kinds_for
        self.subjects: dict[str, Subject] = {}
        self.records: dict[str, dict[str, Evidence]] = {}  # subject id -> kind -> its record
        self.problems: list[Problem] = []
        self.unreached: dict[str, str] = {}  # subject kind -> why some of its subjects may be missing
        self.credentials_unusable = False  # it stopped because its credentials were missing or refused

    def take(self, item: Subject | Evidence) -> None:
        # Evidence first: nearly every item is a record, and isinstance of a pydantic model other
        # than the item's own goes through the model class's __instancecheck__ (3 times slower).
        if not isinstance(item, Evidence):
            if item.id not in self.subjects:
                self.subjects[item.id] = item
                self.records[item.id] = {}
            return
        records, kind = self.records.get(item.subject), item.kind
        if records is None:
            self.contract_violation(f"emitted {kind} for {item.subject}, a subject it never announced; ignored")
        elif kind not in self.provides:
            self.contract_violation(f"emitted {kind}, which it does not declare in `provides`; ignored")
        elif kind in records:
            self.contract_violation(f"emitted {kind} twice for {item.subject}; the second was ignored")
        else:
            records[kind] = item

    def cut_short(self, subject_kind: str, reason: str) -> None:
        self.unreached.setdefault(subject_kind, reason)

    def fill_missing(self, make: Callable[[str, Subject], Evidence]) -> int:
        """Give every subject a record of every provided kind; return how many were missing."""
        missing = 0
        for subject_id, subject in self.subjects.items():
            records = self.records[subject_id]
            for kind in self._kinds_for(subject):
                if kind not in records:
                    records[kind] = make(kind, subject)
                    missing += 1
        return missing

    def evidence_count(self) -> int:
        return sum(map(len, self.records.values()))

    def contract_violation(self, what: str) -> None:
        self.problems.append(
            Problem(
                source=self.name,
                message=f"collector {self.name} {what}",
                hint="report this to the collector's authors",
            )
        )


def _platform_tagger(patterns: list[str]) -> Callable[[Subject], Subject]:
    """Tags repositories whose name, or its last part, matches a pattern (fnmatch, case as given).

    The patterns become one regular expression by fnmatch's own translation: one match per
    name instead of two fnmatch calls per pattern."""
    names = re.compile("|".join(fnmatch.translate(pattern) for pattern in patterns)) if patterns else None

    def tag(subject: Subject) -> Subject:
        if names is None or subject.kind != "repository" or "platform" in subject.tags:
            return subject
        if names.match(subject.name) or names.match(subject.name.rsplit("/", 1)[-1]):
            return subject.model_copy(update={"tags": tuple(sorted({*subject.tags, "platform"}))})
        return subject

    return tag


def _internal_sources(config: PecmConfig) -> tuple[str, ...]:
    organization = (config.organization,) if config.organization else ()
    return (*organization, *config.platform.internal_sources)


def collect(
    plan: ScanPlan,
    plugins: Plugins,
    *,
    secrets: SecretStore,
    clock: Callable[[], datetime],
    progress: Progress = lambda _collector, _subject: None,
    shard: Shard | None = None,
) -> EvidenceBundle:
    config = plan.loaded.config
    limits = Limits(**config.limits.model_dump())
    problems: list[Problem] = list(plugins.problems)
    runs: list[SourceRun] = []
    subjects: dict[str, Subject] = {}
    records: dict[str, list[dict[str, Evidence]]] = {}  # subject id -> its records by kind, one dict per source
    credentials_unusable: list[bool] = []
    tag_platform = _platform_tagger(config.platform.repositories)

    for source in plan.sources:
        run, recorder = _run_source(source, plan, plugins, limits, secrets, clock, progress, shard)
        runs.append(run)
        credentials_unusable.append(recorder.credentials_unusable)
        problems.extend(recorder.problems)
        for subject in recorder.subjects.values():
            subjects.setdefault(subject.id, tag_platform(subject))
        for subject_id, by_kind in recorder.records.items():
            records.setdefault(subject_id, []).append(by_kind)

    if runs and all(run.status == "failed" for run in runs):
        reasons = "; ".join(p.message for p in problems if p.severity == "error")
        if all(credentials_unusable):  # nothing failed that the user cannot fix in the configuration
            raise UserError(f"no source accepted its credentials: {reasons}")
        raise ScanFailed(f"every source failed: {reasons}")
    # Only the records of the kinds that can tell: not every record read again.
    telling = (by_kind[kind] for each in records.values() for by_kind in each for kind in PLATFORM_KINDS if kind in by_kind)
    by_evidence = platform_by_evidence(telling, config.platform.teams)
    return EvidenceBundle(
        pecm_version=VERSION,
        created_at=clock(),
        organization=config.organization,
        shard=str(shard) if shard is not None else None,
        config_fingerprint=evidence_fingerprint(config),
        sources=tuple(runs),
        subjects=tuple(sorted(with_platform_tag(subjects.values(), by_evidence), key=lambda s: s.id)),
        evidence=tuple(_in_bundle_order(records)),
        problems=tuple(Problem(**{**p.model_dump(), "message": secrets.redact(p.message)}) for p in problems),
    )


def _in_bundle_order(records: dict[str, list[dict[str, Evidence]]]) -> Iterator[Evidence]:
    """By subject id, then kind; a subject two sources announced has the records of both, of one
    kind in source order. (Sorting (subject, kind) pairs took longer: most of each pair is equal.)"""
    for subject_id in sorted(records):
        sources = records[subject_id]
        if len(sources) == 1:
            by_kind = sources[0]
            yield from map(by_kind.__getitem__, sorted(by_kind))
        else:
            for kind in sorted(set().union(*sources)):
                yield from (by_kind[kind] for by_kind in sources if kind in by_kind)


def _run_source(
    source: PlannedSource,
    plan: ScanPlan,
    plugins: Plugins,
    limits: Limits,
    secrets: SecretStore,
    clock: Callable[[], datetime],
    progress: Progress,
    shard: Shard | None,
) -> tuple[SourceRun, _SourceRecorder]:
    plugin = source.plugin
    provides = frozenset(plugin.provides)

    kinds_by_subject_kind: dict[str, list[str]] = {}

    def kinds_for(subject: Subject) -> list[str]:
        if subject.kind not in kinds_by_subject_kind:
            kinds_by_subject_kind[subject.kind] = sorted(
                kind for kind in provides if plugins.kinds[kind].subject_kind == subject.kind
            )
        return kinds_by_subject_kind[subject.kind]

    recorder = _SourceRecorder(source.name, provides, kinds_for)
    ctx = CollectContext(
        collector=plugin.name,
        collector_version=plugin.version,
        config=source.config,
        kinds=plugins.kinds,
        clock=clock,
        logger=logging.getLogger(f"pecm.collectors.{source.name}"),
        limits=limits,
        base_dir=plan.loaded.base_dir,
        cache_dir=plan.loaded.config.cache_dir,
        secret=secrets.get,
        progress=lambda subject_id: progress(source.name, subject_id),
        report_problem=recorder.problems.append,
        report_unreached=recorder.cut_short,
        requests=RequestCounter(),
        shard=shard,
        internal_sources=_internal_sources(plan.loaded.config),
    )
    started = clock()
    status: Literal["ok", "partial", "failed"] = "ok"
    failure: str | None = None
    take = recorder.take
    try:
        for item in plugin().collect(ctx):
            take(item)
    except UserError:  # the source's settings name nothing it could scan: as a bad config, stop here
        raise
    except SourceUnavailable as exc:
        status, failure = "failed", exc.one_line()
        recorder.credentials_unusable = isinstance(exc, CredentialsUnusable)
    except Exception as exc:  # a bug in one plugin must not cost the others their evidence
        log.debug("collector %s crashed", source.name, exc_info=True)
        status, failure = "failed", f"collector {source.name} crashed: {type(exc).__name__}: {exc}"
    if failure is not None:
        recorder.problems.append(
            Problem(
                severity="error",
                source=source.name,
                message=secrets.redact(failure),
                hint="its evidence is recorded as unavailable; run with -v for details",
            )
        )
    reason = f"not collected: {secrets.redact(failure)}" if failure else "the collector emitted no record of this kind"
    if failure is not None:  # it stopped before it could list everything it would have examined
        for subject_kind in sorted({plugins.kinds[kind].subject_kind for kind in provides}):
            recorder.cut_short(subject_kind, reason)
    missing = recorder.fill_missing(lambda kind, subject: ctx.unavailable(kind, subject, reason))
    if missing and failure is None:
        recorder.contract_violation(f"left {missing} subject/kind pairs without a record; they are unavailable")
    if status == "ok" and recorder.problems:
        status = "partial"
    run = SourceRun(
        collector=plugin.name,
        version=plugin.version,
        provides=tuple(sorted(provides)),
        status=status,
        subjects=len(recorder.subjects),
        evidence=recorder.evidence_count(),
        started_at=started,
        finished_at=clock(),
        requests=ctx.requests.snapshot(),
        unreached={kind: secrets.redact(why) for kind, why in sorted(recorder.unreached.items())},
    )
    return run, recorder
