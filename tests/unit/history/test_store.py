"""Recording scans and reading them back: by id, latest, latest~N, as a list and as a trend."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.errors import UserError
from scanner.history import HistoryStore, RoledRef
from scanner.model import Capability, EvidenceStatus, Outcome, Stage
from tests.unit.history.history_inputs import T0, assessment, ref


def test_a_recorded_scan_reads_back_whole(store_url: str) -> None:
    first = assessment(0)
    second = assessment(7, stages={Capability.GOVERNANCE: Stage.DEFINED}, supporting={Capability.ADOPTION: (ref("local:api"),)})
    with HistoryStore(store_url) as store:
        first_id, second_id = store.record(first), store.record(second)
        assert second_id != first_id
        assert store.get(first_id).assessment == first
        assert store.get(str(second_id)).assessment == second
        latest = store.get("latest")
        assert latest.summary.id == second_id
        assert latest.summary.started_at == second.scan.started_at
        assert latest.summary.sources == "local:ok"
        assert latest.summary.stages["governance"] == "defined"
        assert store.get("latest~1").summary.id == first_id


def test_scans_are_listed_newest_first_and_the_trend_oldest_first(store_url: str) -> None:
    with HistoryStore(store_url) as store:
        # recorded out of order: history follows when scans started, not when they were recorded
        ids = {day: store.record(assessment(day, stages={Capability.MEASUREMENT: stage})) for day, stage in
               [(14, Stage.MANAGED), (0, Stage.INITIAL), (7, Stage.DEFINED)]}
        assert [scan.id for scan in store.scans()] == [ids[14], ids[7], ids[0]]
        assert [scan.id for scan in store.scans(limit=2)] == [ids[14], ids[7]]
        trend = store.trend(limit=2)
    assert [(when, stages["measurement"]) for when, stages in trend] == [
        (T0.replace(day=12), "defined"),
        (T0.replace(day=19), "managed"),
    ]
    assert set(trend[0][1]) == {capability.value for capability in Capability}


def test_the_history_survives_closing_and_reopening(store_url: str) -> None:
    with HistoryStore(store_url) as store:
        scan_id = store.record(assessment(0))
    with HistoryStore(store_url) as store:
        assert [scan.id for scan in store.scans()] == [scan_id]
        assert store.get("latest").assessment == assessment(0)


@pytest.mark.parametrize("wanted", ["latest~1", "999", "yesterday", "latest~x"])
def test_a_scan_that_is_not_there_is_a_user_error(store_url: str, wanted: str) -> None:
    with HistoryStore(store_url) as store:
        store.record(assessment(0))
        with pytest.raises(UserError):
            store.get(wanted)


def test_an_empty_store_lists_nothing(store_url: str) -> None:
    with HistoryStore(store_url) as store:
        assert store.scans() == []
        assert store.trend() == []
        with pytest.raises(UserError, match="0 scan"):
            store.get("latest")


def test_diff_shows_stage_outcome_and_evidence_changes(store_url: str) -> None:
    kept, dropped, gained = ref("local:api"), ref("local:web"), ref("local:jobs", status=EvidenceStatus.UNAVAILABLE)
    old = assessment(
        0,
        stages={Capability.GOVERNANCE: Stage.REPEATABLE},
        outcomes={Capability.PROVISIONING: Outcome.FAIL},
        supporting={Capability.ADOPTION: (kept, dropped)},
    )
    new = assessment(
        7,
        stages={Capability.GOVERNANCE: Stage.MANAGED},
        outcomes={Capability.PROVISIONING: Outcome.PASS},
        supporting={Capability.ADOPTION: (kept, gained)},
    )
    with HistoryStore(store_url) as store:
        old_id, new_id = store.record(old), store.record(new)
        diff = store.diff("latest~1", "latest")
        same = store.diff(new_id, new_id)
    assert (diff.old.id, diff.new.id) == (old_id, new_id)
    assert [(c.capability, c.old_stage, c.new_stage) for c in diff.stages] == [("governance", "repeatable", "managed")]
    assert [(c.rule_id, c.old_outcome, c.new_outcome) for c in diff.outcomes] == [("provisioning.rule", "fail", "pass")]
    assert diff.outcomes[0].new_explanation == "provisioning was pass"
    [evidence] = diff.evidence
    assert evidence.rule_id == "adoption.rule"
    assert evidence.added == (RoledRef("supporting", gained),)
    assert evidence.removed == (RoledRef("supporting", dropped),)
    assert same.unchanged and not diff.unchanged


def test_an_unusable_url_is_a_user_error() -> None:
    with pytest.raises(UserError, match="not a database URL"):
        HistoryStore("no url at all")


def test_an_unreachable_server_is_a_user_error() -> None:
    # port 1 on loopback: nothing listens there, the connection is refused at once
    with pytest.raises(UserError, match="history store postgresql"):
        HistoryStore("postgresql+psycopg://pecm:secret@127.0.0.1:1/pecm?connect_timeout=2")


def test_messages_do_not_show_the_password() -> None:
    with pytest.raises(UserError) as raised:
        HistoryStore("postgresql+psycopg://pecm:hunter2@127.0.0.1:1/pecm?connect_timeout=2")
    assert "hunter2" not in raised.value.one_line()


def test_a_file_that_is_not_a_database_is_a_user_error(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database, just notes\n" * 100)
    with pytest.raises(UserError, match="file is not a database"):
        HistoryStore(f"sqlite:///{notes}")
    assert notes.read_text().startswith("not a database")
