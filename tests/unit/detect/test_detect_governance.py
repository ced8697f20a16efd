"""Policy as code, policy scanners in CI, CODEOWNERS and RBAC manifests."""

from __future__ import annotations

import json
from textwrap import dedent

import pytest

KYVERNO = "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: require-labels\n"


def test_rego_and_kyverno_and_gatekeeper(scan):
    detection = scan(
        {
            "policy/deny.rego": 'package main\n\ndeny contains msg if {\n  not input.owner\n  msg := "an owner is required"\n}\n',
            "policies/labels.yaml": KYVERNO,
            "gatekeeper/template.yaml": "apiVersion: templates.gatekeeper.sh/v1\nkind: ConstraintTemplate\n",
            "gatekeeper/constraint.yaml": "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sRequiredLabels\n",
        }
    )
    policy = detection.signals["policy.as_code"]
    assert policy["tools"] == ["gatekeeper", "kyverno", "rego"]
    assert len(policy["paths"]) == 4


def test_kind_policy_from_another_api_group_is_not_kyverno(scan):
    other = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n---\napiVersion: example.com/v1\nkind: Policy\n"
    assert not scan({"k8s/policy.yaml": other}).signals["policy.as_code"]["present"]


def test_kyverno_policy_in_a_multi_document_file(scan):
    text = "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\napiVersion: kyverno.io/v1\nkind: Policy\n"
    assert scan({"k8s/all.yaml": text}).signals["policy.as_code"]["tools"] == ["kyverno"]


def test_azure_policy_definitions_bare_and_under_properties(scan):
    rule = {"if": {"field": "location", "notIn": ["westeurope"]}, "then": {"effect": "deny"}}
    detection = scan(
        {
            "policies/bare.json": json.dumps({"mode": "All", "policyRule": rule}),
            "policies/api.json": json.dumps({"properties": {"mode": "Indexed", "policyRule": rule}}),
            "docs/example.json": json.dumps({"policyRule": "described in text"}),
        }
    )
    policy = detection.signals["policy.as_code"]
    assert policy["tools"] == ["azure_policy"]
    assert policy["paths"] == ["policies/api.json", "policies/bare.json"]


def test_scanners_in_ci_commands_and_actions(scan):
    workflow = dedent(
        """\
        on: push
        jobs:
          scan:
            runs-on: ubuntu-latest
            steps:
              - uses: bridgecrewio/checkov-action@v12
              - uses: aquasecurity/trivy-action@0.20.0
              - run: conftest test deploy/
              - run: pytest tests/conftest.py
        """
    )
    scanners = scan({".github/workflows/scan.yml": workflow}).signals["policy.ci_scanners"]
    assert scanners["tools"] == ["checkov", "conftest", "trivy"]
    assert scanners["paths"] == [".github/workflows/scan.yml"]


@pytest.mark.parametrize(
    ("command", "tools"),
    [
        ("checkov -d .", ["checkov"]),
        ("CHECKOV -d .", ["checkov"]),  # names match in any case
        ("pre-commit run terraform_checkov", ["checkov"]),  # an underscore before a tool's name is a separator
        ("uses: aquasecurity/trivy-action@v1", ["trivy"]),
        ("mycheckov --x", []),  # a letter or digit touching the name: another word
        ("tfsec2 .", []),
        ("kics", ["kics"]),  # the name is the whole command
        ("conftest test deploy/", ["conftest"]),
        ("pytest tests/conftest.py", []),  # pytest's file, not the tool
        ("python -m my_conftest", []),
        ("conftest_fixture", []),
        ("template: Jobs/Container-Scanning.gitlab-ci.yml", ["trivy"]),
    ],
)
def test_scanner_names_need_their_own_word(scan, command: str, tools: list[str]):
    pipeline = f"scan:\n  script:\n    - {command}\n"
    assert scan({".gitlab-ci.yml": pipeline}).signals["policy.ci_scanners"]["tools"] == tools


