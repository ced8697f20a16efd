"""A real `pecm scan` stopped midway: its worker processes end with it, and SIGTERM ends it
cleanly (one line, exit 143, no output file)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from collectors.local.shared_work import FORK

ROOT = Path(__file__).resolve().parents[2]
PROC = Path("/proc")
REPOSITORIES = 200
MANIFESTS_PER_REPOSITORY = 10
DEADLINE_SECONDS = 60  # how long a condition may take on a loaded machine; not a measurement

pytestmark = pytest.mark.skipif(FORK is None or not PROC.is_dir(), reason="needs forked workers and /proc")


def _manifests(count: int) -> str:
    return "".join(
        f"---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{n}\n  labels: {{app: a{n}}}\n"
        f"spec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n        - name: c\n          image: r/app:{n}\n"
        for n in range(count)
    )


@pytest.fixture(scope="module")
def busy_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An organization whose scan keeps two workers (and itself) parsing manifests for seconds."""
    base = tmp_path_factory.mktemp("busy")
    manifest = base / "manifest.yaml"
    manifest.write_text(_manifests(300))
    for number in range(REPOSITORIES):
        deploy = base / "org" / f"svc-{number}" / "deploy"
        deploy.mkdir(parents=True)
        for index in range(MANIFESTS_PER_REPOSITORY):
            os.link(manifest, deploy / f"m{index}.yaml")  # one file's content, read as many
    config = base / "pecm.yaml"
    config.write_text("sources:\n  local:\n    paths: [org]\n    processes: 3\n    git: null\n")
    return config


def _start_scan(config: Path, outputs: Path, stderr: Path) -> subprocess.Popen[bytes]:
    # Standard error goes to a file: a pipe would stay open as long as a leaked worker holds it.
    with stderr.open("wb") as errors:
        return subprocess.Popen(
            [sys.executable, "-m", "scanner", "scan", "--config", str(config), "--no-progress", "--format", "json",
             "--output", str(outputs / "report.json"), "--evidence-out", str(outputs / "bundle.json")],
            cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors,
        )


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (state first), or None once gone."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def _children(parent: int) -> dict[int, str]:
    """Live children of `parent`, each with its start time (tells a reused pid apart)."""
    found = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) and int(fields[1]) == parent and fields[0] != "Z":
            found[int(entry.name)] = fields[19]
    return found


def _alive(pid: int, started: str) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z" and fields[19] == started


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {DEADLINE_SECONDS} s: {what}")
        time.sleep(0.05)


def _workers_of_running_scan(scan: subprocess.Popen[bytes]) -> dict[int, str]:
    workers: dict[int, str] = {}

    def two_workers() -> bool:
        assert scan.poll() is None, f"the scan ended (exit {scan.returncode}) before its workers were seen"
        workers.update(_children(scan.pid))
        return len(workers) >= 2

    _wait_for(two_workers, "the scan's two worker processes")
    return workers


def test_workers_end_when_the_scan_is_killed(busy_config: Path, tmp_path: Path) -> None:
    scan = _start_scan(busy_config, tmp_path, tmp_path / "stderr")
    workers = _workers_of_running_scan(scan)

    scan.kill()  # SIGKILL: nothing in the scanning process runs any more
    scan.wait()

    try:
        _wait_for(lambda: not any(_alive(pid, started) for pid, started in workers.items()), f"workers {sorted(workers)} to end")
    finally:
        for pid in [pid for pid, started in workers.items() if _alive(pid, started)]:
            os.kill(pid, signal.SIGKILL)  # a failed run leaves nothing behind


def test_sigterm_ends_the_scan_in_one_line_with_no_worker_and_no_output_left(busy_config: Path, tmp_path: Path) -> None:
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    scan = _start_scan(busy_config, outputs, tmp_path / "stderr")
    workers = _workers_of_running_scan(scan)

    scan.terminate()
    scan.wait(timeout=DEADLINE_SECONDS)

    survivors = [pid for pid, started in workers.items() if _alive(pid, started)]
    for pid in survivors:  # the old behaviour: do not leave them running after the test
        os.kill(pid, signal.SIGKILL)
    assert survivors == []  # stopped before the scan exited
    assert scan.returncode == 128 + signal.SIGTERM
    assert (tmp_path / "stderr").read_text().splitlines() == ["pecm: error: stopped by SIGTERM (no output was left half-written)"]
    assert list(outputs.iterdir()) == []  # no report, no bundle, no temporary file
