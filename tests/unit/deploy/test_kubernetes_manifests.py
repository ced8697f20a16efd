"""The Kubernetes recipe: schema-valid manifests, read-only access, a scan that can run."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from scanner.commands.scale import merge
from scanner.commands.scan import scan
from scanner.config import parse_config
from scanner.pipeline import plan_scan
from scanner.plugins import discover
from tests.unit.deploy.recipes import MANIFESTS, documents, one, option_names, options, pod_spec

KUBERNETES_VERSION = "1.33"
READ_VERBS = {"get", "list"}
WORKLOADS = [("CronJob", "pecm-scan"), ("Job", "pecm-shards"), ("Job", "pecm-merge")]


def test_the_recipe_has_every_manifest() -> None:
    names = {path.name for path in MANIFESTS}
    assert {"serviceaccount.yaml", "clusterrole.yaml", "clusterrolebinding.yaml", "cronjob.yaml", "configmap.yaml", "indexed-job.yaml"} <= names


@pytest.mark.parametrize("path", MANIFESTS, ids=lambda path: path.name)
def test_every_manifest_is_valid_against_the_kubernetes_schemas(path: Path) -> None:
    docs = documents(path)
    assert docs
    for doc in docs:
        assert kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True) == KUBERNETES_VERSION


def test_the_validator_catches_a_broken_manifest() -> None:
    broken = yaml.safe_load((MANIFESTS[0].parent / "clusterrolebinding.yaml").read_text(encoding="utf-8"))
    del broken["roleRef"]
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_the_cluster_role_only_reads() -> None:
    # That it grants exactly what the collector lists: tests/contract/kubernetes/test_kubernetes_role.py.
    role = one("ClusterRole")
    for rule in role["rules"]:
        assert set(rule["verbs"]) <= READ_VERBS, rule
        assert set(rule) == {"apiGroups", "resources", "verbs"}, rule  # no nonResourceURLs, no resourceNames
        assert not {"secrets", "configmaps"} & set(rule["resources"]), rule


def test_the_binding_gives_the_role_to_the_service_account() -> None:
    account, role, binding = one("ServiceAccount"), one("ClusterRole"), one("ClusterRoleBinding")
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role["metadata"]["name"]}
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": account["metadata"]["name"], "namespace": account["metadata"]["namespace"]}
    ]
    for kind, name in WORKLOADS[:2]:  # the scans run as it; the merge reads files only
        assert pod_spec(one(kind, name))["serviceAccountName"] == account["metadata"]["name"]


def test_the_configuration_is_a_valid_pecm_configuration(tmp_path: Path) -> None:
    config = yaml.safe_load(one("ConfigMap", "pecm-config")["data"]["pecm.yaml"])
    plan = plan_scan(parse_config(config, "configmap.yaml", tmp_path), discover())
    assert [source.name for source in plan.sources] == ["github"]
    assert "token" not in config["sources"]["github"]  # secrets come from the environment


@pytest.mark.parametrize(("kind", "name"), WORKLOADS)
def test_workloads_are_locked_down_and_take_secrets_from_a_secret(kind: str, name: str) -> None:
    pod = pod_spec(one(kind, name))
    (container,) = pod["containers"]
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
    assert container["securityContext"] == {
        "readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}
    }
    assert {"requests", "limits"} <= set(container["resources"])
    assert container["image"] == "ghcr.io/OWNER/pecm:VERSION"
    config_volumes = [v for v in pod["volumes"] if "configMap" in v]
    assert [v["configMap"]["name"] for v in config_volumes] == ["pecm-config"]
    for variable in container.get("env", []):
        assert "value" not in variable or "TOKEN" not in variable["name"], variable
    tokens = [v for v in container.get("env", []) if v["name"] == "GITHUB_TOKEN"]
    if name != "pecm-merge":
        assert tokens == [{"name": "GITHUB_TOKEN", "valueFrom": {"secretKeyRef": {"name": "pecm-github", "key": "token"}}}]


def test_the_cron_job_runs_weekly_with_options_pecm_scan_has() -> None:
    cron = one("CronJob")
    minute, hour, day, month, weekday = cron["spec"]["schedule"].split()
    assert (day, month) == ("*", "*") and weekday.isdigit()
    (container,) = pod_spec(cron)["containers"]
    assert container["args"][0] == "scan"
    assert options(" ".join(container["args"][1:])) <= option_names(scan)
    assert "--config=/etc/pecm/pecm.yaml" in container["args"]


def _shell_command(name: str) -> tuple[dict[str, Any], str]:
    (container,) = pod_spec(one("Job", name))["containers"]
    assert container["command"] == ["/bin/sh", "-c"]
    return container, container["args"][0]


def _run_with_fake_pecm(command: str, env: dict[str, str], tmp_path: Path) -> list[str]:
    """Run the manifest's shell command with a `pecm` that prints its arguments, one a line."""
    fake = tmp_path / "bin" / "pecm"
    fake.parent.mkdir()
    fake.write_text('#!/bin/sh\nfor arg in "$@"; do echo "$arg"; done\n', encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    result = subprocess.run(
        ["/bin/sh", "-c", command], env={"PATH": f"{fake.parent}{os.pathsep}/usr/bin:/bin", **env},
        capture_output=True, text=True, check=True, cwd=tmp_path,
    )
    return result.stdout.splitlines()


def test_the_indexed_job_gives_each_pod_its_own_shard(tmp_path: Path) -> None:
    job = one("Job", "pecm-shards")
    container, command = _shell_command("pecm-shards")
    shards = next(v["value"] for v in container["env"] if v["name"] == "SHARDS")
    assert job["spec"]["completionMode"] == "Indexed"
    assert job["spec"]["completions"] == job["spec"]["parallelism"] == int(shards)
    assert options(command) - {"--shard"} <= option_names(scan)  # --shard: scanner.commands.scale.shard_option

    args = _run_with_fake_pecm(command, {"JOB_COMPLETION_INDEX": "2", "SHARDS": shards}, tmp_path)
    assert args[0] == "scan"
    assert args[args.index("--shard") + 1] == f"3/{shards}"
    assert args[args.index("--evidence-out") + 1] == f"/var/lib/pecm/shards/evidence-3-of-{shards}.json"


def test_the_merge_job_merges_every_shard_of_the_indexed_job(tmp_path: Path) -> None:
    container, command = _shell_command("pecm-merge")
    shards = next(v["value"] for v in container["env"] if v["name"] == "SHARDS")
    assert shards == next(v["value"] for v in _shell_command("pecm-shards")[0]["env"] if v["name"] == "SHARDS")
    assert options(command) <= option_names(merge)
    bundles = tmp_path / "var" / "lib" / "pecm" / "shards"
    # The glob is the shell's: run it where the shards' bundles are, rooted in tmp_path.
    bundles.mkdir(parents=True)
    for number in range(1, int(shards) + 1):
        (bundles / f"evidence-{number}-of-{shards}.json").write_text("{}", encoding="utf-8")
    (bundles / "evidence-1-of-9.json").write_text("{}", encoding="utf-8")  # an older run with another N
    args = _run_with_fake_pecm(command.replace("/var/lib/pecm", str(tmp_path / "var" / "lib" / "pecm")), {"SHARDS": shards}, tmp_path)
    assert args[0] == "merge"
    merged = [arg for arg in args if arg.endswith(f"-of-{shards}.json") or arg.endswith("-of-9.json")]
    assert merged == [str(bundles / f"evidence-{number}-of-{shards}.json") for number in range(1, int(shards) + 1)]
