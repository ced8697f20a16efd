"""Every file named on the command line must be a regular file of bounded size: one line, exit 2."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import main

ROOT = Path(__file__).resolve().parents[2]
ASSESSMENT = str(ROOT / "tests" / "golden" / "acme-assessment.json")
KERNEL_FILE = Path("/proc/self/status")  # stat calls it a regular file of size 0; reading it never ends on others


@pytest.mark.skipif(not KERNEL_FILE.exists(), reason="needs Linux's /proc")
@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("pecm.yaml", ["scan", "--config", "{file}", "--no-progress"]),
        ("pack.yaml", ["rules", "validate", "{file}"]),
        ("evidence.json", ["evaluate", "{file}"]),
        ("evidence.json", ["merge", "{file}"]),
        ("assessment.json", ["gate", "--assessment", "{file}", "--min", "all=initial"]),
        ("baseline.json", ["gate", "--baseline", "{file}", "--assessment", ASSESSMENT, "--min", "all=initial"]),
        ("answers.yaml", ["gaps", "--self-assessment", "{file}", "--assessment", ASSESSMENT]),
        ("answers.csv", ["survey", "--non-interactive", "{file}"]),
    ],
)
def test_a_file_that_is_not_a_regular_file_is_refused_in_one_line(tmp_path: Path, name: str, args: list[str]) -> None:
    link = tmp_path / name
    os.symlink(KERNEL_FILE, link)  # named as the command expects, so only what it is can be wrong
    result = CliRunner().invoke(main, [arg.replace("{file}", str(link)) for arg in args])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [f"pecm: error: {_label(args, link)}: not a regular file but a /proc or /sys entry"]


def _label(args: list[str], link: Path) -> str:
    flag = args[args.index("{file}") - 1]
    if flag in ("--assessment", "--baseline"):
        return f"{flag} {link}"
    if flag == "--config":
        return f"config {link}"
    return str(link)


def test_an_oversized_config_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    config = tmp_path / "pecm.yaml"
    config.write_bytes(b"# padding\n" * (1024 * 1024 + 1))
    result = CliRunner().invoke(main, ["scan", "--config", str(config), "--no-progress"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"pecm: error: config {config}: larger than 10 MiB, the most pecm reads from such a file"]


def test_a_self_referencing_alias_in_the_config_is_not_an_internal_error(tmp_path: Path) -> None:
    config = tmp_path / "pecm.yaml"
    config.write_text("sources: &s\n  local: {paths: *s}\n")
    result = CliRunner().invoke(main, ["scan", "--config", str(config), "--no-progress"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [f"pecm: error: config {config}: line 1: an alias refers to a collection that contains it"]
