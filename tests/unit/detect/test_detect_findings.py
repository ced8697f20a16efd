"""`Findings.signals`: every kind's data at once, as `data` gives it kind by kind."""

from __future__ import annotations

from collectors.detect.findings import CI, CODEOWNERS, REUSE_PROVIDED, Findings, absent, is_absent
from scanner.kinds import FILE_SIGNAL_KINDS


def test_signals_are_each_kinds_data_with_lists_of_their_own() -> None:
    findings = Findings()
    findings.hit(CI, ".github/workflows/ci.yml")
    findings.add(CI, "systems", "github_actions")
    findings.set(REUSE_PROVIDED, "internal_only", True)
    signals = findings.signals()
    assert list(signals) == list(FILE_SIGNAL_KINDS)
    assert signals == {kind: findings.data(kind) for kind in FILE_SIGNAL_KINDS}
    assert signals[CI]["paths"] == [".github/workflows/ci.yml"]
    assert signals[REUSE_PROVIDED]["internal_only"] is True
    assert is_absent(CODEOWNERS, signals[CODEOWNERS])
    signals[CODEOWNERS]["paths"].append("CODEOWNERS")  # a caller extending one kind's lists
    assert findings.signals()[CODEOWNERS] == absent(CODEOWNERS) == {**signals[CODEOWNERS], "paths": []}
