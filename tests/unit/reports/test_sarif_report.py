"""SARIF output: checked against the official SARIF 2.1.0 schema (tests/unit/reports/schemas)."""

from __future__ import annotations

import io
import json
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from jsonschema import Draft4Validator

from reports.sarif import FINGERPRINT_KEY, SarifRenderer, sarif_log
from reports.text import is_file_path
from scanner.cli import main
from scanner.contract import RendererPlugin
from scanner.model import (
    Assessment,
    Capability,
    CapabilityResult,
    EvidenceRef,
    Outcome,
    RuleResult,
    Stage,
)
from tests.unit.reports.acme_scan import EXAMPLE, GOLDEN, acme_assessment, without_root
from tests.unit.reports.conftest import observed, rule, unsupported

SCHEMA = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"
SARIF_GOLDEN = GOLDEN / "acme-report.sarif"


def render(assessment: Assessment) -> str:
    out = io.StringIO()
    SarifRenderer().render(assessment, out)
    return out.getvalue()


def schema_errors(document: Any) -> list[str]:
    validator = Draft4Validator(json.loads(SCHEMA.read_text()), format_checker=Draft4Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(document)]


def the_run(assessment: Assessment, **options: Any) -> dict[str, Any]:
    run: dict[str, Any] = sarif_log(assessment, **options)["runs"][0]
    return run


def with_rules(assessment: Assessment, *rules: RuleResult) -> Assessment:
    result = CapabilityResult(
        capability=Capability.GOVERNANCE,
        title="Governance",
        stage=Stage.INITIAL,
        ceiling=Stage.REPEATABLE,
        confidence=0.5,
        next_stage=Stage.REPEATABLE,
        rules=rules,
    )
    return assessment.model_copy(update={"capabilities": (result,)})


def failed(rule_id: str, *opposing: EvidenceRef, explanation: str = "policy_share 0.2 < 0.5") -> RuleResult:
    return rule(rule_id, Stage.REPEATABLE, "Pipelines scan policies", Outcome.FAIL, explanation, ("ci.pipelines",), opposing=opposing)


def test_the_example_organization_matches_the_golden_file(update_golden: bool) -> None:
    text = without_root(render(acme_assessment()))
    if update_golden:
        SARIF_GOLDEN.write_text(text)
    assert text == SARIF_GOLDEN.read_text(), "run pytest --update-golden after an intended change"


def test_the_example_organization_is_valid_sarif_with_results() -> None:
    document = json.loads(render(acme_assessment()))
    assert schema_errors(document) == []
    assert document["version"] == "2.1.0"
    assert document["runs"][0]["results"], "the example organization fails rules that point at files"


def test_the_hand_built_assessment_is_valid_sarif(assessment: Assessment) -> None:
    assert schema_errors(json.loads(render(assessment))) == []


def test_the_schema_check_catches_an_invalid_log(assessment: Assessment) -> None:
    document = json.loads(render(assessment))
    document["runs"][0]["results"][0]["level"] = "fatal"
    del document["runs"][0]["tool"]["driver"]["name"]
    assert len(schema_errors(document)) == 2


def test_every_rule_is_described_once_with_title_remediation_capability_and_stage(assessment: Assessment) -> None:
    run = the_run(assessment)
    described = run["tool"]["driver"]["rules"]
    expected = [rule.rule_id for result in assessment.capabilities for rule in result.rules]
    assert [descriptor["id"] for descriptor in described] == expected
    drift = next(descriptor for descriptor in described if descriptor["id"] == "provisioning.drift_detected")
    assert drift["shortDescription"] == {"text": "Drift detection runs on a schedule"}
    assert drift["help"] == {"text": "Remediation for provisioning.drift_detected."}
    assert drift["properties"]["capability"] == "provisioning" and drift["properties"]["stage"] == "managed"
    assert run["tool"]["driver"]["name"] == "pecm" and run["tool"]["driver"]["version"] == "0.1.0"


def test_one_warning_per_failed_rule_and_evidence_ref_that_names_files(assessment: Assessment) -> None:
    run = the_run(assessment)
    results = run["results"]
    # The only failed rule has seven opposing references, each naming .github/workflows/ci.yml.
    assert len(results) == 7
    for result in results:
        assert result["ruleId"] == "provisioning.pipelines_apply_iac"
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == "warning"
        assert result["message"]["text"] == "Pipelines apply infrastructure changes: apply_share 0.12 < 0.5"
    first = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert first == {"uri": ".github/workflows/ci.yml", "uriBaseId": "local:service-01"}


def test_failed_rules_without_file_evidence_and_unknown_or_passed_rules_are_not_results(assessment: Assessment) -> None:
    names_a_file = (observed("local:web", "ci.pipelines", "ci.yml"),)
    no_files = failed(
        "governance.no_files",
        observed("github:acme/web", "ci.pipelines"),
        observed("github:acme/api", "ci.pipelines", "https://github.com/acme/api"),
    )
    unknown = rule(
        "governance.unknown", Stage.REPEATABLE, "Unknown", Outcome.UNKNOWN, "?", ("ci.pipelines",),
        opposing=names_a_file, missing=(unsupported("local:api", "ci.pipelines"),),
    )
    passed = rule("governance.passed", Stage.REPEATABLE, "Passed", Outcome.PASS, "ok", ("ci.pipelines",), opposing=names_a_file)
    run = the_run(with_rules(assessment, no_files, unknown, passed))
    assert run["results"] == []
    described = [descriptor["id"] for descriptor in run["tool"]["driver"]["rules"]]
    assert described == ["governance.no_files", "governance.unknown", "governance.passed"]
    assert "originalUriBaseIds" not in run


