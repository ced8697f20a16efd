"""Templated files read with their template blocks stripped and marked as templates; YAML in
settings folders considered for pipelines; GitLab local includes followed."""

from __future__ import annotations

import json
from textwrap import dedent

import pytest

RBAC_TEMPLATE = dedent(
    """\
    apiVersion: rbac.authorization.k8s.io/v1
    kind: ClusterRole
    metadata:
      name: {{ cluster_name }}-reader
    {% if read_only %}
    rules:
      - apiGroups: [""]
        resources: [pods]
        verbs: [get, list]
    {% endif %}
    """
)
RULE_TEMPLATE = "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: {{ name }}\n"
ARM_TEMPLATE = dedent(
    """\
    {
      "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "resources": [
        {% for name in names %}
        {"type": "Microsoft.Authorization/policyDefinitions", "name": "{{ name }}"}{% if not loop.last %},{% endif %}
        {% endfor %}
      ]
    }
    """
)


@pytest.mark.parametrize("suffix", ["jinja", "jinja2"])
def test_jinja_suffixes_are_templates_too(scan, suffix: str) -> None:
    path = f"roles/rbac/templates/reader.yaml.{suffix}"
    rbac = scan({path: RBAC_TEMPLATE}).signals["ownership.rbac_manifests"]
    assert rbac["kinds"] == ["ClusterRole"] and rbac["templated"] == [path]


def test_templated_manifests_count_and_are_marked(scan):
    detection = scan({"roles/rbac/templates/reader.yaml.j2": RBAC_TEMPLATE, "alerts/rules.yaml.tpl": RULE_TEMPLATE})
    rbac, alerting = detection.signals["ownership.rbac_manifests"], detection.signals["observability.alerting"]
    assert rbac["kinds"] == ["ClusterRole"] and rbac["templated"] == ["roles/rbac/templates/reader.yaml.j2"]
    assert alerting["tools"] == ["prometheus_rules"] and alerting["templated"] == ["alerts/rules.yaml.tpl"]
    assert detection.problems == []


def test_templated_json_counts_and_is_not_reported_malformed(scan):
    detection = scan({"arm/policies.json.j2": ARM_TEMPLATE, "arm/plain.json": ARM_TEMPLATE})
    policy = detection.signals["policy.as_code"]
    assert policy["paths"] == ["arm/plain.json", "arm/policies.json.j2"]
    assert policy["templated"] == ["arm/plain.json", "arm/policies.json.j2"]
    assert detection.problems == []  # Jinja in a .json file is a template, not malformed JSON


def test_valid_json_holding_double_braces_is_not_a_template(scan):
    dashboard = json.dumps({"panels": [{"targets": [{"legendFormat": "{{pod}}"}]}], "schemaVersion": 39})
    dashboards = scan({"dashboards/pods.json": dashboard}).signals["observability.dashboards"]
    assert dashboards["present"] and dashboards["templated"] == []


def test_plain_files_are_not_marked_templated(scan):
    plain = RULE_TEMPLATE.replace("{{ name }}", "node")
    assert scan({"alerts/rules.yaml": plain}).signals["observability.alerting"]["templated"] == []


def test_malformed_plain_json_is_still_a_problem(scan):
    detection = scan({"arm/broken.json": '{"$schema": "deploymentTemplate.json", "resources": [\n'})
    assert detection.problems[0].startswith("arm/broken.json: malformed JSON")


def test_helm_partials_and_other_templated_files_are_not_read(scan):
    detection = scan(
        {
            "chart/templates/_helpers.tpl": '{{- define "x" -}}kind: Role{{- end }}',
            "infra/user_data.sh.tpl": "#!/bin/sh\nkubectl apply -f x\n",
            "infra/config.toml.j2": "[x]\n",
        }
    )
    assert detection.files_read == 0


def test_yaml_under_github_outside_workflows_is_considered_for_pipelines(scan):
    pipeline = "trigger: [main]\npool: {vmImage: ubuntu-latest}\nsteps:\n  - script: make\n"
    ci = scan({".github/azure/azure-build.yml": pipeline}).signals["ci.pipelines"]
    assert ci["systems"] == ["azure_pipelines"] and ci["paths"] == [".github/azure/azure-build.yml"]


def test_settings_yaml_that_is_no_pipeline_or_is_a_manifest_does_not_count(scan):
    detection = scan(
        {
            ".github/labeler.yml": "docs:\n  - docs/**\n",
            ".github/k8s/role.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n",
        }
    )
    assert not detection.signals["ci.pipelines"]["present"]
    assert not detection.signals["ownership.rbac_manifests"]["present"]  # settings, not the repository's RBAC


def test_azure_pipelines_folder_is_considered(scan):
    pipeline = "trigger: [main]\njobs:\n  - job: build\n    steps:\n      - script: make\n"
    assert scan({".azure-pipelines/build.yml": pipeline}).signals["ci.pipelines"]["systems"] == ["azure_pipelines"]


def test_gitlab_local_includes_are_scanned_as_pipelines(scan):
    root = dedent(
        """\
        include:
          - local: /ci/build.yml
          - local: .gitlab/pipelines/*.yml
          - "/ci/deploy.yml"
          - remote: https://example.com/x.yml
        """
    )
    detection = scan(
        {
            ".gitlab-ci.yml": root,
            "ci/build.yml": "build:\n  script: [checkov -d .]\n",
            "ci/deploy.yml": "deploy:\n  script: [./ship.sh]\n  environment: production\n  include_more: x\n",
            ".gitlab/pipelines/scan.yml": "include:\n  - local: ci/nested.yml\nscan:\n  script: [trivy fs .]\n",
            "ci/nested.yml": "lint:\n  script: [semgrep ci]\n",
            "ci/unrelated.yml": "other:\n  script: [gitleaks detect]\n",
        }
    )
    ci = detection.signals["ci.pipelines"]
    assert ci["systems"] == ["gitlab_ci"] and ci["deploys"]
    assert ci["paths"] == [".gitlab-ci.yml", ".gitlab/pipelines/scan.yml", "ci/build.yml", "ci/deploy.yml", "ci/nested.yml"]
    assert detection.signals["policy.ci_scanners"]["tools"] == ["checkov", "semgrep", "trivy"]


def test_an_include_cycle_and_a_missing_include_end(scan):
    detection = scan(
        {
            ".gitlab-ci.yml": "include: [{local: a.yml}, {local: missing.yml}]\n",
            "a.yml": "include: [{local: .gitlab-ci.yml}]\njob:\n  script: [make]\n",
        }
    )
    assert detection.signals["ci.pipelines"]["paths"] == [".gitlab-ci.yml", "a.yml"]


def test_a_broken_included_pipeline_makes_ci_unknown(scan):
    detection = scan({".gitlab-ci.yml": "include: [{local: ci/a.yml}]\n", "ci/a.yml": "job: [\n"})
    assert "ci.pipelines" in detection.unknown
