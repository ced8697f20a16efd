"""Objects in the API's shapes (full objects, with kind and apiVersion; the server strips them from
built-in list items). tests/contract/kubernetes checks each built-in one against the typed
client models and kubernetes-validate's strict schemas."""

from __future__ import annotations

import hashlib
import json
from typing import Any

CREATED = "2026-11-02T10:00:00Z"


def metadata(name: str, namespace: str | None = None, labels: dict[str, str] | None = None) -> dict[str, Any]:
    uid = hashlib.md5(f"{namespace}/{name}".encode()).hexdigest()
    meta: dict[str, Any] = {
        "name": name,
        "uid": f"{uid[:8]}-{uid[8:12]}-{uid[12:16]}-{uid[16:20]}-{uid[20:]}",
        "resourceVersion": "4711",
        "creationTimestamp": CREATED,
    }
    if namespace is not None:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = labels
    return meta


def namespace(name: str, pod_security: str | None = None) -> dict[str, Any]:
    labels = {"kubernetes.io/metadata.name": name}
    if pod_security:
        labels["pod-security.kubernetes.io/enforce"] = pod_security
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": metadata(name, labels=labels),
            "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}


def resource_quota(ns: str) -> dict[str, Any]:
    hard = {"requests.cpu": "4", "requests.memory": "8Gi", "pods": "50"}
    return {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": metadata("team-quota", ns),
            "spec": {"hard": hard}, "status": {"hard": hard, "used": {"requests.cpu": "500m", "requests.memory": "1Gi", "pods": "3"}}}


def limit_range(ns: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "LimitRange", "metadata": metadata("defaults", ns),
            "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m", "memory": "512Mi"},
                                 "defaultRequest": {"cpu": "100m", "memory": "128Mi"}}]}}


def default_deny(ns: str) -> dict[str, Any]:
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": metadata("default-deny", ns),
            "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}


def allow_web(ns: str) -> dict[str, Any]:
    """Not a default deny: it selects some pods and lets traffic in."""
    return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": metadata("allow-web", ns),
            "spec": {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress"],
                     "ingress": [{"ports": [{"protocol": "TCP", "port": 8080}]}]}}


def cluster_role(name: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": metadata(name), "rules": rules}


def role(ns: str, name: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": metadata(name, ns), "rules": rules}


EVERYTHING = [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}, {"nonResourceURLs": ["*"], "verbs": ["*"]}]
READ_PODS = [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}]


def subject(kind: str, name: str, ns: str | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"kind": kind, "name": name}
    if kind == "ServiceAccount":
        found["namespace"] = ns or "default"
    else:
        found["apiGroup"] = "rbac.authorization.k8s.io"
    return found


def cluster_role_binding(name: str, role_name: str, subjects: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": metadata(name),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role_name},
            "subjects": subjects}


def role_binding(ns: str, name: str, role_kind: str, role_name: str, subjects: list[dict[str, Any]]) -> dict[str, Any]:
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": metadata(name, ns),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": role_kind, "name": role_name},
            "subjects": subjects}


def admission_policy(name: str) -> dict[str, Any]:
    return {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicy", "metadata": metadata(name),
            "spec": {"failurePolicy": "Fail",
                     "matchConstraints": {"resourceRules": [{"apiGroups": ["apps"], "apiVersions": ["v1"],
                                                             "operations": ["CREATE", "UPDATE"], "resources": ["deployments"]}]},
                     "validations": [{"expression": "object.spec.replicas <= 5", "message": "at most 5 replicas"}]}}


def admission_policy_binding(name: str, policy: str, actions: list[str]) -> dict[str, Any]:
    return {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingAdmissionPolicyBinding",
            "metadata": metadata(name), "spec": {"policyName": policy, "validationActions": actions}}


def kyverno_policy(name: str, *, ns: str | None = None, action: str | None = None, rules: tuple[str, ...] = ("validate",)) -> dict[str, Any]:
    """A Kyverno ClusterPolicy (or a Policy in `ns`) with one rule per entry of `rules`
    (validate, validate-enforce, mutate, generate); `action` is the legacy policy-wide
    validationFailureAction."""
    built = []
    for index, rule in enumerate(rules):
        match = {"any": [{"resources": {"kinds": ["Pod"]}}]}
        entry: dict[str, Any] = {"name": f"rule-{index}", "match": match}
        if rule.startswith("validate"):
            entry["validate"] = {"message": "images must come from the registry", "pattern": {"spec": {"containers": [{"image": "registry.acme.example/*"}]}}}
            if rule == "validate-enforce":
                entry["validate"]["failureAction"] = "Enforce"
        elif rule == "mutate":
            entry["mutate"] = {"patchStrategicMerge": {"metadata": {"labels": {"team": "{{request.namespace}}"}}}}
        elif rule == "generate":
            entry["generate"] = {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "name": "default-deny",
                                 "namespace": "{{request.object.metadata.name}}", "synchronize": True,
                                 "data": {"spec": {"podSelector": {}, "policyTypes": ["Ingress"]}}}
        built.append(entry)
    spec: dict[str, Any] = {"background": True, "rules": built}
    if action:
        spec["validationFailureAction"] = action
    return {"apiVersion": "kyverno.io/v1", "kind": "Policy" if ns else "ClusterPolicy", "metadata": metadata(name, ns), "spec": spec}