def test_gitlab_iac_scanning_template_runs_kics(scan):
    pipeline = "include:\n  - template: Jobs/SAST-IaC.gitlab-ci.yml\n"
    assert scan({".gitlab-ci.yml": pipeline}).signals["policy.ci_scanners"]["tools"] == ["kics"]


def test_pre_commit_hooks_count_as_scanners(scan):
    config = "repos:\n  - repo: https://github.com/antonbabenko/pre-commit-terraform\n    hooks:\n      - id: terraform_tfsec\n      # - id: terraform_checkov\n"
    assert scan({".pre-commit-config.yaml": config}).signals["policy.ci_scanners"]["tools"] == ["tfsec"]


def test_scanner_names_outside_ci_files_do_not_count(scan):
    detection = scan({"docs/security.md": "We run checkov and tfsec.", "scripts/scan.sh": "trivy fs ."})
    assert not detection.signals["policy.ci_scanners"]["present"]
    assert detection.files_read == 1  # docs/security.md, read as a security policy only


CODEOWNERS = dedent(
    """\
    # default owners
    *           @acme/platform
    /infra/     @acme/platform @alice   # infra
    docs/**     docs@acme.example
    /vendored/

    [Security][2] @acme/security
    /auth/      @bob
    """
)


def test_codeowners_counts_rules_and_distinct_owners(scan):
    owners = scan({".github/CODEOWNERS": CODEOWNERS}).signals["ownership.codeowners"]
    assert owners["present"] and owners["rules"] == 5
    assert owners["owners"] == ["@acme/platform", "@acme/security", "@alice", "@bob", "docs@acme.example"]


def test_codeowners_tells_teams_from_users(scan):
    owners = scan({".github/CODEOWNERS": CODEOWNERS}).signals["ownership.codeowners"]
    assert owners["teams"] == ["@acme/platform", "@acme/security"]
    assert owners["users"] == ["@alice", "@bob", "docs@acme.example"]  # e-mail addresses are people


def test_codeowners_of_users_only_has_no_teams(scan):
    owners = scan({"CODEOWNERS": "* @alice\n"}).signals["ownership.codeowners"]
    assert owners["teams"] == [] and owners["users"] == ["@alice"]


def test_codeowners_uses_the_file_with_precedence_and_ignores_other_places(scan):
    detection = scan(
        {
            "CODEOWNERS": "* @root-owner\n",
            ".github/CODEOWNERS": "* @github-owner\n",
            "src/CODEOWNERS": "* @nobody\n",
        }
    )
    owners = detection.signals["ownership.codeowners"]
    assert owners["paths"] == [".github/CODEOWNERS"] and owners["owners"] == ["@github-owner"]
    assert scan.reads == [".github/CODEOWNERS"]


def test_no_codeowners(scan):
    owners = scan({"src/CODEOWNERS": "* @x\n"}).signals["ownership.codeowners"]
    assert owners == {
        "present": False, "paths": [], "live": False, "path_count": 0, "templated": [], "rules": 0, "owners": [],
        "default_owners": [], "teams": [], "users": [],
    }


def test_rbac_manifests_including_helm_templates(scan):
    helm_role = dedent(
        """\
        {{- if .Values.rbac.create }}
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: {{ include "app.fullname" . }}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        {{- end }}
        """
    )
    detection = scan(
        {
            "chart/templates/rbac.yaml": helm_role,
            "k8s/role.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n",
            "k8s/sa.yaml": "apiVersion: v1\nkind: ServiceAccount\n",
        }
    )
    rbac = detection.signals["ownership.rbac_manifests"]
    assert rbac["kinds"] == ["ClusterRole", "ClusterRoleBinding", "Role"]
    assert rbac["paths"] == ["chart/templates/rbac.yaml", "k8s/role.yaml"]
    assert detection.problems == []


def test_indented_kind_is_not_a_manifest(scan):
    text = "items:\n  - apiVersion: rbac.authorization.k8s.io/v1\n    kind: Role\n"
    assert not scan({"list.yaml": text}).signals["ownership.rbac_manifests"]["present"]
