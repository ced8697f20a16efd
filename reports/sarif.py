"""Failed rules that point at files, as SARIF 2.1.0: what code-scanning dashboards read.

One run. `tool.driver.rules` lists every rule of the assessment; a result is a failed rule's
opposing evidence reference that names files of a repository (relative paths), located by
`uriBaseId` = the subject id. Failed rules whose evidence names no file, and unknown rules,
have no result: a dashboard cannot point anywhere for them (the other formats show them).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from datetime import datetime, timezone
from typing import Any, ClassVar, TextIO
from urllib.parse import quote

from reports.text import is_file_path, path_scope
from scanner.model import Assessment, EvidenceRef, Outcome, Problem, RuleResult

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "pecmRuleSubject/v1"  # versioned, so a change of what it hashes can get a new key

_BASE_URL_SCHEMES = ("file://", "https://")


class SarifRenderer:
    name: ClassVar[str] = "sarif"
    description: ClassVar[str] = "Failed rules that point at files, as SARIF 2.1.0 for code-scanning dashboards."

    def render(self, assessment: Assessment, out: TextIO) -> None:
        out.write(json.dumps(sarif_log(assessment, assessment.file_bases), indent=2, ensure_ascii=False) + "\n")


def sarif_log(assessment: Assessment, subject_urls: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The SARIF log as JSON-ready data. `subject_urls` (subject id → URL) gives the repository
    roots their absolute address; without it a root is named but left for the consumer to place."""
    rules = _unique_rules(assessment)
    index = {rule.rule_id: position for position, rule in enumerate(rules)}
    results = [result for rule in rules if rule.outcome is Outcome.FAIL for result in _results(rule, index[rule.rule_id])]
    subjects = sorted({result["properties"]["subject"] for result in results})
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "pecm",
                "version": assessment.scan.pecm_version,
                "rules": [_descriptor(rule) for rule in rules],
            }
        },
        "invocations": [_invocation(assessment)],
        "results": results,
        "properties": {
            "organization": assessment.scan.organization,
            "shard": assessment.scan.shard,  # "I/N": the stages are one shard's share of the repositories
            "capabilities": {
                result.capability.value: {
                    "stage": result.stage.value,
                    "ceiling": result.ceiling.value,
                    "confidence": result.confidence,
                    **({"self_reported": True} if result.self_reported else {}),
                }
                for result in assessment.capabilities
            }
        },
    }
    if subjects:
        run["originalUriBaseIds"] = {subject: _base(subject, (subject_urls or {}).get(subject)) for subject in subjects}
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def _unique_rules(assessment: Assessment) -> list[RuleResult]:
    seen: dict[str, RuleResult] = {}
    for capability in assessment.capabilities:
        for rule in capability.rules:
            seen.setdefault(rule.rule_id, rule)
    return list(seen.values())


def _descriptor(rule: RuleResult) -> dict[str, Any]:
    return {
        "id": rule.rule_id,
        "shortDescription": {"text": rule.title},
        "help": {"text": rule.remediation},
        "defaultConfiguration": {"level": "warning"},
        "properties": {
            "capability": rule.capability.value,
            "stage": rule.stage.value,
            "tags": [rule.capability.value, rule.stage.value],
        },
    }


def _results(rule: RuleResult, rule_index: int) -> Iterator[dict[str, Any]]:
    for ref in rule.opposing:
        paths = [locator for locator in ref.locators if is_file_path(locator)]
        if not paths:
            continue
        yield {
            "ruleId": rule.rule_id,
            "ruleIndex": rule_index,
            "level": "warning",
            "message": {"text": f"{rule.title}: {rule.explanation}"},
            "locations": [_location(path, ref.subject) for path in paths],
            "partialFingerprints": {FINGERPRINT_KEY: _fingerprint(rule, ref)},
            "properties": {"subject": ref.subject, "evidenceKind": ref.kind},
        }


def _location(path: str, subject: str) -> dict[str, Any]:
    location: dict[str, Any] = {"physicalLocation": {"artifactLocation": {"uri": quote(path, safe="/"), "uriBaseId": subject}}}
    scope = path_scope(path)
    if scope:  # a test fixture or sample: say so where the dashboard shows the file
        location["message"] = {"text": scope}
    return location


def _fingerprint(rule: RuleResult, ref: EvidenceRef) -> str:
    # Rule, repository and evidence kind only: the alert stays the same one while the files
    # behind it change, and closes when the repository stops failing the rule.
    key = "\0".join((rule.rule_id, ref.subject, ref.kind))
    return hashlib.sha256(key.encode()).hexdigest()


def _base(subject: str, url: str | None) -> dict[str, Any]:
    base: dict[str, Any] = {"description": {"text": f"The root of repository {subject}."}}
    if url and url.startswith(_BASE_URL_SCHEMES):
        base["uri"] = url if url.endswith("/") else url + "/"  # SARIF: a base URI ends with a slash
    return base


def _invocation(assessment: Assessment) -> dict[str, Any]:
    scan = assessment.scan
    invocation: dict[str, Any] = {
        "executionSuccessful": True,  # problems are recorded and the scan went on; they are notifications
        "startTimeUtc": _utc(scan.started_at),
        "endTimeUtc": _utc(scan.finished_at),
    }
    if scan.problems:
        invocation["toolExecutionNotifications"] = [_notification(problem) for problem in scan.problems]
    return invocation


def _notification(problem: Problem) -> dict[str, Any]:
    text = problem.message + (f" (hint: {problem.hint})" if problem.hint else "")
    properties = {"source": problem.source} | ({"subject": problem.subject} if problem.subject else {})
    return {"level": problem.severity, "message": {"text": text}, "properties": properties}


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
