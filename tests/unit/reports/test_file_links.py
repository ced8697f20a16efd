"""Evidence paths link to the files when the subject says where its files are (Markdown, HTML)."""

from __future__ import annotations

import io

from reports.html import HtmlRenderer
from reports.markdown import MarkdownRenderer
from scanner.model import Assessment, EvidenceRef, Outcome
from tests.unit.reports.acme_scan import acme_assessment

BASE = "https://github.example/acme/payments-api/blob/main/"


def _with_bases(assessment: Assessment) -> tuple[Assessment, EvidenceRef]:
    """The fixture's assessment, each subject's files at BASE, plus one evidence path it shows."""
    refs = [
        ref
        for result in assessment.capabilities
        for rule in result.rules
        for ref in (*rule.supporting, *rule.opposing)
        if any("/" in locator and ":" not in locator for locator in ref.locators)
    ]
    subjects = {ref.subject for result in assessment.capabilities for rule in result.rules for ref in (*rule.supporting, *rule.opposing)}
    return assessment.model_copy(update={"file_bases": {subject: BASE for subject in subjects}}), refs[0]


def _render(renderer: object, assessment: Assessment) -> str:
    out = io.StringIO()
    renderer.render(assessment, out)  # type: ignore[attr-defined]
    return out.getvalue()


def test_markdown_links_paths_only_when_the_subject_has_a_file_address(assessment: Assessment) -> None:
    linked, ref = _with_bases(assessment)
    path = next(locator for locator in ref.locators if "/" in locator)
    assert f"(<{BASE}{path}>)" in _render(MarkdownRenderer(), linked)
    assert f"(<{BASE}{path}>)" not in _render(MarkdownRenderer(), assessment)


def test_html_links_paths_only_when_the_subject_has_a_file_address(assessment: Assessment) -> None:
    linked, ref = _with_bases(assessment)
    path = next(locator for locator in ref.locators if "/" in locator)
    assert f'<a href="{BASE}{path}"><code>{path}</code></a>' in _render(HtmlRenderer(), linked)
    assert f'href="{BASE}{path}"' not in _render(HtmlRenderer(), assessment)


def test_a_locator_that_is_not_a_repository_path_never_becomes_a_file_link(assessment: Assessment) -> None:
    hostile = "javascript:alert(1)"
    linked, ref = _with_bases(assessment)
    capabilities = list(linked.capabilities)
    first = capabilities[0]
    rules = list(first.rules)
    rules[0] = rules[0].model_copy(  # a passed rule: both formats show its supporting evidence
        update={
            "outcome": Outcome.PASS,
            "supporting": (EvidenceRef(subject=ref.subject, kind=ref.kind, status=ref.status, locators=(hostile, "../etc/passwd")),),
        }
    )
    capabilities[0] = first.model_copy(update={"rules": tuple(rules)})
    page = _render(HtmlRenderer(), linked.model_copy(update={"capabilities": tuple(capabilities)}))
    markdown = _render(MarkdownRenderer(), linked.model_copy(update={"capabilities": tuple(capabilities)}))
    for text in (page, markdown):
        assert hostile in text and "etc/passwd" in text  # shown, as text
        assert f"{BASE}javascript" not in text and f"{BASE}..%2F" not in text and f"{BASE}../" not in text


def test_a_local_checkout_address_never_becomes_a_link() -> None:
    # A local scan gives each repository a file:// address on the scanning machine (often a
    # temporary folder); a report read anywhere else shows its paths as text.
    assessment = acme_assessment()
    assert any(base.startswith("file://") for base in assessment.file_bases.values())
    for renderer in (HtmlRenderer(), MarkdownRenderer()):
        text = _render(renderer, assessment)
        assert "file://" not in text
        assert "policies/require-labels.yaml" in text
