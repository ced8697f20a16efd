"""The HTML report, read back into an element tree: the chart's geometry, its text
equivalent, the drill-down, overlays and trends, escaping, and that it loads nothing remote."""

from __future__ import annotations

import io
import logging
import math
import re
from datetime import timedelta

import pytest

from reports.console import LOCATORS_PER_REF, REFS_PER_LIST
from reports.html import RADIUS, HtmlRenderer
from scanner.contract import RendererPlugin
from scanner.model import (
    Assessment,
    Capability,
    CapabilityResult,
    EvidenceRef,
    Outcome,
    Stage,
)
from scanner.self_assessment import parse_yaml_document
from tests.unit.reports.conftest import STARTED, build_assessment, observed, rule
from tests.unit.reports.html_tree import Element, parse

HOSTILE_TITLE = '<script>alert("title")</script> & <b>bold</b>'
HOSTILE_PATH = '"><img src=x onerror=alert(1)>.tf'
HOSTILE_URL = 'https://example.com/a"onmouseover="alert(1)'


def render(assessment: Assessment, renderer: HtmlRenderer | None = None) -> str:
    out = io.StringIO()
    (renderer or HtmlRenderer()).render(assessment, out)
    return out.getvalue()


def page(assessment: Assessment, renderer: HtmlRenderer | None = None) -> Element:
    return parse(render(assessment, renderer))


def vertices(polygon: Element) -> list[tuple[float, float]]:
    return [(float(x), float(y)) for x, y in (pair.split(",") for pair in polygon.attrs["points"].split())]


def stage_ranks(polygon: Element) -> list[float]:
    """The polygon read back as stages: distance from the centre over one ring's width."""
    return [round(math.hypot(x, y) / (RADIUS / 5), 1) for x, y in vertices(polygon)]


def with_capability(assessment: Assessment, result: CapabilityResult) -> Assessment:
    return assessment.model_copy(update={"capabilities": (result,)})


def hostile_capability(*refs: EvidenceRef) -> CapabilityResult:
    failed = rule(
        "provisioning.pipelines_apply_iac",
        Stage.REPEATABLE,
        HOSTILE_TITLE,
        Outcome.FAIL,
        "apply_share 0.12 < 0.5 </details>",
        ("ci.pipelines",),
        opposing=refs,
    )
    return CapabilityResult(
        capability=Capability.PROVISIONING,
        title="Provisioning <&> Management",
        stage=Stage.INITIAL,
        ceiling=Stage.INITIAL,
        confidence=1.0,
        next_stage=Stage.REPEATABLE,
        blockers=(failed.rule_id,),
        rules=(failed,),
    )


def test_it_is_a_renderer_plugin_named_html() -> None:
    renderer = HtmlRenderer()
    assert isinstance(renderer, RendererPlugin)
    assert renderer.name == "html"
    assert renderer.description


def test_the_radar_has_six_axes_five_rings_and_the_inferred_and_ceiling_stages(assessment: Assessment) -> None:
    radar = page(assessment).find("svg", "radar")
    assert radar.attrs["role"] == "img"
    assert radar.find("title").text() and "provisioning defined" in radar.find("desc").text()
    assert [label.text() for label in radar.find_all("text", "axis-label")] == [c.value for c in Capability]
    assert len(radar.find_all("line", "axis")) == 6
    rings = radar.find_all("polygon", "ring")
    assert [stage_ranks(ring) for ring in rings] == [[float(rank)] * 6 for rank in range(1, 6)]
    # Capabilities in enum order: investment, adoption, governance, provisioning, interfaces, measurement;
    # the hand-built assessment lacks investment and interfaces, which stay at the centre.
    assert stage_ranks(radar.find("polygon", "inferred")) == [0, 5, 2, 3, 0, 1]
    assert stage_ranks(radar.find("polygon", "ceiling")) == [0, 5, 3, 3, 0, 1]


def test_the_table_holds_the_charts_numbers(assessment: Assessment) -> None:
    table = page(assessment).find("table", "summary")
    rows = [[cell.text() for cell in row.iter() if cell.tag in ("th", "td")] for row in table.find_all("tr")]
    assert rows[0] == ["Capability", "Inferred", "Ceiling", "Confidence"]
    by_capability = {row[0]: row[1:] for row in rows[1:]}
    assert list(by_capability) == [c.value for c in Capability]
    assert by_capability["provisioning"] == ["defined (3)", "defined (3)", "75%"]
    assert by_capability["adoption"] == ["optimizing (5)", "optimizing (5)", "100%"]
    assert by_capability["investment"] == ["not assessed", "—", "—"]


