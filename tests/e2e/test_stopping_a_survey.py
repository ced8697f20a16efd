"""`pecm survey` stopped by SIGTERM while it waits for an answer: one line, exit 143, nothing written."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEADLINE_SECONDS = 60  # how long start-up may take on a loaded machine; not a measurement


def test_sigterm_while_the_survey_asks_ends_it_with_one_line_and_exit_143(tmp_path: Path) -> None:
    answers = tmp_path / "self-assessment.yaml"
    survey = subprocess.Popen(
        [sys.executable, "-m", "scanner", "survey", "--output", str(answers)],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert survey.stdout is not None
    try:
        assert survey.stdout.read(len("Who is answering")) == b"Who is answering"  # waiting at the first prompt
        survey.send_signal(signal.SIGTERM)
        _stdout, stderr = survey.communicate(timeout=DEADLINE_SECONDS)
    finally:
        survey.kill()
    assert survey.returncode == 143
    assert stderr.decode().strip().splitlines()[-1] == "pecm: error: stopped by SIGTERM (no output was left half-written)"
    assert not answers.exists()
