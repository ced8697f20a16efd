"""Every custom resource the fake serves (Kyverno, Gatekeeper, the Policy WG's and OpenReports' reports, KEDA, the
VPA, Argo CD, Flux, the Prometheus Operator, OpenTelemetry, Crossplane) validates against (the
parts the fake uses of) its project's published CRD schema, kept under
tests/fakes/kubernetes/crds/ (its README names the sources)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.fakes.kubernetes.samples import sample_cluster

CRDS = Path(__file__).resolve().parents[2] / "fakes" / "kubernetes" / "crds"
# (group, kind) -> (schema file, schema name)
SCHEMAS = {
    ("templates.gatekeeper.sh", "ConstraintTemplate"): ("gatekeeper.yaml", "ConstraintTemplate"),
    ("constraints.gatekeeper.sh", "K8sRequiredLabels"): ("gatekeeper.yaml", "Constraint"),
    ("constraints.gatekeeper.sh", "K8sAllowedRepos"): ("gatekeeper.yaml", "Constraint"),
    ("wgpolicyk8s.io", "PolicyReport"): ("policyreport.yaml", "PolicyReport"),
    ("wgpolicyk8s.io", "ClusterPolicyReport"): ("policyreport.yaml", "PolicyReport"),
    ("openreports.io", "Report"): ("openreports.yaml", "Report"),
    ("openreports.io", "ClusterReport"): ("openreports.yaml", "Report"),
    ("keda.sh", "ScaledObject"): ("keda.yaml", "ScaledObject"),
    ("autoscaling.k8s.io", "VerticalPodAutoscaler"): ("vpa.yaml", "VerticalPodAutoscaler"),
    ("argoproj.io", "ApplicationSet"): ("argocd.yaml", "ApplicationSet"),
    ("apiextensions.crossplane.io", "CompositeResourceDefinition"): ("crossplane.yaml", "CompositeResourceDefinition"),
    ("apiextensions.crossplane.io", "Composition"): ("crossplane.yaml", "Composition"),
    ("kyverno.io", "ClusterPolicy"): ("kyverno.yaml", "ClusterPolicy"),
    ("kyverno.io", "Policy"): ("kyverno.yaml", "ClusterPolicy"),
    ("kyverno.io", "PolicyException"): ("kyverno.yaml", "PolicyException"),
    ("argoproj.io", "Application"): ("argocd-application.yaml", "Application"),
    ("kustomize.toolkit.fluxcd.io", "Kustomization"): ("flux.yaml", "Kustomization"),
    ("helm.toolkit.fluxcd.io", "HelmRelease"): ("flux.yaml", "HelmRelease"),
    ("monitoring.coreos.com", "ServiceMonitor"): ("prometheus-operator.yaml", "ServiceMonitor"),
    ("monitoring.coreos.com", "PodMonitor"): ("prometheus-operator.yaml", "PodMonitor"),
    ("monitoring.coreos.com", "PrometheusRule"): ("prometheus-operator.yaml", "PrometheusRule"),
    ("opentelemetry.io", "Instrumentation"): ("opentelemetry.yaml", "Instrumentation"),
}
GROUPS = {group for group, _ in SCHEMAS}


def _schema(group: str, kind: str) -> dict[str, Any]:
    file, name = SCHEMAS[(group, kind)]
    schema: dict[str, Any] = yaml.safe_load((CRDS / file).read_text(encoding="utf-8"))[name]
    return schema


def _objects() -> list[dict[str, Any]]:
    return [
        obj
        for (group, _plural), objects in sample_cluster().objects.items()
        for obj in objects
        if group in GROUPS
    ]


def test_every_such_custom_resource_of_the_fake_has_a_schema() -> None:
    kinds = {(obj["apiVersion"].split("/")[0], obj["kind"]) for obj in _objects()}
    assert kinds == set(SCHEMAS)


@pytest.mark.parametrize("obj", _objects(), ids=lambda obj: f"{obj['kind']}/{obj['metadata']['name']}")
def test_the_custom_resource_validates_against_its_projects_crd_schema(obj: dict[str, Any]) -> None:
    jsonschema.Draft4Validator(_schema(obj["apiVersion"].split("/")[0], obj["kind"])).validate(obj)


@pytest.mark.parametrize(
    ("kind", "path", "value"),
    [
        ("ScaledObject", ("spec", "triggers"), None),  # KEDA requires triggers
        ("VerticalPodAutoscaler", ("spec", "updatePolicy", "updateMode"), "Sometimes"),  # not an update mode
        ("PolicyReport", ("summary", "fail"), "one"),  # counts are integers
        ("Report", ("results",), [{"rule": "check-team", "result": "fail"}]),  # a result names its policy
        ("Composition", ("spec", "compositeTypeRef"), None),  # a composition must name what it composes
        ("Kustomization", ("spec", "prune"), None),  # Flux v1 requires prune
        ("PrometheusRule", ("spec", "groups"), [{"name": "g", "rules": [{"alert": "A", "for": "5 minutes", "expr": "up == 0"}]}]),
        ("HelmRelease", ("spec", "driftDetection", "mode"), "always"),
    ],
)
def test_the_schemas_would_catch_a_broken_fixture(kind: str, path: tuple[str, ...], value: Any) -> None:
    obj = copy.deepcopy(next(o for o in _objects() if o["kind"] == kind))
    parent = obj
    for key in path[:-1]:
        parent = parent[key]
    if value is None:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(_schema(obj["apiVersion"].split("/")[0], kind)).validate(obj)


def test_every_claim_the_fake_serves_validates_against_its_xrds_schema() -> None:
    # A claim's schema is the one its CompositeResourceDefinition declares (Crossplane makes the
    # claim's CRD from it): the fake's claims must be what its XRDs allow.
    state = sample_cluster()
    schemas = {
        (definition["spec"]["group"], definition["spec"]["claimNames"]["kind"]): version["schema"]["openAPIV3Schema"]
        for definition in state.objects[("apiextensions.crossplane.io", "compositeresourcedefinitions")]
        if "claimNames" in definition["spec"]
        for version in definition["spec"]["versions"] if version["referenceable"]
    }
    claims = [obj for (group, _plural), objects in state.objects.items() for obj in objects if (obj.get("apiVersion", "").split("/")[0], obj.get("kind")) in schemas]
    assert claims
    for claim in claims:
        schema = schemas[(claim["apiVersion"].split("/")[0], claim["kind"])]
        jsonschema.Draft4Validator(schema).validate(claim)
        broken = copy.deepcopy(claim)
        broken["spec"]["size"] = "huge"  # not one of the XRD's sizes
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.Draft4Validator(schema).validate(broken)
