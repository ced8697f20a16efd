"""The gate's result as JUnit XML (the Ant/Jenkins dialect CI systems read): one test case per capability.

A capability below its minimum is a <failure>; one the evidence cannot decide is an <error>
(the test could not be carried out); one nothing was asked of is <skipped>.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Final, TextIO

from scanner.gate import CapabilityDecision, GateResult, Verdict

# XML 1.0 cannot hold these at all, escaped or not; a rule id from a third-party pack might.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

SUITE_NAME: Final = "pecm gate"
CLASS_NAME: Final = "pecm.gate"


def render(result: GateResult, out: TextIO) -> None:
    suite = ET.Element(
        "testsuite",
        {
            "name": f"{SUITE_NAME}: {result.organization}" if result.organization else SUITE_NAME,
            "tests": str(len(result.decisions)),
            "failures": str(result.count(Verdict.FAIL)),
            "errors": str(result.count(Verdict.UNDECIDED)),
            "skipped": str(result.count(Verdict.SKIPPED)),
            "time": "0",
        },
    )
    for decision in result.decisions:
        suite.append(_testcase(decision))
    ET.SubElement(suite, "system-out").text = _xml_safe(result.summary)
    ET.indent(suite, space="  ")
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(suite, encoding="unicode"))
    out.write("\n")


def _testcase(decision: CapabilityDecision) -> ET.Element:
    case = ET.Element("testcase", {"name": decision.capability.value, "classname": CLASS_NAME, "time": "0"})
    message = _xml_safe(message_of(decision))
    if decision.verdict is Verdict.FAIL:
        ET.SubElement(case, "failure", {"message": message, "type": "below_minimum_or_regressed"}).text = _xml_safe(_details(decision))
    elif decision.verdict is Verdict.UNDECIDED:
        ET.SubElement(case, "error", {"message": message, "type": "insufficient_evidence"}).text = _xml_safe(_details(decision))
    elif decision.verdict is Verdict.SKIPPED:
        ET.SubElement(case, "skipped", {"message": message})
    return case


def _xml_safe(text: str) -> str:
    return _NOT_XML.sub("?", text)


def message_of(decision: CapabilityDecision) -> str:
    stage = decision.stage.value if decision.stage else "no result"
    return f"{decision.capability.value} is {stage}: {decision.reason}"


def _details(decision: CapabilityDecision) -> str:
    rules = "".join(f"\n  {rule}" for rule in decision.rules)
    return message_of(decision) + (f"\nrules:{rules}" if rules else "") + f"\n(see `pecm explain {decision.capability.value}`)"