def test_a_ref_with_several_files_is_one_result_with_a_location_per_file(assessment: Assessment) -> None:
    ref = observed("local:gitops", "policy.as_code", "policies/a.yaml", "https://example.test/x", "policies/with space.yaml")
    result = the_run(with_rules(assessment, failed("governance.policies", ref)))["results"][0]
    uris = [location["physicalLocation"]["artifactLocation"]["uri"] for location in result["locations"]]
    assert uris == ["policies/a.yaml", "policies/with%20space.yaml"]


@pytest.mark.parametrize(
    ("locator", "is_file"),
    [
        (".github/workflows/ci.yml", True),
        ("CODEOWNERS", True),
        ("https://github.com/acme/web/blob/main/ci.yml", False),
        ("file:///srv/acme/web/ci.yml", False),
        ("/srv/acme/web/ci.yml", False),
        ("../elsewhere/ci.yml", False),
        ("infra\\main.tf", False),
        ("infra/", False),
        ("", False),
    ],
)
def test_only_repository_relative_paths_count_as_files(locator: str, is_file: bool) -> None:
    assert is_file_path(locator) is is_file


def test_repository_roots_are_named_and_placed_when_their_url_is_a_file_or_https_url(assessment: Assessment) -> None:
    refs = [observed(subject, "ci.pipelines", "ci.yml") for subject in ("local:web", "github:acme/api", "git:mirror", "local:bare")]
    urls = {"local:web": "file:///srv/acme/web", "github:acme/api": "https://github.com/acme/api/", "git:mirror": "ssh://git@mirror/acme"}
    run = the_run(with_rules(assessment, failed("governance.policies", *refs)), subject_urls=urls)
    bases = run["originalUriBaseIds"]
    assert set(bases) == {"local:web", "github:acme/api", "git:mirror", "local:bare"}
    assert bases["local:web"]["uri"] == "file:///srv/acme/web/"
    assert bases["github:acme/api"]["uri"] == "https://github.com/acme/api/"
    assert "uri" not in bases["git:mirror"] and "uri" not in bases["local:bare"]
    assert bases["local:bare"]["description"] == {"text": "The root of repository local:bare."}
    assert schema_errors(sarif_log(with_rules(assessment, failed("governance.policies", *refs)), subject_urls=urls)) == []


def test_fingerprints_are_stable_across_runs_and_distinct_per_rule_and_repository(assessment: Assessment) -> None:
    def fingerprints(explanation: str, path: str) -> list[str]:
        refs = (observed("local:web", "ci.pipelines", path), observed("local:api", "ci.pipelines", path))
        rules = (failed("governance.a", *refs, explanation=explanation), failed("governance.b", *refs, explanation=explanation))
        return [result["partialFingerprints"][FINGERPRINT_KEY] for result in the_run(with_rules(assessment, *rules))["results"]]

    first = fingerprints("policy_share 0.2 < 0.5", "ci.yml")
    assert len(set(first)) == 4
    assert fingerprints("policy_share 0.3 < 0.5", ".github/workflows/ci.yml") == first


def test_problems_become_notifications_of_the_invocation(assessment: Assessment) -> None:
    invocation = the_run(assessment)["invocations"][0]
    assert invocation["executionSuccessful"] is True
    assert invocation["startTimeUtc"] == "2024-05-01T10:00:00.000Z" and invocation["endTimeUtc"] == "2024-05-01T10:00:42.000Z"
    notifications = invocation["toolExecutionNotifications"]
    assert notifications[0] == {
        "level": "warning",
        "message": {"text": "HTTP 403 reading branch protection (hint: give the token administration:read)"},
        "properties": {"source": "github", "subject": "github:acme/web"},
    }
    assert notifications[1]["level"] == "error"
    clean = assessment.model_copy(update={"scan": assessment.scan.model_copy(update={"problems": ()})})
    assert "toolExecutionNotifications" not in the_run(clean)["invocations"][0]


def test_output_is_deterministic_json_ending_with_one_newline(assessment: Assessment) -> None:
    text = render(assessment)
    assert text == render(assessment)
    assert text.endswith("}\n")
    assert json.loads(text) == sarif_log(assessment)


def test_the_renderer_meets_the_renderer_contract() -> None:
    assert isinstance(SarifRenderer(), RendererPlugin)
    assert SarifRenderer.name == "sarif" and SarifRenderer.description


_REGISTERED = any(entry.name == "sarif" for entry in entry_points(group="pecm.renderers"))


@pytest.mark.skipif(not _REGISTERED, reason="the sarif entry point is not installed yet (pip install -e .)")
def test_pecm_scan_writes_valid_sarif() -> None:
    result = CliRunner().invoke(main, ["scan", str(EXAMPLE), "--format", "sarif", "--no-progress"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert schema_errors(document) == []
    assert document["runs"][0]["results"]


def test_a_shards_run_says_it_is_partial() -> None:
    assessment = acme_assessment()
    shard = assessment.model_copy(update={"scan": assessment.scan.model_copy(update={"shard": "2/4"})})
    assert the_run(shard)["properties"]["shard"] == "2/4"
    assert the_run(assessment)["properties"]["shard"] is None
