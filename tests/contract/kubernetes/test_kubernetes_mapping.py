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