def workload(kind: str, ns: str, name: str, labels: dict[str, str] | None = None, annotations: dict[str, str] | None = None) -> dict[str, Any]:
    """A Deployment, StatefulSet or DaemonSet whose pod template carries an environment value: the
    collector reads workloads by metadata only, so `ENV_VALUE` must never reach it."""
    meta = metadata(name, ns, {"app": name, **(labels or {})})
    if annotations:
        meta["annotations"] = annotations
    template = {"metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": name, "image": f"registry.acme.example/{name}:1.0",
                                         "env": [{"name": "DATABASE_PASSWORD", "value": ENV_VALUE}]}]}}
    spec: dict[str, Any] = {"selector": {"matchLabels": {"app": name}}, "template": template}
    if kind != "DaemonSet":  # one pod per node: no replicas
        spec["replicas"] = 2
    if kind == "StatefulSet":
        spec["serviceName"] = name
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": meta, "spec": spec}


ENV_VALUE = "env-value-canary-5d0c2b"


def kubectl_applied(obj: dict[str, Any]) -> dict[str, Any]:
    """`obj` as `kubectl apply` leaves it: its manifest, as applied, in the last-applied annotation."""
    applied = json.dumps(obj, separators=(",", ":"), sort_keys=True)
    obj["metadata"].setdefault("annotations", {})["kubectl.kubernetes.io/last-applied-configuration"] = applied + "\n"
    return obj


def autoscaler(ns: str, kind: str, target: str) -> dict[str, Any]:
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": metadata(target, ns),
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": kind, "name": target},
                     "minReplicas": 2, "maxReplicas": 10,
                     "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]}}


def argo_application(name: str, *, automated: bool = True, self_heal: bool = False, prune: bool = False, synced: bool = True) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "project": "default",
        "source": {"repoURL": "https://git.acme.example/platform/deploy.git", "path": f"apps/{name}", "targetRevision": "main"},
        "destination": {"server": "https://kubernetes.default.svc", "namespace": name},
    }
    if automated:
        spec["syncPolicy"] = {"automated": {"selfHeal": self_heal, "prune": prune}}
    status = {"sync": {"status": "Synced" if synced else "OutOfSync", "revision": "4f1c2d"}, "health": {"status": "Healthy"}}
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": metadata(name, "argocd"), "spec": spec, "status": status}


def _ready_status(ready: bool) -> dict[str, Any]:
    return {"conditions": [{"type": "Ready", "status": "True" if ready else "False", "reason": "ReconciliationSucceeded" if ready else "BuildFailed",
                            "message": "Applied revision: main@sha1:4f1c2d", "lastTransitionTime": CREATED, "observedGeneration": 1}]}


def flux_kustomization(name: str, *, prune: bool = True, suspend: bool = False, ready: bool = True) -> dict[str, Any]:
    spec = {"interval": "10m", "path": f"./apps/{name}", "prune": prune, "suspend": suspend,
            "sourceRef": {"kind": "GitRepository", "name": "platform"}}
    return {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization", "metadata": metadata(name, "flux-system"),
            "spec": spec, "status": _ready_status(ready)}


def flux_helm_release(name: str, *, drift_detection: bool = False) -> dict[str, Any]:
    spec: dict[str, Any] = {"interval": "30m", "chart": {"spec": {"chart": name, "version": "1.x",
                                                                  "sourceRef": {"kind": "HelmRepository", "name": "charts"}}}}
    if drift_detection:
        spec["driftDetection"] = {"mode": "enabled"}
    return {"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease", "metadata": metadata(name, "flux-system"),
            "spec": spec, "status": _ready_status(True)}


def service_monitor(ns: str, name: str, match_namespaces: list[str] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"selector": {"matchLabels": {"app": name}}, "endpoints": [{"port": "metrics", "interval": "30s"}]}
    if match_namespaces:
        spec["namespaceSelector"] = {"matchNames": match_namespaces}
    return {"apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor", "metadata": metadata(name, ns), "spec": spec}


