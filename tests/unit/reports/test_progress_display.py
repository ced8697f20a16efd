from __future__ import annotations

import io
import re
import threading

from reports.progress import ScanProgress


class TerminalOutput(io.StringIO):
    def isatty(self) -> bool:
        return True


def advance_from_threads(progress: ScanProgress, collectors: list[str], subjects_each: int) -> None:
    def work(collector: str) -> None:
        for index in range(subjects_each):
            progress.advance(collector, f"{collector}:repo-{index}")

    threads = [threading.Thread(target=work, args=(collector,)) for collector in collectors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_disabled_writes_nothing_even_on_a_terminal() -> None:
    out = TerminalOutput()
    with ScanProgress(out, enabled=False) as progress:
        advance_from_threads(progress, ["local"], 5)
    assert out.getvalue() == ""


def test_writes_nothing_off_a_terminal() -> None:
    out = io.StringIO()
    with ScanProgress(out, enabled=True) as progress:
        advance_from_threads(progress, ["local"], 5)
    assert out.getvalue() == ""


def test_shows_subjects_per_collector_on_a_terminal() -> None:
    out = TerminalOutput()
    with ScanProgress(out, enabled=True) as progress:
        advance_from_threads(progress, ["local", "github"], 50)
    shown = out.getvalue()
    # The last frame shows each collector's final count and last subject.
    for collector in ("local", "github"):
        assert re.search(rf"{collector}\s+subjects: 50\s+\S+\s+{collector}:repo-49", shown)
