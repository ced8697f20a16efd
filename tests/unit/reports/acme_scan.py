"""The example organization's assessment, scanned once per test run, with fixed scan times
so that reports rendered from it can be compared with golden files."""

from __future__ import annotations

import functools
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

from click.testing import CliRunner

from reports.json_report import load_assessment
from scanner.cli import main
from scanner.model import Assessment

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "acme"
GOLDEN = ROOT / "tests" / "golden"
STARTED = datetime(2024, 5, 1, 10, 0, 0, tzinfo=timezone.utc)


@functools.cache
def acme_assessment() -> Assessment:
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "assessment.json"
        result = CliRunner().invoke(
            main, ["scan", str(EXAMPLE), "--format", "json", "--output", str(output), "--no-progress"], catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        assessment = load_assessment(output.read_text())
    scan = assessment.scan.model_copy(update={"started_at": STARTED, "finished_at": STARTED + timedelta(seconds=3)})
    return assessment.model_copy(update={"scan": scan})


def without_root(text: str) -> str:
    """Absolute paths of this checkout (in problem messages) differ from machine to machine."""
    return text.replace(ROOT.as_posix(), "<root>")
