"""`pecm scan --config` with a kubernetes source, as a user runs it: the entry point, the
config, the evidence file and the exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.fakes.kubernetes.fixtures import write_kubeconfig
from tests.fakes.kubernetes.samples import READER_TOKEN
from tests.fakes.kubernetes.server import FakeKubernetes

ROOT = Path(__file__).resolve().parents[3]


def _pecm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scanner", *args], capture_output=True, text=True, cwd=ROOT, check=False)


def test_a_scan_of_two_contexts_one_refused(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    write_kubeconfig(tmp_path / "kubeconfig", fake_kubernetes, {"prod": READER_TOKEN, "expired": "expired-token-3e9a"})
    config = tmp_path / "pecm.yaml"
    config.write_text("sources:\n  kubernetes:\n    kubeconfig: kubeconfig\n    contexts: [prod, expired]\n", encoding="utf-8")
    completed = _pecm("scan", "--config", str(config), "--evidence-out", str(tmp_path / "evidence.json"))
    assert completed.returncode == 0, completed.stderr
    bundle = (tmp_path / "evidence.json").read_text(encoding="utf-8")
    statuses = {(item["subject"], item["status"]) for item in json.loads(bundle)["evidence"]}
    namespaces = {(f"kubernetes:prod/{name}", "observed") for name in ("default", "payments", "search", "sandbox")}
    assert statuses == {("kubernetes:prod", "observed"), ("kubernetes:expired", "unavailable"), *namespaces}
    assert "kubernetes:expired: HTTP 401" in completed.stdout
    assert READER_TOKEN not in bundle + completed.stdout + completed.stderr


def test_an_unknown_context_exits_2_in_one_line(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> None:
    write_kubeconfig(tmp_path / "kubeconfig", fake_kubernetes, {"prod": READER_TOKEN})
    config = tmp_path / "pecm.yaml"
    config.write_text("sources:\n  kubernetes:\n    kubeconfig: kubeconfig\n    contexts: [staging]\n", encoding="utf-8")
    completed = _pecm("scan", "--config", str(config))
    assert completed.returncode == 2
    assert completed.stderr.count("\n") == 1 and "no context named 'staging' (defined: prod)" in completed.stderr
