"""The example organization's HTML report opened in a real headless Chromium: the DOM the
browser built holds the chart and the drill-down, and a screenshot renders.

`pytest --update-golden` also saves the screenshot as docs/report-screenshot.png for the README.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from reports.html import HtmlRenderer
from scanner.model import Capability
from scanner.self_assessment import load_self_assessment
from tests.unit.reports.acme_scan import EXAMPLE, ROOT, acme_assessment
from tests.unit.reports.html_tree import parse

CHROMIUM = shutil.which("chromium")
WIDTH, HEIGHT = 1280, 2000
SCREENSHOT = ROOT / "docs" / "report-screenshot.png"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no `chromium` on PATH (CI installs Debian's chromium package)")


def chromium(profile: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Headless, with everything that would reach the network switched off."""
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",  # CI runs as root in a container
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *arguments,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    renderer = HtmlRenderer.from_self_assessment(load_self_assessment(EXAMPLE / "self-assessment.yaml"))
    with path.open("w", encoding="utf-8") as out:
        renderer.render(acme_assessment(), out)
    return path


def test_the_browser_builds_the_chart_and_the_drill_down(report: Path, tmp_path: Path) -> None:
    result = chromium(tmp_path / "profile", "--dump-dom", report.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    dom = parse(result.stdout)
    radar = dom.find("svg", "radar")
    assert len(radar.find_all("line", "axis")) == 6 and len(radar.find_all("polygon", "ring")) == 5
    assert len(radar.find("polygon", "inferred").attrs["points"].split()) == 6
    assert radar.find("g", "overlay-reported").find_all("polygon")  # both respondents answered every capability
    details = dom.find_all("details", "capability")
    assert [d.attrs["id"] for d in details] == [f"capability-{c.value}" for c in Capability]
    assert sum("open" in d.attrs for d in details) == 1
    assert all(d.find_all("li", "rule") for d in details)
    assert len(dom.find("table", "summary").find("tbody").find_all("tr")) == 6


def test_the_report_renders_to_a_screenshot(report: Path, tmp_path: Path, update_golden: bool) -> None:
    png = tmp_path / "report.png"
    result = chromium(tmp_path / "profile", f"--screenshot={png}", f"--window-size={WIDTH},{HEIGHT}", report.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    data = png.read_bytes()
    assert data[:8] == PNG_SIGNATURE and data[12:16] == b"IHDR"
    assert struct.unpack(">II", data[16:24]) == (WIDTH, HEIGHT)
    assert len(data) > 50_000  # a blank page compresses to a few kilobytes; this one has a chart and text
    if update_golden:
        shutil.copyfile(png, SCREENSHOT)
