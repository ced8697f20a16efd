"""`Findings.found`: the data of the kinds found something of, as `data` gives it kind by kind;
`Detection.signals`: every kind's, the others their defaults."""

from __future__ import annotations

from collectors.detect import detect
from collectors.detect.findings import CI, CODEOWNERS, REUSE_PROVIDED, Findings, absent
from scanner.kinds import FILE_SIGNAL_KINDS


def test_found_holds_each_kind_found_something_of_as_data_gives_it() -> None:
    findings = Findings()
    findings.hit(CI, ".github/workflows/ci.yml")
    findings.add(CI, "systems", "github_actions")
    findings.set(REUSE_PROVIDED, "internal_only", True)
    findings.set(CODEOWNERS, "rules", 0)  # touched, yet its defaults: nothing found
    found = findings.found()
    assert list(found) == [CI, REUSE_PROVIDED]
    assert found == {kind: findings.data(kind) for kind in FILE_SIGNAL_KINDS if findings.data(kind) != absent(kind)}
    assert found[CI]["paths"] == [".github/workflows/ci.yml"]
    assert found[REUSE_PROVIDED]["internal_only"] is True


def test_a_detections_signals_are_every_kind_with_lists_of_their_own() -> None:
    detection = detect(["CODEOWNERS"], lambda _path: b"* @acme/platform\n")
    assert list(detection.found) == [CODEOWNERS]
    signals = detection.signals
    assert list(signals) == list(FILE_SIGNAL_KINDS)
    assert signals[CODEOWNERS] == detection.found[CODEOWNERS]
    assert detection.locators[CODEOWNERS] == ("CODEOWNERS",) and detection.locators[CI] == ()
    assert signals[CI] == absent(CI)
    signals[CI]["paths"].append("x")  # a caller extending one kind's lists
    assert absent(CI)["paths"] == [] and detect([], lambda _path: b"").signals[CI] == absent(CI)