def pod_monitor(ns: str, name: str) -> dict[str, Any]:
    return {"apiVersion": "monitoring.coreos.com/v1", "kind": "PodMonitor", "metadata": metadata(name, ns),
            "spec": {"selector": {"matchLabels": {"app": name}}, "podMetricsEndpoints": [{"port": "metrics"}]}}


def prometheus_rule(ns: str, name: str, alerts: dict[str, str], records: int = 0) -> dict[str, Any]:
    rules: list[dict[str, Any]] = [{"record": f"job:requests:rate{i}m", "expr": "sum by (job) (rate(http_requests_total[5m]))"} for i in range(records)]
    rules += [{"alert": alert, "expr": expr, "for": "10m", "labels": {"severity": "page"},
               "annotations": {"summary": f"{alert} on {{{{ $labels.instance }}}}"}} for alert, expr in alerts.items()]
    return {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule", "metadata": metadata(name, ns),
            "spec": {"groups": [{"name": name, "rules": rules}]}}


def instrumentation(ns: str) -> dict[str, Any]:
    return {"apiVersion": "opentelemetry.io/v1alpha1", "kind": "Instrumentation", "metadata": metadata("default", ns),
            "spec": {"exporter": {"endpoint": "http://otel-collector.observability:4317"},
                     "propagators": ["tracecontext", "baggage"], "sampler": {"type": "parentbased_traceidratio", "argument": "0.25"}}}


def validating_webhooks(name: str, service_namespace: str, failure_policies: list[str | None]) -> dict[str, Any]:
    """A ValidatingWebhookConfiguration with one webhook per entry (None: failurePolicy left out)."""
    hooks = []
    for index, policy in enumerate(failure_policies):
        hook: dict[str, Any] = {
            "name": f"validate-{index}.{name}.acme.example",
            "clientConfig": {"service": {"namespace": service_namespace, "name": name, "path": "/validate", "port": 443}},
            "rules": [{"apiGroups": ["*"], "apiVersions": ["*"], "operations": ["CREATE", "UPDATE"], "resources": ["*"], "scope": "*"}],
            "sideEffects": "None",
            "admissionReviewVersions": ["v1"],
            "timeoutSeconds": 10,
        }
        if policy:
            hook["failurePolicy"] = policy
        hooks.append(hook)
    return {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration", "metadata": metadata(name), "webhooks": hooks}


def policy_exception(ns: str, name: str, rules: dict[str, list[str]]) -> dict[str, Any]:
    """A Kyverno PolicyException letting `name`'s Deployment off each policy's listed rules."""
    return {"apiVersion": "kyverno.io/v2", "kind": "PolicyException", "metadata": metadata(name, ns),
            "spec": {"exceptions": [{"policyName": policy, "ruleNames": names} for policy, names in rules.items()],
                     "match": {"any": [{"resources": {"kinds": ["Deployment"], "names": [name], "namespaces": [ns]}}]}}}


def disruption_budget(ns: str, app: str) -> dict[str, Any]:
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": metadata(app, ns),
            "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": app}}}}


def scaled_object(ns: str, target: str, kind: str | None = None) -> dict[str, Any]:
    """A KEDA ScaledObject; without `kind`, its target is a Deployment (KEDA's default)."""
    ref: dict[str, Any] = {"name": target}
    if kind:
        ref.update(apiVersion="apps/v1", kind=kind)
    return {"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject", "metadata": metadata(target, ns),
            "spec": {"scaleTargetRef": ref, "minReplicaCount": 1, "maxReplicaCount": 20,
                     "triggers": [{"type": "prometheus", "metadata": {"serverAddress": "http://prometheus.monitoring:9090",
                                                                      "query": "sum(rate(http_requests_total[2m]))", "threshold": "100"}}]}}


def vertical_autoscaler(ns: str, kind: str, target: str, mode: str = "Auto") -> dict[str, Any]:
    return {"apiVersion": "autoscaling.k8s.io/v1", "kind": "VerticalPodAutoscaler", "metadata": metadata(target, ns),
            "spec": {"targetRef": {"apiVersion": "apps/v1", "kind": kind, "name": target}, "updatePolicy": {"updateMode": mode}}}


def constraint_template(kind: str) -> dict[str, Any]:
    rego = f"package {kind.lower()}\n\nviolation[{{\"msg\": msg}}] {{\n  false\n  msg := \"never\"\n}}\n"
    return {"apiVersion": "templates.gatekeeper.sh/v1", "kind": "ConstraintTemplate", "metadata": metadata(kind.lower()),
            "spec": {"crd": {"spec": {"names": {"kind": kind},
                                      "validation": {"openAPIV3Schema": {"type": "object", "properties": {"labels": {"type": "array", "items": {"type": "string"}}}}}}},
                     "targets": [{"target": "admission.k8s.gatekeeper.sh", "rego": rego}]},
            "status": {"created": True, "byPod": [{"id": "gatekeeper-audit-7d9f", "observedGeneration": 1}]}}


