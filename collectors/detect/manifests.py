"""Kubernetes-style manifests recognised by each YAML document's `apiVersion` and `kind`.

A line regex over the text, not a parse: it is fast, and it also reads Helm chart templates,
which hold most RBAC, ServiceMonitor and PrometheusRule manifests and are not valid YAML.
"""

from __future__ import annotations

import re

from collectors.detect.findings import (
    ALERTING,
    DASHBOARDS,
    GITOPS,
    IAC,
    POLICY,
    RBAC,
    SLO,
    Findings,
)

# Top-level (column 0) document separators, apiVersion and kind lines, searched after a
# newline in "\n" + text: the same matches as `^` under re.M, but a literal first character
# lets the engine skip from line to line instead of trying every position. Groups: "-" for a
# separator, "a" and the value for apiVersion, the value for kind (all of them strings, for
# `findall`, which builds no match objects).
_HEAD = re.compile(r"\n(?:(-)--|(a)piVersion:[ \t]*[\"']?([^\s\"'#]*)|kind:[ \t]*[\"']?([^\s\"'#]*))")

RBAC_KINDS = frozenset({"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"})
_ARGO_KINDS = frozenset({"Application", "ApplicationSet", "AppProject"})
_MONITORING_KINDS = {
    "PrometheusRule": "prometheus_rules",
    "ServiceMonitor": "service_monitor",
    "PodMonitor": "service_monitor",
}

#: Families `scan_manifests` reports back so other checks know what the file holds.
BACKSTAGE = "backstage"
PROMETHEUS_RULE = "prometheus_rule"


def manifest_heads(text: str) -> list[tuple[str, str]]:
    """(apiVersion, kind) of every document that has a top-level kind; apiVersion may be ''."""
    heads: list[tuple[str, str]] = []
    api_version = kind = ""
    for separator, api, api_value, kind_value in _HEAD.findall("\n" + text):
        if api:
            api_version = api_value
        elif not separator:
            kind = kind_value
        else:  # '---': the document ends
            if kind:
                heads.append((api_version, kind))
            api_version = kind = ""
    if kind:
        heads.append((api_version, kind))
    return heads


def scan_manifests(path: str, text: str, findings: Findings) -> set[str]:
    """Record every signal the file's manifests carry; return the families seen."""
    families: set[str] = set()
    if "apiVersion" not in text or "kind:" not in text:
        return families
    for api_version, kind in manifest_heads(text):
        group = api_version.rpartition("/")[0]
        family = _record(path, group, kind, findings)
        if family:
            families.add(family)
    return families


def _record(path: str, group: str, kind: str, findings: Findings) -> str | None:
    if "." not in group and group != "openslo":  # Kubernetes' own groups (v1, apps, batch …): no signal
        return None
    if group == "rbac.authorization.k8s.io":
        if kind in RBAC_KINDS:
            findings.hit(RBAC, path)
            findings.add(RBAC, "kinds", kind)
    elif group.endswith("kyverno.io"):
        if kind.endswith("Policy"):  # Policy, ClusterPolicy and the newer ValidatingPolicy & co.
            findings.hit(POLICY, path, "kyverno")
    elif (group == "templates.gatekeeper.sh" and kind == "ConstraintTemplate") or group == "constraints.gatekeeper.sh":
        findings.hit(POLICY, path, "gatekeeper")
    elif group == "crossplane.io" or group.endswith(".crossplane.io"):
        findings.hit(IAC, path, "crossplane")
    elif group == "argoproj.io":
        if kind in _ARGO_KINDS:
            findings.hit(GITOPS, path, "argocd")
    elif group.endswith((".toolkit.fluxcd.io", ".extensions.fluxcd.io")):
        findings.hit(GITOPS, path, "flux")
    elif group.endswith("integreatly.org"):
        if kind == "GrafanaDashboard":
            findings.hit(DASHBOARDS, path, "grafana_operator")
    elif group == "monitoring.coreos.com":
        tool = _MONITORING_KINDS.get(kind)
        if tool:
            findings.hit(ALERTING, path, tool)
            return PROMETHEUS_RULE if kind == "PrometheusRule" else None
    elif group == "openslo":
        findings.hit(SLO, path, "openslo")
    elif group == "sloth.slok.dev":
        if kind == "PrometheusServiceLevel":
            findings.hit(SLO, path, "sloth")
    elif group == "backstage.io" or group.endswith(".backstage.io"):
        return BACKSTAGE  # counted once parsed and valid (portal.py)
    elif group == "kustomize.config.k8s.io":
        findings.hit(IAC, path, "kustomize")
    return None
