"""Pure: raw Kubernetes API objects (parsed JSON) -> evidence data. No I/O.

Every function reads objects defensively (`_dict`, `_list`): a field missing or of the wrong
type in one object is skipped, never an exception that would lose the rest of the list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from collectors.shares import share

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
        "group_binding_share": share(people["Group"], people["User"] + people["Group"]),
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


# A Kubernetes kind is a name of letters and digits: anything else in a template is not used,
# since the kind becomes part of a request path (no "../secrets" through a crafted template).
_KIND = re.compile(r"[A-Za-z][A-Za-z0-9]{0,62}")


def constraint_template_kinds(templates: Iterable[Obj]) -> list[str]:
    """The constraint kind each Gatekeeper ConstraintTemplate defines (well-formed ones only)."""
    kinds = (_dict(_dict(_dict(_dict(t.get("spec")).get("crd")).get("spec")).get("names")).get("kind") for t in templates)
    return sorted({kind for kind in kinds if isinstance(kind, str) and _KIND.fullmatch(kind)})


def gatekeeper_constraints(constraints: Iterable[Obj]) -> tuple[list[str], int]:
    """Per Gatekeeper constraint, "enforce" (enforcementAction deny, Gatekeeper's default, or a
    scoped action that denies somewhere) or "audit" (dryrun, warn); and the violations its last
    audit found in all (status.totalViolations)."""
    verdicts, violations = [], 0
    for constraint in constraints:
        spec = _dict(constraint.get("spec"))
        action = str(spec.get("enforcementAction") or "deny").lower()
        if action == "scoped":
            scoped = {str(_dict(entry).get("action") or "").lower() for entry in _list(spec.get("scopedEnforcementActions"))}
            action = "deny" if "deny" in scoped else "warn"
        verdicts.append("enforce" if action == "deny" else "audit")
        total = _dict(constraint.get("status")).get("totalViolations")
        violations += total if type(total) is int and total > 0 else 0
    return verdicts, violations


def policy_exceptions(exceptions: Iterable[Obj]) -> int:
    """Policy-rule exemptions that Kyverno PolicyExceptions grant (one per policy and rule named)."""
    return sum(
        len(_list(_dict(entry).get("ruleNames"))) or 1
        for exception in exceptions
        for entry in _list(_dict(exception.get("spec")).get("exceptions"))
    )


def policy_report_results(reports: Iterable[Obj]) -> tuple[int, int, int]:
    """(reports, results, failing results) over PolicyReports' summaries: what the policy
    engines found when they audited what already runs (fail and error count as failing)."""
    count = results = failing = 0
    for report in reports:
        count += 1
        summary = _dict(report.get("summary"))
        numbers = {key: value for key, value in summary.items() if type(value) is int and value >= 0}
        results += sum(numbers.get(key, 0) for key in ("pass", "fail", "warn", "error", "skip"))
        failing += numbers.get("fail", 0) + numbers.get("error", 0)
    return count, results, failing


def admission_control(
    policy_actions: list[str] | None,
    kyverno_effects: list[set[str]] | None,
    not_served: list[str],
    webhook_policies: list[str] | None = None,
    gatekeeper: tuple[list[str], int] | None = None,
    reports: tuple[int, int, int] | None = None,
    exceptions: int = 0,
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
    if gatekeeper is not None:
        engines.append("gatekeeper")
        verdicts, violations = gatekeeper
        policies += len(verdicts)
        enforcing += verdicts.count("enforce")
        audit_only += verdicts.count("audit")
    report_count, results, failing = reports or (0, 0, 0)
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
        "exceptions": exceptions,
        "violations": gatekeeper[1] if gatekeeper is not None else 0,
        "policy_reports": report_count,
        "report_results": results,
        "report_failures": failing,
    }


def namespace_policies(
    namespaces: Iterable[str],
    policies: Iterable[Obj],
    exceptions: Iterable[Obj],
    reports: Iterable[Obj],
    cluster_wide_enforcing: int,
) -> dict[str, dict[str, Any]]:
    """policy.namespace of every tenant namespace, by name: its own Kyverno Policies by effect,
    the policy rules its PolicyExceptions exempt, its policy reports' summaries, and how many
    cluster-wide policies enforce (whether each matches the namespace is not evaluated)."""
    found: dict[str, dict[str, Any]] = {
        name: {"policies": 0, "enforcing": 0, "audit_only": 0, "mutating": 0, "generating": 0, "exceptions": 0,
               "cluster_wide_enforcing": cluster_wide_enforcing, "policy_reports": 0, "report_results": 0, "report_failures": 0}
        for name in namespaces
    }
    for policy in policies:
        counts = found.get(_namespace(policy))
        if counts is None:
            continue
        (effects,) = kyverno_policy_effects([policy])
        counts["policies"] += 1
        counts["enforcing"] += "enforce" in effects
        counts["audit_only"] += "audit" in effects and "enforce" not in effects
        counts["mutating"] += "mutate" in effects
        counts["generating"] += "generate" in effects
    for exception in exceptions:
        if (counts := found.get(_namespace(exception))) is not None:
            counts["exceptions"] += policy_exceptions([exception])
    for report in reports:
        if (counts := found.get(_namespace(report))) is not None:
            _, results, failing = policy_report_results([report])
            counts["policy_reports"] += 1
            counts["report_results"] += results
            counts["report_failures"] += failing
    return found


# --- tenancy -------------------------------------------------------------------------------


def _denies_by_default(policy: Obj) -> bool:
    """A NetworkPolicy selecting every pod with policy type Ingress and no ingress rule."""
    spec = _dict(policy.get("spec"))
    selector = spec.get("podSelector")
    if not isinstance(selector, dict) or any(selector.get(key) for key in ("matchLabels", "matchExpressions")):
        return False
    return "Ingress" in _list(spec.get("policyTypes")) and not _list(spec.get("ingress"))


def tenant_namespaces(namespaces: Iterable[Obj]) -> dict[str, Obj]:
    """Namespaces teams work in (not Kubernetes' own), by name."""
    return {_name(ns): ns for ns in namespaces if _name(ns) and _name(ns) not in SYSTEM_NAMESPACES}


def namespace_guardrails(
    namespaces: Iterable[Obj], quotas: Iterable[Obj], limit_ranges: Iterable[Obj], network_policies: Iterable[Obj]
) -> dict[str, dict[str, Any]]:
    """tenancy.namespace of every tenant namespace, by name."""
    tenants = tenant_namespaces(namespaces)
    with_quota = {_namespace(item) for item in quotas}
    with_limits = {_namespace(item) for item in limit_ranges}
    with_deny = {_namespace(item) for item in network_policies if _denies_by_default(item)}
    found = {}
    for name, ns in tenants.items():
        level = _dict(_dict(ns.get("metadata")).get("labels")).get("pod-security.kubernetes.io/enforce")
        found[name] = {
            "quota": name in with_quota,
            "limit_range": name in with_limits,
            "default_deny": name in with_deny,
            "pod_security": str(level) if level else None,
            "pod_security_enforced": level in ENFORCING_POD_SECURITY,
        }
    return found


def tenancy_guardrails(
    namespaces: Iterable[Obj], quotas: Iterable[Obj], limit_ranges: Iterable[Obj], network_policies: Iterable[Obj]
) -> dict[str, Any]:
    """tenancy.guardrails: how many tenant namespaces carry each guardrail."""
    found = namespace_guardrails(namespaces, quotas, limit_ranges, network_policies).values()
    return {
        "namespaces": len(found),
        "with_quota": sum(ns["quota"] for ns in found),
        "with_limit_range": sum(ns["limit_range"] for ns in found),
        "with_default_deny": sum(ns["default_deny"] for ns in found),
        "with_pod_security_enforce": sum(ns["pod_security_enforced"] for ns in found),
    }


# --- workloads -----------------------------------------------------------------------------

# Labels and annotations the GitOps controllers put on what they apply.
_GITOPS_MARKS = frozenset({
    "argocd.argoproj.io/instance",
    "argocd.argoproj.io/tracking-id",
    "kustomize.toolkit.fluxcd.io/name",
    "helm.toolkit.fluxcd.io/name",
})
# Labels a tool puts on what it applies: any `managed-by` value (Helm, kustomize, Pulumi, Terraform,
# Skaffold...), and `instance`, which Argo CD's default label tracking sets before 3.0.
_MANAGED_BY, _INSTANCE = "app.kubernetes.io/managed-by", "app.kubernetes.io/instance"
# `kubectl apply` of a manifest: from a pipeline as often as from a laptop, so not "by hand" for
# certain. Without it or any mark above, the workload was created imperatively (kubectl create /
# run / edit, or a script calling the API).
_APPLIED_FROM_MANIFEST = "kubectl.kubernetes.io/last-applied-configuration"


def _targets(objects: Iterable[Obj], ref_field: str, default_kind: str = "") -> set[tuple[str, str, str]]:
    found = set()
    for obj in objects:
        ref = _dict(_dict(obj.get("spec")).get(ref_field))
        found.add((_namespace(obj), str(ref.get("kind") or default_kind), str(ref.get("name") or "")))
    return found


def scaling_targets(
    autoscalers: Iterable[Obj], scaled_objects: Iterable[Obj], vertical: Iterable[Obj]
) -> dict[str, set[tuple[str, str, str]]]:
    """(namespace, kind, name) of the workloads each autoscaler kind targets: HPAs, KEDA
    ScaledObjects (a Deployment unless the reference names another kind), and VPAs that act
    (updateMode other than Off, which only recommends)."""
    acting = [v for v in vertical if _dict(_dict(v.get("spec")).get("updatePolicy")).get("updateMode") != "Off"]
    return {
        "hpa": _targets(autoscalers, "scaleTargetRef"),
        "keda": _targets(scaled_objects, "scaleTargetRef", "Deployment"),
        "vpa": _targets(acting, "targetRef"),
    }


def disruption_budgets(budgets: Iterable[Obj]) -> list[tuple[str, Mapping[str, Any]]]:
    """(namespace, matchLabels) of every PodDisruptionBudget selecting by labels."""
    found = []
    for budget in budgets:
        labels = _dict(_dict(_dict(budget.get("spec")).get("selector")).get("matchLabels"))
        if labels:
            found.append((_namespace(budget), labels))
    return found


# Cost-allocation tools, by the name or `app.kubernetes.io/name` their charts give the workload.
_COST_TOOLS = {"opencost": "opencost", "cost-analyzer": "kubecost", "kubecost-cost-analyzer": "kubecost"}  # name -> tool


@dataclass
class Tally:
    """Workload counts of one namespace (Deployments and StatefulSets; DaemonSets apart)."""

    workloads: int = 0
    autoscaled: int = 0
    autoscaled_by: dict[str, int] = field(default_factory=dict)
    with_disruption_budget: int = 0
    gitops_managed: int = 0
    helm_managed: int = 0
    managed: int = 0
    daemonsets: int = 0
    daemonsets_managed: int = 0


class WorkloadTallies:
    """Per tenant namespace: Deployments and StatefulSets an autoscaler targets or a disruption
    budget covers, and every workload carrying a tool's or a manifest's mark, added a list (or a
    page of one) at a time. Pod templates are never read, so a budget covers a workload when its
    matchLabels are among the workload's own labels (charts label both alike)."""

    def __init__(self, targets: Mapping[str, set[tuple[str, str, str]]], budgets: list[tuple[str, Mapping[str, Any]]]) -> None:
        self.by_namespace: dict[str, Tally] = {}
        self.cost_tools: set[str] = set()  # cost-allocation tools running in the cluster (any namespace)
        self._autoscalers = list(targets)
        self._selectors: dict[str, list[Mapping[str, Any]]] = {}
        for budgeted_in, selector in budgets:
            self._selectors.setdefault(budgeted_in, []).append(selector)
        # (namespace, kind, name) -> the autoscaler kinds targeting it: one look-up per workload.
        self._scaled_by: dict[tuple[str, str, str], list[str]] = {}
        for autoscaler, found in targets.items():
            for key in found:
                self._scaled_by.setdefault(key, []).append(autoscaler)

    def add(self, kind: str, objects: Iterable[Obj]) -> None:
        """Count `objects`, workloads of `kind` (Deployment, StatefulSet or DaemonSet), and note
        the cost tools among them."""
        tallies, scaled_by, selectors = self.by_namespace, self._scaled_by, self._selectors
        daemons = kind == "DaemonSet"  # one pod per node: neither autoscaled nor budgeted
        for obj in objects:
            # What `_dict` and `str(... or "")` do, written out: this runs once per workload.
            meta = obj.get("metadata")
            if type(meta) is not dict:
                meta = _EMPTY
            labels, annotations = meta.get("labels"), meta.get("annotations")
            if type(labels) is not dict:
                labels = _EMPTY
            if type(annotations) is not dict:
                annotations = _EMPTY
            name, app = meta.get("name"), labels.get("app.kubernetes.io/name")
            if type(name) is str and name in _COST_TOOLS:
                self.cost_tools.add(_COST_TOOLS[name])
            if type(app) is str and app in _COST_TOOLS:
                self.cost_tools.add(_COST_TOOLS[app])
            namespace = meta.get("namespace")
            if type(namespace) is not str:
                namespace = str(namespace or "")
            if namespace in SYSTEM_NAMESPACES:  # cost tools run there too; no tenant's workload does
                continue
            tally = tallies.get(namespace)
            if tally is None:
                tally = tallies[namespace] = Tally(autoscaled_by=dict.fromkeys(self._autoscalers, 0))
            by_gitops = not (_GITOPS_MARKS.isdisjoint(labels) and _GITOPS_MARKS.isdisjoint(annotations))
            managed = (
                by_gitops or _APPLIED_FROM_MANIFEST in annotations or bool(labels.get(_MANAGED_BY) or labels.get(_INSTANCE))
            )
            if daemons:
                tally.daemonsets += 1
                tally.daemonsets_managed += managed
                continue
            tally.workloads += 1
            if scaled_by:
                scaled = scaled_by.get((namespace, kind, name if type(name) is str else str(name or "")))
                if scaled:
                    tally.autoscaled += 1
                    for autoscaler in scaled:
                        tally.autoscaled_by[autoscaler] += 1
            budgeted = selectors.get(namespace)
            if budgeted and any(all(labels.get(k) == v for k, v in selector.items()) for selector in budgeted):
                tally.with_disruption_budget += 1
            tally.gitops_managed += by_gitops
            tally.helm_managed += labels.get(_MANAGED_BY) == "Helm"
            tally.managed += managed


def workload_coverage(tallies: Mapping[str, Tally], autoscalers: Iterable[str]) -> dict[str, Any]:
    """workloads.coverage: the tenant namespaces' tallies (`WorkloadTallies`) summed."""
    total = Tally(autoscaled_by=dict.fromkeys(autoscalers, 0))
    for tally in tallies.values():
        for name in ("workloads", "autoscaled", "with_disruption_budget", "gitops_managed", "helm_managed", "managed",
                     "daemonsets", "daemonsets_managed"):
            setattr(total, name, getattr(total, name) + getattr(tally, name))
        for name, count in tally.autoscaled_by.items():
            total.autoscaled_by[name] += count
    return {
        "workloads": total.workloads,
        "autoscaled": total.autoscaled,
        "autoscaled_by": total.autoscaled_by,
        "autoscaled_share": share(total.autoscaled, total.workloads),
        "with_disruption_budget": total.with_disruption_budget,
        "gitops_managed": total.gitops_managed,
        "helm_managed": total.helm_managed,
        "managed": total.managed,
        "daemonsets": total.daemonsets,
        "daemonsets_managed": total.daemonsets_managed,
    }


def namespace_workloads(namespaces: Iterable[str], tallies: Mapping[str, Tally]) -> dict[str, dict[str, Any]]:
    """workloads.namespace of every tenant namespace (those without workloads too), by name."""
    found = {}
    for name in namespaces:
        tally = tallies.get(name) or Tally()
        found[name] = {
            "workloads": tally.workloads,
            "autoscaled": tally.autoscaled,
            "autoscaled_share": share(tally.autoscaled, tally.workloads),
            "with_disruption_budget": tally.with_disruption_budget,
            "managed": tally.managed,
            "daemonsets": tally.daemonsets,
        }
    return found


# --- platform APIs (Crossplane) ------------------------------------------------------------


def platform_apis(definitions: Iterable[Obj], compositions: Iterable[Obj]) -> dict[str, Any]:
    """platform.apis: Crossplane composite resource definitions offered (those with claim names
    can be requested from a team namespace) and the compositions that implement them."""
    definitions, compositions = list(definitions), list(compositions)
    offered = {str(_dict(_dict(d.get("spec")).get("names")).get("kind") or "") for d in definitions} - {""}
    implemented = {str(_dict(_dict(c.get("spec")).get("compositeTypeRef")).get("kind") or "") for c in compositions}
    return {
        "definitions": len(definitions),
        "claimable": sum(bool(_dict(_dict(d.get("spec")).get("claimNames")).get("kind")) for d in definitions),
        "compositions": len(compositions),
        "implemented": len(offered & implemented),
    }


# What a claim's API may be called: a DNS subdomain with a dot for the group (the XRD's own
# rule), a lower-case plural, a Kubernetes version. They become part of a request path, so
# anything else in an XRD is not used (no "../secrets" through a crafted definition).
_GROUP = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+")
_PLURAL = re.compile(r"[a-z][a-z0-9]{0,62}")
_VERSION = re.compile(r"v[0-9]+((alpha|beta)[0-9]+)?")


def claim_apis(definitions: Iterable[Obj]) -> list[tuple[str, str, str]]:
    """(group, version, plural) of the claims each XRD with claim names offers, at its
    referenceable version (else its first served one); well-formed ones only."""
    found = set()
    for definition in definitions:
        spec = _dict(definition.get("spec"))
        plural, group = _dict(spec.get("claimNames")).get("plural"), spec.get("group")
        served = [_dict(v) for v in _list(spec.get("versions")) if _dict(v).get("served") is True]
        chosen = next((v for v in served if v.get("referenceable") is True), served[0] if served else None)
        version = chosen.get("name") if chosen is not None else None
        if all(isinstance(value, str) and pattern.fullmatch(value)
               for value, pattern in ((group, _GROUP), (version, _VERSION), (plural, _PLURAL))):
            found.add((str(group), str(version), str(plural)))
    return sorted(found)


def namespace_claims(namespaces: Iterable[str], claims: Iterable[Obj]) -> dict[str, dict[str, Any]]:
    """platform.claims of every tenant namespace, by name: the Crossplane claims it holds, and of which kinds."""
    kinds: dict[str, list[str]] = {name: [] for name in namespaces}
    for claim in claims:
        if (held := kinds.get(_namespace(claim))) is not None:
            held.append(str(claim.get("kind") or ""))
    return {name: {"claims": len(held), "kinds": sorted(set(held) - {""})} for name, held in kinds.items()}


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
        mode = _dict(spec.get("driftDetection")).get("mode")  # "warn" detects drift, "enabled" also corrects it
        found.append({"automated": on, "self_heal": on and mode == "enabled", "prune": on, "in_sync": _ready(item),
                      "drift_detection": on and mode in ("enabled", "warn")})
    return found


def reconciliation(
    objects: list[dict[str, bool]], controllers: list[str], not_served: list[str], application_sets: int = 0
) -> dict[str, Any]:
    """gitops.reconciliation over every Argo CD Application and Flux object read."""
    return {
        "controllers": controllers,
        "not_served": sorted(not_served),
        "applications": len(objects),
        "application_sets": application_sets,
        "drift_detection": sum(item.get("drift_detection", False) for item in objects),
        **{field: sum(item[field] for item in objects) for field in ("automated", "self_heal", "prune", "in_sync")},
        "self_heal_share": share(sum(item["self_heal"] for item in objects), len(objects)),
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


def _tools(monitors: Iterable[Obj] | None, instrumentations: Iterable[Obj] | None) -> list[str]:
    return [tool for tool, served in (("prometheus_operator", monitors), ("opentelemetry", instrumentations)) if served is not None]


def namespace_observability(
    namespaces: Iterable[Obj], monitors: Iterable[Obj] | None, rules: Iterable[Obj] | None,
    instrumentations: Iterable[Obj] | None,
) -> dict[str, dict[str, Any]]:
    """observability.namespace of every tenant namespace, by name (None: the API is not served)."""
    tools = _tools(monitors, instrumentations)
    monitored = _covered(monitors or [])
    alerted = {namespace for namespace, _ in _alert_rules(rules or [])}
    instrumented = {_namespace(item) for item in instrumentations or []}
    return {
        name: {"tools": tools, "monitored": name in monitored, "alerted": name in alerted, "instrumented": name in instrumented}
        for name in tenant_namespaces(namespaces)
    }


def observability_coverage(
    namespaces: Iterable[Obj], monitors: Iterable[Obj] | None, rules: Iterable[Obj] | None,
    instrumentations: Iterable[Obj] | None, not_served: list[str],
) -> dict[str, Any]:
    """observability.coverage: tenant namespaces scraped (ServiceMonitor / PodMonitor), alerted
    on (PrometheusRule alerts), auto-instrumented (OpenTelemetry Instrumentation); None: not served."""
    rules = list(rules or [])
    found = namespace_observability(namespaces, monitors, rules, instrumentations).values()
    alerts = _alert_rules(rules)
    return {
        "tools": _tools(monitors, instrumentations),
        "not_served": sorted(not_served),
        "namespaces": len(found),
        "monitored": sum(ns["monitored"] for ns in found),
        "alerted": sum(ns["alerted"] for ns in found),
        "alert_rules": len(alerts),
        "predictive_alerts": sum(bool(_PREDICTIVE.search(expr)) for _, expr in alerts),
        "instrumented": sum(ns["instrumented"] for ns in found),
    }
