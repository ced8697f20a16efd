from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest

from reports.console import ConsoleRenderer, render_explanation
from scanner.model import Assessment, CapabilityResult
from tests.unit.reports.acme_scan import GOLDEN, acme_assessment, without_root

CONSOLE_GOLDEN = GOLDEN / "acme-report.txt"

ANSI_ESCAPE = re.compile(r"\x1b\[")


class TerminalOutput(io.StringIO):
    """A text stream that says it is a terminal, as a real TTY would."""

    def isatty(self) -> bool:
        return True


def render(assessment: Assessment) -> str:
    out = io.StringIO()
    ConsoleRenderer().render(assessment, out)
    return out.getvalue()


def explain(result: CapabilityResult) -> str:
    out = io.StringIO()
    render_explanation(result, out)
    return out.getvalue()


def table_row(text: str, capability: str) -> list[str]:
    row = next(line for line in text.splitlines() if line.startswith(capability))
    return row.split()


def test_each_capability_shows_stage_ceiling_and_confidence(assessment: Assessment) -> None:
    text = render(assessment)
    assert table_row(text, "provisioning")[:4] == ["provisioning", "defined", "defined", "75%"]
    assert table_row(text, "governance")[:4] == ["governance", "repeatable", "defined", "50%"]
    assert table_row(text, "measurement")[:4] == ["measurement", "initial", "initial", "0%"]
    assert table_row(text, "adoption")[:4] == ["adoption", "optimizing", "optimizing", "100%"]


def test_blockers_distinguish_failed_from_unknown(assessment: Assessment) -> None:
    text = render(assessment)
    assert table_row(text, "provisioning")[4:] == ["managed:", "1", "failed,", "1", "unknown"]
    assert table_row(text, "adoption")[4:] == ["top", "stage", "reached"]
    flat = " ".join(text.split())  # undo the wrapping
    assert "? Drift detection runs on a schedule Unknown: not observable from local checkouts" in flat
    assert "? Branch protection on most repositories Unknown: not observable from local checkouts" in flat
    assert "measurement → repeatable No configured source can speak for repeatable" in flat


def test_a_blocker_shows_its_title_the_measure_in_words_and_the_next_step(assessment: Assessment) -> None:
    flat = " ".join(render(assessment).split())
    assert (
        "provisioning → managed ✗ Pipelines apply infrastructure changes "
        "Measured: 1 of 8 repositories (12%), needs at least 50% "
        "Next step: Remediation for provisioning.pipelines_apply_iac."
    ) in flat
    assert "apply_share" not in flat  # the condition itself is for `pecm explain`


def test_the_organization_heads_the_report(assessment: Assessment) -> None:
    named = assessment.model_copy(update={"scan": assessment.scan.model_copy(update={"organization": "Acme Corp"})})
    assert render(named).splitlines()[0] == "Acme Corp: platform engineering maturity"
    assert render(assessment).startswith("Capability")


def test_summary_counts_not_inferable_sources_subjects_evidence_and_requests(assessment: Assessment) -> None:
    flat = " ".join(render(assessment).split())
    assert "Not inferable: 1 criterion" in flat
    assert "local 1.0.0 ok (9 subjects, 120 evidence records)" in flat
    assert "github 0.3.0 partial (2 subjects, 14 evidence records); requests: graphql 10 (cost 450), rest 120 (3 charged)" in flat
    assert "Subjects: 1 organization, 9 repositories" in flat
    assert "Evidence: 134 records" in flat
    assert "Rule packs: default 1.0.0" in flat


def test_problems_are_listed_with_their_hints(assessment: Assessment) -> None:
    flat = " ".join(render(assessment).split())
    assert "Problems (2)" in flat
    assert "warning github (github:acme/web): HTTP 403 reading branch protection (hint: give the token administration:read)" in flat
    assert "error rules: Rule pack 'extra' failed to load" in flat


def test_no_escape_codes_off_a_terminal(assessment: Assessment) -> None:
    assert not ANSI_ESCAPE.search(render(assessment))
    assert not ANSI_ESCAPE.search(explain(assessment.capabilities[0]))


