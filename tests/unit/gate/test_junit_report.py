"""The gate as JUnit XML: valid against the schema CI systems read, one test case per capability."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
import xmlschema

from reports.junit import render
from scanner.gate import GateCriteria, GateResult, decide
from scanner.model import Capability
from tests.unit.gate.builders import D, F, P, R, U, assessment, at, capability
from tests.unit.gate.junit_schema import assert_valid_junit


def rendered(result: GateResult) -> str:
    out = io.StringIO()
    render(result, out)
    return out.getvalue()


@pytest.fixture
def mixed() -> GateResult:
    """One capability of each verdict: pass, fail, undecided, and three skipped."""
    assessed = assessment(at(Capability.PROVISIONING, D), capability(Capability.ADOPTION, (R, F)), capability(Capability.GOVERNANCE, (R, P), (D, U)))
    minimums = {Capability.PROVISIONING: D, Capability.ADOPTION: R, Capability.GOVERNANCE: D}
    return decide(assessed, GateCriteria(minimums))


def test_the_report_is_valid_junit_with_one_case_per_capability(mixed: GateResult) -> None:
    text = rendered(mixed)
    assert_valid_junit(text)
    suite = ET.fromstring(text)
    assert [case.get("name") for case in suite.iter("testcase")] == [c.value for c in Capability]
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == ("6", "1", "1", "3")


def test_each_verdict_has_its_element(mixed: GateResult) -> None:
    cases = {case.get("name"): case for case in ET.fromstring(rendered(mixed)).iter("testcase")}
    assert list(cases["provisioning"]) == []
    failure = cases["adoption"].find("failure")
    assert failure is not None and failure.get("message") == "adoption is initial: below the minimum repeatable: failed adoption.r0_repeatable"
    error = cases["governance"].find("error")
    assert error is not None and error.get("type") == "insufficient_evidence" and "governance.r1_defined" in (error.text or "")
    assert cases["investment"].find("skipped") is not None


def test_markup_in_reasons_stays_valid_xml(mixed: GateResult) -> None:
    first = mixed.decisions[1]
    hostile = GateResult((first.__class__(first.capability, first.verdict, 'a <b> & "c" ]]> \x1b'),), mixed.exit_code, "s & <t>")
    text = rendered(hostile)
    assert_valid_junit(text)
    # a control character cannot be written in XML 1.0 at all, escaped or not: it becomes '?'
    assert ET.fromstring(text).find("testcase/failure").get("message").endswith('a <b> & "c" ]]> ?')  # type: ignore[union-attr]


def test_the_schema_rejects_what_ci_systems_would_reject() -> None:
    """The schema itself must be able to fail: a case with both a failure and an error is not JUnit."""
    bad = '<testsuite name="x" tests="1"><testcase name="a" classname="b"><failure/><error/></testcase></testsuite>'
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        assert_valid_junit(bad)
