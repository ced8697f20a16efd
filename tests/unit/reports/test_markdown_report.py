"""The Markdown report, read back through a CommonMark parser with GFM tables (markdown-it-py,
which rich already depends on): what a reader sees, not only what was written."""

from __future__ import annotations

import io
import re
from importlib.metadata import entry_points

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from reports.markdown import PROBLEMS_SHOWN, REFS_PER_LIST, MarkdownRenderer
from scanner.cli import main
from scanner.contract import RendererPlugin
from scanner.model import (
    Assessment,
    Capability,
    CapabilityResult,
    EvidenceRef,
    EvidenceStatus,
    Outcome,
    Problem,
    Stage,
)
from tests.unit.reports.acme_scan import EXAMPLE, GOLDEN, acme_assessment, without_root
from tests.unit.reports.conftest import build_assessment, observed, rule

GITHUB_JOB_SUMMARY_LIMIT = 1024 * 1024
MARKDOWN_GOLDEN = GOLDEN / "acme-report.md"


def render(assessment: Assessment) -> str:
    out = io.StringIO()
    MarkdownRenderer().render(assessment, out)
    return out.getvalue()


def html(assessment: Assessment) -> str:
    page: str = MarkdownIt("commonmark").enable("table").render(render(assessment))
    return page


def with_capability(assessment: Assessment, result: CapabilityResult) -> Assessment:
    return assessment.model_copy(update={"capabilities": (result,)})


def failing(*refs: EvidenceRef, title: str = "Pipelines apply infrastructure changes") -> CapabilityResult:
    failed = rule(
        "provisioning.pipelines_apply_iac",
        Stage.REPEATABLE,
        title,
        Outcome.FAIL,
        "apply_share 0.12 < 0.5",
        ("ci.pipelines",),
        opposing=refs,
    )
    return CapabilityResult(
        capability=Capability.PROVISIONING,
        title="Provisioning & Management",
        stage=Stage.INITIAL,
        ceiling=Stage.INITIAL,
        confidence=1.0,
        next_stage=Stage.REPEATABLE,
        blockers=(failed.rule_id,),
        rules=(failed,),
    )


def test_the_example_organization_matches_the_golden_file(update_golden: bool) -> None:
    text = without_root(render(acme_assessment()))
    if update_golden:
        MARKDOWN_GOLDEN.write_text(text)
    assert text == MARKDOWN_GOLDEN.read_text(), "run pytest --update-golden after an intended change"


def test_the_summary_table_has_a_row_per_capability_with_stage_ceiling_confidence_and_blockers(
    assessment: Assessment,
) -> None:
    rows = re.findall(r"<tr>\n(.*?)</tr>", html(assessment), re.S)
    cells = [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S) for row in rows]
    assert cells[0] == ["Capability", "Stage", "Ceiling", "Confidence", "Blocks the next stage"]
    by_capability = {row[0]: row for row in cells[1:]}
    assert list(by_capability) == ["provisioning", "governance", "measurement", "adoption"]
    assert by_capability["provisioning"][1:4] == ["defined", "defined", "75%"]
    assert by_capability["provisioning"][4] == (
        "→ managed<br>✗ Pipelines apply infrastructure changes<br>? Drift detection runs on a schedule"
    )
    assert by_capability["governance"][2] == "defined"
    assert "no configured source can speak for it" in by_capability["measurement"][4]
    assert by_capability["adoption"][4] == "top stage reached"


def test_each_capability_groups_its_rules_by_outcome_failures_first(assessment: Assessment) -> None:
    text = render(assessment)
    provisioning = text.split("## provisioning: ")[1].split("\n## ")[0]
    headings = re.findall(r"^### (.*)$", provisioning, re.M)
    assert headings == ["Failed (1)", "Unknown (1)", "Passed (2)", "Not inferable (1): only people can tell"]
    assert "Stage **defined**, ceiling **defined**, confidence 75%; next stage managed." in provisioning
    assert "4 rules: 2 passed, 1 failed, 1 unknown." in provisioning
    governance = text.split("## governance: ")[1].split("\n## ")[0]
    assert "### Not applicable (1)" in governance
    assert "no configured source provides `k8s.admission_policy`" in governance


def test_a_failed_rule_shows_why_the_evidence_against_it_and_the_fix(assessment: Assessment) -> None:
    failed = render(assessment).split("### Failed (1)")[1].split("###")[0]
    assert "(`provisioning.pipelines_apply_iac`, managed) — blocks the next stage" in failed
    assert "Why: apply\\_share 0.12 \\< 0.5" in failed
    assert "Metric: apply\\_share = 0.12 (1 matched, 8 observed, 0 unknown)" in failed
    assert "`local:service-01` `ci.pipelines`: `.github/workflows/ci.yml`" in failed
    assert "Fix: Remediation for provisioning.pipelines\\_apply\\_iac." in failed


def test_an_unknown_rule_groups_what_is_missing_by_kind_and_reason(assessment: Assessment) -> None:
    unknown = render(assessment).split("### Unknown (1)")[1].split("###")[0]
    assert "`iac.drift_detection` on 8 subjects: not observable from local checkouts" in unknown
    assert "4 more references left out of the assessment" in unknown
    assert "Fix:" not in unknown


