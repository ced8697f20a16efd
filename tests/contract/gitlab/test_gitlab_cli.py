"""`pecm scan --config` with a gitlab source against the fake GitLab, as a user would run it:
the entry point is discovered, the default pack reads the evidence, the token is never written."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import main
from tests.fakes.gitlab.server import FakeGitLab


def _config(tmp_path: Path, fake: FakeGitLab) -> Path:
    config = tmp_path / "pecm.yaml"
    config.write_text(
        f"sources:\n  gitlab:\n    groups: [acme]\n    base_url: {fake.url}\n    token_env: GITLAB_TOKEN\n"
        f"cache_dir: {tmp_path / 'cache'}\n"
    )
    return config


def test_a_scan_of_the_fake_group_is_assessed_and_never_holds_the_token(tmp_path: Path, fake_gitlab: FakeGitLab) -> None:
    out, evidence = tmp_path / "out" / "assessment.json", tmp_path / "out" / "evidence.json"
    result = CliRunner().invoke(
        main,
        ["scan", "--config", str(_config(tmp_path, fake_gitlab)), "--format", "json", "-o", str(out),
         "--evidence-out", str(evidence), "--no-progress"],
        env={"GITLAB_TOKEN": fake_gitlab.token},
    )
    assert result.exit_code == 0, result.output
    assessment = json.loads(out.read_text())
    (source,) = assessment["scan"]["sources"]
    assert source["collector"] == "gitlab" and source["requests"]
    governance = next(c for c in assessment["capabilities"] if c["capability"] == "governance")
    protected = next(r for r in governance["rules"] if r["rule_id"] == "governance.default_branches_protected")
    # GitLab's protected branches reach the rule: 2 of the 4 projects protect their default branch
    share = next(metric for metric in protected["metrics"] if metric["name"] == "protected_share")
    assert (share["matched"], share["observed"], share["unknown"]) == (2, 4, 0)
    for path in (tmp_path / "out").rglob("*"):
        assert fake_gitlab.token.encode() not in path.read_bytes()
    assert fake_gitlab.token not in result.output


def test_a_revoked_token_is_one_line_exit_2_and_never_printed(
    tmp_path: Path, fake_gitlab: FakeGitLab, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "glpat-revoked-CANARY-0123456789"
    result = CliRunner().invoke(
        main, ["-vv", "scan", "--config", str(_config(tmp_path, fake_gitlab)), "--no-progress"], env={"GITLAB_TOKEN": secret}
    )
    # a user error, as a bad config is (README, exit codes): the fix is a new token
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("pecm: error:")]
    assert len(errors) == 1 and "gitlab" in errors[0] and "GITLAB_TOKEN was refused (401 Unauthorized)" in errors[0]
    assert "create a new token" in errors[0]
    assert secret not in result.output and secret not in caplog.text


def test_a_revoked_token_beside_a_source_that_answers_costs_only_its_own_evidence(
    tmp_path: Path, fake_gitlab: FakeGitLab
) -> None:
    (tmp_path / "repos" / "app").mkdir(parents=True)
    config = tmp_path / "pecm.yaml"
    config.write_text(f"sources:\n  gitlab:\n    groups: [acme]\n    base_url: {fake_gitlab.url}\n"
                      f"  local:\n    paths: [{tmp_path / 'repos'}]\n")
    out = tmp_path / "assessment.json"
    result = CliRunner().invoke(
        main, ["scan", "--config", str(config), "--format", "json", "-o", str(out), "--no-progress"],
        env={"GITLAB_TOKEN": "glpat-revoked-0123456789"},
    )
    assert result.exit_code == 0, result.output
    sources = {source["collector"]: source["status"] for source in json.loads(out.read_text())["scan"]["sources"]}
    assert sources == {"gitlab": "failed", "local": "ok"}
