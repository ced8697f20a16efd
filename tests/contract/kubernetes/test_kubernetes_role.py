"""The shipped ClusterRole lets the collector read everything it reads, and nothing secret."""

from __future__ import annotations

from pathlib import Path

import yaml

from collectors.kubernetes.resources import READ

ROLE = Path(__file__).resolve().parents[3] / "deploy" / "kubernetes" / "clusterrole.yaml"


def _granted() -> set[tuple[str, str]]:
    role = yaml.safe_load(ROLE.read_text(encoding="utf-8"))
    return {
        (group, resource)
        for rule in role["rules"]
        if "list" in rule["verbs"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
    }


def test_the_role_allows_every_list_the_collector_sends() -> None:
    missing = {(r.group, r.plural) for r in READ} - _granted()
    assert not missing, f"deploy/kubernetes/clusterrole.yaml lacks list on {sorted(missing)}"


def test_the_collector_never_reads_secrets_configmaps_or_pods() -> None:
    assert not {r.plural for r in READ} & {"secrets", "configmaps", "pods"}
