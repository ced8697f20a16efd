"""Policy-as-code found by content: Azure Policy definitions (Rego files, Kyverno and
Gatekeeper manifests are recognised by name and by manifest elsewhere)."""

from __future__ import annotations

import re
from typing import Any

from collectors.detect.findings import POLICY, Findings
from collectors.detect.parse import may_hold_any_case

# Definitions and set definitions (initiatives) deployed by ARM templates, Bicep files or
# Terraform. The resource type ends at a quote or Bicep's `@version`: a role's permission
# string (`Microsoft.Authorization/policyDefinitions/read`) goes on with a `/`.
_POLICY_RESOURCE = re.compile(
    r"""microsoft\.authorization/policy(?:set)?definitions["'@]
    |\bazurerm_(?:management_group_|subscription_)?policy_(?:set_)?definition\b""",
    re.I | re.X,
)
_POLICY_RESOURCE_WORDS = ("microsoft.authorization/policy", "_policy_")  # one of which each branch needs
#: Words in a path that say it may hold policy: such IaC files are read past the read cap.
POLICY_PATH_WORDS = ("polic", "initiative", "governance")


def path_says_policy(path: str) -> bool:
    return any(map(path.lower().__contains__, POLICY_PATH_WORDS))  # no generator: run on every file past the cap


def is_azure_policy_definition(value: Any) -> bool:
    """A definition or set definition (initiative) file, bare or as the REST API returns it
    (under `properties`)."""
    if not isinstance(value, dict):
        return False
    body = value["properties"] if isinstance(value.get("properties"), dict) else value
    rule = body.get("policyRule")
    if isinstance(rule, dict) and "if" in rule and "then" in rule:
        return True
    members = body.get("policyDefinitions")
    return isinstance(members, list) and any(
        isinstance(member, dict) and "policyDefinitionId" in member for member in members
    )


def scan_json(path: str, value: Any, text: str, findings: Findings) -> None:
    if is_azure_policy_definition(value) or declares_policy(text):
        findings.hit(POLICY, path, "azure_policy")


def declares_policy(text: str) -> bool:
    """Whether IaC text deploys a policy definition or set definition."""
    return may_hold_any_case(text, _POLICY_RESOURCE_WORDS) and bool(_POLICY_RESOURCE.search(text))


def scan_iac_text(path: str, text: str, findings: Findings) -> None:
    if declares_policy(text):
        findings.hit(POLICY, path, "azure_policy")
