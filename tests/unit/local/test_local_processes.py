"""Repositories examined in worker processes give exactly what one process gives."""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from pathlib import Path

import pytest

from collectors.local import examine
from collectors.local.examine import examine_all
from scanner.contract import Limits
from scanner.errors import SourceUnavailable
from tests.unit.local.conftest import run_local

WORKFLOW = "on: push\njobs:\n  build:\n    uses: acme/platform/.github/workflows/build.yml@v1\n"


def organization(root: Path, repositories: int = 7) -> Path:
    for index in range(repositories):
        repo = root / f"svc-{index}"
        (repo / ".github" / "workflows").mkdir(parents=True)
        (repo / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW if index % 2 else "on: [push\n")
        (repo / "main.tf").write_text('module "m" {\n  source = "acme/m/aws"\n}\n')
        (repo / "src").mkdir()
        for number in range(index * 3):
            (repo / "src" / f"file_{number}.py").write_text("print()\n")
        os.symlink("missing", repo / "dangling")
    return root


def test_worker_processes_give_the_same_evidence_and_problems(tmp_path: Path) -> None:
    root = organization(tmp_path / "org")

    alone = run_local(root, processes=1, limits=Limits(max_files_per_repository=12))
    shared = run_local(root, processes=3, limits=Limits(max_files_per_repository=12))

    assert len(alone.ids) == 7
    assert [e.model_dump_json() for e in shared.evidence] == [e.model_dump_json() for e in alone.evidence]
    assert [p.model_dump_json() for p in shared.problems] == [p.model_dump_json() for p in alone.problems]
    assert any("listed only the first 12 files" in p.message for p in alone.problems)  # the cap applied


def test_the_scanning_process_examines_beside_one_worker_fewer(tmp_path: Path) -> None:
    root = organization(tmp_path / "org", repositories=40)
    roots = sorted(str(path) for path in root.iterdir())

    examinations = examine_all(roots, Limits(), processes=2)
    first = next(examinations)
    workers = multiprocessing.active_children()
    rest = list(examinations)

    assert len(workers) == 1  # two processes examine: the worker and this one
    assert [first, *rest] == [examine.examine_files(path, Limits()) for path in roots]


def test_abandoning_the_examination_stops_the_workers(tmp_path: Path) -> None:
    root = organization(tmp_path / "org", repositories=40)
    roots = sorted(str(path) for path in root.iterdir())

    examinations = examine_all(roots, Limits(), processes=2)
    first = next(examinations)
    examinations.close()

    assert first.inventory["files"] == 2  # svc-0: ci.yml and main.tf
    assert multiprocessing.active_children() == []


def test_an_examination_in_progress_freezes_nothing_for_good(tmp_path: Path) -> None:
    """A freeze held across `yield` stayed on for as long as an abandoned iteration was alive."""
    root = organization(tmp_path / "org", repositories=6)
    roots = sorted(str(path) for path in root.iterdir())
    before = gc.get_freeze_count()

    examinations = examine_all(roots, Limits(), processes=2)
    next(examinations)  # and then left, unclosed

    assert gc.get_freeze_count() == before
    examinations.close()


_examine_files = examine.examine_files
_SCANNING_PROCESS = os.getpid()


def _die(root: str, limits: Limits) -> examine.FileExamination:
    if os.getpid() != _SCANNING_PROCESS:
        os._exit(9)  # what the out-of-memory killer leaves behind: no exception, no result
    # The scanning process examines too: it waits until the worker has claimed one and died.
    while multiprocessing.active_children():
        time.sleep(0.01)
    return _examine_files(root, limits)


def test_a_worker_that_dies_is_a_clear_source_failure_not_a_hang(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = organization(tmp_path / "org", repositories=4)
    monkeypatch.setattr(examine, "examine_files", _die)

    with pytest.raises(SourceUnavailable) as raised:  # the pipeline makes it the source's one-line error
        run_local(root, processes=2)

    assert raised.value.one_line() == (
        "a worker process examining repositories stopped abruptly (killed, or out of memory)"
        " (set sources.local.processes to 1 to examine repositories in the scanning process)"
    )
