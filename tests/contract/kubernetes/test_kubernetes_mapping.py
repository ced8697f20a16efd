"""collectors.kubernetes.mapping on hand-written objects: the cases the sample cluster does not show."""

from __future__ import annotations

from collectors.kubernetes import mapping


def test_a_disabled_automated_sync_is_not_automated() -> None:
    app = {"spec": {"syncPolicy": {"automated": {"enabled": False, "selfHeal": True, "prune": True}}}}
    assert mapping.argo_applications([app]) == [{"automated": False, "self_heal": False, "prune": False, "in_sync": False}]


def test_kyverno_rule_actions_override_the_legacy_policy_action() -> None:
    policy = {"spec": {"validationFailureAction": "Enforce", "rules": [{"validate": {"failureAction": "Audit"}}]}}
    assert mapping.kyverno_policy_effects([policy]) == [{"audit"}]


def test_a_wildcard_on_one_group_only_is_not_admin() -> None:
    narrow = {"metadata": {"name": "apps-admin"}, "rules": [{"apiGroups": ["apps"], "resources": ["*"], "verbs": ["*"]}]}
    binding = {"roleRef": {"kind": "ClusterRole", "name": "apps-admin"}, "subjects": [{"kind": "User", "name": "dave"}]}
    data = mapping.admin_grants([narrow], [], [binding], [])
    assert (data["admin_roles"], data["to_users"], data["user_bindings"]) == ([], 0, 1)


def test_a_network_policy_selecting_some_pods_or_letting_traffic_in_is_no_default_deny() -> None:
    namespaces = [{"metadata": {"name": "a"}}, {"metadata": {"name": "b"}}]
    policies = [
        {"metadata": {"namespace": "a"}, "spec": {"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{}]}},
        {"metadata": {"namespace": "b"}, "spec": {"podSelector": {"matchLabels": {"x": "y"}}, "policyTypes": ["Ingress"]}},
    ]
    assert mapping.tenancy_guardrails(namespaces, [], [], policies)["with_default_deny"] == 0


def test_predictive_alerts_need_the_function_called() -> None:
    rules = [{"metadata": {"namespace": "a"}, "spec": {"groups": [{"rules": [
        {"alert": "A", "expr": "predict_linear(x[1h], 3600) < 0"},
        {"alert": "B", "expr": 'up{job="predict_linear_exporter"} == 0'},
        {"record": "r", "expr": "holt_winters(x[1h], 0.5, 0.5)"},
    ]}]}}]
    data = mapping.observability_coverage([{"metadata": {"name": "a"}}], [], rules, None, ["opentelemetry"])
    assert (data["alert_rules"], data["predictive_alerts"], data["alerted"]) == (2, 1, 1)


def test_a_constraint_kind_that_is_no_kubernetes_name_is_never_used_in_a_path() -> None:
    def template(kind: object) -> dict[str, object]:
        return {"spec": {"crd": {"spec": {"names": {"kind": kind}}}}}

    kinds = [template("K8sRequiredLabels"), template("../../api/v1/secrets"), template("A?watch=1"), template(7), {"spec": "x"}]
    assert mapping.constraint_template_kinds(kinds) == ["K8sRequiredLabels"]


def _definition(group: object, plural: object, versions: list[dict[str, object]]) -> dict[str, object]:
    return {"spec": {"group": group, "names": {"kind": "XThing", "plural": "xthings"},
                     "claimNames": {"kind": "Thing", "plural": plural}, "versions": versions}}


def test_claim_apis_take_the_referenceable_version_and_never_a_crafted_path() -> None:
    versions = [{"name": "v1alpha1", "served": True, "referenceable": False},
                {"name": "v1beta1", "served": True, "referenceable": True}, {"name": "v1", "served": False}]
    definitions = [
        _definition("platform.acme.example", "things", versions),
        _definition("../../api/v1", "secrets", versions),  # not a group name
        _definition("platform.acme.example", "things/../../secrets", versions),
        _definition("platform.acme.example", "widgets", [{"name": "v1", "served": False, "referenceable": True}]),  # nothing served
        {"spec": {"group": "platform.acme.example", "versions": versions}},  # no claim names: nothing to claim
    ]
    assert mapping.claim_apis(definitions) == [("platform.acme.example", "v1beta1", "things")]


def test_a_namespace_policy_count_splits_enforcing_from_audit_and_ignores_other_namespaces() -> None:
    enforce = {"metadata": {"namespace": "team"}, "spec": {"rules": [{"validate": {"failureAction": "Enforce"}}, {"mutate": {}}]}}
    audit = {"metadata": {"namespace": "team"}, "spec": {"rules": [{"validate": {}}]}}
    elsewhere = {"metadata": {"namespace": "kube-system"}, "spec": {"rules": [{"validate": {"failureAction": "Enforce"}}]}}
    found = mapping.namespace_policies(["team"], [enforce, audit, elsewhere], [], [], cluster_wide_enforcing=2)
    assert found["team"] == {
        "policies": 2, "enforcing": 1, "audit_only": 1, "mutating": 1, "generating": 0, "exceptions": 0,
        "cluster_wide_enforcing": 2, "policy_reports": 0, "report_results": 0, "report_failures": 0,
    }


def test_workload_metadata_of_the_wrong_types_is_read_as_absent_never_raised_on() -> None:
    workloads = [
        {"metadata": "not a mapping"},  # no namespace: the "" namespace's workload, unmarked
        {"metadata": {"namespace": 7, "name": 8, "labels": ["app.kubernetes.io/managed-by"], "annotations": None}},
        {"metadata": {"namespace": "team", "name": "api", "labels": {"app.kubernetes.io/managed-by": "Helm"}}},
        {"metadata": {"namespace": "team", "name": "web", "labels": {"app.kubernetes.io/instance": ""},
                      "annotations": {"argocd.argoproj.io/tracking-id": "web"}}},
        {"metadata": {"namespace": "kube-system", "name": "opencost"}},  # a system namespace: no tenant's
        {"metadata": {"namespace": "team", "name": "ingress", "labels": {"app.kubernetes.io/name": 3}}},
    ]
    targets = {"hpa": {("team", "Deployment", "api"), ("7", "Deployment", "8")}}
    tallies = mapping.WorkloadTallies(targets, [])
    tallies.add("Deployment", workloads[:5])
    tallies.add("DaemonSet", workloads[5:])
    assert {namespace: vars(tally) for namespace, tally in tallies.by_namespace.items()} == {
        "": {"workloads": 1, "autoscaled": 0, "autoscaled_by": {"hpa": 0}, "with_disruption_budget": 0,
             "gitops_managed": 0, "helm_managed": 0, "managed": 0, "daemonsets": 0, "daemonsets_managed": 0},
        "7": {"workloads": 1, "autoscaled": 1, "autoscaled_by": {"hpa": 1}, "with_disruption_budget": 0,
              "gitops_managed": 0, "helm_managed": 0, "managed": 0, "daemonsets": 0, "daemonsets_managed": 0},
        "team": {"workloads": 2, "autoscaled": 1, "autoscaled_by": {"hpa": 1}, "with_disruption_budget": 0,
                 "gitops_managed": 1, "helm_managed": 1, "managed": 2, "daemonsets": 1, "daemonsets_managed": 0},
    }
    assert tallies.cost_tools == {"opencost"}  # in any namespace, a system one too
