"""`pecm gate` end to end through click's runner: every exit code, the files it writes, the example organization."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

from rules.evaluate import stage_verdict
from scanner.cli import main
from scanner.commands.gate import gate
from scanner.model import NotInferable, RuleResult
from tests.unit.gate.junit_schema import assert_valid_junit

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "acme"
GOLDEN = ROOT / "tests" / "golden" / "gate"

group = click.Group()
group.add_command(gate)


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    # Outside GitHub Actions unless a test says otherwise, whatever runs the tests.
    return CliRunner().invoke(group, ["gate", *args], env={"GITHUB_ACTIONS": "", **(env or {})}, catch_exceptions=False)


def check_golden(name: str, actual: str, update: bool) -> None:
    path = GOLDEN / name
    if update:
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8"), f"{name}: run pytest --update-golden after an intended change"


def one_error_line(result: Result) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("pecm: error: "), result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def acme(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example organization's assessment, saved as `pecm scan --format json` saves it."""
    out = tmp_path_factory.mktemp("acme") / "assessment.json"
    result = CliRunner().invoke(main, ["scan", str(EXAMPLE), "--format", "json", "--output", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    return out


def edited(acme: Path, tmp_path: Path, **stages: str) -> Path:
    """The acme assessment with some capabilities' stages changed, as a baseline from another day."""
    document: dict[str, Any] = json.loads(acme.read_text())
    for result in document["capabilities"]:
        result["stage"] = stages.get(result["capability"], result["stage"])
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(document))
    return path


def restaged(capability: dict[str, Any]) -> None:
    """Stage, ceiling and confidence recomputed after a test edited the rule outcomes, as a scan would store them."""
    verdict = stage_verdict(
        [RuleResult.model_validate(rule) for rule in capability["rules"]],
        [NotInferable.model_validate(item) for item in capability["not_inferable"]],
    )
    capability.update(stage=verdict.stage.value, ceiling=verdict.ceiling.value, confidence=verdict.confidence)


class TestExampleOrganization:
    def test_a_fresh_scan_meets_repeatable_everywhere_but_governance_whose_cap_it_cannot_see(self) -> None:
        result = run(str(EXAMPLE), "--min", "all=repeatable", "--no-progress")
        assert result.exit_code == 3, result.output  # a checkout cannot show whether branches are protected
        assert "unknown governance.default_branches_not_unprotected_everywhere" in result.stdout
        assert sum(line.startswith("pass ") for line in result.stdout.splitlines()) == 5
        counted = run(str(EXAMPLE), "--min", "all=repeatable", "--unknown", "pass", "--no-progress")
        assert counted.exit_code == 0, counted.output
        assert sum(line.startswith("pass ") for line in counted.stdout.splitlines()) == 6

    def test_defined_everywhere_fails_on_adoption(self, acme: Path, update_golden: bool) -> None:
        result = run("--assessment", str(acme), "--min", "all=defined")
        assert result.exit_code == 1
        check_golden("acme-all-defined.txt", result.stdout, update_golden)

    def test_governance_defined_is_undecided_as_unknown_fails_closed(self, acme: Path, update_golden: bool) -> None:
        result = run("--assessment", str(acme), "--min", "governance=defined", "--min", "provisioning=repeatable")
        assert result.exit_code == 3
        check_golden("acme-governance-defined.txt", result.stdout, update_golden)

    def test_governance_defined_passes_when_unknown_is_told_to_pass(self, acme: Path) -> None:
        result = run("--assessment", str(acme), "--min", "governance=defined", "--unknown", "pass")
        assert result.exit_code == 0 and "only by counting unknown governance.default_branches_not_unprotected_everywhere, governance.default_branches_protected" in result.stdout

    @pytest.mark.parametrize(("floor", "expected"), [("0.1", 0), ("0.9", 3)])
    def test_min_confidence(self, acme: Path, floor: str, expected: int) -> None:
        assert run("--assessment", str(acme), "--min-confidence", floor).exit_code == expected


class TestBaseline:
    def test_a_dropped_stage_exits_1(self, acme: Path, tmp_path: Path) -> None:
        result = run("--assessment", str(acme), "--baseline", str(edited(acme, tmp_path, adoption="defined")))
        assert result.exit_code == 1
        assert "dropped below defined, its baseline stage: failed adoption.shared_assets_used_by_most" in result.stdout

    @pytest.mark.parametrize("then", ["repeatable", "initial"])
    def test_an_equal_or_higher_stage_exits_0(self, acme: Path, tmp_path: Path, then: str) -> None:
        assert run("--assessment", str(acme), "--baseline", str(edited(acme, tmp_path, adoption=then))).exit_code == 0


class TestNoEvidence:
    def test_an_empty_folder_is_a_bad_path_not_a_verdict(self, tmp_path: Path) -> None:
        result = run(str(tmp_path), "--min", "all=initial", "--unknown", "pass", "--no-progress")
        assert result.exit_code == 2, result.output
        assert one_error_line(result).startswith(f"pecm: error: no repositories found under {tmp_path}")

    def test_an_assessment_without_subjects_never_passes(self, acme: Path, tmp_path: Path) -> None:
        document = json.loads(acme.read_text())
        document["scan"]["subjects"] = {kind: 0 for kind in document["scan"]["subjects"]}
        empty = tmp_path / "empty.json"
        empty.write_text(json.dumps(document))
        result = run("--assessment", str(empty), "--min", "all=initial", "--unknown", "pass")
        assert result.exit_code == 3, result.output
        assert "insufficient evidence to decide (the scan found no subjects" in result.stdout

    def test_evidence_that_was_all_unavailable_never_passes(self, acme: Path, tmp_path: Path) -> None:
        document = json.loads(acme.read_text())
        for capability in document["capabilities"]:
            for rule in capability["rules"]:
                if rule["outcome"] in ("pass", "fail"):
                    rule["outcome"] = "unknown"
                rule["missing"] = rule["supporting"] + rule["opposing"]
                rule["supporting"] = rule["opposing"] = []
            restaged(capability)
        unavailable = tmp_path / "unavailable.json"
        unavailable.write_text(json.dumps(document))
        result = run("--assessment", str(unavailable), "--min", "all=initial", "--unknown", "pass")
        assert result.exit_code == 3 and "no rule read any observed evidence" in result.stdout


class TestStoredStages:
    """The gate decides from the rule outcomes in the file, never from the labels stored beside them."""

    @pytest.mark.parametrize(
        ("field", "value"), [("stage", "optimizing"), ("ceiling", "optimizing"), ("confidence", 1.0)]
    )
    def test_a_hand_edited_label_is_refused_with_one_line(self, acme: Path, tmp_path: Path, field: str, value: Any) -> None:
        document = json.loads(acme.read_text())
        for capability in document["capabilities"]:
            if capability["capability"] == "adoption":  # repeatable, ceiling repeatable, 83%: all three change
                capability[field] = value
        forged = tmp_path / "forged.json"
        forged.write_text(json.dumps(document))
        result = run("--assessment", str(forged), "--min", "all=initial")
        line = one_error_line(result)
        assert result.exit_code == 2, result.output
        assert line.startswith(f"pecm: error: --assessment {forged}: adoption is stored as ") and "its rule outcomes give repeatable" in line

    def test_an_assessment_edited_to_optimizing_does_not_pass_optimizing(self, acme: Path, tmp_path: Path) -> None:
        document = json.loads(acme.read_text())
        for capability in document["capabilities"]:
            capability.update(stage="optimizing", ceiling="optimizing", confidence=1.0)
        forged = tmp_path / "forged.json"
        forged.write_text(json.dumps(document))
        result = run("--assessment", str(forged), "--min", "all=optimizing", "--min-confidence", "0.9")
        assert result.exit_code == 2 and "investment is stored as stage optimizing" in one_error_line(result)

    def test_a_label_that_agrees_with_the_outcomes_is_gated(self, acme: Path) -> None:
        assert run("--assessment", str(acme), "--min", "all=repeatable", "--unknown", "pass").exit_code == 0

    def test_a_core_criterion_edited_to_self_reported_is_refused(self, acme: Path, tmp_path: Path) -> None:
        # Closing a core criterion changes the stage the outcomes give; a file that claims the
        # closure without the stage (or the reverse) disagrees with itself.
        document = json.loads(acme.read_text())
        for capability in document["capabilities"]:
            capability["self_reported"] = True
        forged = tmp_path / "forged.json"
        forged.write_text(json.dumps(document))
        result = run("--assessment", str(forged), "--min", "all=initial")
        assert result.exit_code == 2 and "is stored as stage" in one_error_line(result)


class TestUsageErrors:
    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (("--min", "governance"), "--min 'governance': expected CAPABILITY=STAGE"),
            (("--min", "security=defined"), "'security' is no capability"),
            (("--min", "governance=elite"), "'elite' is no stage"),
            (("--min-confidence", "2"), "--min-confidence '2': expected a number from 0.0 to 1.0"),
            (("--min", "all=initial", "--unknown", "ignore"), "--unknown 'ignore': expected fail or pass"),
            ((), "the gate has nothing to check"),
        ],
    )
    def test_bad_flags_exit_2_with_one_line(self, acme: Path, args: tuple[str, ...], message: str) -> None:
        result = run("--assessment", str(acme), *args)
        assert result.exit_code == 2 and message in one_error_line(result)

    def test_paths_and_a_saved_assessment_together_exit_2(self, acme: Path) -> None:
        result = run(str(EXAMPLE), "--assessment", str(acme), "--min", "all=initial")
        assert result.exit_code == 2 and "not both" in one_error_line(result)

    @pytest.mark.parametrize("flag", ["--assessment", "--baseline"])
    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ("{not json", "not valid JSON (line 1, column 2"),
            ("[1, 2]", "must be a JSON object, not list"),
            ('{"schema_version": 99}', "schema_version 99"),
            ('{"schema_version": 1, "capabilities": []}', "does not match its schema: at scan"),
            (None, "cannot read it"),
        ],
    )
    def test_malformed_saved_assessments_exit_2_with_one_line(self, acme: Path, tmp_path: Path, flag: str, content: str | None, message: str) -> None:
        bad = tmp_path / "bad.json"
        if content is not None:
            bad.write_text(content)
        other = "--baseline" if flag == "--assessment" else "--assessment"
        result = run(flag, str(bad), other, str(acme), "--min", "all=initial")
        line = one_error_line(result)
        assert result.exit_code == 2 and line.startswith(f"pecm: error: {flag} {bad}: ") and message in line

    def test_binary_assessment_exits_2(self, tmp_path: Path) -> None:
        bad = tmp_path / "a.json"
        bad.write_bytes(b"\xff\xfe\x00garbage")
        result = run("--assessment", str(bad), "--min", "all=initial")
        assert result.exit_code == 2 and "not UTF-8 text" in one_error_line(result)


