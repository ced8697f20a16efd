"""The shipped ClusterRole grants exactly what the collector lists (get and list), and nothing secret."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from collectors.kubernetes.resources import READ

ROLE = Path(__file__).resolve().parents[3] / "deploy" / "kubernetes" / "clusterrole.yaml"


def _granted(role: dict[str, Any]) -> set[tuple[str, str]]:
    return {(group, resource) for rule in role["rules"] for group in rule["apiGroups"] for resource in rule["resources"]}


def _role() -> dict[str, Any]:
    role: dict[str, Any] = yaml.safe_load(ROLE.read_text(encoding="utf-8"))
    return role


def test_the_role_grants_exactly_the_lists_the_collector_sends() -> None:
    granted, read = _granted(_role()), {(r.group, r.plural) for r in READ}
    assert not read - granted, f"deploy/kubernetes/clusterrole.yaml lacks {sorted(read - granted)}"
    assert not granted - read, f"deploy/kubernetes/clusterrole.yaml grants what the collector never reads: {sorted(granted - read)}"


def test_the_role_only_gets_and_lists() -> None:
    for rule in _role()["rules"]:
        assert rule["verbs"] == ["get", "list"], rule
        assert set(rule) == {"apiGroups", "resources", "verbs"}, rule  # no nonResourceURLs, no resourceNames


def test_the_collector_never_reads_secrets_configmaps_or_pods() -> None:
    assert not {r.plural for r in READ} & {"secrets", "configmaps", "pods"}
