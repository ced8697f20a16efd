"""Combine the evidence bundles of a sharded scan into the bundle one process would have made.

Shards examine disjoint subjects, so the merge is a union; bundles that cannot be the shards
of one scan are refused: made by another pecm, collectors, organization or configuration,
or holding a subject another bundle holds too (two scans of overlapping folders would count
it twice). What one process would have counted once is counted once: source runs are
combined per collector, and a problem every shard met (a missing path, a plugin that failed
to load) is kept once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from scanner.errors import UserError
from scanner.model import Evidence, EvidenceBundle, RequestCount, SourceRun
from scanner.platform_evidence import platform_by_evidence, with_platform_tag

_CONFLICT_HINT = "merge the bundles of one scan's shards, made with the same configuration"


@dataclass(frozen=True)
class ShardBundle:
    label: str  # where the bundle came from (its path), for messages
    bundle: EvidenceBundle


def merge_bundles(shards: Sequence[ShardBundle]) -> EvidenceBundle:
    """One bundle from the shards' bundles. Raises UserError when they cannot be of one scan."""
    if not shards:
        raise UserError("nothing to merge: give the evidence bundles of the shards")
    _check_compatible(shards)
    _check_complete(shards)
    _check_disjoint(shards)
    shard_problems = [problem for shard in shards for problem in shard.bundle.problems]
    first = shards[0].bundle
    return EvidenceBundle(
        pecm_version=first.pecm_version,
        organization=first.organization,
        created_at=max(shard.bundle.created_at for shard in shards),
        config_fingerprint=first.config_fingerprint,
        sources=_merge_runs([run for shard in shards for run in shard.bundle.sources]),
        subjects=tuple(sorted((subject for shard in shards for subject in shard.bundle.subjects), key=lambda s: s.id)),
        evidence=tuple(sorted((item for shard in shards for item in shard.bundle.evidence), key=lambda e: (e.subject, e.kind))),
        problems=tuple(dict.fromkeys(shard_problems)),  # identical problems once, in order
    )


def _check_complete(shards: Sequence[ShardBundle]) -> None:
    """Shards of one scan must all be there, once each: a missing one would silently shrink the
    organization. Bundles made without --shard merge as they are."""
    marked = [(shard.label, shard.bundle.shard) for shard in shards if shard.bundle.shard is not None]
    if not marked:
        return
    if len(marked) != len(shards):
        unmarked = next(shard.label for shard in shards if shard.bundle.shard is None)
        raise UserError(f"{unmarked} is not a shard, {marked[0][0]} is shard {marked[0][1]}", hint=_CONFLICT_HINT)
    counts = {text.split("/")[1] for _label, text in marked}
    if len(counts) != 1:
        raise UserError(f"the bundles come from scans in different numbers of shards: {', '.join(sorted(counts))}")
    count = int(counts.pop())
    seen: dict[str, str] = {}
    for label, text in marked:
        if text in seen:
            raise UserError(f"{label} and {seen[text]} are both shard {text}", hint="give each shard's bundle once")
        seen[text] = label
    missing = [f"{index}/{count}" for index in range(1, count + 1) if f"{index}/{count}" not in seen]
    if missing:
        raise UserError(f"shard {', '.join(missing)} is missing", hint="merge the bundles of every shard of the scan")


def _check_disjoint(shards: Sequence[ShardBundle]) -> None:
    """No subject in two bundles: shards of one scan never overlap, and two scans that do
    (folders listed in both) would count their common repositories twice."""
    holder: dict[str, int] = {}  # subject id -> index of the bundle holding it
    for index, shard in enumerate(shards):
        for subject in shard.bundle.subjects:
            other = holder.setdefault(subject.id, index)
            if other != index:
                raise UserError(
                    f"{shard.label} and {shards[other].label} both hold {subject.id}: shards of one scan never overlap",
                    hint=_CONFLICT_HINT,
                )