def test_a_gate_with_nothing_to_check_stops_before_scanning(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file.txt"
    not_a_folder.write_text("x")  # scanning it would fail with exit 4
    result = run(str(not_a_folder), "--no-progress")
    assert result.exit_code == 2 and "nothing to check" in one_error_line(result)


def test_a_scan_that_fails_exits_4(tmp_path: Path) -> None:
    config = tmp_path / "pecm.yaml"  # the only source cannot authenticate: its token variable is empty
    config.write_text("sources:\n  github:\n    organizations: [acme]\n    token_env: PECM_TEST_NO_TOKEN\n")
    result = run("--config", str(config), "--min", "all=initial", "--no-progress", env={"PECM_TEST_NO_TOKEN": ""})
    assert result.exit_code == 4 and "every source failed" in one_error_line(result)


def test_junit_file_is_valid_and_written_whatever_the_verdict(acme: Path, tmp_path: Path) -> None:
    report = tmp_path / "reports" / "gate.xml"
    result = run("--assessment", str(acme), "--min", "all=defined", "--junit", str(report))
    assert result.exit_code == 1
    text = report.read_text()
    assert_valid_junit(text)
    assert 'tests="6" failures="2" errors="3" skipped="0"' in text


class TestGitHubActions:
    def test_annotations_and_a_job_summary_appended(self, acme: Path, tmp_path: Path, update_golden: bool) -> None:
        summary = tmp_path / "summary.md"
        summary.write_text("earlier step\n")
        env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
        result = run("--assessment", str(acme), "--min", "all=defined", env=env)
        assert result.exit_code == 1
        check_golden("acme-all-defined-github.txt", result.stdout, update_golden)
        assert summary.read_text().startswith("earlier step\n## pecm gate\n"), "other steps' summaries are kept"
        check_golden("acme-all-defined-summary.md", summary.read_text().removeprefix("earlier step\n"), update_golden)

    def test_outside_github_actions_nothing_of_it(self, acme: Path) -> None:
        result = run("--assessment", str(acme), "--min", "all=defined", env={"GITHUB_STEP_SUMMARY": "/nonexistent/x"})
        assert result.exit_code == 1 and "::error" not in result.stdout

    def test_an_unwritable_summary_warns_and_keeps_the_verdict(self, acme: Path, tmp_path: Path) -> None:
        env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(tmp_path)}  # a directory
        result = run("--assessment", str(acme), "--min", "all=repeatable", "--unknown", "pass", env=env)
        assert result.exit_code == 0 and "pecm: warning: cannot write the job summary" in result.stderr


