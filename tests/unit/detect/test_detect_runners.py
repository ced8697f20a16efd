"""Remote IaC runners: Terraform Cloud, Atlantis, Spacelift, env0, Digger, Azure Pipelines
deployment jobs that apply infrastructure."""

from __future__ import annotations

from textwrap import dedent

import pytest


def _runner(scan, contents: dict[str, str | bytes]) -> dict:
    return scan(contents).signals["iac.remote_runner"]


@pytest.mark.parametrize(
    "block",
    [
        'terraform {\n  cloud {\n    organization = "acme"\n    workspaces { name = "prod" }\n  }\n}\n',
        'terraform {\n  required_version = ">= 1.5"\n  backend "remote" {\n    organization = "acme"\n  }\n}\n',
    ],
)
def test_terraform_cloud_block_or_remote_backend(scan, block: str):
    runner = _runner(scan, {"infra/versions.tf": block})
    assert runner["tools"] == ["terraform_cloud"] and runner["paths"] == ["infra/versions.tf"]


def test_other_backends_and_look_alikes_are_not_remote_runs(scan):
    contents = {
        "a/backend.tf": 'terraform {\n  backend "s3" {\n    bucket = "x"\n  }\n}\n',
        # A resource argument named cloud, and "remote" outside the terraform block.
        "a/main.tf": 'resource "x" "y" {\n  cloud {\n  }\n}\ndata "terraform_remote_state" "r" {\n  backend = "remote"\n}\n',
    }
    assert not _runner(scan, contents)["present"]


def test_a_remote_backend_hidden_behind_the_read_cap_is_still_seen(scan):
    # Fifty resource files sort before backend.tf by folder depth; backend.tf is read first anyway.
    contents: dict[str, str | bytes] = {f"r{n:02}.tf": 'resource "x" "y" {}\n' for n in range(60)}
    contents["stacks/prod/backend.tf"] = 'terraform {\n  backend "remote" {\n  }\n}\n'
    assert _runner(scan, contents)["tools"] == ["terraform_cloud"]


@pytest.mark.parametrize(
    ("path", "content", "tool"),
    [
        ("atlantis.yaml", "version: 3\nprojects:\n  - dir: infra\n", "atlantis"),
        (".spacelift/config.yml", "version: 1\nstack_defaults:\n  runner_image: x\n", "spacelift"),
        ("env0.yml", "deploy:\n  steps:\n    terraformPlan:\n      before: [echo]\n", "env0"),
        ("digger.yml", "projects:\n  - name: prod\n    dir: infra\n", "digger"),
    ],
)
def test_runner_configuration_files(scan, path: str, content: str, tool: str):
    runner = _runner(scan, {path: content})
    assert runner["tools"] == [tool] and runner["paths"] == [path]


def test_runner_files_that_are_empty_binary_elsewhere_or_not_mappings_do_not_count(scan):
    contents: dict[str, str | bytes] = {
        "atlantis.yaml": "",
        "digger.yml": b"\x00\x01binary",
        "env0.yml": "- just\n- a list\n",
        "docs/atlantis.yaml": "version: 3\n",  # an example in the docs, not the repository's runner
        ".spacelift/other.yml": "version: 1\n",
    }
    assert not _runner(scan, contents)["present"]


def test_azure_pipelines_deployment_job_that_applies_infrastructure(scan):
    pipeline = dedent(
        """\
        trigger: [main]
        jobs:
          - deployment: infra
            environment: production
            strategy:
              runOnce:
                deploy:
                  steps:
                    - task: TerraformTaskV4@4
                      inputs:
                        command: apply
        """
    )
    assert _runner(scan, {"azure-pipelines.yml": pipeline})["tools"] == ["azure_pipelines"]


def test_azure_pipelines_deployment_job_without_infrastructure_or_a_plain_job_is_no_runner(scan):
    app = "trigger: [main]\njobs:\n  - deployment: web\n    environment: prod\n    strategy:\n      runOnce:\n        deploy:\n          steps:\n            - script: ./release.sh\n"
    plain_job = "trigger: [main]\njobs:\n  - job: infra\n    steps:\n      - script: terraform apply -auto-approve\n"
    assert not _runner(scan, {"azure-pipelines.yml": app})["present"]
    assert not _runner(scan, {"azure-pipelines.yml": plain_job})["present"]
