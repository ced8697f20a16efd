"""Files named on the command line: regular files only, of bounded size, read in one line of error."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scanner.errors import MAX_JSON_BYTES, MAX_TEXT_BYTES, UserError, read_user_bytes, read_user_text


def test_a_named_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pecm.yaml"
    os.mkfifo(fifo)  # with no writer, opening it to read would wait for ever
    with pytest.raises(UserError) as caught:
        read_user_text(fifo, "config pecm.yaml")
    assert caught.value.one_line() == "config pecm.yaml: not a regular file but a named pipe"


@pytest.mark.parametrize(
    ("path", "what"), [("/dev/null", "a device"), ("/proc/self/status", "a /proc or /sys entry"), ("/", "a folder")]
)
def test_devices_kernel_files_and_folders_are_refused(path: str, what: str) -> None:
    if not os.path.exists(path):
        pytest.skip(f"{path} does not exist on this system")
    with pytest.raises(UserError) as caught:
        read_user_text(Path(path), path)
    assert caught.value.one_line() == f"{path}: not a regular file but {what}"


def test_a_file_over_the_limit_is_refused_in_one_line(tmp_path: Path) -> None:
    large = tmp_path / "answers.csv"
    large.write_bytes(b"x" * (MAX_TEXT_BYTES + 1))
    with pytest.raises(UserError) as caught:
        read_user_text(large, str(large))
    assert caught.value.one_line() == f"{large}: larger than 10 MiB, the most pecm reads from such a file"


def test_a_file_at_the_limit_is_read_and_bundles_may_be_larger(tmp_path: Path) -> None:
    at_limit = tmp_path / "pack.yaml"
    at_limit.write_bytes(b"x" * MAX_TEXT_BYTES)
    assert len(read_user_text(at_limit, "pack")) == MAX_TEXT_BYTES
    over_text_limit = tmp_path / "evidence.json"
    over_text_limit.write_bytes(b"y" * (MAX_TEXT_BYTES + 1))
    assert len(read_user_text(over_text_limit, "bundle", limit=MAX_JSON_BYTES)) == MAX_TEXT_BYTES + 1


def test_text_is_read_with_universal_newlines_as_before(tmp_path: Path) -> None:
    path = tmp_path / "answers.csv"
    path.write_bytes(b"a,b\r\nc,d\re\n")
    assert read_user_text(path, "answers") == "a,b\nc,d\ne\n"


def test_bytes_are_read_as_they_are_within_the_same_limits(tmp_path: Path) -> None:
    path = tmp_path / "assessment.json"
    path.write_bytes(b'{"a":\r\n 1}\r\n')
    assert read_user_bytes(path, "--assessment") == b'{"a":\r\n 1}\r\n'
    path.write_bytes(b" " * (2**10 + 1))
    with pytest.raises(UserError, match="^--assessment: larger than 1 KiB"):
        read_user_bytes(path, "--assessment", limit=2**10)
