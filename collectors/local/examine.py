"""Walk one repository and detect its file signals; many repositories in several processes.

Walking and detection are CPU-bound Python, so threads cannot overlap them (the GIL) but
processes can: on 2 cores, 500 repositories took about half the time (measured with
benchmarks/scan_tree.py). The scanning process examines repositories beside forked workers
(`shared_work`), which start in milliseconds with everything already imported; where fork is
unavailable or unsafe (Windows, macOS) repositories are examined in the scanning process
alone. A worker returns only what becomes evidence (signals, counts, problems), never a file
list, and of the signals only the kinds detection found something of: the others are their
models' defaults, filled in by the scanning process (`FileSignals.data`), which would
otherwise unpickle them all.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

from collectors.detect import Detection, detect
from collectors.detect.classify import candidates_by_folder, used_by_name
from collectors.detect.detection import plan_detection
from collectors.detect.findings import absent
from collectors.local.read import FileReader
from collectors.local.shared_work import WorkerStopped, in_order
from collectors.local.walk import ListedPaths, list_files
from scanner.contract import Limits
from scanner.errors import SourceUnavailable

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
            found=detection.found,
            locators={kind: tuple(data["paths"]) for kind, data in detection.found.items() if data["paths"]},
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
            paths = ListedPaths(listing)
            planned = plan_detection(paths, chosen=candidates_by_folder(listing.folders))
            detection = FileSignals.of(detect(paths, reader, max_file_bytes=limits.max_file_bytes, planned=planned))
        except Exception as exc:  # a detection bug must cost one repository's file signals, not the scan
            detection = f"file detection failed: {type(exc).__name__}: {exc}"
    inventory = {
        "files": listing.files,
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
    """Examinations of `roots`, in order, by up to `processes` processes (the scanning process
    one of them). Abandoning the iteration stops the workers and what has not started."""
    # No gc.freeze here: held across `yield`, an abandoned iteration kept the heap frozen (the
    # pipeline's collect already freezes what is alive when collecting starts).
    try:
        yield from in_order(len(roots), lambda index: examine_files(roots[index], limits), processes)
    except WorkerStopped:
        raise SourceUnavailable(
            "a worker process examining repositories stopped abruptly (killed, or out of memory)",
            hint="set sources.local.processes to 1 to examine repositories in the scanning process",
        ) from None
