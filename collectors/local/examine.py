"""Walk one repository and detect its file signals; many repositories in worker processes.

Walking and detection are CPU-bound Python, so threads cannot overlap them (the GIL) but
processes can: on 2 cores, 500 repositories took about half the time (measured with
benchmarks/scan_tree.py). Workers are forked, which starts them in milliseconds with
everything already imported; where fork is unavailable or unsafe (Windows, macOS)
repositories are examined in the scanning process. A worker returns only what becomes
evidence (signals, counts, problems), never a file list, and of the signals only the kinds
detection found something of: the others are their models' defaults, filled in by the
scanning process (`FileSignals.data`), which would otherwise unpickle them all.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Generator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import partial
from typing import Any

from collectors.detect import Detection, detect
from collectors.detect.classify import used_by_name
from collectors.detect.findings import absent, is_absent
from collectors.local.read import FileReader
from collectors.local.walk import list_files
from scanner.contract import Limits
from scanner.errors import SourceUnavailable

# macOS system libraries are not fork-safe (Python itself defaults to spawn there), and
# spawned workers would re-import everything: slower than examining in the scanning process.
_FORK = (
    multiprocessing.get_context("fork")
    if "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin"
    else None
)
# How long a worker may outlive a killed scanning process; the check costs nothing measurable.
PARENT_POLL_SECONDS = 0.2
# Repositories per task: large enough that pickling and scheduling stay small beside the
# walk, small enough that both workers stay busy until the end.
_MAX_CHUNK = 64
_SPECIAL_HINT = "check it in as a regular file to have it read; the rest of the repository was scanned"


@dataclass(frozen=True)
class FileSignals:
    """A `Detection` as a worker hands it back: the data and paths of the kinds it found
    something of (in most repositories a few of the twenty-odd kinds)."""

    found: dict[str, dict[str, Any]]  # kind -> evidence data, only where not the defaults
    locators: dict[str, tuple[str, ...]]  # kind -> paths behind it, only where there are some
    files_read: int
    problems: list[str]
    unknown: dict[str, str]

    @classmethod
    def of(cls, detection: Detection) -> FileSignals:
        return cls(
            found={kind: data for kind, data in detection.signals.items() if not is_absent(kind, data)},
            locators={kind: paths for kind, paths in detection.locators.items() if paths},
            files_read=detection.files_read,
            problems=detection.problems,
            unknown=detection.unknown,
        )

    def data(self, kind: str) -> dict[str, Any]:
        """The kind's evidence data, as `Detection.signals[kind]`."""
        found = self.found.get(kind)
        return absent(kind) if found is None else found


@dataclass(frozen=True)
class FileExamination:
    """What the files of one repository say, before it becomes evidence."""

    inventory: dict[str, Any]
    walk_problems: list[tuple[str, str]]
    capped: bool
    root_error: str | None  # the repository folder itself could not be listed
    detection: FileSignals | str  # str: why there is no detection


def available_cpus() -> int:
    """CPUs this process may run on (its affinity where the platform tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def examine_files(root: str, limits: Limits) -> FileExamination:
    listing = list_files(root, limits.max_files_per_repository)
    reader = FileReader(listing.locate, limits.max_file_bytes)
    detection: FileSignals | str = f"cannot list the repository folder: {listing.root_error}"
    if listing.root_error is None:
        try:
            detection = FileSignals.of(detect(listing.paths, reader, max_file_bytes=limits.max_file_bytes))
        except Exception as exc:  # a detection bug must cost one repository's file signals, not the scan
            detection = f"file detection failed: {type(exc).__name__}: {exc}"
    inventory = {
        "files": len(listing.paths),
        "files_read": 0 if isinstance(detection, str) else detection.files_read,
        "skipped": listing.skipped + len(reader.refused),
    }
    # Skipped special files are named when detection would have used them, like unreadable files.
    special = [
        (f"{path}: {listing.special[path]}, not a regular file: never opened", _SPECIAL_HINT)
        for path in used_by_name(listing.special)
    ]
    return FileExamination(inventory, [*listing.problems, *special], listing.capped, listing.root_error, detection)


def examine_all(roots: list[str], limits: Limits, processes: int) -> Generator[FileExamination, None, None]:
    """Examinations of `roots`, in order. Abandoning the iteration cancels what has not started."""
    workers = min(processes, len(roots))
    if workers <= 1 or _FORK is None:
        for root in roots:
            yield examine_files(root, limits)
        return
    chunk = max(1, min(_MAX_CHUNK, len(roots) // (4 * workers)))
    # No gc.freeze here: held across `yield`, an abandoned iteration kept the heap frozen (the
    # pipeline's collect already freezes what is alive when collecting starts).
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=_FORK, initializer=_prepare_worker, initargs=(os.getpid(),)
    )
    done = False
    try:
        yield from pool.map(partial(examine_files, limits=limits), roots, chunksize=chunk)
        done = True
    except BrokenProcessPool:
        raise SourceUnavailable(
            "a worker process examining repositories stopped abruptly (killed, or out of memory)",
            hint="set sources.local.processes to 1 to examine repositories in the scanning process",
        ) from None
    finally:
        # Done, the workers are idle and exit on their own while this process goes on
        # (waiting for them took 2-4 ms); abandoned, they are stopped before returning.
        pool.shutdown(wait=not done, cancel_futures=True)


def _prepare_worker(parent: int) -> None:
    # Ctrl-C reaches the whole process group: the scanning process stops the pool, and the
    # workers must not each print a traceback on the way.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The scanning process may handle SIGTERM by unwinding (the CLI does); a worker just ends.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_exit_with_parent, args=(parent,), name="pecm-parent-watch", daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """End this worker once the scanning process is gone, however it ended (SIGKILL included):
    a worker waits on a task queue whose write end it holds itself, so it would never see EOF.

    Polling the parent, rather than Linux's PR_SET_PDEATHSIG, works on every platform workers
    are forked on, and does not depend on the thread that forked: PR_SET_PDEATHSIG fires when
    that thread ends, not the process.
    """
    while os.getppid() == parent:  # the orphan's new parent is the reaper: never the same id
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)