def _check_compatible(shards: Sequence[ShardBundle]) -> None:
    first = shards[0]
    for shard in shards[1:]:
        if shard.bundle.pecm_version != first.bundle.pecm_version:
            raise UserError(
                f"{shard.label} was made by pecm {shard.bundle.pecm_version}, {first.label} by {first.bundle.pecm_version}",
                hint="scan every shard with the same pecm version",
            )
        if shard.bundle.organization != first.bundle.organization:
            raise UserError(
                f"{shard.label} is of organization {shard.bundle.organization or '(none)'}, "
                f"{first.label} of {first.bundle.organization or '(none)'}",
                hint=_CONFLICT_HINT,
            )
        if shard.bundle.config_fingerprint != first.bundle.config_fingerprint:
            raise UserError(
                f"{shard.label} and {first.label} were made with different configurations "
                f"(fingerprints {shard.bundle.config_fingerprint or 'none'} and {first.bundle.config_fingerprint or 'none'})",
                hint=_CONFLICT_HINT,
            )
        if _collectors(shard.bundle) != _collectors(first.bundle):
            raise UserError(
                f"{shard.label} ran collectors {_describe(shard.bundle)}, {first.label} ran {_describe(first.bundle)}",
                hint=_CONFLICT_HINT,
            )


def _collectors(bundle: EvidenceBundle) -> set[tuple[str, str]]:
    return {(run.collector, run.version) for run in bundle.sources}


def _describe(bundle: EvidenceBundle) -> str:
    return ", ".join(f"{name} {version}" for name, version in sorted(_collectors(bundle))) or "none"


def _merge_runs(runs: Sequence[SourceRun]) -> tuple[SourceRun, ...]:
    by_collector: dict[str, list[SourceRun]] = {}
    for run in runs:
        by_collector.setdefault(run.collector, []).append(run)
    return tuple(_merge_run(group) for group in by_collector.values())


def _merge_run(runs: Sequence[SourceRun]) -> SourceRun:
    first = runs[0]
    requests: dict[str, RequestCount] = {}
    for run in runs:
        for family, count in run.requests.items():
            old = requests.get(family, RequestCount())
            requests[family] = RequestCount(
                sent=old.sent + count.sent, charged=old.charged + count.charged, cost=old.cost + count.cost
            )
    return SourceRun(
        collector=first.collector,
        version=first.version,
        provides=tuple(sorted({kind for run in runs for kind in run.provides})),
        status=_combined_status([run.status for run in runs]),
        subjects=sum(run.subjects for run in runs),
        evidence=sum(run.evidence for run in runs),
        started_at=min(run.started_at for run in runs),
        finished_at=max(run.finished_at for run in runs),
        requests=dict(sorted(requests.items())),
        unreached=dict(sorted({kind: why for run in reversed(runs) for kind, why in run.unreached.items()}.items())),
    )


def _combined_status(statuses: Sequence[Literal["ok", "partial", "failed"]]) -> Literal["ok", "partial", "failed"]:
    # Failed only when every shard failed: one failed shard leaves the others' evidence, a partial run.
    if all(status == "failed" for status in statuses):
        return "failed"
    return "ok" if all(status == "ok" for status in statuses) else "partial"


def recompute_cross_subject(bundle: EvidenceBundle, collectors: Mapping[str, Any]) -> EvidenceBundle:
    """Let each collector whose kinds need every subject recompute them on the merged bundle."""
    replaced: dict[tuple[str, str], Evidence] = {}
    for run in bundle.sources:
        plugin = collectors.get(run.collector)
        if plugin is None or not hasattr(plugin, "recompute"):  # see scanner.contract.CrossSubjectCollector
            continue
        subjects = [subject for subject in bundle.subjects if subject.source == run.collector]
        ids = {subject.id for subject in subjects}
        evidence = [item for item in bundle.evidence if item.subject in ids]
        for item in plugin.recompute(subjects, evidence):
            replaced[(item.subject, item.kind)] = item
    if not replaced:
        return bundle
    merged = tuple(replaced.get((item.subject, item.kind), item) for item in bundle.evidence)
    return bundle.model_copy(update={"evidence": merged})


def retag_platform(bundle: EvidenceBundle, team_patterns: Sequence[str]) -> EvidenceBundle:
    """Tag the platform repositories the merged evidence shows (consumers live in other shards)."""
    found = platform_by_evidence(bundle.evidence, team_patterns)
    return bundle.model_copy(update={"subjects": tuple(with_platform_tag(bundle.subjects, found))})
