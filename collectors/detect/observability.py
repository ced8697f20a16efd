"""Dashboards, alerting rules and SLO definitions kept as code."""

from __future__ import annotations

import re
from typing import Any

from collectors.detect.findings import ALERTING, DASHBOARDS, SLO, Findings
from collectors.detect.manifests import PROMETHEUS_RULE
from collectors.detect.parse import may_hold_any_case

# A bare Prometheus rule file has `groups:` at column 0; a PrometheusRule CR has it indented.
_RULE_GROUPS = re.compile(r"^groups:[ \t]*(?:#.*)?$", re.M)
_RULE_ITEM = re.compile(r"^[ \t]*-?[ \t]*(?:alert|record):[ \t]*\S", re.M)
_SLO_RECORD = re.compile(r"^[ \t]*-?[ \t]*record:[ \t]*[\"']?slo:", re.M)
_SLOTH_VERSION = re.compile(r"^version:[ \t]*[\"']?prometheus/v1", re.M)
_SLOTH_SLOS = re.compile(r"^slos:", re.M)
# Workbooks deployed by ARM templates, Bicep files or Terraform.
_WORKBOOK_RESOURCE = re.compile(r"microsoft\.insights/workbooks|\bazurerm_application_insights_workbook\b", re.I)
_WORKBOOK_RESOURCE_WORDS = ("microsoft.insights/workbooks", "azurerm_application_insights_workbook")


def scan_yaml(path: str, text: str, findings: Findings, families: set[str]) -> None:
    if "groups:" in text and ("alert:" in text or "record:" in text):
        rule_file = bool(_RULE_GROUPS.search(text) and _RULE_ITEM.search(text))
        if rule_file:
            findings.hit(ALERTING, path, "prometheus_rules")
        if (rule_file or PROMETHEUS_RULE in families) and _SLO_RECORD.search(text):
            findings.hit(SLO, path, "slo_recording_rules")
    if "prometheus/v1" in text and _SLOTH_VERSION.search(text) and _SLOTH_SLOS.search(text):
        findings.hit(SLO, path, "sloth")


def is_grafana_dashboard(value: Any) -> bool:
    """A dashboard as Grafana exports it, or wrapped as its HTTP API takes it."""
    if isinstance(value, dict) and isinstance(value.get("dashboard"), dict):
        value = value["dashboard"]
    return (
        isinstance(value, dict)
        and isinstance(value.get("panels"), list)
        and ("schemaVersion" in value or "title" in value)
    )


def is_workbook(value: Any) -> bool:
    """An Azure workbook as the portal saves it, with something in it."""
    return (
        isinstance(value, dict)
        and value.get("version") == "Notebook/1.0"
        and isinstance(value.get("items"), list)
        and bool(value["items"])
    )


def scan_json(path: str, value: Any, text: str, findings: Findings) -> None:
    if is_grafana_dashboard(value):
        findings.hit(DASHBOARDS, path, "grafana")
    if is_workbook(value) or deploys_workbook(text):
        findings.hit(DASHBOARDS, path, "azure_workbook")  # a workbook, or an ARM template deploying one


def deploys_workbook(text: str) -> bool:
    """Whether IaC text deploys an Azure workbook."""
    return may_hold_any_case(text, _WORKBOOK_RESOURCE_WORDS) and bool(_WORKBOOK_RESOURCE.search(text))


def scan_iac_text(path: str, text: str, findings: Findings) -> None:
    if deploys_workbook(text):
        findings.hit(DASHBOARDS, path, "azure_workbook")
