"""The fake cluster speaks the API's shapes: its lists deserialise through the client's typed
methods (pydantic models that reject missing or mistyped fields), and every built-in object it
serves passes kubernetes-validate's strict schemas."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
from kubernetes import client
from kubernetes.config import new_client_from_config

from collectors.kubernetes.resources import READ
from tests.fakes.kubernetes.fixtures import write_kubeconfig
from tests.fakes.kubernetes.samples import READER_TOKEN, sample_cluster
from tests.fakes.kubernetes.server import FakeKubernetes

KUBERNETES_VERSION = "1.35"
CUSTOM_GROUPS = {
    "kyverno.io", "argoproj.io", "kustomize.toolkit.fluxcd.io", "helm.toolkit.fluxcd.io", "monitoring.coreos.com", "opentelemetry.io",
    "templates.gatekeeper.sh", "constraints.gatekeeper.sh", "wgpolicyk8s.io", "openreports.io", "keda.sh", "autoscaling.k8s.io", "apiextensions.crossplane.io",
    "platform.acme.example",  # claims of the sample's XRD: checked against its schema
}  # no schema in kubernetes-validate: test_custom_resource_schemas checks them against their projects' CRDs

def _custom(api: client.ApiClient, group: str, version: str, plural: str) -> Any:
    return client.CustomObjectsApi(api).list_cluster_custom_object(group, version, plural)


TYPED: dict[str, Callable[[client.ApiClient], Any]] = {
    "namespaces": lambda api: client.CoreV1Api(api).list_namespace(limit=2),
    "resourcequotas": lambda api: client.CoreV1Api(api).list_resource_quota_for_all_namespaces(),
    "limitranges": lambda api: client.CoreV1Api(api).list_limit_range_for_all_namespaces(),
    "networkpolicies": lambda api: client.NetworkingV1Api(api).list_network_policy_for_all_namespaces(),
    "clusterroles": lambda api: client.RbacAuthorizationV1Api(api).list_cluster_role(),
    "roles": lambda api: client.RbacAuthorizationV1Api(api).list_role_for_all_namespaces(),
    "clusterrolebindings": lambda api: client.RbacAuthorizationV1Api(api).list_cluster_role_binding(),
    "rolebindings": lambda api: client.RbacAuthorizationV1Api(api).list_role_binding_for_all_namespaces(),
    "validatingadmissionpolicies": lambda api: client.AdmissionregistrationV1Api(api).list_validating_admission_policy(),
    "validatingadmissionpolicybindings": lambda api: client.AdmissionregistrationV1Api(api).list_validating_admission_policy_binding(),
    "deployments": lambda api: client.AppsV1Api(api).list_deployment_for_all_namespaces(),
    "statefulsets": lambda api: client.AppsV1Api(api).list_stateful_set_for_all_namespaces(),
    "horizontalpodautoscalers": lambda api: client.AutoscalingV2Api(api).list_horizontal_pod_autoscaler_for_all_namespaces(),
    "validatingwebhookconfigurations": lambda api: client.AdmissionregistrationV1Api(api).list_validating_webhook_configuration(),
    "clusterpolicies": lambda api: client.CustomObjectsApi(api).list_cluster_custom_object("kyverno.io", "v1", "clusterpolicies"),
    "policies": lambda api: client.CustomObjectsApi(api).list_cluster_custom_object("kyverno.io", "v1", "policies"),
    "applications": lambda api: client.CustomObjectsApi(api).list_cluster_custom_object("argoproj.io", "v1alpha1", "applications"),
    "kustomizations": lambda api: client.CustomObjectsApi(api).list_cluster_custom_object(
        "kustomize.toolkit.fluxcd.io", "v1", "kustomizations"
    ),
    "servicemonitors": lambda api: client.CustomObjectsApi(api).list_cluster_custom_object("monitoring.coreos.com", "v1", "servicemonitors"),
    "podmonitors": lambda api: client.CustomObjectsApi(api).list_cluster_custom_object("monitoring.coreos.com", "v1", "podmonitors"),
    "prometheusrules": lambda api: client.CustomObjectsApi(api).list_cluster_custom_object("monitoring.coreos.com", "v1", "prometheusrules"),
    "instrumentations": lambda api: client.CustomObjectsApi(api).list_cluster_custom_object("opentelemetry.io", "v1alpha1", "instrumentations"),
    "helmreleases": lambda api: client.CustomObjectsApi(api).list_cluster_custom_object("helm.toolkit.fluxcd.io", "v2", "helmreleases"),
    "daemonsets": lambda api: client.AppsV1Api(api).list_daemon_set_for_all_namespaces(),
    "poddisruptionbudgets": lambda api: client.PolicyV1Api(api).list_pod_disruption_budget_for_all_namespaces(),
    "policyexceptions": lambda api: _custom(api, "kyverno.io", "v2", "policyexceptions"),
    "constrainttemplates": lambda api: _custom(api, "templates.gatekeeper.sh", "v1", "constrainttemplates"),
    "*": lambda api: _custom(api, "constraints.gatekeeper.sh", "v1beta1", "k8srequiredlabels"),  # one resource per kind
    "policyreports": lambda api: _custom(api, "wgpolicyk8s.io", "v1alpha2", "policyreports"),
    "clusterpolicyreports": lambda api: _custom(api, "wgpolicyk8s.io", "v1alpha2", "clusterpolicyreports"),
    "reports": lambda api: _custom(api, "openreports.io", "v1alpha1", "reports"),
    "clusterreports": lambda api: _custom(api, "openreports.io", "v1alpha1", "clusterreports"),
    "applicationsets": lambda api: _custom(api, "argoproj.io", "v1alpha1", "applicationsets"),
    "scaledobjects": lambda api: _custom(api, "keda.sh", "v1alpha1", "scaledobjects"),
    "verticalpodautoscalers": lambda api: _custom(api, "autoscaling.k8s.io", "v1", "verticalpodautoscalers"),
    "compositeresourcedefinitions": lambda api: _custom(api, "apiextensions.crossplane.io", "v1", "compositeresourcedefinitions"),
    "compositions": lambda api: _custom(api, "apiextensions.crossplane.io", "v1", "compositions"),
}


@pytest.fixture
def api(fake_kubernetes: FakeKubernetes, tmp_path: Path) -> client.ApiClient:
    path = write_kubeconfig(tmp_path / "kubeconfig", fake_kubernetes, {"prod": READER_TOKEN})
    return new_client_from_config(config_file=str(path), context="prod", persist_config=False)


def test_every_resource_the_collector_reads_has_a_typed_check() -> None:
    assert {resource.plural for resource in READ} == set(TYPED)



@pytest.mark.parametrize("plural", sorted(TYPED))
def test_lists_deserialise_through_the_typed_client(api: client.ApiClient, plural: str) -> None:
    answer = TYPED[plural](api)
    items = answer["items"] if isinstance(answer, dict) else answer.items
    assert items, plural
    if isinstance(answer, dict):  # custom resources keep kind and apiVersion per item
        assert all(item["apiVersion"].split("/")[0] in CUSTOM_GROUPS and item["kind"] for item in items)


def test_the_typed_client_pages_with_the_continue_token(api: client.ApiClient) -> None:
    core = client.CoreV1Api(api)
    first = core.list_namespace(limit=3)
    second = core.list_namespace(limit=3, _continue=first.metadata.var_continue)
    assert first.metadata.remaining_item_count == 4 and len(second.items) == 3
    assert {ns.metadata.name for ns in first.items}.isdisjoint(ns.metadata.name for ns in second.items)


def test_every_built_in_object_passes_the_strict_schemas() -> None:
    checked = 0
    for (group, _plural), objects in sample_cluster().objects.items():
        if group in CUSTOM_GROUPS:
            continue
        for obj in objects:
            assert kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True) == KUBERNETES_VERSION
            checked += 1
    assert checked > 20


def test_the_schemas_would_catch_a_broken_fixture() -> None:
    broken = next(iter(sample_cluster().objects[("rbac.authorization.k8s.io", "clusterrolebindings")]))
    del broken["roleRef"]
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, KUBERNETES_VERSION, strict=True)


def test_metadata_only_lists_carry_typed_metadata_and_nothing_else(api: client.ApiClient) -> None:
    # The client has no PartialObjectMetadata model: check its parts with ObjectMeta and ListMeta.
    answer = client.AppsV1Api(api).list_deployment_for_all_namespaces(
        _headers={"Accept": "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"}, _preload_content=False
    )
    page = json.loads(answer.data)
    assert (page["kind"], page["apiVersion"]) == ("PartialObjectMetadataList", "meta.k8s.io/v1")
    api.deserialize(json.dumps(page["metadata"]), "V1ListMeta", "application/json")
    for item in page["items"]:
        assert set(item) == {"kind", "apiVersion", "metadata"} and item["kind"] == "PartialObjectMetadata"
        assert api.deserialize(json.dumps(item["metadata"]), "V1ObjectMeta", "application/json").name
    assert len(page["items"]) == 6


@pytest.mark.parametrize("unchanging", [False, True])
def test_lists_come_compact_as_kube_apiserver_writes_them_and_the_same_page_twice(
    fake_kubernetes: FakeKubernetes, api: client.ApiClient, unchanging: bool
) -> None:
    # Pretty-printed, a list is about twice the bytes for the client to read: a benchmark would
    # measure the fake's whitespace. An unchanging state (benchmarks) serves each page encoded once.
    fake_kubernetes.state.unchanging = unchanging
    first, again = (client.AppsV1Api(api).list_deployment_for_all_namespaces(limit=4, _preload_content=False).data for _ in range(2))
    assert first == again and b"\n" not in first and b'":"' in first
    assert [item["metadata"]["name"] for item in json.loads(first)["items"]] == ["api", "worker", "indexer", "try-me"]


def test_the_rules_review_answers_in_the_typed_clients_shape(api: client.ApiClient) -> None:
    body = client.V1SelfSubjectRulesReview(spec=client.V1SelfSubjectRulesReviewSpec(namespace="default"))
    answer = client.AuthorizationV1Api(api).create_self_subject_rules_review(body, _preload_content=False)
    review = json.loads(answer.data)
    assert kubernetes_validate.validate(review, KUBERNETES_VERSION, strict=True) == KUBERNETES_VERSION
    typed = api.deserialize(answer.data.decode(), "V1SelfSubjectRulesReview", "application/json")
    assert typed.status.incomplete is False and typed.status.resource_rules[0].verbs == ["*"]
