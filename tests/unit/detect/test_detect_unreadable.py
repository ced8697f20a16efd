"""Unreadable is unknown: a pipeline that cannot be parsed leaves CI unknown, binary content
never counts as a signal, and UTF-16 text with a byte-order mark is read."""

from __future__ import annotations

from textwrap import dedent

CI_KINDS = {"ci.pipelines", "ci.reusable_provided", "ci.reusable_used", "policy.ci_scanners"}

WORKFLOW = dedent(
    """\
    on: push
    jobs:
      scan:
        runs-on: ubuntu-latest
        steps:
          - run: checkov -d .
    """
)
KYVERNO = "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: p\n"


def test_a_malformed_workflow_makes_the_ci_kinds_unknown_not_absent(scan):
    detection = scan({".github/workflows/ci.yml": "on: push\njobs: [\n", "k8s/p.yaml": KYVERNO})
    assert set(detection.unknown) == CI_KINDS
    assert detection.unknown["ci.pipelines"].startswith(
        "pipeline file .github/workflows/ci.yml could not be used: malformed YAML"
    )
    assert "policy.as_code" not in detection.unknown  # other kinds are still observed


def test_a_binary_or_unreadable_pipeline_is_unknown_too(scan):
    binary = scan({".gitlab-ci.yml": b"\x00\x01\x02junk"})
    assert set(binary.unknown) == CI_KINDS and "binary content" in binary.unknown["ci.pipelines"]
    unreadable = scan({"Jenkinsfile": "pipeline {}"}, unreadable={"Jenkinsfile": "permission denied"})
    assert "not read (permission denied)" in unreadable.unknown["ci.pipelines"]


def test_a_valid_workflow_or_no_pipeline_at_all_is_observed(scan):
    assert scan({".github/workflows/ci.yml": WORKFLOW}).unknown == {}
    assert scan({"README.md": "# hi"}).unknown == {}
    # An empty workflow file parses (to nothing) and runs nowhere: an observed absence.
    assert scan({".github/workflows/empty.yml": ""}).unknown == {}


def test_a_broken_file_outside_the_pipelines_leaves_ci_observed(scan):
    detection = scan({".github/workflows/ci.yml": WORKFLOW, "deploy/app.yaml": "a: [\n"})
    assert detection.unknown == {} and detection.signals["ci.pipelines"]["present"]


def test_binary_junk_named_chart_yaml_is_not_helm(scan):
    detection = scan({"chart/Chart.yaml": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"})
    assert not detection.signals["iac.usage"]["present"]
    assert detection.problems[0].startswith("chart/Chart.yaml: binary content")


def test_a_chart_yaml_that_is_no_chart_is_not_helm_but_a_real_one_is(scan):
    assert not scan({"Chart.yaml": "just: a file\n"}).signals["iac.usage"]["present"]
    helm = scan({"chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n"}).signals["iac.usage"]
    assert helm["tools"] == ["helm"] and helm["paths"] == ["chart/Chart.yaml"]


def test_binary_junk_named_kustomization_is_not_kustomize(scan):
    assert not scan({"kustomization.yaml": b"\x00\xff\x00"}).signals["iac.usage"]["present"]
    found = scan({"overlays/kustomization.yaml": "resources: [../base]\n"}).signals["iac.usage"]
    assert found["tools"] == ["kustomize"]


def test_utf16_yaml_with_a_byte_order_mark_is_decoded(scan):
    for encoding in ("utf-16-le", "utf-16-be"):
        raw = "\ufeff".encode(encoding) + KYVERNO.encode(encoding)
        detection = scan({"k8s/p.yaml": raw})
        assert detection.signals["policy.as_code"]["tools"] == ["kyverno"], encoding
        assert detection.problems == []


def test_utf16_workflow_counts_as_a_pipeline(scan):
    raw = "\ufeff".encode("utf-16-le") + WORKFLOW.encode("utf-16-le")
    detection = scan({".github/workflows/ci.yml": raw})
    assert detection.signals["ci.pipelines"]["present"] and detection.unknown == {}


def test_nul_bytes_without_a_byte_order_mark_are_still_binary(scan):
    raw = KYVERNO.encode("utf-16-le")  # no mark: cannot be told from binary
    detection = scan({"k8s/p.yaml": raw})
    assert not detection.signals["policy.as_code"]["present"]
    assert "binary content" in detection.problems[0]
