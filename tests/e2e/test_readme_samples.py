"""The README's sample output is what the command prints: a test keeps it from drifting."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMMAND = "pecm scan examples/acme"
# The scan line's time and duration are the only parts that change from run to run.
SCAN_TIME = re.compile(r"^(Scan  pecm \S+), \d{4}-\d{2}-\d{2} \d{2}:\d{2} \S+, \d+s$", re.M)


def readme_sample(command: str) -> str:
    """The fenced block of README.md that opens with `$ COMMAND`, without that line."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"^```\n\$ {re.escape(command)}\n(.*?)^```$", readme, re.M | re.S)
    assert match is not None, f"README.md has no block starting with `$ {command}`"
    return match.group(1)


def without_scan_time(text: str) -> str:
    return SCAN_TIME.sub(r"\1, <time>", text)


def test_the_readme_shows_exactly_what_a_scan_of_the_example_prints() -> None:
    printed = subprocess.run(
        [sys.executable, "-m", "scanner", *COMMAND.split()[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    ).stdout
    sample = readme_sample(COMMAND)
    assert SCAN_TIME.search(sample), "the README's sample lost its scan line"
    assert without_scan_time(sample) == without_scan_time(printed), (
        f"README.md's `{COMMAND}` sample drifted: paste the command's output (at 80 columns, in a pipe)"
    )
