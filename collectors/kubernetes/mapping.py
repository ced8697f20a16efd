"""Pure: raw Kubernetes API objects (parsed JSON) -> evidence data. No I/O.

Every function reads objects defensively (`_dict`, `_list`): a field missing or of the wrong
type in one object is skipped, never an exception that would lose the rest of the list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

Obj = Mapping[str, Any]

# Namespaces of Kubernetes itself: no team works in them, so they do not count as tenants.
SYSTEM_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease"})
ENFORCING_POD_SECURITY = frozenset({"baseline", "restricted"})


_EMPTY: Mapping[str, Any] = {}


def _dict(value: Any) -> Mapping[str, Any]:
    # Parsed JSON objects are dicts: the exact type check costs a fifth of an ABC check, and
    # runs a few times per workload (5,000 in the benchmark).
    return value if type(value) is dict else _EMPTY


def _list(value: Any) -> list[Any]:
    return value if type(value) is list else []


def _name(obj: Obj) -> str:
    return str(_dict(obj.get("metadata")).get("name") or "")


def _namespace(obj: Obj) -> str:
    return str(_dict(obj.get("metadata")).get("namespace") or "")


# --- RBAC --------------------------------------------------------------------------------


def _grants_everything(role: Obj) -> bool:
    """A rule allowing every verb on every resource of every group (cluster-admin's shape)."""
    for rule in _list(role.get("rules")):
        rule = _dict(rule)
        if "*" in _list(rule.get("verbs")) and "*" in _list(rule.get("resources")) and "*" in _list(rule.get("apiGroups")):
            return True
    return False


def _is_system(name: str) -> bool:
    """Kubernetes' own identities (system:masters, system:kube-scheduler...): not people or teams."""
    return name.startswith("system:")


def admin_grants(
    cluster_roles: Iterable[Obj], roles: Iterable[Obj], cluster_bindings: Iterable[Obj], bindings: Iterable[Obj]
) -> dict[str, Any]:
    """access.admin_grants: who is bound to a role that allows everything, and to whom bindings go."""
    admin_cluster_roles = {_name(role) for role in cluster_roles if _grants_everything(role)}
    admin_roles = {(_namespace(role), _name(role)) for role in roles if _grants_everything(role)}
    counts = {"User": 0, "Group": 0, "ServiceAccount": 0}
    people = {"User": 0, "Group": 0}
    seen: set[tuple[str, str, str]] = set()  # one grant per subject, however many bindings repeat it
    for binding in [*cluster_bindings, *bindings]:
        ref = _dict(binding.get("roleRef"))
        ref_kind, ref_name = ref.get("kind"), str(ref.get("name") or "")
        admin = (ref_kind == "ClusterRole" and ref_name in admin_cluster_roles) or (
            ref_kind == "Role" and (_namespace(binding), ref_name) in admin_roles
        )
        for subject in _list(binding.get("subjects")):
            subject = _dict(subject)
            kind, name = str(subject.get("kind") or ""), str(subject.get("name") or "")
            if kind not in counts or _is_system(name):
                continue
            if kind in people:
                people[kind] += 1
            key = (kind, str(subject.get("namespace") or ""), name)
            if admin and key not in seen:
                seen.add(key)
                counts[kind] += 1
    return {
        "admin_roles": sorted(admin_cluster_roles),
        "to_users": counts["User"],
        "to_groups": counts["Group"],
        "to_service_accounts": counts["ServiceAccount"],
        "user_bindings": people["User"],
        "group_bindings": people["Group"],
        "group_binding_share": round(people["Group"] / bound, 4) if (bound := people["User"] + people["Group"]) else None,
    }


# --- admission control ---------------------------------------------------------------------


def admission_policy_actions(policies: Iterable[Obj], bindings: Iterable[Obj]) -> list[str]:
    """Per ValidatingAdmissionPolicy: "enforce" when a binding denies, "audit" when bindings only
    audit or warn, "unbound" when no binding puts it to work."""
    actions: dict[str, set[str]] = {}
    for binding in bindings:
        spec = _dict(binding.get("spec"))
        actions.setdefault(str(spec.get("policyName") or ""), set()).update(
            str(action) for action in _list(spec.get("validationActions"))
        )
    verdicts = []
    for policy in policies:
        used = actions.get(_name(policy), set())
        verdicts.append("enforce" if "Deny" in used else "audit" if used else "unbound")
    return verdicts


def kyverno_policy_effects(policies: Iterable[Obj]) -> list[set[str]]:
    """Per Kyverno (Cluster)Policy, what it does: "enforce" / "audit" (validate rules, by their
    failure action: the rule's own `failureAction`, else the policy's legacy
    `validationFailureAction`, else Audit, Kyverno's default), "mutate", "generate"."""
    effects = []
    for policy in policies:
        spec = _dict(policy.get("spec"))
        default = str(spec.get("validationFailureAction") or "Audit")
        found: set[str] = set()
        for rule in _list(spec.get("rules")):
            rule = _dict(rule)
            if "validate" in rule:
                action = str(_dict(rule.get("validate")).get("failureAction") or default)
                found.add("enforce" if action.lower() == "enforce" else "audit")
            found.update(effect for effect in ("mutate", "generate") if effect in rule)
        effects.append(found)
    return effects


def webhook_failure_policies(configurations: Iterable[Obj]) -> list[str]:
    """The failurePolicy of every validating webhook: Fail (admission/v1's default) rejects
    requests when the webhook cannot answer; Ignore lets them through unchecked."""
    return [
        str(_dict(hook).get("failurePolicy") or "Fail")
        for configuration in configurations
        for hook in _list(configuration.get("webhooks"))
    ]


def admission_control(
    policy_actions: list[str] | None,
    kyverno_effects: list[set[str]] | None,
    not_served: list[str],
    webhook_policies: list[str] | None = None,
) -> dict[str, Any]:
    """policy.admission from the engines that were read (None: the cluster does not serve it)."""
    engines = []
    enforcing = audit_only = mutating = generating = policies = 0
    if policy_actions is not None:
        engines.append("validating_admission_policy")
        policies += len(policy_actions)
        enforcing += policy_actions.count("enforce")
        audit_only += policy_actions.count("audit")
    if kyverno_effects is not None:
        engines.append("kyverno")
        policies += len(kyverno_effects)
        for found in kyverno_effects:
            enforcing += "enforce" in found
            audit_only += "audit" in found and "enforce" not in found
            mutating += "mutate" in found
            generating += "generate" in found
    return {
        "engines": engines,
        "not_served": sorted(not_served),
        "policies": policies,
        "enforcing": enforcing,
        "audit_only": audit_only,
        "mutating": mutating,
        "generating": generating,
        "webhooks": len(webhook_policies or []),
        "webhooks_fail_open": (webhook_policies or []).count("Ignore"),
    }


# --- tenancy -------------------------------------------------------------------------------


def _denies_by_default(policy: Obj) -> bool:
    """A NetworkPolicy selecting every pod with policy type Ingress and no ingress rule."""
    spec = _dict(policy.get("spec"))
    selector = spec.get("podSelector")
    if not isinstance(selector, dict) or any(selector.get(key) for key in ("matchLabels", "matchExpressions")):
        return False
    return "Ingress" in _list(spec.get("policyTypes")) and not _list(spec.get("ingress"))


def tenancy_guardrails(
    namespaces: Iterable[Obj], quotas: Iterable[Obj], limit_ranges: Iterable[Obj], network_policies: Iterable[Obj]
) -> dict[str, Any]:
    """tenancy.guardrails: how many tenant namespaces carry each guardrail."""
    tenants = {_name(ns): ns for ns in namespaces if _name(ns) and _name(ns) not in SYSTEM_NAMESPACES}
    with_quota = {_namespace(item) for item in quotas} & tenants.keys()
    with_limits = {_namespace(item) for item in limit_ranges} & tenants.keys()
    with_deny = {_namespace(item) for item in network_policies if _denies_by_default(item)} & tenants.keys()
    enforced = {
        name
        for name, ns in tenants.items()
        if _dict(_dict(ns.get("metadata")).get("labels")).get("pod-security.kubernetes.io/enforce") in ENFORCING_POD_SECURITY
    }
    return {
        "namespaces": len(tenants),
        "with_quota": len(with_quota),
        "with_limit_range": len(with_limits),
        "with_default_deny": len(with_deny),
        "with_pod_security_enforce": len(enforced),
    }


# --- workloads -----------------------------------------------------------------------------

# Labels and annotations the GitOps controllers and Helm put on what they apply.
_GITOPS_MARKS = (
    "argocd.argoproj.io/instance",
    "argocd.argoproj.io/tracking-id",
    "kustomize.toolkit.fluxcd.io/name",
    "helm.toolkit.fluxcd.io/name",
)


def workload_coverage(workloads: Iterable[tuple[str, Obj]], autoscalers: Iterable[Obj]) -> dict[str, Any]:
    """workloads.coverage over tenant namespaces' Deployments and StatefulSets (kind, metadata):
    how many an autoscaler targets, and how many a GitOps controller or Helm manages."""
    targets = set()
    for hpa in autoscalers:
        ref = _dict(_dict(hpa.get("spec")).get("scaleTargetRef"))
        targets.add((_namespace(hpa), str(ref.get("kind") or ""), str(ref.get("name") or "")))
    total = autoscaled = gitops = helm = managed = 0
    for kind, obj in workloads:
        meta = _dict(obj.get("metadata"))
        namespace = str(meta.get("namespace") or "")
        if namespace in SYSTEM_NAMESPACES:
            continue
        total += 1
        autoscaled += (namespace, kind, str(meta.get("name") or "")) in targets
        labels = _dict(meta.get("labels"))
        by_gitops = any(mark in labels or mark in _dict(meta.get("annotations")) for mark in _GITOPS_MARKS)
        by_helm = labels.get("app.kubernetes.io/managed-by") == "Helm"
        gitops += by_gitops
        helm += by_helm
        managed += by_gitops or by_helm
    return {"workloads": total, "autoscaled": autoscaled, "gitops_managed": gitops, "helm_managed": helm, "managed": managed}


# --- GitOps reconciliation -----------------------------------------------------------------


def _ready(obj: Obj) -> bool:
    conditions = _list(_dict(obj.get("status")).get("conditions"))
    return any(_dict(c).get("type") == "Ready" and _dict(c).get("status") == "True" for c in conditions)


def argo_applications(applications: Iterable[Obj]) -> list[dict[str, bool]]:
    """Per Argo CD Application: automated sync, self-heal, prune, and whether it is in sync."""
    found = []
    for app in applications:
        policy = _dict(_dict(app.get("spec")).get("syncPolicy"))
        automated = policy.get("automated")
        auto = _dict(automated)
        on = isinstance(automated, dict) and auto.get("enabled", True) is not False
        found.append({
            "automated": on,
            "self_heal": on and auto.get("selfHeal") is True,
            "prune": on and auto.get("prune") is True,
            "in_sync": _dict(_dict(app.get("status")).get("sync")).get("status") == "Synced",
        })
    return found


def flux_objects(kustomizations: Iterable[Obj], helm_releases: Iterable[Obj]) -> list[dict[str, bool]]:
    """Per Flux Kustomization or HelmRelease. Flux reconciles whatever is not suspended; a
    Kustomization re-applies its manifests on every interval (self-healing) and prunes when
    `prune` is true; a HelmRelease corrects drift only with drift detection enabled, and Helm
    removes what a new revision drops (pruning)."""
    found = []
    for item in kustomizations:
        spec = _dict(item.get("spec"))
        on = spec.get("suspend") is not True
        found.append({"automated": on, "self_heal": on, "prune": on and spec.get("prune") is True, "in_sync": _ready(item)})
    for item in helm_releases:
        spec = _dict(item.get("spec"))
        on = spec.get("suspend") is not True
        drift = _dict(spec.get("driftDetection")).get("mode") == "enabled"
        found.append({"automated": on, "self_heal": on and drift, "prune": on, "in_sync": _ready(item)})
    return found


def reconciliation(objects: list[dict[str, bool]], controllers: list[str], not_served: list[str]) -> dict[str, Any]:
    """gitops.reconciliation over every Argo CD Application and Flux object read."""
    return {
        "controllers": controllers,
        "not_served": sorted(not_served),
        "applications": len(objects),
        **{field: sum(item[field] for item in objects) for field in ("automated", "self_heal", "prune", "in_sync")},
    }


# --- observability -------------------------------------------------------------------------

# PromQL functions that forecast (alerting before a limit is reached, not after).
_PREDICTIVE = re.compile(r"\b(predict_linear|holt_winters|double_exponential_smoothing)\s*\(")


def _covered(objects: Iterable[Obj]) -> set[str]:
    """Namespaces a monitor or rule applies to: its own, plus those its namespaceSelector names."""
    found = set()
    for obj in objects:
        found.add(_namespace(obj))
        selector = _dict(_dict(obj.get("spec")).get("namespaceSelector"))
        found.update(str(name) for name in _list(selector.get("matchNames")))
    return found


def _alert_rules(rule_objects: Iterable[Obj]) -> list[tuple[str, str]]:
    """(namespace, expression) of every alerting rule (recording rules have `record`, not `alert`)."""
    found = []
    for obj in rule_objects:
        for group in _list(_dict(obj.get("spec")).get("groups")):
            for rule in _list(_dict(group).get("rules")):
                rule = _dict(rule)
                if rule.get("alert"):
                    found.append((_namespace(obj), str(rule.get("expr") or "")))
    return found


def observability_coverage(
    namespaces: Iterable[Obj], monitors: Iterable[Obj] | None, rules: Iterable[Obj] | None,
    instrumentations: Iterable[Obj] | None, not_served: list[str],
) -> dict[str, Any]:
    """observability.coverage: tenant namespaces scraped (ServiceMonitor / PodMonitor), alerted
    on (PrometheusRule alerts), auto-instrumented (OpenTelemetry Instrumentation); None: not served."""
    tenants = {_name(ns) for ns in namespaces if _name(ns) and _name(ns) not in SYSTEM_NAMESPACES}
    tools = []
    if monitors is not None:
        tools.append("prometheus_operator")
    if instrumentations is not None:
        tools.append("opentelemetry")
    alerts = _alert_rules(rules or [])
    return {
        "tools": tools,
        "not_served": sorted(not_served),
        "namespaces": len(tenants),
        "monitored": len(_covered(monitors or []) & tenants),
        "alerted": len({namespace for namespace, _ in alerts} & tenants),
        "alert_rules": len(alerts),
        "predictive_alerts": sum(bool(_PREDICTIVE.search(expr)) for _, expr in alerts),
        "instrumented": len({_namespace(item) for item in instrumentations or []} & tenants),
    }
