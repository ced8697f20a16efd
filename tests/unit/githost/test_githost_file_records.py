"""collectors/githost/file_records.py: a Git-host repository's file evidence as records, the same
for every host (GitHub's and GitLab's scans both emit through it)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

from pydantic import BaseModel

from collectors.base import Collector, Findings, Gap
from collectors.cross_subject import ORIGINS
from collectors.githost.cache import FileEvidence
from collectors.githost.file_records import FILE_KINDS, file_problems, file_records
from collectors.githost.files import no_files
from scanner.contract import CollectContext
from scanner.model import Evidence, EvidenceStatus, Subject
from tests.collecting import CollectedScan, context_for

NOW = datetime(2026, 5, 30, tzinfo=timezone.utc)
SUBJECT = Subject(id="host:acme/svc", kind="repository", name="acme/svc", source="host")


class _Settings(BaseModel):
    pass


class _Host(Collector):
    name = "host"
    version = "1"
    config_model = _Settings
    provides = frozenset(FILE_KINDS)

    def collect(self, ctx: CollectContext) -> Iterator[Subject | Evidence]:
        yield from ()


def _records(files: FileEvidence | Gap, scan: CollectedScan) -> tuple[dict[str, Evidence], Findings]:
    ctx = context_for(_Host(), _Settings(), scan, clock=lambda: NOW)
    findings = Findings(ctx, "host")

    def classify(signal: Mapping[str, Any]) -> dict[str, Any]:
        return {**signal, "external": ["told apart by the host"], "external_count": 1}

    records = list(file_records(ctx, findings, SUBJECT, files, classify))
    assert [record.kind for record in records] == list(FILE_KINDS)  # every kind once, in the vocabulary's order
    return {record.kind: record for record in records}, findings


def test_file_evidence_is_observed_kind_by_kind_with_origins_told_apart_by_the_host() -> None:
    base = no_files("main@1")
    files = replace(
        base,
        inventory={"files": 2, "files_read": 2, "skipped": 0},
        locators={**base.locators, "iac.usage": ["main.tf"]},
        unknown={"ci.pipelines": "a workflow could not be parsed"},
    )
    records, findings = _records(files, CollectedScan())
    assert records["iac.usage"].status is EvidenceStatus.OBSERVED and records["iac.usage"].locators == ("main.tf",)
    assert records["repo.inventory"].data == {"files": 2, "files_read": 2, "skipped": 0}
    assert records[ORIGINS].data["external"] == ["told apart by the host"]
    assert files.signals[ORIGINS]["external"] == []  # the cached signal is left as it was
    pipelines = records["ci.pipelines"]
    assert (pipelines.status, pipelines.reason) == (EvidenceStatus.UNAVAILABLE, "a workflow could not be parsed")
    assert findings.by_reason == {}  # a file that could not be used is the repository's problem, not a gap to grant


def test_files_not_read_leave_every_file_kind_unavailable_with_one_gap() -> None:
    records, findings = _records(Gap("HTTP 403: the token needs Contents: read"), CollectedScan())
    assert {record.status for record in records.values()} == {EvidenceStatus.UNAVAILABLE}
    assert {record.reason for record in records.values()} == {"HTTP 403: the token needs Contents: read"}
    assert findings.by_reason == {("file signals", "HTTP 403: the token needs Contents: read"): {SUBJECT.id}}


def test_a_failure_to_read_counts_against_the_subject() -> None:
    records, findings = _records(Gap("HTTP 502", failure=True), CollectedScan())
    assert findings.failed == {SUBJECT.id} and records["repo.inventory"].reason == "HTTP 502"


def test_file_problems_carry_the_hosts_hint() -> None:
    files = replace(no_files(), problems=["big.yaml: larger than 1 MiB"])
    assert file_problems(files, "left out") == [("big.yaml: larger than 1 MiB", "left out")]
    assert file_problems(Gap("refused"), "left out") == []
