"""The README's sample outputs are what the commands print: a test keeps them from drifting.

A sample is a fenced block line `$ pecm …` followed by what it prints. Without `...` lines it
is the whole output; `...` marks lines left out, and the pieces between must appear in order
(the first at the start and the last at the end unless a `...` stands there).
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ELISION = "..."
# The samples run offline on the example organization; the history samples record scans in the
# user's store, so they are not run here.
OFFLINE_SAMPLES = (
    "pecm scan examples/acme",
    "pecm gaps --self-assessment examples/acme/self-assessment.yaml examples/acme",
    "pecm gate examples/acme --min all=repeatable --unknown pass",
    "pecm gate examples/acme --min all=defined",
)
# The scan line's time and duration are the only parts that change from run to run.
SCAN_TIME = re.compile(r"^(Scan  pecm \S+), \d{4}-\d{2}-\d{2} \d{2}:\d{2} \S+, \d+s$")


def readme_samples() -> dict[str, list[str]]:
    """Command -> the lines the README shows it printing."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    samples: dict[str, list[str]] = {}
    for block in re.findall(r"^```\n(\$ pecm .*?)^```$", readme, re.M | re.S):
        for part in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, *lines = part.rstrip("\n").split("\n")
            samples["$ " + command] = lines
    return samples


def printed(command: str) -> list[str]:
    args = shlex.split(command)[1:]
    # In a pipe: 80 columns, no colour, no progress; the exit code is the gate's verdict.
    completed = subprocess.run(
        [sys.executable, "-m", "scanner", *args], cwd=ROOT, capture_output=True, text=True, encoding="utf-8", check=False
    )
    assert completed.returncode in (0, 1), completed.stderr
    return completed.stdout.splitlines()


def without_scan_time(lines: list[str]) -> list[str]:
    return [SCAN_TIME.sub(r"\1, <time>", line) for line in lines]


def follows(pieces: list[list[str]], lines: list[str], anchored_start: bool, anchored_end: bool) -> bool:
    """Whether the pieces appear in `lines` in order, each as consecutive lines."""
    position = 0
    for index, piece in enumerate(pieces):
        starts = [at for at in range(position, len(lines) - len(piece) + 1) if lines[at : at + len(piece)] == piece]
        if anchored_start and index == 0:
            starts = [at for at in starts if at == 0]
        if anchored_end and index == len(pieces) - 1:
            starts = [at for at in starts if at + len(piece) == len(lines)]
        if not starts:
            return False
        position = starts[0] + len(piece)
    return True


def test_every_offline_sample_is_in_the_readme() -> None:
    assert [command for command in readme_samples() if command[2:] in OFFLINE_SAMPLES] == [
        f"$ {command}" for command in OFFLINE_SAMPLES
    ]


@pytest.mark.parametrize("command", OFFLINE_SAMPLES)
def test_the_readme_shows_what_the_command_prints(command: str) -> None:
    shown = without_scan_time(readme_samples()[f"$ {command}"])
    output = without_scan_time(printed(command))
    if ELISION not in shown:
        assert shown == output, f"README.md's `{command}` sample drifted: paste the command's output (in a pipe)"
        return
    pieces: list[list[str]] = [[]]
    for line in shown:
        if line == ELISION:
            pieces.append([])
        else:
            pieces[-1].append(line)
    anchored_start, anchored_end = shown[0] != ELISION, shown[-1] != ELISION
    pieces = [piece for piece in pieces if piece]
    assert follows(pieces, output, anchored_start, anchored_end), (
        f"README.md's `{command}` sample drifted from what it prints:\n" + "\n".join(output)
    )


def test_a_drifted_sample_is_caught() -> None:
    # The counterpart: the comparison does see a changed, dropped or reordered line.
    output = ["a", "b", "c", "d"]
    assert follows([["a", "b"], ["d"]], output, True, True)
    assert not follows([["a", "c"]], output, True, False)
    assert not follows([["b"]], output, True, False)
    assert not follows([["c"], ["b"]], output, False, False)
    assert not follows([["c"]], output, False, True)
