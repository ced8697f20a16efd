"""Writes are transactional: two writers at once both land; a writer killed midway leaves no trace."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from scanner.history import HistoryStore
from tests.unit.history.history_inputs import assessment

ROOT = Path(__file__).resolve().parents[3]
SCANS_PER_WRITER = 15


def _expect(writer: subprocess.Popen[str], line: str) -> None:
    assert writer.stdout is not None
    got = writer.stdout.readline().strip()
    if got != line:
        writer.kill()
        raise AssertionError(f"writer said {got!r}, not {line!r}: {writer.communicate()[1]}")


def _writer(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.unit.history.writer", *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_two_writers_at_once_both_land(store_url: str, tmp_path: Path) -> None:
    go = tmp_path / "go"
    writers = [_writer(store_url, "record", str(SCANS_PER_WRITER), str(start), str(go)) for start in (0, 100)]
    for writer in writers:
        _expect(writer, "ready")
    go.touch()
    ids = []
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        ids += [int(line) for line in out.split()]
    assert len(set(ids)) == 2 * SCANS_PER_WRITER
    with HistoryStore(store_url) as store:
        assert sorted(scan.id for scan in store.scans()) == sorted(ids)
        assert store.get("latest").assessment == assessment(100 + SCANS_PER_WRITER - 1)


def test_a_writer_killed_midway_leaves_earlier_history_intact(store_url: str) -> None:
    with HistoryStore(store_url) as store:
        earlier = [store.record(assessment(day)) for day in (0, 7)]
    writer = _writer(store_url, "hang", "14")
    try:
        _expect(writer, "midway")
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    with HistoryStore(store_url) as store:
        assert [scan.id for scan in store.scans()] == earlier[::-1]
        assert store.get(earlier[0]).assessment == assessment(0)
        with store.engine.connect() as conn:  # no orphan rows of the killed scan either
            assert conn.execute(text("SELECT count(*) FROM capability_stages")).scalar_one() == 6 * len(earlier)
            assert conn.execute(text("SELECT count(DISTINCT scan_id) FROM rule_outcomes")).scalar_one() == len(earlier)
        later = store.record(assessment(21))  # the killed writer's lock is gone
        assert store.get("latest").summary.id == later
