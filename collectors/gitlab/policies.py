"""GitLab's checks a project's pipeline must run whatever its own `.gitlab-ci.yml` says
(Ultimate), into vcs.branch_protection's `policy_checks_required`:
- pipeline execution policies (GitLab 17.2+): CI jobs injected into every pipeline of the projects
  in their scope;
- scan execution policies whose `pipeline` rule covers the default branch (`branch_type` all,
  default or protected; or a `branches` pattern matching it): security scans added to its pipelines;
- compliance pipelines: a compliance framework of the project with a pipeline configuration
  (deprecated in 17.4 for pipeline execution policies, still in force where set).
All three come with the GraphQL batch (`Project.scanExecutionPolicies`,
`pipelineExecutionPolicies` with `relationship: INHERITED`, so the groups' policies count, and
`complianceFrameworks`), asked on paid tiers only (the Free schema has no such fields).

Only a policy seen decides: GitLab returns an empty policy list, silently, to a role below
Developer and on a tier without the feature (`read_security_orchestration_policies`), and hides
a framework's pipeline from all but Owners (null, with an error). So nothing seen is unknown
(None), never "no policy check required".
"""

from __future__ import annotations

import fnmatch
from typing import Any

from collectors.detect.parse import load_answer_yaml

MAX_POLICIES = 20  # per list and project: one enabled policy is enough to decide
FIELDS = (
    "scanExecutionPolicies(relationship: INHERITED, first: %(n)d) { nodes { enabled yaml } }"
    " pipelineExecutionPolicies(relationship: INHERITED, first: %(n)d) { nodes { enabled } }"
    " complianceFrameworks(first: %(n)d) { nodes { pipelineConfigurationFullPath } }"
) % {"n": MAX_POLICIES}
_DEFAULT_BRANCH_TYPES = frozenset({"all", "default", "protected"})  # vcs.branch_protection reads them on a protected default


def required(node: dict[str, Any], default_branch: str | None) -> bool | None:
    """True where a policy or a compliance pipeline binds the default branch's pipelines; None otherwise."""
    if default_branch is None:
        return None
    if any(policy.get("enabled") is True for policy in _nodes(node.get("pipelineExecutionPolicies"))):
        return True
    if any(policy.get("enabled") is True and _covers(policy.get("yaml"), default_branch)
           for policy in _nodes(node.get("scanExecutionPolicies"))):
        return True
    if any(framework.get("pipelineConfigurationFullPath") for framework in _nodes(node.get("complianceFrameworks"))):
        return True
    return None


def _nodes(connection: Any) -> list[dict[str, Any]]:
    nodes = connection.get("nodes") if isinstance(connection, dict) else None
    return [node for node in nodes or () if isinstance(node, dict)]


def _covers(text: Any, branch: str) -> bool:
    """A scan execution policy's `pipeline` rule runs on `branch` (its YAML as GitLab gives it)."""
    documents = load_answer_yaml(text) if isinstance(text, str) else []
    policy = documents[0] if len(documents) == 1 else None
    rules = policy.get("rules") if isinstance(policy, dict) else None
    for rule in rules if isinstance(rules, list) else ():
        if not isinstance(rule, dict) or rule.get("type") != "pipeline":
            continue
        excepted = rule.get("branch_exceptions")
        if isinstance(excepted, list) and branch in excepted:
            continue
        if rule.get("branch_type") in _DEFAULT_BRANCH_TYPES:
            return True
        branches = rule.get("branches")
        if isinstance(branches, list) and any(fnmatch.fnmatchcase(branch, str(pattern)) for pattern in branches):
            return True
    return False
