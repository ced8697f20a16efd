"""Inputs for the shard/merge tests: the example organization and a generated tree of repositories."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

from rules.evaluate import evaluate
from scanner.commands.support import load_ruleset
from scanner.config import parse_config
from scanner.model import Assessment, EvidenceBundle
from scanner.pipeline import collect, plan_scan
from scanner.plugins import Plugins, discover
from scanner.secrets import SecretStore
from scanner.shard import Shard

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "examples" / "acme"
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=timezone.utc)
COMMIT_DATE = "2026-10-20T12:00:00+00:00"


def generated_tree(root: Path, repositories: int = 40, with_git: int = 4) -> Path:
    """`repositories` folders, each a copy of one example repository (so they differ in what
    they show), the first `with_git` of them git checkouts with one commit."""
    examples = sorted(path for path in EXAMPLE.iterdir() if path.is_dir())
    for number in range(repositories):
        source = examples[number % len(examples)]
        target = root / f"repo-{number:02d}-{source.name}"
        shutil.copytree(source, target, symlinks=True)  # keeps broken-repo's link loops as links
        if number < with_git:
            _commit(target)
    return root


def _commit(folder: Path) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.com", "GIT_AUTHOR_DATE": COMMIT_DATE,
        "GIT_COMMITTER_NAME": "Dev", "GIT_COMMITTER_EMAIL": "dev@example.com", "GIT_COMMITTER_DATE": COMMIT_DATE,
    }
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "initial"]):
        subprocess.run(["git", *args], cwd=folder, env=env, check=True, capture_output=True)


def scan_bundle(paths: Sequence[Path], base_dir: Path, shard: Shard | None = None, plugins: Plugins | None = None) -> EvidenceBundle:
    """What `pecm scan PATHS [--shard I/N] --evidence-out` saves, with a fixed clock."""
    plugins = plugins or discover()
    loaded = parse_config({"sources": {"local": {"paths": [str(path) for path in paths]}}}, "config", base_dir)
    plan = plan_scan(loaded, plugins)
    return collect(plan, plugins, secrets=SecretStore({}), clock=lambda: NOW, shard=shard)


def assess(bundle: EvidenceBundle, base_dir: Path, plugins: Plugins | None = None) -> Assessment:
    plugins = plugins or discover()
    return evaluate(bundle, load_ruleset(parse_config({}, "config", base_dir), plugins))
