"""The GitLab benchmark runs as one command: a tiny smoke run of benchmarks/gitlab_scan.py --quick
(no figures asserted, only that it scans and says what it measured)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parents[3] / "benchmarks" / "gitlab_scan.py"


def test_the_quick_benchmark_scans_twice_and_prints_its_figures() -> None:
    done = subprocess.run([sys.executable, str(BENCHMARK), "--quick"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    full = lines.index(next(line for line in lines if line.startswith("full scan: 20 projects")))
    again = lines.index(next(line for line in lines if line.startswith("unchanged re-scan: 20 projects")))
    assert "requests per project" in "".join(lines[full:again]) and "by endpoint" in "".join(lines[full:again])
    # what the re-scan asked, by endpoint: never a tree or a file of an unchanged project
    (endpoints,) = [line for line in lines[again:] if "by endpoint" in line]
    assert "tree" not in endpoints and "raw file" not in endpoints
    assert any(line.startswith("new process, full scan 1:") and "peak resident memory" in line for line in lines)


def test_help_names_the_targets() -> None:
    done = subprocess.run([sys.executable, str(BENCHMARK), "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "--quick" in done.stdout and "target" in done.stdout
