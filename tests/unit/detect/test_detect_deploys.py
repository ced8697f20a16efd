"""Deployments: a job deploys when it targets an environment or runs a deploy command against
a real target; publishing docs, Pages or packages and commands aimed at a cluster the job
creates itself are not deployments."""

from __future__ import annotations

from textwrap import dedent, indent

import pytest


def _ci(scan, contents: dict[str, str]) -> dict:
    return scan(contents).signals["ci.pipelines"]


def _workflow(job: str) -> dict[str, str]:
    return {".github/workflows/ci.yml": "on: push\njobs:\n" + indent(dedent(job), "  ")}


def test_a_job_targeting_an_environment_deploys(scan):
    ci = _ci(scan, _workflow("  ship:\n    environment: production\n    runs-on: x\n    steps: [{run: ./ship.sh}]\n"))
    assert ci["deploys"] and not ci["applies_infrastructure"]


def test_an_environment_mapping_with_a_name_deploys(scan):
    job = "  ship:\n    environment: {name: staging, url: https://x}\n    runs-on: x\n    steps: [{run: ./ship.sh}]\n"
    assert _ci(scan, _workflow(job))["deploys"]


@pytest.mark.parametrize(
    "steps",
    [
        "      - uses: actions/upload-pages-artifact@v3\n      - uses: actions/deploy-pages@v4\n",
        "      - uses: peaceiris/actions-gh-pages@v4\n",
        "      - uses: JamesIves/github-pages-deploy-action@v4\n",
        "      - run: mkdocs gh-deploy --force\n",
    ],
)
def test_a_deploy_job_that_publishes_documentation_does_not_deploy(scan, steps: str):
    job = "  deploy-docs:\n    runs-on: x\n    environment: github-pages\n    steps:\n" + steps
    ci = _ci(scan, _workflow(job))
    assert not ci["deploys"] and not ci["applies_infrastructure"]


@pytest.mark.parametrize(
    "command",
    ["- uses: pypa/gh-action-pypi-publish@release/v1", "- run: npm publish", "- run: twine upload dist/*",
     "- run: docker push ghcr.io/acme/web:1", "- run: mvn -B deploy", "- run: cargo publish"],
)
def test_a_deploy_job_that_publishes_a_package_does_not_deploy(scan, command: str):
    job = f"  deploy:\n    runs-on: x\n    environment: pypi\n    steps:\n      {command}\n"
    assert not _ci(scan, _workflow(job))["deploys"]


@pytest.mark.parametrize(
    "create",
    ["- run: kind create cluster --name test", "- uses: helm/kind-action@v1", "- run: k3d cluster create ci",
     "- run: minikube start"],
)
def test_commands_aimed_at_a_cluster_the_job_creates_are_not_deployments(scan, create: str):
    job = dedent(
        f"""\
          e2e:
            runs-on: x
            steps:
              {create}
              - run: kubectl apply -f deploy/
              - run: helm upgrade --install web ./chart
        """
    )
    ci = _ci(scan, _workflow(job))
    assert not ci["deploys"] and not ci["applies_infrastructure"]


def test_a_test_cluster_in_one_job_does_not_hide_a_real_deployment_in_another(scan):
    jobs = dedent(
        """\
          e2e:
            runs-on: x
            steps: [{run: kind create cluster}, {run: kubectl apply -f deploy/}]
          release:
            runs-on: x
            steps: [{run: kubectl apply -f deploy/}]
        """
    )
    ci = _ci(scan, _workflow(jobs))
    assert ci["deploys"] and ci["applies_infrastructure"]


def test_terraform_apply_next_to_a_test_cluster_still_applies(scan):
    job = "  infra:\n    runs-on: x\n    steps: [{run: kind create cluster}, {run: terraform apply -auto-approve}]\n"
    assert _ci(scan, _workflow(job))["applies_infrastructure"]


def test_ambiguous_a_job_named_deploy_running_an_unknown_script_still_deploys(scan):
    # Nothing says it only publishes or tests: its name is taken at its word.
    assert _ci(scan, _workflow("  deploy:\n    runs-on: x\n    steps: [{run: ./ship.sh}]\n"))["deploys"]


def test_a_job_that_publishes_and_deploys_to_a_real_environment_deploys(scan):
    job = "  release:\n    runs-on: x\n    environment: production\n    steps: [{run: docker push x/web:1}, {run: ./rollout.sh}]\n"
    assert _ci(scan, _workflow(job))["deploys"]


def test_gitlab_pages_job_and_deploy_docs_stage_are_not_deployments(scan):
    pipeline = dedent(
        """\
        pages:
          stage: deploy
          script: [mkdocs build -d public]
          artifacts: {paths: [public]}
        publish:
          stage: deploy
          script: [twine upload dist/*]
        """
    )
    assert not _ci(scan, {".gitlab-ci.yml": pipeline})["deploys"]


def test_gitlab_job_with_an_environment_deploys(scan):
    pipeline = "ship:\n  script: [./ship.sh]\n  environment: production\n"
    assert _ci(scan, {".gitlab-ci.yml": pipeline})["deploys"]


def test_azure_deployment_job_deploys_and_a_test_cluster_job_does_not(scan):
    deployment = "trigger: [main]\njobs:\n  - deployment: web\n    environment: prod\n    strategy: {runOnce: {deploy: {steps: [{script: ./go.sh}]}}}\n"
    kind_job = "trigger: [main]\njobs:\n  - job: e2e\n    steps:\n      - script: kind create cluster\n      - script: kubectl apply -f k8s/\n"
    assert _ci(scan, {"azure-pipelines.yml": deployment})["deploys"]
    assert not _ci(scan, {"azure-pipelines.yml": kind_job})["deploys"]


def test_jenkins_deploy_stage_that_publishes_only_does_not_deploy(scan):
    jenkinsfile = "pipeline {\n  stages {\n    stage('Deploy docs') { steps { sh 'mkdocs gh-deploy' } }\n  }\n}\n"
    assert not _ci(scan, {"Jenkinsfile": jenkinsfile})["deploys"]
