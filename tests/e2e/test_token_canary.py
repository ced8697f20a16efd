"""A token pasted into `token_env` is refused at config load and appears in no output at all."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from scanner.cli import main

ROOT = Path(__file__).resolve().parents[2]
CANARY = "ghp_CANARYcanary0123456789abcdefCANARY"


@pytest.mark.parametrize("fmt", ["console", "json", "markdown", "sarif", "html"])
def test_a_token_in_token_env_is_refused_and_never_echoed(tmp_path: Path, fmt: str) -> None:
    config = tmp_path / "pecm.yaml"
    config.write_text(
        f"sources:\n  local:\n    paths: [{ROOT / 'examples' / 'acme'}]\n"
        f"  github:\n    organizations: [acme]\n    base_url: http://127.0.0.1:9\n    token_env: {CANARY}\n"
    )
    outputs = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "-vv", "scan", "--config", str(config), "--format", fmt, "--no-progress",
            "--output", str(outputs / f"report.{fmt}"), "--evidence-out", str(outputs / "evidence.json"),
            "--store", f"sqlite:///{outputs / 'history.db'}",
        ],
    )
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"pecm: error: config {config} sources.github.token_env must name an environment variable "
        "(letters, digits, _), not hold the secret itself"
    ]
    written = [path for path in tmp_path.rglob("*") if path.is_file() and path != config]
    assert CANARY not in result.output + result.stderr
    assert not [path for path in written if CANARY.encode() in path.read_bytes()]
