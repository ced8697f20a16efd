"""A live progress display for long scans: subjects finished, per collector.

The CLI enters a `ScanProgress` around the scan and passes `advance` into the pipeline,
which calls it once per finished subject. Off a terminal, or when disabled, it writes
nothing at all, so piped output and saved reports stay clean.
"""

from __future__ import annotations

import threading
from types import TracebackType
from typing import TextIO

from rich.progress import (
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Column

from reports.terminal import is_tty, output_console


class ScanProgress:
    """Context manager; `advance(collector, subject_id)` may be called from worker threads."""

    def __init__(self, out: TextIO, enabled: bool = True) -> None:
        self._lock = threading.Lock()
        self._tasks: dict[str, TaskID] = {}
        self._progress: Progress | None = None
        if enabled and is_tty(out):
            self._progress = Progress(
                *_columns(),
                console=output_console(out),
                transient=True,  # the report that follows carries the counts; the bars would be noise
                redirect_stdout=False,  # leave the process's streams alone
                redirect_stderr=False,
            )

    def __enter__(self) -> ScanProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def advance(self, collector: str, subject_id: str) -> None:
        if self._progress is None:
            return
        with self._lock:  # two threads must not both add a task for the same collector
            if collector not in self._tasks:
                # Indeterminate: a collector discovers its subjects as it goes.
                self._tasks[collector] = self._progress.add_task(collector, total=None, subject="")
            self._progress.update(self._tasks[collector], advance=1, subject=subject_id)


def _columns() -> tuple[ProgressColumn, ...]:
    return (
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False),
        TextColumn("subjects: {task.completed:.0f}", markup=False),
        TimeElapsedColumn(),
        # Subject ids can be long (URLs, nested groups): cut them rather than wrap the line.
        TextColumn("{task.fields[subject]}", markup=False, table_column=Column(no_wrap=True, overflow="ellipsis")),
    )
