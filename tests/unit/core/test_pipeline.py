"""The pipeline keeps collectors honest and isolated: one failing source costs only its own evidence."""

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from collectors.base import Collector
from rules.catalog import PACK_DIR
from scanner.config import parse_config
from scanner.contract import CollectContext
from scanner.errors import ScanFailed, SourceUnavailable, UserError
from scanner.kinds import KINDS, KindRegistry
from scanner.model import Evidence, EvidenceStatus, Subject
from scanner.pipeline import collect, plan_scan
from scanner.plugins import Plugins
from scanner.secrets import SecretStore

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
SECRET = "tok_very_secret_value"


class FakeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")
    repos: list[str] = ["a", "b"]


def _repo(ctx: CollectContext, name: str) -> Subject:
    return Subject(id=f"{ctx.collector}:{name}", kind="repository", name=name, source=ctx.collector)


class GoodCollector(Collector):
    name, version, config_model = "good", "1", FakeConfig
    provides = frozenset({"iac.usage", "vcs.activity"})

    def collect(self, ctx: CollectContext) -> Iterator[Subject | Evidence]:
        assert isinstance(ctx.config, FakeConfig)
        for name in ctx.config.repos:
            subject = _repo(ctx, name)
            yield subject
            yield ctx.observed("iac.usage", subject, {"present": True, "tools": ["terraform"]}, ("main.tf",))
            yield ctx.unavailable("vcs.activity", subject, "git failed")
            ctx.progress(subject.id)


class CrashingCollector(Collector):
    name, version, config_model = "crashing", "1", FakeConfig
    provides = frozenset({"iac.usage", "ci.pipelines"})

    def collect(self, ctx: CollectContext) -> Iterator[Subject | Evidence]:
        subject = _repo(ctx, "x")
        yield subject
        yield ctx.observed("iac.usage", subject, {"present": False})
        token = ctx.secret("FAKE_TOKEN")
        raise RuntimeError(f"boom with {token}")


class UnreachableCollector(Collector):
    name, version, config_model = "unreachable", "1", FakeConfig
    provides = frozenset({"iac.usage"})

    def collect(self, ctx: CollectContext) -> Iterator[Subject | Evidence]:
        raise SourceUnavailable("unreachable: cannot reach the source", hint="check the base URL")
        yield  # pragma: no cover - makes this a generator


class CutShortCollector(Collector):
    """Lists no repository (its listing failed) but finishes: what it did not reach is unknown."""

    name, version, config_model = "cutshort", "1", FakeConfig
    provides = frozenset({"iac.usage"})

    def collect(self, ctx: CollectContext) -> Iterator[Subject | Evidence]:
        ctx.cut_short("repository", f"cannot list the repositories with {ctx.secret('FAKE_TOKEN')}")
        yield from ()


class SloppyCollector(Collector):
    name, version, config_model = "sloppy", "1", FakeConfig
    provides = frozenset({"iac.usage", "ci.pipelines"})

    def collect(self, ctx: CollectContext) -> Iterator[Subject | Evidence]:
        subject = _repo(ctx, "s")
        yield ctx.observed("iac.usage", _repo(ctx, "ghost"), {"present": True})  # never announced
        yield subject
        yield ctx.observed("iac.usage", subject, {"present": True})
        yield ctx.observed("iac.usage", subject, {"present": False})  # duplicate
        yield ctx.observed("docs.site", subject, {"present": True})  # not declared
        # ci.pipelines never emitted


class EchoCollector(Collector):
    """Announces a subject the good collector announces too, with records of its own."""

    name, version, config_model = "echo", "1", FakeConfig
    provides = frozenset({"iac.usage", "docs.site"})

    def collect(self, ctx: CollectContext) -> Iterator[Subject | Evidence]:
        subject = Subject(id="good:b", kind="repository", name="b", source="echo")
        yield subject
        yield ctx.observed("iac.usage", subject, {"present": False})
        yield ctx.observed("docs.site", subject, {"present": True})


def _plugins(*collectors: type[Collector]) -> Plugins:
    return Plugins(kinds=KindRegistry(KINDS), collectors={c.name: c for c in collectors}, rule_packs={"default": PACK_DIR})


def _run(sources: dict, *collectors: type[Collector], platform: list[str] | None = None):
    loaded = parse_config(
        {"sources": sources, **({"platform": {"repositories": platform}} if platform is not None else {})},
        "config",
        Path("."),
    )
    plugins = _plugins(*collectors)
    seen: list[tuple[str, str]] = []
    bundle = collect(
        plan_scan(loaded, plugins), plugins, secrets=SecretStore({"FAKE_TOKEN": SECRET}), clock=lambda: T0,
        progress=lambda c, s: seen.append((c, s)),
    )
    return bundle, seen


def test_a_crashing_collector_costs_only_its_own_evidence() -> None:
    bundle, seen = _run({"good": {}, "crashing": {}}, GoodCollector, CrashingCollector)
    runs = {run.collector: run for run in bundle.sources}
    assert runs["good"].status == "ok" and runs["crashing"].status == "failed"
    good = [e for e in bundle.evidence if e.subject.startswith("good:")]
    assert len(good) == 4
    crashed = {e.kind: e for e in bundle.evidence if e.subject == "crashing:x"}
    assert crashed["iac.usage"].status is EvidenceStatus.OBSERVED  # what it gathered is kept
    assert crashed["ci.pipelines"].status is EvidenceStatus.UNAVAILABLE
    assert "crashed: RuntimeError" in (crashed["ci.pipelines"].reason or "")
    [problem] = [p for p in bundle.problems if p.source == "crashing"]
    assert problem.severity == "error" and "RuntimeError" in problem.message
    assert SECRET not in bundle.model_dump_json()
    assert seen == [("good", "good:a"), ("good", "good:b")]


