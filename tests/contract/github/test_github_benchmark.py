"""The GitHub benchmark runs as one command: a tiny run of benchmarks/github_scan.py against this
checkout as its own reference (no figures asserted, only that it scans and says what it measured)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
BENCHMARK = ROOT / "benchmarks" / "github_scan.py"


def test_without_latency_the_ratios_to_latency_are_not_applicable() -> None:
    command = [sys.executable, str(BENCHMARK), "--repositories", "12", "--latency", "0", "--rounds", "1", "--reference", str(ROOT)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("  full: 12 repositories, wall") and "(n/a sent" in line for line in lines)
    assert "  full-scan wall time / (sent x latency / concurrency): n/a (target <= 1.5)" in lines
    assert any(line.startswith("  CPU of the scanning process per repository") for line in lines)
