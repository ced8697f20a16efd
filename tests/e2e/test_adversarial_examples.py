"""Adversarial example organizations (examples/): the verdict bounds a skeptic would check.

- stub-org: one repository of one-line stub files with eight weeks of commits by five
  authors proves nothing above repeatable, and `pecm gate --min all=defined` never exits 0;
- public-assets-org: public reusable workflows, charts and modules are not adoption;
- outside-automation-org: automation applied from outside each repository is provisioning
  managed when declared, otherwise unknown with a ceiling at managed or above, never a fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from scanner.cli import main
from scanner.model import Stage

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
AUTHORS = ["ana", "ben", "chen", "dora", "eli"]


def scan(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(main, ["scan", *args, "--format", "json", "--no-progress"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def capability(assessment: dict[str, Any], name: str) -> dict[str, Any]:
    return next(entry for entry in assessment["capabilities"] if entry["capability"] == name)


def stage(value: str) -> Stage:
    return Stage(value)


def _git(repo: Path, *arguments: str, when: datetime, author: str) -> None:
    stamp = when.isoformat()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(repo.parent),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": author,
        "GIT_AUTHOR_EMAIL": f"{author}@stub.test",
        "GIT_COMMITTER_NAME": author,
        "GIT_COMMITTER_EMAIL": f"{author}@stub.test",
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_DATE": stamp,
    }
    subprocess.run(["git", "-C", str(repo), *arguments], env=env, capture_output=True, check=True)


@pytest.fixture(scope="module")
def stub_org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The stub organization as a git checkout: commits in each of the last eight weeks, by five authors."""
    if shutil.which("git") is None:
        pytest.skip("the stub organization's history is built with git")
    root = tmp_path_factory.mktemp("stub") / "stub-org"
    shutil.copytree(EXAMPLES / "stub-org", root)
    repo = root / "platform"
    now = datetime.now(timezone.utc)
    first = now - timedelta(weeks=8)
    _git(repo, "init", "-q", "-b", "main", when=first, author=AUTHORS[0])
    _git(repo, "add", "-A", when=first, author=AUTHORS[0])
    _git(repo, "commit", "-q", "-m", "stubs", when=first, author=AUTHORS[0])
    for week in range(1, 9):
        when = first + timedelta(weeks=week) - timedelta(hours=1)
        author = AUTHORS[week % len(AUTHORS)]
        with open(repo / "CHANGELOG.md", "a") as changelog:
            changelog.write(f"{week}\n")
        _git(repo, "commit", "-q", "-am", f"week {week}", when=when, author=author)
    return root


def test_stub_files_and_busy_history_prove_nothing_above_repeatable(stub_org: Path) -> None:
    assessment = scan(str(stub_org))
    stages = {entry["capability"]: stage(entry["stage"]) for entry in assessment["capabilities"]}
    assert max(stages.values()) <= Stage.REPEATABLE, stages
    steady = next(
        rule for rule in capability(assessment, "investment")["rules"]
        if rule["rule_id"] == "investment.platform_repositories_steadily_active"
    )
    assert "insufficient sample (1 of the 2 repositories tagged platform needed)" in steady["explanation"]  # the history was read
    self_service = next(
        rule for rule in capability(assessment, "provisioning")["rules"]
        if rule["rule_id"] == "provisioning.self_service_abstractions"
    )
    assert self_service["outcome"] == "fail"  # one XRD header, no Composition implementing it


@pytest.mark.parametrize("unknown", ["fail", "pass"])
def test_the_gate_never_lets_the_stub_organization_through_at_defined(stub_org: Path, unknown: str) -> None:
    result = CliRunner().invoke(
        main, ["gate", str(stub_org), "--min", "all=defined", "--unknown", unknown, "--no-progress"], catch_exceptions=False
    )
    assert result.exit_code != 0, result.output


def test_public_assets_are_not_platform_adoption() -> None:
    assessment = scan(str(EXAMPLES / "public-assets-org"))
    adoption = capability(assessment, "adoption")
    assert stage(adoption["stage"]) is Stage.INITIAL
    assert stage(adoption["ceiling"]) is Stage.INITIAL  # decided: no internal offering to adopt
    used = next(rule for rule in adoption["rules"] if rule["rule_id"] == "adoption.shared_assets_used")
    assert used["outcome"] == "fail"


def outside_config(tmp_path: Path, declared: str = "") -> str:
    """The organization is named, so that its private-registry modules count as its own."""
    config = tmp_path / "pecm.yaml"
    config.write_text(
        f"organization: acme\nsources:\n  local:\n    paths: [{EXAMPLES / 'outside-automation-org'}]\n{declared}"
    )
    return str(config)


def test_automation_from_outside_is_never_a_decided_fail_without_a_declaration(tmp_path: Path) -> None:
    provisioning = capability(scan("--config", outside_config(tmp_path)), "provisioning")
    assert stage(provisioning["stage"]) >= Stage.DEFINED
    assert stage(provisioning["ceiling"]) >= Stage.MANAGED
    managed = [rule for rule in provisioning["rules"] if rule["stage"] == "managed"]
    assert "fail" not in {rule["outcome"] for rule in managed}


def test_declared_automation_from_outside_proves_provisioning_managed(tmp_path: Path) -> None:
    declared = "declared: {iac_runner: terraform_cloud}\n"
    provisioning = capability(scan("--config", outside_config(tmp_path, declared)), "provisioning")
    assert stage(provisioning["stage"]) is Stage.MANAGED
    applied = next(r for r in provisioning["rules"] if r["rule_id"] == "provisioning.infrastructure_applied_automatically")
    assert applied["outcome"] == "pass"


def test_the_console_gives_the_sample_size_once() -> None:
    result = CliRunner().invoke(main, ["scan", str(EXAMPLES / "stub-org"), "--no-progress"], catch_exceptions=False)
    text = " ".join(result.stdout.split())  # the table wraps its cells
    assert "insufficient sample (1 of the 2 repositories tagged platform needed)" in text
    assert "(unknown: share of" not in text  # not "unknown: … unknown: insufficient sample"
