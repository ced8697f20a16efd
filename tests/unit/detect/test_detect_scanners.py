"""Policy and security scanners count as pipeline steps only: what a step uses or runs."""

from __future__ import annotations

from textwrap import dedent

import pytest


def _tools(scan, contents: dict[str, str]) -> list[str]:
    return scan(contents).signals["policy.ci_scanners"]["tools"]


@pytest.mark.parametrize(
    ("uses", "tool"),
    [
        ("github/codeql-action/analyze@v3", "codeql"),
        ("returntocorp/semgrep-action@v1", "semgrep"),
        ("snyk/actions/node@master", "snyk"),
        ("SonarSource/sonarqube-scan-action@v2", "sonarqube"),
        ("gitleaks/gitleaks-action@v2", "gitleaks"),
        ("trufflesecurity/trufflehog@main", "trufflehog"),
        ("anchore/scan-action@v3", "grype"),
        ("tenable/terrascan-action@v1", "terrascan"),
        ("kyverno/action-install-cli@v0.2", "kyverno"),
        ("bridgecrewio/checkov-action@v12", "checkov"),
        ("aquasecurity/tfsec-action@v1", "tfsec"),
        ("aquasecurity/trivy-action@0.20.0", "trivy"),
        ("checkmarx/kics-github-action@v1", "kics"),
    ],
)
def test_github_actions_steps_that_use_a_scanner(scan, uses: str, tool: str):
    workflow = f"on: push\njobs:\n  scan:\n    runs-on: x\n    steps:\n      - uses: {uses}\n"
    assert _tools(scan, {".github/workflows/scan.yml": workflow}) == [tool]


@pytest.mark.parametrize(
    ("command", "tool"),
    [
        ("codeql database create db --language=go", "codeql"),
        ("semgrep ci", "semgrep"),
        ("snyk iac test infra/", "snyk"),
        ("sonar-scanner -Dsonar.projectKey=x", "sonarqube"),
        ("mvn -B verify sonar:sonar", "sonarqube"),
        ("gitleaks detect --source .", "gitleaks"),
        ("trufflehog git file://. --fail", "trufflehog"),
        ("grype dir:. --fail-on high", "grype"),
        ("terrascan scan -i terraform", "terrascan"),
        ("conftest test deploy/", "conftest"),
        ("kyverno apply policies/ --resource deploy.yaml", "kyverno"),
        ("kyverno test .", "kyverno"),
        ("checkov -d .", "checkov"),
        ("tfsec .", "tfsec"),
        ("trivy config .", "trivy"),
        ("kics scan -p .", "kics"),
    ],
)
def test_commands_a_step_runs(scan, command: str, tool: str):
    assert _tools(scan, {".gitlab-ci.yml": f"scan:\n  script:\n    - {command}\n"}) == [tool]


def test_a_name_in_an_echo_or_a_print_is_not_a_scan(scan):
    workflow = dedent(
        """\
        on: push
        jobs:
          checkov:
            name: run checkov
            runs-on: x
            steps:
              - run: echo checkov
              - run: |
                  printf 'trivy later\\n'
                  Write-Host "semgrep is coming"
              - name: gitleaks
                run: make build
        """
    )
    assert _tools(scan, {".github/workflows/ci.yml": workflow}) == []


def test_a_multi_line_script_counts_its_real_commands_only(scan):
    workflow = "on: push\njobs:\n  s:\n    runs-on: x\n    steps:\n      - run: |\n          echo scanning\n          checkov -d .\n"
    assert _tools(scan, {".github/workflows/ci.yml": workflow}) == ["checkov"]


def test_a_scanner_named_outside_any_step_does_not_count(scan):
    # An environment variable, a job name and a step id name the tool; none runs it.
    workflow = dedent(
        """\
        on: push
        env:
          TRIVY_VERSION: "0.50"
        jobs:
          snyk:
            runs-on: x
            steps:
              - id: semgrep
                run: make
        """
    )
    assert _tools(scan, {".github/workflows/ci.yml": workflow}) == []


def test_azure_pipelines_tasks(scan):
    pipeline = dedent(
        """\
        trigger: [main]
        steps:
          - task: SonarQubePrepare@5
          - task: SnykSecurityScan@1
          - task: AdvancedSecurity-Codeql-Init@1
          - script: echo tfsec
        """
    )
    assert _tools(scan, {"azure-pipelines.yml": pipeline}) == ["codeql", "snyk", "sonarqube"]


def test_jenkins_sh_steps(scan):
    jenkinsfile = dedent(
        """\
        pipeline {
          stages {
            stage('scan') {
              steps {
                sh 'gitleaks detect'
                sh(script: "grype dir:.")
                sh '''
                  echo checkov
                  terrascan scan
                '''
                echo 'trivy'
                // sh 'kics scan'
              }
            }
          }
        }
        """
    )
    assert _tools(scan, {"Jenkinsfile": jenkinsfile}) == ["gitleaks", "grype", "terrascan"]


def test_circleci_orb_command_and_run_command(scan):
    config = dedent(
        """\
        version: 2.1
        orbs:
          snyk: snyk/snyk@2.0.0
        jobs:
          scan:
            docker: [{image: cimg/base:current}]
            steps:
              - checkout
              - snyk/scan
              - run:
                  name: secrets
                  command: gitleaks detect
        """
    )
    assert _tools(scan, {".circleci/config.yml": config}) == ["gitleaks", "snyk"]


def test_gitlab_secret_detection_template_runs_gitleaks(scan):
    pipeline = "include:\n  - template: Security/Secret-Detection.gitlab-ci.yml\n"
    assert _tools(scan, {".gitlab-ci.yml": pipeline}) == ["gitleaks"]


def test_ambiguous_words_that_merely_contain_a_name(scan):
    # kyverno as a folder name is not the CLI; sonarqube inside another word is not the tool.
    script = "scan:\n  script:\n    - kubectl apply -f kyverno-policies/\n    - ./mysonarqube.sh\n"
    assert _tools(scan, {".gitlab-ci.yml": script}) == []


def test_pre_commit_hooks_name_the_scanner_by_repository_or_id(scan):
    config = dedent(
        """\
        repos:
          - repo: https://github.com/gitleaks/gitleaks
            rev: v8.18.0
            hooks:
              - id: gitleaks
          - repo: local
            hooks:
              - id: lint
                name: semgrep-like lint
                entry: ruff
        """
    )
    assert _tools(scan, {".pre-commit-config.yaml": config}) == ["gitleaks"]