def test_each_capability_drills_down_to_its_rules_and_evidence(assessment: Assessment) -> None:
    document = page(assessment)
    details = document.find_all("details", "capability")
    assert [d.attrs["id"] for d in details] == [f"capability-{r.capability.value}" for r in assessment.capabilities]
    # Only the lowest capability (measurement, initial) starts open.
    assert ["open" in d.attrs for d in details] == [False, False, True, False]
    provisioning = details[0]
    outcomes = {r.rule_id: r.outcome.value for r in assessment.capability("provisioning").rules}
    shown = {li.find("code").text(): li for li in provisioning.find_all("li", "rule")}
    assert {rule_id: ({f"rule-{o}" for o in outcomes.values()} & li.classes).pop() for rule_id, li in shown.items()} == {
        rule_id: f"rule-{outcome}" for rule_id, outcome in outcomes.items()
    }
    failed = shown["provisioning.pipelines_apply_iac"]
    assert "blocks the next stage" in failed.text() and "Fix: Remediation for" in failed.text()
    governance = details[1].text()
    assert "vcs.branch_protection on 2 subjects: not observable from local checkouts" in governance
    assert "No configured source provides k8s.admission_policy" in governance


def test_evidence_lists_are_capped_and_paths_are_code_and_urls_links() -> None:
    refs = tuple(observed(f"local:r{i}", "ci.pipelines", f"r{i}/a.yml", "b.yml", "c.yml", "d.yml") for i in range(12))
    url = "https://github.com/acme/web/blob/main/.github/workflows/x.yml"
    refs = (observed("github:acme/web", "ci.pipelines", url, "javascript:alert(1)"), *refs)
    document = page(with_capability(build_assessment(), hostile_capability(*refs)))
    evidence = document.find("ul", "evidence")
    items = evidence.find_all("li")
    assert len(items) == REFS_PER_LIST + 1 and items[-1].text() == f"… and {len(refs) - REFS_PER_LIST} more"
    assert [a.attrs["href"] for a in evidence.find_all("a")] == [url]
    assert "javascript:alert(1)" in [code.text() for code in items[0].find_all("code")]
    assert len(items[1].find_all("code")) == 2 + LOCATORS_PER_REF and items[1].text().endswith("(+1 more)")


def test_hostile_titles_paths_and_urls_stay_text() -> None:
    refs = (observed("local:x", "iac.usage", HOSTILE_PATH, HOSTILE_URL),)
    source = render(with_capability(build_assessment(), hostile_capability(*refs)))
    document = parse(source)  # parse() also asserts that every element closes where it opened
    assert not document.find_all("img") and not document.find_all("b")
    assert len(document.find_all("script")) == 1  # the page's own print helper, nothing injected
    assert HOSTILE_TITLE in document.find("li", "rule").text()
    assert HOSTILE_PATH in [code.text() for code in document.find_all("code")]
    link = document.find("ul", "evidence").find("a")
    assert link.attrs == {"href": HOSTILE_URL}  # the quote did not open a new attribute
    assert "Provisioning <&> Management" in document.find("details", "capability").text()


def test_the_page_loads_nothing_from_anywhere(assessment: Assessment) -> None:
    url = "https://github.com/acme/web/actions"
    assessment = with_capability(assessment, hostile_capability(observed("github:acme/web", "ci.pipelines", url)))
    source = render(assessment)
    document = parse(source)
    assert not [e.tag for e in document.iter() if e.tag in ("link", "img", "iframe", "object", "embed", "base")]
    assert all("src" not in e.attrs for e in document.iter())
    hrefs = [e.attrs["href"] for e in document.iter() if "href" in e.attrs]
    assert [h for h in hrefs if not h.startswith("#")] == [url]  # evidence links only
    style = document.find("style").text()
    assert "url(" not in style and "@import" not in style and "@font-face" not in style


def test_it_reads_on_a_phone_and_prints_with_details_expanded(assessment: Assessment) -> None:
    document = page(assessment)
    assert any(m.attrs.get("name") == "viewport" for m in document.find_all("meta"))
    style = document.find("style").text()
    assert re.search(r"@media \(max-width: [^)]+\) \{.*grid-template-columns: 1fr", style, re.S)
    assert re.search(r"@media print \{.*details::details-content \{ content-visibility: visible", style, re.S)
    assert 'addEventListener("beforeprint"' in document.find("script").text()


def test_overlays_appear_only_when_stages_were_reported(assessment: Assessment) -> None:
    plain = page(assessment)
    assert not plain.find_all("g", "overlay-reported") and not plain.find_all("g", "overlay-target")
    assert [th.text() for th in plain.find("thead").find_all("th")] == ["Capability", "Inferred", "Ceiling", "Confidence"]

    everywhere = {c.value: "managed" for c in Capability}
    document = page(assessment, HtmlRenderer(reported=everywhere, targets={"governance": "optimizing"}))
    reported = document.find("g", "overlay-reported")
    assert stage_ranks(reported.find("polygon", "reported")) == [4.0] * 6
    target = document.find("g", "overlay-target")
    assert not target.find_all("polygon")  # one target is a marker, not a polygon through the centre
    assert [r.find("title").text() for r in target.find_all("rect", "marker")] == ["governance: target optimizing"]
    rows = {row.find("th").text(): [td.text() for td in row.find_all("td")] for row in document.find("tbody").find_all("tr")}
    assert rows["governance"] == ["repeatable (2)", "defined (3)", "managed (4)", "optimizing (5)", "50%"]