def test_the_config_gate_section_sets_minimums_and_a_relative_baseline(acme: Path, tmp_path: Path) -> None:
    edited(acme, tmp_path, governance="defined")
    config = tmp_path / "pecm.yaml"
    config.write_text("gate:\n  minimums: {all: repeatable}\n  baseline: baseline.json\n")
    result = run("--assessment", str(acme), "--config", str(config))
    assert result.exit_code == 3 and "defined from the baseline" in result.stdout
    assert run("--assessment", str(acme), "--config", str(config), "--unknown", "pass").exit_code == 0



def test_the_documented_examples_print_what_the_docs_show(acme: Path) -> None:
    """docs/gate.md shows runs on examples/acme; run each on the saved acme assessment and compare."""
    blocks = (ROOT / "docs" / "gate.md").read_text().split("```\n$ pecm gate examples/acme ")[1:]
    assert len(blocks) == 2
    for block in blocks:
        command, _, shown = block.partition("```")[0].partition("\n")
        result = run("--assessment", str(acme), *command.split())
        assert result.stdout == shown, command


def test_an_organization_whose_github_source_fails_is_undecided_not_failed() -> None:
    # examples/failing-source: the acme checkouts plus a GitHub source nothing answers for.
    config = ROOT / "examples" / "failing-source" / "pecm.yaml"
    result = run("--config", str(config), "--min", "measurement=defined", "--no-progress", env={"GITHUB_TOKEN": "unused"})
    assert result.exit_code == 3, result.output
    [undecided] = [line for line in result.output.splitlines() if line.startswith("UNDECIDED  measurement")]
    # how many repositories there are is not known either: a floor that scales with them is unknown too
    assert "unknown measurement.deployments_automated, measurement.dora_inputs_recorded" in undecided


def test_the_organization_is_named_in_every_output_of_the_gate(acme: Path, tmp_path: Path) -> None:
    document: dict[str, Any] = json.loads(acme.read_text())
    document["scan"]["organization"] = "Acme Corp"
    named = tmp_path / "named.json"
    named.write_text(json.dumps(document))
    summary = tmp_path / "summary.md"

    result = run("--assessment", str(named), "--min", "governance=1", "--junit", str(tmp_path / "gate.xml"),
                 env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)})

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Acme Corp: pecm gate\n")
    assert '<testsuite name="pecm gate: Acme Corp"' in (tmp_path / "gate.xml").read_text()
    assert summary.read_text().startswith("## pecm gate: Acme Corp\n")


def test_a_shards_assessment_is_refused(acme: Path, tmp_path: Path) -> None:
    """A shard holds a share of the repositories: its stages are no verdict on the organization."""
    document: dict[str, Any] = json.loads(acme.read_text())
    document["scan"]["shard"] = "2/4"
    shard = tmp_path / "shard.json"
    shard.write_text(json.dumps(document))

    result = run("--assessment", str(shard), "--min", "governance=1")

    assert result.exit_code == 2
    assert "the assessment of shard 2/4 covers a share of the repositories only" in one_error_line(result)