def test_urls_become_links_and_paths_stay_literal_code(assessment: Assessment) -> None:
    url = "https://github.com/acme/web/blob/main/.github/workflows/ci.yml"
    ref = observed("github:acme/web", "ci.pipelines", url, "infra/odd`name.tf", "javascript:alert(1)")
    page = html(with_capability(assessment, failing(ref)))
    assert f'<a href="{url}">' in page
    assert "<code>infra/odd`name.tf</code>" in page
    assert "<code>javascript:alert(1)</code>" in page
    assert 'href="javascript' not in page


def test_a_url_with_brackets_stays_one_link_and_one_with_a_space_is_no_link(assessment: Assessment) -> None:
    url = "https://example.test/a/(x)<y>"
    page = html(with_capability(assessment, failing(observed("github:acme/web", "ci.pipelines", url, "https://x.test/a b"))))
    assert '<a href="https://example.test/a/(x)%3Cy%3E">https://example.test/a/(x)&lt;y&gt;</a>' in page
    assert "<code>https://x.test/a b</code>" in page


def test_markdown_in_titles_and_reasons_prints_literally(assessment: Assessment) -> None:
    title = "Pipes | *stars* _under_ [link](http://x) <b>html</b> &amp; `tick`"
    result = failing(observed("local:web", "ci.pipelines", "ci.yml"), title=title)
    page = html(with_capability(assessment, result))
    assert "Pipes | *stars* _under_ [link](http://x) &lt;b&gt;html&lt;/b&gt; &amp;amp; `tick`" in page
    assert "<em>" not in page and "<b>" not in page and 'href="http://x"' not in page
    row = re.findall(r"<tr>\n(.*?)</tr>", page, re.S)[1]
    assert len(re.findall(r"<td", row)) == 5, "a pipe in a title must not add a table cell"


def test_evidence_lists_are_capped_and_say_how_many_are_left_out(assessment: Assessment) -> None:
    refs = [observed(f"local:repo-{index}", "ci.pipelines", "a.yml", "b.yml", "c.yml", "d.yml") for index in range(12)]
    text = render(with_capability(assessment, failing(*refs)))
    assert text.count("`ci.pipelines`: `a.yml`, `b.yml`, `c.yml` (+1 more)") == REFS_PER_LIST
    assert f"… and {12 - REFS_PER_LIST} more" in text


def test_a_huge_organization_stays_under_the_job_summary_limit(assessment: Assessment) -> None:
    refs = tuple(observed(f"github:acme/repo-{index:05d}", "ci.pipelines", ".github/workflows/ci.yml") for index in range(20_000))
    missing = tuple(
        EvidenceRef(
            subject=f"github:acme/repo-{index:05d}",
            kind="vcs.branch_protection",
            status=EvidenceStatus.UNAVAILABLE,
            reason=f"HTTP 403 ({index % 40})",  # 40 distinct reasons
        )
        for index in range(20_000)
    )
    unknown = rule(
        "governance.protected", Stage.DEFINED, "Protected", Outcome.UNKNOWN, "unknown", ("vcs.branch_protection",), missing=missing
    )
    big = failing(*refs)
    big = big.model_copy(update={"rules": big.rules + (unknown,) * 60})
    problems = tuple(
        Problem(source="github", subject=f"github:acme/repo-{index}", message="HTTP 403 " + "x" * 200) for index in range(20_000)
    )
    scan = assessment.scan.model_copy(update={"problems": problems})
    huge = with_capability(assessment, big).model_copy(update={"scan": scan})
    text = render(huge)
    assert len(text.encode()) < GITHUB_JOB_SUMMARY_LIMIT
    assert f"… and {20_000 - PROBLEMS_SHOWN} more (the JSON report lists them all)" in text
    assert "… and 35 more reasons" in text


def test_scan_summary_and_problems_close_the_page(assessment: Assessment) -> None:
    text = render(assessment)
    scan = text.split("\n## Scan\n")[1]
    assert "- pecm 0.1.0, started 2024-05-01 10:00 UTC, took 42s" in scan
    assert "  - github 0.3.0: partial (2 subjects, 14 evidence records); requests: graphql 10 (cost 450), rest 120 (3 charged)" in scan
    assert "- Subjects: 1 organization, 9 repositories" in scan
    assert "## Problems (2)" in scan
    assert "- **warning** github (`github:acme/web`): HTTP 403 reading branch protection (hint: give the token administration:read)" in scan
    assert "- **error** rules: Rule pack 'extra' failed to load" in scan


def test_a_clean_scan_has_no_problems_section(assessment: Assessment) -> None:
    clean = assessment.model_copy(update={"scan": assessment.scan.model_copy(update={"problems": ()})})
    assert "## Problems" not in render(clean)


def test_output_is_deterministic_and_ends_with_one_newline(assessment: Assessment) -> None:
    text = render(assessment)
    assert text == render(build_assessment())
    assert text.endswith("\n") and not text.endswith("\n\n")


def test_the_renderer_meets_the_renderer_contract() -> None:
    assert isinstance(MarkdownRenderer(), RendererPlugin)
    assert MarkdownRenderer.name == "markdown" and MarkdownRenderer.description


_REGISTERED = any(entry.name == "markdown" for entry in entry_points(group="pecm.renderers"))


@pytest.mark.skipif(not _REGISTERED, reason="the markdown entry point is not installed yet (pip install -e .)")
def test_pecm_scan_writes_markdown() -> None:
    result = CliRunner().invoke(main, ["scan", str(EXAMPLE), "--format", "markdown", "--no-progress"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# Platform engineering maturity\n")
    for capability in Capability:
        assert f"\n## {capability.value}: " in result.output
