"""`pecm scan --config` against the fake GitHub, exactly as a user would run it against github.com."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from scanner.cli import main
from tests.fakes.github.fixtures import fake_github  # noqa: F401  (a fixture)
from tests.fakes.github.server import FakeGitHub

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "github-sample-assessment.json"
VOLATILE = {"started_at", "finished_at", "created_at", "observed_at", "url"}


def _stable(node: Any, base_url: str) -> Any:
    """Times and the fake's random port change from run to run; nothing else may."""
    if isinstance(node, dict):
        return {k: _stable(v, base_url) for k, v in node.items() if k not in VOLATILE}
    if isinstance(node, list):
        return [_stable(v, base_url) for v in node]
    if isinstance(node, str):
        return node.replace(base_url, "<fake>")
    return node


def _config(tmp_path: Path, fake: FakeGitHub) -> Path:
    config = tmp_path / "pecm.yaml"
    config.write_text(
        "sources:\n"
        f"  github:\n    organizations: [{fake.org.login}]\n    base_url: {fake.url}\n    token_env: GITHUB_TOKEN\n"
        f"cache_dir: {tmp_path / 'cache'}\n"
    )
    return config


def test_scan_of_the_fake_organization_matches_the_expected_assessment(
    tmp_path: Path, fake_github: FakeGitHub, update_golden: bool  # noqa: F811
) -> None:
    out = tmp_path / "assessment.json"
    result = CliRunner().invoke(
        main,
        ["scan", "--config", str(_config(tmp_path, fake_github)), "--format", "json", "-o", str(out), "--no-progress"],
        env={"GITHUB_TOKEN": fake_github.token},
    )
    assert result.exit_code == 0, result.output
    actual = _stable(json.loads(out.read_text()), fake_github.url)
    if update_golden:
        GOLDEN.write_text(json.dumps(actual, indent=2) + "\n")
    assert actual == json.loads(GOLDEN.read_text()), "run pytest --update-golden after an intended change"
    sources = actual["scan"]["sources"]
    assert [s["collector"] for s in sources] == ["github"] and sources[0]["requests"], "request counts are recorded"
    assert fake_github.token not in out.read_text()


def test_a_refused_token_is_one_line_and_exit_4_and_never_printed(
    tmp_path: Path, fake_github: FakeGitHub, caplog: Any  # noqa: F811
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "ghp_this_token_is_wrong_0123456789abcdef"
    result = CliRunner().invoke(
        main, ["-vv", "scan", "--config", str(_config(tmp_path, fake_github)), "--no-progress"], env={"GITHUB_TOKEN": secret}
    )
    assert result.exit_code == 4, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("pecm: error:")]
    assert len(errors) == 1 and "github" in errors[0] and "GITHUB_TOKEN" in errors[0]
    assert secret not in result.output and secret not in caplog.text


def test_a_missing_token_names_the_variable(tmp_path: Path, fake_github: FakeGitHub) -> None:  # noqa: F811
    result = CliRunner().invoke(
        main, ["scan", "--config", str(_config(tmp_path, fake_github)), "--no-progress"], env={"GITHUB_TOKEN": ""}
    )
    assert result.exit_code == 4
    assert "environment variable GITHUB_TOKEN is not set" in result.output