def test_an_unreachable_source_is_a_problem_and_the_others_go_on() -> None:
    bundle, _ = _run({"good": {}, "unreachable": {}}, GoodCollector, UnreachableCollector)
    [problem] = [p for p in bundle.problems if p.source == "unreachable"]
    assert problem.message == "unreachable: cannot reach the source (check the base URL)"
    assert {run.collector: run.status for run in bundle.sources} == {"good": "ok", "unreachable": "failed"}


def test_a_failed_source_leaves_every_subject_kind_it_provides_unreached() -> None:
    bundle, _ = _run({"good": {}, "crashing": {}, "unreachable": {}}, GoodCollector, CrashingCollector, UnreachableCollector)
    runs = {run.collector: run for run in bundle.sources}
    assert runs["good"].unreached == {}
    assert list(runs["unreachable"].unreached) == ["repository"]
    assert "cannot reach the source" in runs["unreachable"].unreached["repository"]
    assert list(runs["crashing"].unreached) == ["repository"]  # it may have had more than "x"
    assert SECRET not in bundle.model_dump_json()


def test_a_collector_cut_short_records_what_it_did_not_reach_without_secrets() -> None:
    bundle, _ = _run({"good": {}, "cutshort": {}}, GoodCollector, CutShortCollector)
    runs = {run.collector: run for run in bundle.sources}
    assert runs["cutshort"].status == "ok" and list(runs["cutshort"].unreached) == ["repository"]
    assert SECRET not in runs["cutshort"].unreached["repository"]


def test_every_source_failing_is_a_scan_failure() -> None:
    with pytest.raises(ScanFailed, match="every source failed"):
        _run({"unreachable": {}}, UnreachableCollector)


def test_contract_violations_are_ignored_and_reported() -> None:
    bundle, _ = _run({"sloppy": {}}, SloppyCollector)
    assert [s.id for s in bundle.subjects] == ["sloppy:s"]
    records = {e.kind: e for e in bundle.evidence}
    assert set(records) == {"iac.usage", "ci.pipelines"}
    assert records["iac.usage"].data["present"] is True  # the first record wins
    assert records["ci.pipelines"].status is EvidenceStatus.UNAVAILABLE
    messages = " | ".join(p.message for p in bundle.problems)
    for fragment in ("never announced", "does not declare", "twice", "without a record"):
        assert fragment in messages
    assert bundle.sources[0].status == "partial"


def test_evidence_is_ordered_by_subject_then_kind_and_a_shared_subject_keeps_both_sources_records() -> None:
    bundle, _ = _run({"echo": {}, "good": {}}, EchoCollector, GoodCollector)
    assert [(e.subject, e.kind, e.collector) for e in bundle.evidence] == [
        ("good:a", "iac.usage", "good"),
        ("good:a", "vcs.activity", "good"),
        ("good:b", "docs.site", "echo"),
        ("good:b", "iac.usage", "echo"),  # the sources' records of one kind in the order the sources ran
        ("good:b", "iac.usage", "good"),
        ("good:b", "vcs.activity", "good"),
    ]
    assert [s.source for s in bundle.subjects] == ["good", "echo"]  # the first announcement of a subject counts


def test_platform_repositories_are_tagged_by_name() -> None:
    bundle, _ = _run({"good": {"repos": ["platform-core", "payments", "ci-templates"]}}, GoodCollector)
    tags = {s.name: s.tags for s in bundle.subjects}
    assert tags == {"platform-core": ("platform",), "payments": (), "ci-templates": ("platform",)}


@pytest.mark.parametrize(
    ("patterns", "tagged"),
    [
        (["web*"], {"acme/web-kit"}),  # the last part of the name
        (["acme/*-kit"], {"acme/web-kit", "acme/ops-kit"}),  # or the whole name
        (["[ow]*-kit", "api"], {"acme/web-kit", "acme/ops-kit"}),
        (["Web*"], set()),  # case as given
        ([], set()),
    ],
)
def test_platform_patterns_match_the_name_or_its_last_part(patterns: list[str], tagged: set[str]) -> None:
    repos = ["acme/web-kit", "acme/ops-kit", "acme/api-server"]
    bundle, _ = _run({"good": {"repos": repos}}, GoodCollector, platform=patterns)
    assert {s.name for s in bundle.subjects if "platform" in s.tags} == tagged


def test_unknown_source_and_bad_source_config_stop_before_collection() -> None:
    with pytest.raises(UserError, match=r"config sources.nope: no collector named 'nope' \(installed: good\)"):
        _run({"nope": {}}, GoodCollector)
    with pytest.raises(UserError, match=r"config sources.good.repos: Input should be a valid list"):
        _run({"good": {"repos": "a"}}, GoodCollector)


def test_nothing_configured_is_a_user_error() -> None:
    with pytest.raises(UserError, match="nothing to scan"):
        _run({}, GoodCollector)
