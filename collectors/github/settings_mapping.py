"""Pure functions from GitHub's settings answers to evidence data (scanner/kinds.py): custom
properties, environments and their protection rules, code scanning's default setup, CODEOWNERS
errors, Pages, the Actions policy and the organization's workflow templates."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

MAX_LOCATIONS = 10  # CODEOWNERS errors listed by place: enough to find them
WORKFLOW_TEMPLATES = "workflow-templates"
_TEMPLATE_SUFFIXES = (".yml", ".yaml")

# GraphQL's DeploymentProtectionRuleType and REST's protection_rules[].type, to one vocabulary.
_RULE_TYPES = {
    "REQUIRED_REVIEWERS": "required_reviewers",
    "WAIT_TIMER": "wait_timer",
    "BRANCH_POLICY": "branch_policy",
    "required_reviewers": "required_reviewers",
    "wait_timer": "wait_timer",
    "branch_policy": "branch_policy",
}


def property_schema(items: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """org.property_schema from `GET /orgs/{org}/properties/schema`."""
    named = [item for item in items if item.get("property_name")]
    names = sorted(str(item["property_name"]) for item in named)
    required = sorted(str(item["property_name"]) for item in named if item.get("required"))
    return {"properties": names, "required": required}


def property_values(items: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, str | list[str]]]:
    """Repository name (lower case) -> the values set on it, from `GET /orgs/{org}/properties/values`."""
    found: dict[str, dict[str, str | list[str]]] = {}
    for item in items:
        values: dict[str, str | list[str]] = {}
        for entry in item.get("properties") or ():
            value = entry.get("value")
            if isinstance(value, list):
                values[str(entry["property_name"])] = [str(part) for part in value]
            elif value is not None:
                values[str(entry["property_name"])] = str(value)
        found[str(item.get("repository_name", "")).lower()] = values
    return found


def repository_properties(values: Mapping[str, str | list[str]], required: Sequence[str]) -> dict[str, Any]:
    """repo.properties: what is set, and which required properties are not."""
    return {"values": dict(values), "required_missing": sorted(name for name in required if name not in values)}


def literal_names(patterns: Iterable[str]) -> list[str]:
    """The patterns that name one environment (no wildcard): GitHub can be asked for them by name."""
    return [pattern for pattern in patterns if not any(char in pattern for char in "*?[")]


def is_production(name: str, patterns: Sequence[str]) -> bool:
    return any(fnmatch.fnmatchcase(name.lower(), pattern.lower()) for pattern in patterns)


def environment_rules(nodes: Iterable[Mapping[str, Any]]) -> dict[str, set[str]]:
    """Environment name -> its protection rule types, from GraphQL environment nodes."""
    return {
        str(node["name"]): {
            _RULE_TYPES[str(rule.get("type"))]
            for rule in (node.get("protectionRules") or {}).get("nodes") or ()
            if str(rule.get("type")) in _RULE_TYPES
        }
        for node in nodes
        if node.get("name")
    }


def named_rules(environments: Iterable[tuple[str, Iterable[str]]]) -> dict[str, set[str]]:
    """The same from (name, protection rule types) pairs, as REST's environments give them."""
    return {name: {_RULE_TYPES[kind] for kind in kinds if kind in _RULE_TYPES} for name, kinds in environments if name}


def environments(rules: Mapping[str, set[str]], complete: bool, production: Sequence[str]) -> dict[str, Any]:
    """delivery.environments: the production environments among `rules` and what guards them. One
    is protected when a deployment to it needs an approval or comes from chosen branches only; a
    wait timer alone stops nobody. Not `complete`: another production environment may be unread."""
    live = sorted(name for name in rules if is_production(name, production))
    guarded = [name for name in live if rules[name] & {"required_reviewers", "branch_policy"}]
    return {
        "production": live,
        "required_reviewers": [name for name in live if "required_reviewers" in rules[name]],
        "wait_timer": [name for name in live if "wait_timer" in rules[name]],
        "branch_policy": [name for name in live if "branch_policy" in rules[name]],
        "protected": None if not live or (not complete and len(guarded) == len(live)) else len(guarded) == len(live),
    }


def codeowners_check(codeowners: Mapping[str, Any] | None) -> dict[str, Any]:
    """vcs.codeowners_check from GraphQL's `codeowners { errors }` (null: no CODEOWNERS file)."""
    if codeowners is None:
        return {"checked": False}
    errors = [error for error in codeowners.get("errors") or () if isinstance(error, Mapping)]
    return {
        "checked": True,
        "errors": len(errors),
        "error_kinds": sorted({str(error.get("kind")) for error in errors if error.get("kind")}),
        "locations": [f"{error.get('path')}:{error.get('line')}" for error in errors[:MAX_LOCATIONS]],
    }


def default_setup(answer: Mapping[str, Any]) -> dict[str, Any]:
    """vcs.code_scanning from `GET /repos/{owner}/{repo}/code-scanning/default-setup`."""
    return {"default_setup": answer.get("state") == "configured", "via": "repository"}


def code_scanning_unavailable() -> dict[str, Any]:
    """vcs.code_scanning of a private repository without GitHub Code Security: it cannot run."""
    return {"default_setup": False, "available": False, "via": "repository"}


def configured_code_scanning(setting: str, configuration: str) -> dict[str, Any]:
    """vcs.code_scanning decided by a code-security configuration attached to the repository."""
    return {"default_setup": setting == "enabled", "via": "configuration", "configuration": configuration}


def pages(answer: Mapping[str, Any] | None) -> dict[str, Any]:
    """vcs.pages from `GET /repos/{owner}/{repo}/pages` (None: the repository publishes no site)."""
    if answer is None:
        return {"enabled": False}
    build = answer.get("build_type")
    public = answer.get("public")
    return {
        "enabled": True,
        "url": answer.get("html_url"),
        "build": build if build in ("workflow", "legacy") else None,
        "public": public if isinstance(public, bool) else None,
    }


def ci_policy(
    permissions: Mapping[str, Any], selected: Mapping[str, Any] | None, workflow: Mapping[str, Any]
) -> dict[str, Any]:
    """org.ci_policy from the organization's Actions permissions, its selected actions (when
    allowed_actions is `selected`) and its default workflow permissions."""
    chosen = selected or {}
    token = workflow.get("default_workflow_permissions")
    approve = workflow.get("can_approve_pull_request_reviews")
    return {
        "enabled_for": str(permissions.get("enabled_repositories") or "all"),
        "allowed_actions": str(permissions.get("allowed_actions") or "all"),
        "github_owned_allowed": chosen.get("github_owned_allowed") if selected is not None else None,
        "verified_allowed": chosen.get("verified_allowed") if selected is not None else None,
        "patterns_allowed": len(chosen.get("patterns_allowed") or ()),
        "default_token_permissions": token if token in ("read", "write") else None,
        "token_can_approve_reviews": approve if isinstance(approve, bool) else None,
    }


def ci_templates(items: Iterable[Mapping[str, Any]] | None, repository: str | None) -> dict[str, Any]:
    """org.ci_templates from the contents listing of `.github/workflow-templates` (None: no such folder)."""
    names = sorted(
        str(item["name"]).rsplit(".", 1)[0]
        for item in items or ()
        if item.get("type") == "file" and str(item.get("name", "")).endswith(_TEMPLATE_SUFFIXES)
    )
    return {"templates": len(names), "names": names, "repository": repository if names else None}
