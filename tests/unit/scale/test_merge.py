"""Merging shard bundles: runs combined per collector, duplicates and mismatches told plainly."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from scanner.errors import UserError
from scanner.merge import ShardBundle, merge_bundles
from scanner.model import Evidence, EvidenceBundle, EvidenceStatus, Problem, RequestCount, SourceRun, Subject

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)


def _subject(name: str, url: str | None = None) -> Subject:
    return Subject(id=f"github:acme/{name}", kind="repository", name=f"acme/{name}", source="github", url=url)


def _evidence(name: str, present: bool = True, at: datetime = T0) -> Evidence:
    return Evidence(
        kind="iac.usage", subject=f"github:acme/{name}", status=EvidenceStatus.OBSERVED, data={"present": present},
        collector="github", collector_version="1", observed_at=at,
    )


def _run(status: str = "ok", subjects: int = 1, start: int = 0, sent: int = 1, collector: str = "github") -> SourceRun:
    return SourceRun(
        collector=collector, version="1", provides=("iac.usage",), status=status, subjects=subjects, evidence=subjects,  # type: ignore[arg-type]
        started_at=T0 + timedelta(minutes=start), finished_at=T0 + timedelta(minutes=start + 1),
        requests={"git/trees": RequestCount(sent=sent), "graphql": RequestCount(sent=1, cost=sent)},
    )


def _bundle(*names: str, run: SourceRun | None = None, problems: tuple[Problem, ...] = (), version: str = "0.1.0") -> EvidenceBundle:
    return EvidenceBundle(
        pecm_version=version, created_at=T0, sources=(run or _run(subjects=len(names)),),
        subjects=tuple(_subject(name) for name in names), evidence=tuple(_evidence(name) for name in names), problems=problems,
    )


def test_runs_are_combined_per_collector() -> None:
    merged = merge_bundles([
        ShardBundle("a", _bundle("x", run=_run("ok", 1, start=5, sent=3))),
        ShardBundle("b", _bundle("y", "z", run=_run("partial", 2, start=0, sent=4))),
    ])
    (run,) = merged.sources
    assert (run.status, run.subjects, run.evidence) == ("partial", 3, 3)
    assert (run.started_at, run.finished_at) == (T0, T0 + timedelta(minutes=6))
    assert run.requests == {"git/trees": RequestCount(sent=7), "graphql": RequestCount(sent=2, cost=7)}
    assert [s.id for s in merged.subjects] == ["github:acme/x", "github:acme/y", "github:acme/z"]
    assert [e.subject for e in merged.evidence] == ["github:acme/x", "github:acme/y", "github:acme/z"]


@pytest.mark.parametrize(("statuses", "expected"), [(["ok", "ok"], "ok"), (["ok", "failed"], "partial"), (["failed", "failed"], "failed")])
def test_a_source_failed_only_where_every_shard_failed(statuses: list[str], expected: str) -> None:
    bundles = [ShardBundle(str(index), _bundle(run=_run(status, 0))) for index, status in enumerate(statuses)]
    assert merge_bundles(bundles).sources[0].status == expected


@pytest.mark.parametrize("same", [True, False], ids=["identical", "different"])
def test_bundles_holding_a_common_subject_are_refused(same: bool) -> None:
    """Even an identical record: two scans of overlapping folders would count it twice."""
    other = _bundle("x", "y") if same else _bundle("x").model_copy(update={"subjects": (_subject("x", url="https://elsewhere"),)})
    with pytest.raises(UserError) as raised:
        merge_bundles([ShardBundle("a.json", _bundle("w", "x")), ShardBundle("b.json", other)])
    assert raised.value.one_line() == (
        "b.json and a.json both hold github:acme/x: shards of one scan never overlap "
        "(merge the bundles of one scan's shards, made with the same configuration)"
    )


def test_what_one_shard_did_not_reach_stays_unreached_after_the_merge() -> None:
    cut = _run("failed", 0).model_copy(update={"unreached": {"repository": "not collected: 502"}})
    merged = merge_bundles([ShardBundle("a", _bundle("x")), ShardBundle("b", _bundle(run=cut))])
    assert merged.sources[0].unreached == {"repository": "not collected: 502"}


def test_the_same_bundle_given_twice_is_refused() -> None:
    with pytest.raises(UserError, match="a.json and a.json both hold github:acme/x"):
        merge_bundles([ShardBundle("a.json", _bundle("x")), ShardBundle("a.json", _bundle("x"))])


def test_bundles_of_different_organizations_or_configurations_are_refused() -> None:
    acme = _bundle("x").model_copy(update={"organization": "acme", "config_fingerprint": "0123456789abcdef"})
    globex = _bundle("y").model_copy(update={"organization": "globex", "config_fingerprint": "0123456789abcdef"})
    other_config = _bundle("y").model_copy(update={"organization": "acme", "config_fingerprint": "fedcba9876543210"})
    with pytest.raises(UserError) as raised:
        merge_bundles([ShardBundle("a.json", acme), ShardBundle("b.json", globex)])
    assert raised.value.one_line().startswith("b.json is of organization globex, a.json of acme")
    with pytest.raises(UserError) as raised:
        merge_bundles([ShardBundle("a.json", acme), ShardBundle("b.json", other_config)])
    assert raised.value.one_line().startswith(
        "b.json and a.json were made with different configurations (fingerprints fedcba9876543210 and 0123456789abcdef)"
    )
    merged = merge_bundles([ShardBundle("a.json", acme), ShardBundle("b.json", globex.model_copy(update={"organization": "acme"}))])
    assert (merged.organization, merged.config_fingerprint) == ("acme", "0123456789abcdef")


def test_identical_problems_are_kept_once_in_order() -> None:
    missing = Problem(source="local", message="/x does not exist", hint="fix the path")
    own = Problem(source="local", subject="local:b", message="b: unreadable file", hint="check it")
    merged = merge_bundles([ShardBundle("a", _bundle(problems=(missing,))), ShardBundle("b", _bundle(problems=(missing, own)))])
    assert merged.problems == (missing, own)


def test_nothing_to_merge_is_a_user_error() -> None:
    with pytest.raises(UserError, match="nothing to merge"):
        merge_bundles([])


def test_bundles_of_different_scans_are_refused_in_one_line() -> None:
    with pytest.raises(UserError) as raised:
        merge_bundles([ShardBundle("a.json", _bundle("x")), ShardBundle("b.json", _bundle("y", run=_run(collector="local")))])
    line = raised.value.one_line()
    assert line.startswith("b.json ran collectors local 1, a.json ran github 1") and "\n" not in line


def test_bundles_of_different_pecm_versions_are_refused() -> None:
    with pytest.raises(UserError, match="b.json was made by pecm 9.9.9"):
        merge_bundles([ShardBundle("a.json", _bundle("x")), ShardBundle("b.json", _bundle("y", version="9.9.9"))])


def _shard(text: str, *names: str) -> ShardBundle:
    return ShardBundle(f"evidence-{text.replace('/', '-of-')}.json", _bundle(*names).model_copy(update={"shard": text}))


def test_every_shard_of_a_scan_must_be_there_once() -> None:
    merged = merge_bundles([_shard("1/2", "a"), _shard("2/2", "b")])
    assert [s.id for s in merged.subjects] == ["github:acme/a", "github:acme/b"] and merged.shard is None
    with pytest.raises(UserError, match=r"shard 2/3 is missing"):
        merge_bundles([_shard("1/3", "a"), _shard("3/3", "c")])
    with pytest.raises(UserError, match=r"are both shard 1/2"):
        merge_bundles([_shard("1/2", "a"), _shard("1/2", "a")])
    with pytest.raises(UserError, match=r"different numbers of shards"):
        merge_bundles([_shard("1/2", "a"), _shard("2/3", "b")])
    with pytest.raises(UserError, match=r"is not a shard"):
        merge_bundles([_shard("1/2", "a"), ShardBundle("whole.json", _bundle("b"))])
