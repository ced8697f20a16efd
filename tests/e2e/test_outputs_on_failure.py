"""Outputs when writing fails: the previous file stays valid, the report comes before history,
and a full standard output or an unusable store is one line and exit 2, not an internal error."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner import history
from scanner.cli import main
from scanner.history import HistoryStore

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "acme"
DEV_FULL = Path("/dev/full")
FILE_SIZE_LIMIT = 256  # bytes: every output below is larger, so each write fails midway, as on a full disk

# `pecm` in a process that may write no file beyond FILE_SIZE_LIMIT bytes: past it a write
# fails with EFBIG (SIGXFSZ ignored), exactly where a full disk would fail with ENOSPC.
_LIMITED_PECM = (
    "import resource, signal, sys\n"
    "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
    f"resource.setrlimit(resource.RLIMIT_FSIZE, ({FILE_SIZE_LIMIT}, {FILE_SIZE_LIMIT}))\n"
    "from scanner.cli import main\n"
    "main(sys.argv[1:], prog_name='pecm')\n"
)


def _pecm(*args: str, limited: bool = False, stdout: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", _LIMITED_PECM] if limited else [sys.executable, "-m", "scanner"]
    if stdout is None:
        return subprocess.run([*command, *args], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    with stdout.open("w") as out:
        return subprocess.run([*command, *args], cwd=ROOT, stdout=out, stderr=subprocess.PIPE, text=True, timeout=300, check=False)


@pytest.fixture(scope="module")
def acme_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    bundle = tmp_path_factory.mktemp("bundle") / "acme.json"
    result = CliRunner().invoke(main, ["scan", str(EXAMPLE), "--no-progress", "--evidence-out", str(bundle)])
    assert result.exit_code == 0, result.output
    return bundle


@pytest.mark.skipif(sys.platform == "win32", reason="needs RLIMIT_FSIZE")
@pytest.mark.parametrize(
    ("arguments", "written"),
    [
        (("scan", str(EXAMPLE), "--no-progress", "--evidence-out", "{out}"), "bundle.json"),
        (("scan", str(EXAMPLE), "--no-progress", "--format", "json", "--output", "{out}"), "report.json"),
        (("gate", str(EXAMPLE), "--no-progress", "--min", "all=initial", "--junit", "{out}"), "junit.xml"),
        (("merge", "{bundle}", "--format", "json", "--evidence-out", "{out}"), "merged.json"),
    ],
    ids=["evidence bundle", "report", "gate junit", "merged bundle"],
)
def test_a_full_disk_leaves_the_previous_output_intact(
    tmp_path: Path, acme_bundle: Path, arguments: tuple[str, ...], written: str
) -> None:
    target = tmp_path / written
    arguments = tuple(arg.replace("{out}", str(target)).replace("{bundle}", str(acme_bundle)) for arg in arguments)
    first = _pecm(*arguments)
    assert first.returncode == 0, first.stderr
    previous = target.read_bytes()

    failed = _pecm(*arguments, limited=True)

    assert failed.returncode == 2
    assert failed.stderr.splitlines() == [f"pecm: error: cannot write {target}: File too large"]
    assert target.read_bytes() == previous
    assert [path.name for path in tmp_path.iterdir()] == [written]  # no temporary file left behind


def _store_with_one_scan(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    result = CliRunner().invoke(main, ["scan", str(EXAMPLE), "--no-progress", "--format", "json", "--store", url])
    assert result.exit_code == 0, result.output
    return url


def test_a_busy_history_store_keeps_the_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = _store_with_one_scan(tmp_path)
    monkeypatch.setattr(history, "SQLITE_BUSY_TIMEOUT_MS", 100)  # the same wait for the lock, shortened
    holder = sqlite3.connect(tmp_path / "history.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock past the busy timeout
    try:
        result = CliRunner().invoke(
            main, ["scan", str(EXAMPLE), "--no-progress", "--format", "json", "--output", str(tmp_path / "report.json"), "--store", url]
        )
    finally:
        holder.rollback()
        holder.close()

    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"pecm: error: scan not recorded (the report was written): history store {url}: database is locked"
        " (check the --store URL and that the database is reachable)"
    ]
    assert json.loads((tmp_path / "report.json").read_text())["capabilities"]
    with HistoryStore(url) as store:
        assert len(store.scans()) == 1


def test_a_report_that_cannot_be_written_records_no_scan(tmp_path: Path) -> None:
    url = _store_with_one_scan(tmp_path)
    (tmp_path / "not-a-folder").write_text("")

    result = CliRunner().invoke(
        main, ["scan", str(EXAMPLE), "--no-progress", "--output", str(tmp_path / "not-a-folder" / "report.txt"), "--store", url]
    )

    assert result.exit_code == 2
    assert result.stderr.startswith(f"pecm: error: cannot write {tmp_path / 'not-a-folder' / 'report.txt'}: ")
    with HistoryStore(url) as store:
        assert len(store.scans()) == 1  # only the earlier one


@pytest.mark.skipif(not DEV_FULL.exists(), reason="needs /dev/full")
@pytest.mark.parametrize(
    "arguments",
    [
        ("scan", str(EXAMPLE), "--no-progress"),
        ("scan", str(EXAMPLE), "--no-progress", "--format", "json"),
        ("rules", "list"),
        ("--help",),
        ("--version",),
    ],
    ids=["console report", "json report", "rules list", "help", "version"],
)
def test_standard_output_on_a_full_device_is_one_line_and_exit_2(arguments: tuple[str, ...]) -> None:
    result = _pecm(*arguments, stdout=DEV_FULL)

    assert result.returncode == 2
    assert result.stderr.splitlines() == ["pecm: error: cannot write to standard output: No space left on device"]


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")
@pytest.mark.parametrize(
    ("location", "fault"),
    [
        ("/proc/x", "unable to open database file"),
        ("/proc/x/history.sqlite3", "cannot create its folder: "),
        ("{tmp}/file/history.sqlite3", "cannot create its folder: "),
    ],
    ids=["a /proc name", "under /proc", "a file where its folder should be"],
)
def test_an_unusable_store_location_is_one_line_and_exit_2(tmp_path: Path, location: str, fault: str) -> None:
    (tmp_path / "file").write_text("")
    url = "sqlite:///" + location.replace("{tmp}", str(tmp_path))

    result = _pecm("scan", str(EXAMPLE), "--no-progress", "--store", url, stdout=tmp_path / "report.txt")

    assert result.returncode == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"pecm: error: scan not recorded (the report was written): history store {url}: {fault}")
    assert "Capability" in (tmp_path / "report.txt").read_text()


def test_an_html_report_whose_trend_cannot_be_read_is_still_written(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    url = f"sqlite:///{tmp_path / 'file' / 'history.sqlite3'}"  # the HTML report reads its trend from the store
    report = tmp_path / "report.html"

    result = CliRunner().invoke(main, ["scan", str(EXAMPLE), "--no-progress", "--format", "html", "--output", str(report), "--store", url])

    assert result.exit_code == 2
    assert result.stderr.startswith(f"pecm: error: scan not recorded (the report was written): history store {url}: ")
    assert report.read_text().lstrip().lower().startswith("<!doctype html")
