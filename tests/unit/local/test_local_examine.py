"""What a worker hands back of a repository's detection: the kinds it found something of, the
rest filled in with their defaults, the same data as the detection itself."""

from __future__ import annotations

from pathlib import Path

from collectors.detect import detect
from collectors.local.examine import FileSignals, examine_files
from collectors.local.read import FileReader
from collectors.local.walk import list_files
from scanner.contract import Limits
from scanner.kinds import FILE_SIGNAL_KINDS

WORKFLOW = "on: push\njobs:\n  build:\n    uses: acme/platform/.github/workflows/build.yml@v1\n"


def test_the_handed_back_signals_are_the_detection_with_only_what_was_found_sent(tmp_path: Path) -> None:
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW)
    (tmp_path / "main.tf").write_text('module "m" {\n  source = "acme/m/aws"\n}\n')
    (tmp_path / "README.md").write_text("# svc\n")
    listing = list_files(str(tmp_path), 100)
    detection = detect(listing.paths, FileReader(listing.locate, 1_048_576))

    examined = examine_files(str(tmp_path), Limits())

    assert isinstance(examined.detection, FileSignals)
    assert {kind: examined.detection.data(kind) for kind in FILE_SIGNAL_KINDS} == detection.signals
    assert {kind: examined.detection.locators.get(kind, ()) for kind in FILE_SIGNAL_KINDS} == detection.locators
    assert {"ci.pipelines", "iac.usage", "ci.reusable_used"} <= set(examined.detection.found)
    assert "observability.dashboards" not in examined.detection.found  # nothing of it: not sent
    assert len(examined.detection.found) < len(FILE_SIGNAL_KINDS) / 2


def test_a_kind_not_found_gets_fresh_defaults_each_time() -> None:
    signals = FileSignals(found={}, locators={}, files_read=0, problems=[], unknown={})

    first = signals.data("iac.usage")
    first["paths"].append("changed")

    assert signals.data("iac.usage")["paths"] == []
