"""A separate process writing to a history store, for the concurrency and crash tests.

    python -m tests.unit.history.writer URL record COUNT DAY GO_FILE   record COUNT scans once GO_FILE exists
    python -m tests.unit.history.writer URL hang DAY                   start recording, stop midway and wait to be killed
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

from scanner.history import HistoryStore
from tests.unit.history.history_inputs import assessment


def _record(url: str, count: int, day: int, go_file: Path) -> None:
    with HistoryStore(url) as store:
        print("ready", flush=True)
        while not go_file.exists():  # both writers start together, so their transactions overlap
            time.sleep(0.01)
        for number in range(count):
            print(store.record(assessment(day + number)), flush=True)


def _hang(url: str, day: int) -> None:
    store = HistoryStore(url)

    def stop_after_the_scan_row(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO CAPABILITY_STAGES"):
            print("midway", flush=True)
            time.sleep(600)  # the test kills this process here, inside the open transaction

    event.listen(store.engine, "after_cursor_execute", stop_after_the_scan_row)
    store.record(assessment(day))


if __name__ == "__main__":
    url, mode = sys.argv[1], sys.argv[2]
    if mode == "record":
        _record(url, int(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5]))
    else:
        _hang(url, int(sys.argv[3]))
