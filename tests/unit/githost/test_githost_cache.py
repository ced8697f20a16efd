"""The re-scan cache on a real directory: hits, misses, foreign and broken entries."""

from __future__ import annotations

from pathlib import Path

from collectors.githost.cache import CachedAnswer, FileEvidence, ScanCache

EVIDENCE = FileEvidence(
    head="abc",
    inventory={"files": 2, "files_read": 1, "skipped": 0},
    signals={"iac.usage": {"present": True, "paths": ["main.tf"], "tools": ["terraform"], "module_refs": []}},
    locators={"iac.usage": ["main.tf"]},
    problems=["big.json: too large"],
    unknown={"ci.pipelines": "pipeline file .github/workflows/ci.yml could not be used: malformed YAML (line 3)"},
)


def test_file_evidence_is_reused_only_for_the_same_head(tmp_path: Path) -> None:
    cache = ScanCache(tmp_path, "github", "https://api.github.com", "v1")
    cache.save_files("acme/Svc", EVIDENCE)
    assert cache.files("acme/svc", "abc") == EVIDENCE
    assert cache.files("acme/svc", "def") is None
    assert cache.files("acme/other", "abc") is None


def test_entries_of_another_fingerprint_or_host_are_misses(tmp_path: Path) -> None:
    ScanCache(tmp_path, "github", "https://api.github.com", "v1").save_files("acme/svc", EVIDENCE)
    assert ScanCache(tmp_path, "github", "https://api.github.com", "v2").files("acme/svc", "abc") is None
    assert ScanCache(tmp_path, "github", "https://ghe.example.test/api/v3", "v1").files("acme/svc", "abc") is None


def test_conditional_answers_round_trip_and_broken_files_are_misses(tmp_path: Path) -> None:
    cache = ScanCache(tmp_path, "github", "http://127.0.0.1:8080", "v1")
    answer = CachedAnswer(etag='"e1"', data=[{"id": 1}], next_url="http://127.0.0.1:8080/orgs/acme/repos?page=2")
    cache.save("/orgs/acme/repos?per_page=100", answer)
    assert cache.load("/orgs/acme/repos?per_page=100") == answer
    assert cache.load("/orgs/acme/repos?per_page=50") is None
    for entry in tmp_path.rglob("*.json"):
        entry.write_text("{not json", encoding="utf-8")
    assert cache.load("/orgs/acme/repos?per_page=100") is None


def test_an_unwritable_cache_costs_nothing_but_the_entry(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would go", encoding="utf-8")
    cache = ScanCache(blocked, "github", "https://api.github.com", "v1")
    cache.save_files("acme/svc", EVIDENCE)  # logs a warning, raises nothing
    assert cache.files("acme/svc", "abc") is None