def test_force_color_does_not_colour_a_file(assessment: Assessment, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert not ANSI_ESCAPE.search(render(assessment))


def test_a_terminal_gets_colour(assessment: Assessment, monkeypatch: pytest.MonkeyPatch) -> None:
    # The counterpart of the test above: the same report on a colour terminal is styled.
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    out = TerminalOutput()
    ConsoleRenderer().render(assessment, out)
    assert ANSI_ESCAPE.search(out.getvalue())


def test_everything_fits_eighty_columns(assessment: Assessment) -> None:
    texts = [render(assessment)] + [explain(result) for result in assessment.capabilities]
    widest = max(len(line) for text in texts for line in text.splitlines())
    assert widest <= 80


def test_titles_print_literally_whatever_brackets_they_hold(assessment: Assessment) -> None:
    governance = assessment.capability("governance")
    assert "Some repositories publish a security policy [SECURITY.md]" in " ".join(explain(governance).split())


def test_explanation_lists_passed_rules_with_their_locators(assessment: Assessment) -> None:
    text = explain(assessment.capability("provisioning"))
    flat = " ".join(text.split())
    assert "Why defined" in text
    assert "✓ Some repositories describe infrastructure as code [provisioning.some_iac]" in flat
    assert "local:service-00 iac.usage: local:service-00/main.tf" in flat
    # Four locators: three shown and a count; seven references: five shown and a count.
    assert "local:service-00 iac.usage: infra/main.tf, infra/vars.tf, infra/out.tf (+1 more)" in flat
    assert flat.count("iac.usage: infra/main.tf") == 5
    assert "… and 2 more" in flat


def test_explanation_lists_blockers_with_evidence_and_remediation(assessment: Assessment) -> None:
    text = explain(assessment.capability("provisioning"))
    flat = " ".join(text.split())
    blockers = flat[flat.index("What blocks managed") : flat.index("Ceiling:")]
    assert "✗ Pipelines apply infrastructure changes [provisioning.pipelines_apply_iac]" in blockers
    assert "apply_share 0.12 < 0.5" in blockers
    assert "Against: local:service-01 ci.pipelines: .github/workflows/ci.yml" in blockers
    assert "Fix: Remediation for provisioning.pipelines_apply_iac." in blockers
    assert "? Drift detection runs on a schedule [provisioning.drift_detected]" in blockers
    assert "drift_share = between 0 and 1 (0 matched, 0 observed, 8 unknown)" in blockers
    assert "Missing: local:service-00 iac.drift_detection (unsupported): not observable from local checkouts" in blockers
    assert "Fix: Remediation for provisioning.drift_detected." in blockers
    assert "4 more references were left out of the assessment" in blockers


def test_explanation_says_which_unknowns_would_lift_the_ceiling(assessment: Assessment) -> None:
    flat = " ".join(explain(assessment.capability("governance")).split())
    ceiling = flat[flat.index("Ceiling: defined") :]
    assert "? Branch protection on most repositories [governance.default_branches_protected]" in ceiling
    assert "vcs.branch_protection on 2 subjects: not observable from local checkouts" in ceiling
    assert "Equal to the stage" in explain(assessment.capability("provisioning"))


def test_explanation_keeps_proven_stages_apart_from_later_ones(assessment: Assessment) -> None:
    text = explain(assessment.capability("governance"))
    why = text[text.index("Why repeatable") : text.index("What blocks defined")]
    assert "[governance.security_policy]" in why
    assert "not applicable: no configured source provides k8s.admission_policy" in why
    assert "default_branches_protected" not in why


def test_explanation_of_a_stage_no_source_can_prove(assessment: Assessment) -> None:
    flat = " ".join(explain(assessment.capability("measurement")).split())
    assert "initial is the floor: it needs no evidence." in flat
    assert "No rule of repeatable is applicable" in flat
    assert "– Deployment frequency is recorded [measurement.dora_metrics] needs vcs.deployments" in flat


def test_explanation_at_the_top_stage_walks_every_stage(assessment: Assessment) -> None:
    text = explain(assessment.capability("adoption"))
    for stage in ("repeatable", "defined", "managed", "optimizing"):
        assert f"[adoption.shared_assets_{stage}]" in text
    assert "optimizing is the top stage." in text


def test_explanation_lists_not_inferable_criteria(assessment: Assessment) -> None:
    flat = " ".join(explain(assessment.capability("provisioning")).split())
    assert "Not inferable (only people can tell)" in flat
    assert "optimizing: Provisioning adapts to demand — No source shows whether capacity planning is predictive." in flat


def test_table_shows_three_blockers_and_counts_the_rest(assessment: Assessment) -> None:
    provisioning = assessment.capability("provisioning")
    unknown = next(rule for rule in provisioning.rules if rule.rule_id == "provisioning.drift_detected")
    extra = tuple(
        unknown.model_copy(update={"rule_id": f"provisioning.extra_{index}", "title": f"Extra rule {index}"})
        for index in range(3)
    )
    crowded = provisioning.model_copy(
        update={"rules": provisioning.rules + extra, "blockers": provisioning.blockers + tuple(r.rule_id for r in extra)}
    )
    flat = " ".join(render(assessment.model_copy(update={"capabilities": (crowded,)})).split())
    assert "Extra rule 0" in flat and "Extra rule 1" not in flat
    assert "… and 2 more (pecm explain provisioning)" in flat
    # `pecm explain` shows them all.
    assert all(f"Extra rule {index}" in explain(crowded) for index in range(3))


def test_long_unbroken_locators_still_fit(assessment: Assessment) -> None:
    governance = assessment.capability("governance")
    long_url = "https://github.example.com/" + "nested-group/" * 12 + "repo/-/blob/main/SECURITY.md"
    passed = governance.rules[0]
    stretched = passed.model_copy(update={"supporting": (replace(passed.supporting[0], locators=(long_url,)),)})
    text = explain(governance.model_copy(update={"rules": (stretched,) + governance.rules[1:]}))
    assert "nested-group" in text
    assert max(len(line) for line in text.splitlines()) <= 80


# --- the example organization at 80 columns ------------------------------------------------


def test_the_example_organization_matches_the_golden_file(update_golden: bool) -> None:
    text = without_root(render(acme_assessment()))
    if update_golden:
        CONSOLE_GOLDEN.write_text(text)
    assert text == CONSOLE_GOLDEN.read_text(), "run pytest --update-golden after an intended change"


def test_the_example_organization_reads_in_words_at_eighty_columns() -> None:
    assessment = acme_assessment()
    text = render(assessment)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert not re.search(r"[ \t]$", text, re.M)  # no padding left at the end of lines
    # The pack's expressions stay in `pecm explain`: no field paths, operators, parameter names
    # or leaf verdicts in the summary.
    for internal in ("[does not hold]", ".present = true", "≥", "_min)", "(unknown:"):
        assert internal not in text
    flat = " ".join(text.split())
    assert (
        "adoption → defined ✗ Most repositories use at least one shared platform asset "
        "Measured: 3 of 8 repositories (38%), needs at least 50% "
        "Beside: external reference share: 63% (8 observed, 0 unknown) Next step: Find the repositories"
    ) in flat
    # Titles and next steps wrap between words only: each one reads back whole.
    for result in assessment.capabilities:
        for rule in result.rules:
            if rule.rule_id in result.blockers:
                assert f"{rule.title} " in flat
                assert " ".join(rule.remediation.split()) in flat


def test_a_blocker_takes_a_few_full_width_lines_not_a_narrow_column() -> None:
    lines = render(acme_assessment()).splitlines()
    start = lines.index("provisioning → defined")
    block = lines[start + 1 : lines.index("", start)]
    assert len(block) <= 7  # title, measured, the external share beside it, next step
    assert max(len(line) for line in block) > 60