def test_unknown_capabilities_and_stages_are_logged_and_left_out(
    assessment: Assessment, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="reports.html"):
        renderer = HtmlRenderer(reported={"governance": "legendary", "happiness": "managed", "adoption": "defined"})
    assert len(caplog.records) == 2 and "legendary" in caplog.text and "happiness" in caplog.text
    markers = page(assessment, renderer).find("g", "overlay-reported").find_all("rect")
    assert [m.find("title").text() for m in markers] == ["adoption: self-reported defined"]


def test_sparklines_appear_only_with_history_and_end_at_this_scan(assessment: Assessment) -> None:
    assert not page(assessment).find_all("svg", "sparkline")
    history = [
        (STARTED - timedelta(days=60), {"provisioning": "initial", "governance": "initial"}),
        (STARTED - timedelta(days=30), {"provisioning": "repeatable", "governance": "nonsense"}),
        (STARTED, {"provisioning": "defined"}),  # this scan, stored before rendering: drawn once
    ]
    document = page(assessment, HtmlRenderer(history=history))
    labels = {s.attrs["aria-label"].split()[0]: s.attrs["aria-label"] for s in document.find_all("svg", "sparkline")}
    assert labels == {
        "provisioning": "provisioning over 3 scans: initial → repeatable → defined",
        "governance": "governance over 2 scans: initial → repeatable",
    }
    spark = next(s for s in document.find_all("svg", "sparkline") if s.attrs["aria-label"].startswith("provisioning"))
    heights = [float(pair.split(",")[1]) for pair in spark.find("polyline").attrs["points"].split()]
    assert heights == sorted(heights, reverse=True) and len(set(heights)) == 3  # climbing, one level per stage


def test_a_self_assessment_gives_the_median_stage_and_the_highest_target(assessment: Assessment) -> None:
    answers = parse_yaml_document(
        {
            "respondents": [
                {"name": "a", "answers": {"governance": {"current": "managed", "target": "managed"}}},
                {"name": "b", "answers": {"governance": {"current": "initial", "target": "optimizing"}}},
                {"name": "c", "answers": {"governance": {"current": "defined"}, "adoption": {"current": 4}}},
                {"name": "d", "answers": {"adoption": {"current": 2}}},
            ]
        },
        "test",
    )
    document = page(assessment, HtmlRenderer.from_self_assessment(answers))
    reported = [r.find("title").text() for r in document.find("g", "overlay-reported").find_all("rect")]
    assert reported == ["adoption: self-reported repeatable", "governance: self-reported defined"]
    targets = [r.find("title").text() for r in document.find("g", "overlay-target").find_all("rect")]
    assert targets == ["governance: target optimizing"]


def test_the_self_reported_column_shows_what_several_respondents_answered(assessment: Assessment) -> None:
    answers = parse_yaml_document(
        {
            "respondents": [
                {"name": "a", "answers": {"governance": {"current": "repeatable"}, "adoption": {"current": 3}, "interfaces": {"current": 2}}},
                {"name": "b", "answers": {"governance": {"current": "managed"}, "adoption": {"current": 3}}},
            ]
        },
        "test",
    )
    document = page(assessment, HtmlRenderer.from_self_assessment(answers))
    rows = {row.find("th").text(): [td.text() for td in row.find_all("td")] for row in document.find("tbody").find_all("tr")}
    assert rows["governance"][2] == "repeatable–managed (2 respondents)"  # not the lower median alone
    assert rows["adoption"][2] == "defined (3), all 2 respondents"
    assert rows["interfaces"][2] == "repeatable (2)"
    assert rows["measurement"][2] == "—"
    # The chart needs one point per capability: the legend says which one it plots.
    assert "the median answer (with an even number of respondents, the lower middle one" in document.find("ul", "legend").text()


def test_the_organization_names_the_page(assessment: Assessment) -> None:
    named = assessment.model_copy(update={"scan": assessment.scan.model_copy(update={"organization": "Acme <Corp>"})})
    document = page(named)
    assert document.find("title").text() == "Acme <Corp>: platform engineering maturity"
    assert document.find("h1").text() == "Acme <Corp>: platform engineering maturity"
    assert "Acme &lt;Corp&gt;" in render(named)
    assert page(assessment).find("h1").text() == "Platform engineering maturity"


def test_problems_are_listed_with_their_hints(assessment: Assessment) -> None:
    problems = page(assessment).find("ul", "problems").find_all("li")
    assert [p.text() for p in problems] == [
        "warning github ( github:acme/web ): HTTP 403 reading branch protection (hint: give the token administration:read)",
        "error rules: Rule pack 'extra' failed to load",
    ]
