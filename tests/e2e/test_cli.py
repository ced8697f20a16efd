"""The CLI end to end on the bundled example organization, through click's runner."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from scanner.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "acme"
GOLDEN = ROOT / "tests" / "golden" / "acme-assessment.json"
SCHEMAS = ROOT / "reports" / "schema"
TIME_KEYS = {"started_at", "finished_at", "created_at", "observed_at"}


def _without_times(node: Any) -> Any:
    """The golden comparison leaves out what changes from run to run: times and absolute paths."""
    if isinstance(node, dict):
        return {k: _without_times(v) for k, v in node.items() if k not in TIME_KEYS}
    if isinstance(node, list):
        return [_without_times(v) for v in node]
    if isinstance(node, str):
        return node.replace(str(ROOT), "<root>")
    return node


def _run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("scan")
    result = _run("scan", str(EXAMPLE), "--format", "json", "--output", str(out / "a.json"), "--evidence-out", str(out / "e.json"), "--no-progress")
    assert result.exit_code == 0, result.output
    return out / "a.json", out / "e.json"


def test_json_report_matches_golden(scanned: tuple[Path, Path], update_golden: bool) -> None:
    actual = _without_times(json.loads(scanned[0].read_text()))
    if update_golden:
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(actual, indent=2) + "\n")
    assert actual == json.loads(GOLDEN.read_text()), "run pytest --update-golden after an intended change"


def test_outputs_validate_against_published_schemas(scanned: tuple[Path, Path]) -> None:
    for path, schema in ((scanned[0], "assessment.schema.json"), (scanned[1], "evidence-bundle.schema.json")):
        validator = jsonschema.Draft202012Validator(json.loads((SCHEMAS / schema).read_text()))
        errors = list(validator.iter_errors(json.loads(path.read_text())))
        assert not errors, errors[0].message


def test_evaluate_reproduces_the_scan_offline(scanned: tuple[Path, Path], tmp_path: Path) -> None:
    result = _run("evaluate", str(scanned[1]), "--format", "json", "--output", str(tmp_path / "again.json"))
    assert result.exit_code == 0, result.output
    assert _without_times(json.loads((tmp_path / "again.json").read_text())) == _without_times(json.loads(scanned[0].read_text()))


def test_console_report_shows_every_capability() -> None:
    result = _run("scan", str(EXAMPLE), "--no-progress")
    assert result.exit_code == 0, result.output
    for capability in ("investment", "adoption", "governance", "provisioning", "interfaces", "measurement"):
        assert capability in result.output.lower()


def test_broken_files_are_problems_not_crashes(scanned: tuple[Path, Path]) -> None:
    assessment = json.loads(scanned[0].read_text())
    problems = [p for p in assessment["scan"]["problems"] if p.get("subject") == "local:broken-repo"]
    assert problems, "the broken repository's files should be reported"
    assert all("\n" not in p["message"] for p in problems)


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["scan", "/nonexistent/path"], "no such file or directory"),
        (["scan", str(EXAMPLE), "--format", "pdf"], "--format pdf: no such format"),
        (["scan"], "nothing to scan"),
        (["evaluate", "/nonexistent.json"], "cannot read"),
        (["rules", "show", "no.such_rule"], "no rule 'no.such_rule'"),
    ],
)
def test_user_errors_exit_2_with_one_line(args: list[str], fragment: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert fragment in result.output
    assert "Traceback" not in result.output


def test_bad_config_exits_2_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "pecm.yaml"
    config.write_text("sources:\n  local:\n    paths: [x]\n    window_dayz: 3\n")
    result = CliRunner().invoke(main, ["scan", "--config", str(config)])
    assert result.exit_code == 2
    assert "sources.local.window_dayz: unknown key" in result.output


def test_malformed_evidence_bundle_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "e.json"
    bad.write_text("{not json")
    result = CliRunner().invoke(main, ["evaluate", str(bad)])
    assert result.exit_code == 2 and "not valid JSON" in result.output


def test_a_file_given_as_path_exits_2_in_one_line(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "not-a-folder.txt"
    not_a_folder.write_text("x")
    result = CliRunner().invoke(main, ["scan", str(not_a_folder), "--no-progress"])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"pecm: error: {not_a_folder}: not a folder (give a repository folder or a folder of repositories)"
    ]


def test_a_folder_without_repositories_exits_2_instead_of_an_all_initial_verdict(tmp_path: Path) -> None:
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "README.md").write_text("not a repository\n")
    result = CliRunner().invoke(main, ["scan", str(tmp_path), "--no-progress"])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"pecm: error: no repositories found under {tmp_path}; {tmp_path} holds no repository folders "
        "(give a repository folder (with .git) or a folder of repository folders)"
    ]
    assert result.stdout == ""


def test_a_single_repository_is_scanned_as_one_repository_not_as_its_subfolders(tmp_path: Path) -> None:
    repository = tmp_path / "payments-api"
    for folder in (".git", "src", "docs", "terraform"):
        (repository / folder).mkdir(parents=True)
    (repository / "terraform" / "main.tf").write_text('module "db" {\n  source = "./db"\n}\n')
    out = tmp_path / "evidence.json"
    result = CliRunner().invoke(main, ["scan", str(repository), "--evidence-out", str(out), "--format", "json", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert [subject["id"] for subject in json.loads(out.read_text())["subjects"]] == ["local:payments-api"]


def test_explain_names_the_stage_and_the_blockers() -> None:
    result = _run("explain", "governance", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    assert "governance" in result.output.lower()


def test_rules_list_show_validate_plugins_version() -> None:
    listed = _run("rules", "list")
    assert listed.exit_code == 0 and "governance." in listed.output
    lines = listed.output.splitlines()
    assert any(line.split()[:3] == ["investment.platform_team_exists", "defined", "key"] for line in lines)
    assert any(line.split()[:3] == ["governance.owner_rights_not_widespread", "cap", "repeatable"] for line in lines)
    assert any(line.split()[3:5] == ["managed", "core"] for line in lines if line.startswith("(not inferable) investment"))
    first_id = listed.output.split()[0]
    shown = _run("rules", "show", first_id)
    assert shown.exit_code == 0 and first_id in shown.output
    validated = _run("rules", "validate", str(ROOT / "rules" / "catalog"))
    assert validated.exit_code == 0 and "is valid" in validated.output
    plugins = _run("plugins")
    assert "pecm.collectors" in plugins.output and "local" in plugins.output
    assert _run("--version").output.startswith("pecm, version")


def test_invalid_pack_exits_2_naming_file_and_rule(tmp_path: Path) -> None:
    pack = tmp_path / "bad.yaml"
    pack.write_text(
        "name: bad\nversion: '1'\ncapabilities:\n  - capability: governance\n    rules:\n"
        "      - id: governance.x\n        stage: definedd\n        title: t\n        needs: [iac.usage]\n"
        "        when: {metric: m, op: gte, value: 1}\n        remediation: r\n"
    )
    result = CliRunner().invoke(main, ["rules", "validate", str(pack)])
    assert result.exit_code == 2, result.output
    assert "bad.yaml" in result.output and "governance.x" in result.output


def _stages(path: Path) -> dict[str, str]:
    return {c["capability"]: c["stage"] for c in json.loads(path.read_text())["capabilities"]}


def test_config_overrides_thresholds_disables_rules_and_adds_packs(tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    assert _run("scan", str(EXAMPLE), "--format", "json", "-o", str(baseline), "--no-progress").exit_code == 0
    assert _stages(baseline)["interfaces"] == "defined"  # blocked at managed by template use

    extra = tmp_path / "extra.yaml"
    extra.write_text(
        "name: extra\nversion: '1'\ncapabilities:\n  - capability: interfaces\n    metrics:\n"
        "      devenv_repos: {count_of: repository, where: {kind: devenv.devcontainer, field: present, op: eq, value: true}}\n"
        "    rules:\n      - id: interfaces.some_dev_container\n        stage: managed\n"
        "        title: At least one repository ships a dev container\n        needs: [devenv.devcontainer]\n"
        "        when: {metric: devenv_repos, op: gte, value: 1}\n        remediation: Add one.\n"
    )
    config = tmp_path / "pecm.yaml"
    config.write_text(
        f"sources:\n  local:\n    paths: [{EXAMPLE}]\n"
        "rules:\n  packs: [extra.yaml]\n"
        "  params: {catalog_share_min: 0.3, template_origin_share_min: 0.1}\n"
    )
    tuned = tmp_path / "tuned.json"
    result = _run("scan", "--config", str(config), "--format", "json", "-o", str(tuned), "--no-progress")
    assert result.exit_code == 0, result.output
    interfaces = next(c for c in json.loads(tuned.read_text())["capabilities"] if c["capability"] == "interfaces")
    assert interfaces["stage"] == "managed"
    assert "interfaces.some_dev_container" in {r["rule_id"] for r in interfaces["rules"]}

    config.write_text(
        f"sources:\n  local:\n    paths: [{EXAMPLE}]\n"
        "rules:\n  params: {catalog_share_min: 0.3}\n  disable: [interfaces.repositories_created_from_templates]\n"
    )
    result = _run("scan", "--config", str(config), "--format", "json", "-o", str(tuned), "--no-progress")
    assert result.exit_code == 0, result.output
    assert _stages(tuned)["interfaces"] == "managed"


def test_unknown_param_in_config_is_a_user_error(tmp_path: Path) -> None:
    config = tmp_path / "pecm.yaml"
    config.write_text(f"sources:\n  local:\n    paths: [{EXAMPLE}]\nrules:\n  params: {{no_such_param: 1}}\n")
    result = CliRunner().invoke(main, ["scan", "--config", str(config)])
    assert result.exit_code == 2 and "rules.params.no_such_param" in result.output


def test_python_dash_m_scanner_runs_the_cli() -> None:
    completed = subprocess.run([sys.executable, "-m", "scanner", "--version"], capture_output=True, text=True, check=False)
    assert completed.returncode == 0 and completed.stdout.startswith("pecm, version")


def test_scans_are_recorded_and_listed_and_diffed(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    for _ in range(2):
        result = _run("scan", str(EXAMPLE), "--store", store, "--format", "json", "-o", str(tmp_path / "a.json"), "--no-progress")
        assert result.exit_code == 0, result.output
    listed = _run("history", "--store", store, "--format", "json")
    assert listed.exit_code == 0, listed.output
    assert len(json.loads(listed.output)) == 2
    compared = _run("diff", "--store", store)
    assert compared.exit_code == 0, compared.output
    page = tmp_path / "report.html"
    assert _run("scan", str(EXAMPLE), "--store", store, "--format", "html", "-o", str(page), "--no-progress").exit_code == 0
    assert '<svg class="sparkline"' in page.read_text()  # the recorded scans draw each capability's trend
    plain = _run("scan", str(EXAMPLE), "--format", "html", "--no-progress")
    assert '<svg class="sparkline"' not in plain.output


def test_each_recorded_scan_carries_its_scope_and_diff_keeps_to_one_scope(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'history.sqlite3'}"
    other = tmp_path / "other"
    (other / "api").mkdir(parents=True)
    for folder in (EXAMPLE, other, EXAMPLE):
        assert _run("scan", str(folder), "--store", store, "--format", "json", "-o", str(tmp_path / "a.json"), "--no-progress").exit_code == 0
    newest, middle, oldest = json.loads(_run("history", "--store", store, "--format", "json").output)
    assert newest["scope"]["sources"] == [f"local:{EXAMPLE}"] and middle["scope"]["sources"] == [f"local:{other}"]
    assert newest["scope"]["key"] == oldest["scope"]["key"] != middle["scope"]["key"]
    assert newest["scope"]["shard"] is None and len(newest["scope"]["config_fingerprint"]) == 12
    compared = json.loads(_run("diff", "--store", store, "--format", "json").output)
    assert (compared["old"]["id"], compared["new"]["id"]) == (oldest["id"], newest["id"])  # the other folder is skipped
    refused = _run("diff", str(middle["id"]), str(newest["id"]), "--store", store)
    assert refused.exit_code == 2 and "have different scopes (pass --across-scopes" in refused.output


def _stderr_on_a_terminal(*args: str) -> str:
    """What `pecm ARGS` writes to standard error when that is a terminal (a pseudo-terminal)."""
    leader, follower = pty.openpty()
    with os.fdopen(leader, "rb", buffering=0) as terminal:
        # rich draws no live display on a terminal that calls itself dumb
        environment = {**os.environ, "TERM": "xterm-256color"}
        process = subprocess.Popen(
            [sys.executable, "-m", "scanner", *args], stdout=subprocess.DEVNULL, stderr=follower, cwd=ROOT, env=environment
        )
        os.close(follower)
        written = b""
        while True:
            try:
                chunk = terminal.read(4096)
            except OSError:  # the pseudo-terminal closes once the process is gone
                break
            if not chunk:
                break
            written += chunk
        assert process.wait() == 0
    return written.decode("utf-8", "replace")


@pytest.mark.parametrize("command", ["explain governance", "scan"])
def test_progress_shows_on_a_terminal_unless_no_progress(command: str) -> None:
    args = [*command.split(), str(EXAMPLE)]
    assert "subjects: 8" in _stderr_on_a_terminal(*args)  # the counterpart: the bar is really drawn
    assert "subjects:" not in _stderr_on_a_terminal(*args, "--no-progress")


def test_the_configured_organization_is_in_every_output(tmp_path: Path) -> None:
    config = tmp_path / "pecm.yaml"
    config.write_text(f"organization: Acme Corp\nsources:\n  local:\n    paths: [{json.dumps(str(EXAMPLE))}]\n")
    bundle = tmp_path / "evidence.json"
    result = _run("scan", "--config", str(config), "--format", "json", "-o", str(tmp_path / "a.json"), "--evidence-out", str(bundle), "--no-progress")
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "a.json").read_text())["scan"]["organization"] == "Acme Corp"
    assert json.loads(bundle.read_text())["organization"] == "Acme Corp"
    rendered = {}
    for fmt in ("console", "markdown", "html", "sarif"):  # re-rendered offline from the bundle
        out = tmp_path / f"report.{fmt}"
        assert _run("evaluate", str(bundle), "--format", fmt, "-o", str(out)).exit_code == 0
        rendered[fmt] = out.read_text()
    assert rendered["console"].startswith("Acme Corp: platform engineering maturity\n")
    assert rendered["markdown"].startswith("# Acme Corp: platform engineering maturity\n")
    assert "<title>Acme Corp: platform engineering maturity</title>" in rendered["html"]
    assert "<h1>Acme Corp: platform engineering maturity</h1>" in rendered["html"]
    assert json.loads(rendered["sarif"])["runs"][0]["properties"]["organization"] == "Acme Corp"
    answers = str(EXAMPLE / "self-assessment.yaml")
    for fmt, heading in (("console", "Acme Corp: inferred versus reported: 2 respondent(s)"), ("markdown", "# Acme Corp: inferred versus reported maturity\n")):
        gaps = _run("gaps", "--assessment", str(tmp_path / "a.json"), "--self-assessment", answers, "--format", fmt)
        assert gaps.exit_code == 0 and gaps.output.startswith(heading), gaps.output
