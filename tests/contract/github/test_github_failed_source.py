"""A GitHub source that fails or is cut short next to a local one: its kinds stay unknown, never absent.

The real GitHubCollector (PyGithub over HTTP) talks to the fake on 127.0.0.1 through `pecm gate`;
measurement.dora_inputs_recorded needs GitHub's deployments, so a GitHub source that did not
finish must leave the gate undecided (exit 3), not failed (exit 1).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import main
from scanner.gate import EXIT_UNDECIDED
from tests.contract.github.orgs import acme
from tests.fakes.github.fixtures import fake_github_fixture
from tests.fakes.github.server import FakeGitHub

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "acme"

acme_github = fake_github_fixture(acme)


def _config(tmp_path: Path, fake: FakeGitHub) -> Path:
    config = tmp_path / "pecm.yaml"
    config.write_text(
        "sources:\n"
        f"  local:\n    paths: [{EXAMPLE}]\n"
        f"  github:\n    organizations: [acme]\n    base_url: {fake.url}\n    max_retries: 0\n"
        f"    max_rate_limit_wait_seconds: 0\ncache_dir: {tmp_path / 'cache'}\n",
        encoding="utf-8",
    )
    return config


def _refused_token(fake: FakeGitHub) -> str:
    return "ghp_refused_by_the_fake_0123456789"


def _listing_fails(fake: FakeGitHub) -> str:
    fake.faults.error(route="/orgs/acme/repos", status=502)
    return fake.token


def _rate_limited_listing(fake: FakeGitHub) -> str:
    fake.faults.secondary_limit(route="/orgs/acme/repos", retry_after=3600, times=None)
    return fake.token


@pytest.mark.parametrize(
    "break_github",
    [_refused_token, _listing_fails, _rate_limited_listing],
    ids=["401 refused token", "5xx listing the repositories", "rate-limited listing"],
)
def test_a_github_source_that_did_not_finish_leaves_the_gate_undecided(
    acme_github: FakeGitHub, tmp_path: Path, break_github: Callable[[FakeGitHub], str]
) -> None:
    token = break_github(acme_github)
    config = _config(tmp_path, acme_github)
    gated = CliRunner().invoke(
        main,
        ["gate", "--config", str(config), "--min", "measurement=defined", "--no-progress"],
        env={"GITHUB_TOKEN": token, "GITHUB_ACTIONS": ""},
    )
    assert gated.exit_code == EXIT_UNDECIDED, gated.output
    # unknown with the rules a failed source leaves open (how many repositories there are, too)
    assert re.search(r"^UNDECIDED  measurement .* unknown [^\n]*measurement\.dora_inputs_recorded", gated.output, re.M)
    assert "failed measurement.dora_inputs_recorded" not in gated.output

    saved = tmp_path / "assessment.json"
    scanned = CliRunner().invoke(
        main,
        ["scan", "--config", str(config), "--format", "json", "-o", str(saved), "--no-progress"],
        env={"GITHUB_TOKEN": token},
    )
    assert scanned.exit_code == 0, scanned.output  # the local source still answers
    [github] = [run for run in json.loads(saved.read_text())["scan"]["sources"] if run["collector"] == "github"]
    assert github["status"] in ("failed", "partial") and "repository" in github["unreached"]
    assert token not in saved.read_text() and token not in gated.output
