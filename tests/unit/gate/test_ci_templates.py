"""The shipped CI templates turn their inputs into the right `pecm gate` command and keep its exit code.

Their scripts run here for real, with a stand-in `pecm` that records its arguments.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
GITLAB = yaml.safe_load((ROOT / "ci" / "gitlab" / "pecm-gate.gitlab-ci.yml").read_text())


def stand_in_pecm(bin_dir: Path, exit_code: int) -> Path:
    """A `pecm` that writes one argument per line to args.txt and exits with `exit_code`."""
    bin_dir.mkdir(parents=True)
    recorded = bin_dir / "args.txt"
    script = bin_dir / "pecm"
    script.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > "{recorded}"\nexit {exit_code}\n')
    script.chmod(0o755)
    return recorded


def gate_step() -> dict[str, Any]:
    return next(step for step in ACTION["runs"]["steps"] if step.get("id") == "gate")


def run_action(tmp_path: Path, inputs: dict[str, str], exit_code: int = 0) -> tuple[subprocess.CompletedProcess[str], list[str], str]:
    recorded = stand_in_pecm(tmp_path / "pecm" / "bin", exit_code)
    output = tmp_path / "github_output"
    defaults = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    values = defaults | inputs
    env = {"PATH": os.environ["PATH"], "RUNNER_TEMP": str(tmp_path), "GITHUB_OUTPUT": str(output)}
    for name, expression in gate_step()["env"].items():
        env[name] = values[expression.removeprefix("${{ inputs.").removesuffix(" }}")]
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", gate_step()["run"]], env=env, cwd=tmp_path, capture_output=True, text=True, check=False)
    return done, recorded.read_text().splitlines(), output.read_text()


def test_the_action_passes_every_input_as_its_own_argument(tmp_path: Path) -> None:
    inputs = {"paths": "services platform", "min": "all=repeatable\ngovernance=defined\n", "min-confidence": "0.5", "unknown": "pass", "baseline": "base line.json", "config": "pecm.yaml"}
    done, args, _ = run_action(tmp_path, inputs)
    assert done.returncode == 0, done.stderr
    assert args == [
        "gate", "--no-progress", "services", "platform", "--config", "pecm.yaml", "--min", "all=repeatable", "--min", "governance=defined",
        "--min-confidence", "0.5", "--unknown", "pass", "--baseline", "base line.json", "--junit", "pecm-gate.xml",
    ]  # fmt: skip


def test_the_action_gates_a_saved_assessment_without_scanning(tmp_path: Path) -> None:
    _, args, _ = run_action(tmp_path, {"assessment": "a.json", "min": "all=initial", "junit": ""})
    assert args == ["gate", "--no-progress", "--assessment", "a.json", "--min", "all=initial"]


@pytest.mark.parametrize("code", [0, 1, 3])
def test_the_action_keeps_the_exit_code_and_reports_it(tmp_path: Path, code: int) -> None:
    done, _, output = run_action(tmp_path, {"min": "all=repeatable"}, exit_code=code)
    assert done.returncode == code and output == f"exit-code={code}\n"


def test_inputs_cannot_inject_commands(tmp_path: Path) -> None:
    done, args, _ = run_action(tmp_path, {"min": "all=repeatable; touch pwned", "baseline": "$(touch pwned2)"})
    assert "all=repeatable; touch pwned" in args and "$(touch pwned2)" in args
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "pwned2").exists()


def test_the_gitlab_template_runs_the_gate_and_keeps_its_exit_code(tmp_path: Path) -> None:
    job = GITLAB[".pecm-gate"]
    recorded = stand_in_pecm(tmp_path / "bin", 1)
    script = job["script"][-1].replace("/tmp/pecm/bin/pecm", str(tmp_path / "bin" / "pecm"))
    env = {"PATH": os.environ["PATH"], **job["variables"], "PECM_ARGS": "--min all=defined --unknown pass", "PECM_PATHS": "a b"}
    done = subprocess.run(["sh", "-e", "-c", script], env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert recorded.read_text().splitlines() == ["gate", "--no-progress", "--junit", "pecm-gate.xml", "a", "b", "--min", "all=defined", "--unknown", "pass"]
    assert job["artifacts"]["when"] == "always" and job["artifacts"]["reports"]["junit"] == "$PECM_JUNIT"


def test_the_gitlab_template_names_the_missing_package_setting() -> None:
    job = GITLAB[".pecm-gate"]
    done = subprocess.run(["sh", "-e", "-c", job["script"][0]], env={"PATH": os.environ["PATH"], **job["variables"]}, capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "set PECM_PACKAGE" in done.stderr
