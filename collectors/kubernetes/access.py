"""What the collector's credentials may list, asked of the cluster before listing anything.

A SelfSubjectRulesReview (allowed to every authenticated user by `system:basic-user`) returns
the rules that apply to the caller in one namespace: those of its ClusterRoleBindings, which
are the only ones that allow a list across all namespaces, plus the namespace's RoleBindings.
So a list the rules do not allow is certainly forbidden, and is not sent; a list they allow is
sent and may still be refused (a RoleBinding's rule does not reach other namespaces). An answer
marked incomplete (another authorizer, such as a webhook, may allow more) decides nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from collectors.kubernetes.resources import Resource

REVIEW_PATH = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"
# Any namespace shows the cluster-wide rules; this one exists in every cluster.
REVIEW_NAMESPACE = "default"


def review_request() -> dict[str, Any]:
    return {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectRulesReview",
        "spec": {"namespace": REVIEW_NAMESPACE},
    }


@dataclass(frozen=True)
class ListRule:
    groups: frozenset[str]
    resources: frozenset[str]

    def allows(self, resource: Resource) -> bool:
        return bool({"*", resource.group} & self.groups) and bool({"*", resource.plural} & self.resources)


@dataclass(frozen=True)
class Permissions:
    """The rules of a complete review that allow `list` on every object of a resource."""

    rules: tuple[ListRule, ...]

    def may_list(self, resource: Resource) -> bool:
        return any(rule.allows(resource) for rule in self.rules)


def permissions(answer: Any) -> Permissions | None:
    """The list rules of a review's answer; None when the answer cannot rule anything out."""
    status = answer.get("status") if isinstance(answer, dict) else None
    if not isinstance(status, dict) or status.get("incomplete") is not False:
        return None
    rules = []
    for rule in status.get("resourceRules") or []:
        if not isinstance(rule, dict) or rule.get("resourceNames"):  # named objects only: no list of all
            continue
        verbs = _strings(rule.get("verbs"))
        if verbs & {"list", "*"}:
            rules.append(ListRule(_strings(rule.get("apiGroups")), _strings(rule.get("resources"))))
    return Permissions(tuple(rules))


def _strings(value: Any) -> frozenset[str]:
    return frozenset(str(item) for item in value) if isinstance(value, list) else frozenset()
