"""Policy-as-code found by content: Azure Policy definitions (Rego files, Kyverno and
Gatekeeper manifests are recognised by name and by manifest elsewhere)."""

from __future__ import annotations

import re
from typing import Any

from collectors.detect.findings import POLICY, Findings

# Definitions deployed by ARM templates, Bicep files or Terraform.
_POLICY_RESOURCE = re.compile(r"microsoft\.authorization/policydefinitions|\bazurerm_policy_definition\b", re.I)


def is_azure_policy_definition(value: Any) -> bool:
    """A definition file, bare or as the REST API returns it (under `properties`)."""
    if not isinstance(value, dict):
        return False
    body = value["properties"] if isinstance(value.get("properties"), dict) else value
    rule = body.get("policyRule")
    return isinstance(rule, dict) and "if" in rule and "then" in rule


def scan_json(path: str, value: Any, text: str, findings: Findings) -> None:
    if is_azure_policy_definition(value) or _POLICY_RESOURCE.search(text):
        findings.hit(POLICY, path, "azure_policy")


def scan_iac_text(path: str, text: str, findings: Findings) -> None:
    if _POLICY_RESOURCE.search(text):
        findings.hit(POLICY, path, "azure_policy")
