"""Reading the deploy/ recipes for their tests."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import click
import yaml

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
MANIFESTS = sorted(KUBERNETES.glob("*.yaml"))


def documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc is not None]


def one(kind: str, name: str | None = None) -> dict[str, Any]:
    found = [
        doc for path in MANIFESTS for doc in documents(path)
        if doc["kind"] == kind and (name is None or doc["metadata"]["name"] == name)
    ]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
    return found[0]


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    spec = workload["spec"]
    job = spec["jobTemplate"]["spec"] if workload["kind"] == "CronJob" else spec
    pod: dict[str, Any] = job["template"]["spec"]
    return pod


def options(command_line: str) -> set[str]:
    """The long options a command line uses (`--format json` and `--format=json` alike)."""
    return {word.split("=", 1)[0] for word in shlex.split(command_line) if word.startswith("--")}


def option_names(command: click.Command) -> set[str]:
    return {name for param in command.params for name in param.opts if name.startswith("--")} | {
        name for param in command.params for name in param.secondary_opts
    }