def constraint(kind: str, name: str, action: str | None = None, violations: int = 0) -> dict[str, Any]:
    """A Gatekeeper constraint of `kind`; without `action`, Gatekeeper denies (its default)."""
    spec: dict[str, Any] = {"match": {"kinds": [{"apiGroups": [""], "kinds": ["Namespace"]}]}, "parameters": {"labels": ["team"]}}
    if action:
        spec["enforcementAction"] = action
    return {"apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": kind, "metadata": metadata(name), "spec": spec,
            "status": {"auditTimestamp": CREATED, "totalViolations": violations,
                       "violations": [{"enforcementAction": action or "deny", "kind": "Namespace", "message": "you must provide labels: {\"team\"}",
                                       "name": f"ns-{index}", "version": "v1"} for index in range(violations)]}}


def policy_report(ns: str | None, name: str, passed: int, failed: int) -> dict[str, Any]:
    """A PolicyReport in `ns` (a ClusterPolicyReport without), as Kyverno's background scan writes them."""
    results = [{"policy": "require-labels", "rule": "check-team", "result": "fail" if index < failed else "pass",
                "source": "kyverno", "scored": True, "severity": "medium",
                "timestamp": {"seconds": 1793613600, "nanos": 0}} for index in range(passed + failed)]
    return {"apiVersion": "wgpolicyk8s.io/v1alpha2", "kind": "PolicyReport" if ns else "ClusterPolicyReport",
            "metadata": metadata(name, ns), "scope": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name, **({"namespace": ns} if ns else {})},
            "results": results, "summary": {"pass": passed, "fail": failed, "warn": 0, "error": 0, "skip": 0}}


def open_report(ns: str | None, name: str, passed: int, failed: int) -> dict[str, Any]:
    """The same report in OpenReports' group: a Report in `ns` (a ClusterReport without), as Kyverno 1.15 writes them."""
    report = policy_report(ns, name, passed, failed)
    return {**report, "apiVersion": "openreports.io/v1alpha1", "kind": "Report" if ns else "ClusterReport", "source": "kyverno"}


def application_set(name: str, apps: list[str]) -> dict[str, Any]:
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet", "metadata": metadata(name, "argocd"),
            "spec": {"goTemplate": True, "generators": [{"list": {"elements": [{"app": app} for app in apps]}}],
                     "template": {"metadata": {"name": "{{.app}}"},
                                  "spec": {"project": "default",
                                           "source": {"repoURL": "https://git.acme.example/platform/deploy.git", "path": "apps/{{.app}}", "targetRevision": "main"},
                                           "destination": {"server": "https://kubernetes.default.svc", "namespace": "{{.app}}"},
                                           "syncPolicy": {"automated": {"selfHeal": True, "prune": True}}}}}}


def composite_definition(kind: str, plural: str, claim: str | None) -> dict[str, Any]:
    """A Crossplane XRD of `kind` in platform.acme.example; `claim`: the kind teams request it by."""
    spec: dict[str, Any] = {"group": "platform.acme.example", "names": {"kind": kind, "plural": plural},
                            "versions": [{"name": "v1alpha1", "served": True, "referenceable": True,
                                          "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {"type": "object", "properties": {
                                              "size": {"type": "string", "enum": ["small", "large"]}}}}}}}]}
    if claim:
        spec["claimNames"] = {"kind": claim, "plural": claim.lower() + "s"}
    return {"apiVersion": "apiextensions.crossplane.io/v1", "kind": "CompositeResourceDefinition", "metadata": metadata(f"{plural}.platform.acme.example"), "spec": spec}


def claim(ns: str, name: str, size: str = "small") -> dict[str, Any]:
    """A claim of the sample XRD's claim kind (Database), as a team asks the platform for a database."""
    return {"apiVersion": "platform.acme.example/v1alpha1", "kind": "Database", "metadata": metadata(name, ns),
            "spec": {"size": size, "compositionRef": {"name": "database-aws"}, "writeConnectionSecretToRef": {"name": f"{name}-db"}}}


def composition(name: str, composite_kind: str) -> dict[str, Any]:
    return {"apiVersion": "apiextensions.crossplane.io/v1", "kind": "Composition", "metadata": metadata(name),
            "spec": {"compositeTypeRef": {"apiVersion": "platform.acme.example/v1alpha1", "kind": composite_kind}, "mode": "Pipeline",
                     "pipeline": [{"step": "patch-and-transform", "functionRef": {"name": "function-patch-and-transform"},
                                   "input": {"apiVersion": "pt.fn.crossplane.io/v1beta1", "kind": "Resources", "resources": []}}]}}
