"""Files pecm writes are replaced whole, or left as they were."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from scanner.atomic_write import write_atomically


def test_a_write_that_fails_midway_leaves_the_previous_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "bundle.json"
    target.write_text('{"valid": true}\n')

    with pytest.raises(UnicodeEncodeError):  # fails after part of the text was written out
        write_atomically(target, "x" * 100_000 + "\udc80")

    assert target.read_text() == '{"valid": true}\n'
    assert sorted(path.name for path in tmp_path.iterdir()) == ["bundle.json"]


def test_the_file_is_replaced_and_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "bundle.json"
    target.write_text("old\n")
    target.chmod(0o600)  # a user who made the evidence private keeps it private

    write_atomically(target, "new\n")

    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_missing_folders_are_created(tmp_path: Path) -> None:
    write_atomically(tmp_path / "reports" / "2026" / "report.md", "# report\n")

    assert (tmp_path / "reports" / "2026" / "report.md").read_text() == "# report\n"


def test_through_a_symlink_the_file_it_names_is_replaced_and_the_link_kept(tmp_path: Path) -> None:
    (tmp_path / "real.json").write_text("old\n")
    (tmp_path / "latest.json").symlink_to("real.json")

    write_atomically(tmp_path / "latest.json", "new\n")

    assert (tmp_path / "latest.json").is_symlink()
    assert (tmp_path / "real.json").read_text() == "new\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_written_into_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # a reader waiting, as `--output >(cat)` has
    try:
        write_atomically(fifo, "report\n")
        assert os.read(reader, 100) == b"report\n"
    finally:
        os.close(reader)
    assert stat.S_ISFIFO(fifo.stat().st_mode)
