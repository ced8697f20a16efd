"""The GitHub Actions workflow and the container image recipe."""

from __future__ import annotations

import re
from typing import Any

import yaml

from scanner.commands.scan import scan
from tests.unit.deploy.recipes import DEPLOY, ROOT, option_names, options

WORKFLOW = DEPLOY / "github-actions" / "pecm-scheduled.yml"
CONTAINERFILE = DEPLOY / "container" / "Containerfile"


def _workflow() -> dict[Any, Any]:
    workflow: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return workflow


def test_the_workflow_runs_on_a_weekly_schedule() -> None:
    workflow = _workflow()
    triggers = workflow["on"] if "on" in workflow else workflow[True]  # YAML 1.1 reads a bare `on` as true
    (schedule,) = triggers["schedule"]
    minute, hour, day, month, weekday = schedule["cron"].split()
    assert (day, month) == ("*", "*") and weekday.isdigit()
    assert workflow["permissions"] == {"contents": "read"}


def test_the_workflow_scans_with_a_secret_token_and_keeps_the_results() -> None:
    (job,) = _workflow()["jobs"].values()
    steps = job["steps"]
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    assert {"actions/checkout", "actions/setup-python", "actions/upload-artifact"} <= set(uses)
    (scan_step,) = [step for step in steps if "pecm scan" in step.get("run", "")]
    assert re.fullmatch(r"\$\{\{ secrets\.\w+ \}\}", scan_step["env"]["GITHUB_TOKEN"])
    command = scan_step["run"]
    assert options(command) <= option_names(scan)
    assert "--config pecm.yaml" in command and "--evidence-out evidence.json" in command
    (upload,) = [step for step in steps if step.get("uses", "").startswith("actions/upload-artifact")]
    assert set(upload["with"]["path"].split()) == {"assessment.json", "evidence.json"}
    installs = [step for step in steps if "install" in step.get("run", "") and "pecm" in step.get("run", "")]
    assert installs, "no step installs pecm"


def test_the_container_runs_pecm_as_a_non_root_user() -> None:
    lines = [line.strip() for line in CONTAINERFILE.read_text(encoding="utf-8").splitlines() if line.strip() and not line.startswith("#")]
    assert lines[0] == "FROM python:3.12-slim"
    users = [line.split()[1] for line in lines if line.startswith("USER ")]
    assert users and users[-1].split(":")[0] not in {"0", "root"}
    assert lines[-2:] == ['ENTRYPOINT ["pecm"]', 'CMD ["--help"]']


def test_the_container_copies_every_package_pecm_installs() -> None:
    # pyproject's `include = ["scanner*", …]` (tomllib is not in Python 3.10)
    (include,) = re.findall(r"^include = \[(.*)\]$", (ROOT / "pyproject.toml").read_text(encoding="utf-8"), re.MULTILINE)
    packages = {pattern.strip().strip('"').rstrip("*") for pattern in include.split(",")}
    copied = set(re.findall(r"^COPY (\w+) \./\1$", CONTAINERFILE.read_text(encoding="utf-8"), re.MULTILINE))
    assert copied == packages
