"""CI pipelines, reusable CI offered and used, deploy and apply detection."""

from __future__ import annotations

from textwrap import dedent

PUSH_WORKFLOW = dedent(
    """\
    name: build
    on: [push, pull_request]
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: make test
    """
)

REUSABLE_WORKFLOW = dedent(
    """\
    on:
      workflow_call:
        inputs:
          image: {type: string}
    jobs:
      build:
        runs-on: ubuntu-latest
        steps:
          - run: docker build .
    """
)


def test_github_workflow_is_a_pipeline_that_does_not_deploy(scan):
    ci = scan({".github/workflows/build.yml": PUSH_WORKFLOW}).signals["ci.pipelines"]
    assert ci["present"] and ci["systems"] == ["github_actions"]
    assert ci["paths"] == [".github/workflows/build.yml"]
    assert not ci["deploys"] and not ci["applies_infrastructure"]


def test_workflows_only_count_directly_in_the_root_workflows_folder(scan):
    detection = scan(
        {
            ".github/workflows/sub/old.yml": PUSH_WORKFLOW,
            "service/.github/workflows/ci.yml": PUSH_WORKFLOW,
            ".github/workflows/README.md": "# workflows",
        }
    )
    assert not detection.signals["ci.pipelines"]["present"]


def test_workflow_call_workflow_is_reusable_ci_provided(scan):
    provided = scan({".github/workflows/build.yml": REUSABLE_WORKFLOW}).signals["ci.reusable_provided"]
    assert provided["present"]
    assert provided["workflows"] == [".github/workflows/build.yml"]


def test_workflow_call_as_a_list_or_string_trigger_counts_too(scan):
    detection = scan(
        {
            ".github/workflows/a.yml": "on: [workflow_call, push]\njobs: {}\n",
            ".github/workflows/b.yml": "'on': workflow_call\njobs: {}\n",
        }
    )
    assert detection.signals["ci.reusable_provided"]["workflows"] == [
        ".github/workflows/a.yml",
        ".github/workflows/b.yml",
    ]


def test_push_workflow_is_not_reusable(scan):
    detection = scan({".github/workflows/build.yml": PUSH_WORKFLOW})
    assert not detection.signals["ci.reusable_provided"]["present"]


def test_job_level_uses_of_a_remote_workflow_is_reuse_but_actions_and_local_calls_are_not(scan):
    workflow = dedent(
        """\
        on: push
        jobs:
          shared:
            uses: acme/platform/.github/workflows/build.yml@v1
          local:
            uses: ./.github/workflows/lint.yml
          steps-only:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - uses: acme/actions/setup@v2
        """
    )
    used = scan({".github/workflows/ci.yml": workflow}).signals["ci.reusable_used"]
    assert used["present"]
    assert used["refs"] == ["acme/platform/.github/workflows/build.yml@v1"]


def test_environment_or_deploy_job_means_the_pipeline_deploys(scan):
    with_environment = "on: push\njobs:\n  ship:\n    environment: production\n    runs-on: x\n    steps: []\n"
    deploy_job = "on: push\njobs:\n  deploy-web:\n    runs-on: x\n    steps: [{run: ./ship.sh}]\n"
    assert scan({".github/workflows/a.yml": with_environment}).signals["ci.pipelines"]["deploys"]
    assert scan({".github/workflows/a.yml": deploy_job}).signals["ci.pipelines"]["deploys"]


def test_infrastructure_apply_commands_mean_applies_infrastructure_and_deploys(scan):
    commands = [
        "terraform -chdir=infra apply -auto-approve",
        "az deployment group create -g rg -f main.bicep",
        "helm upgrade --install web ./chart",
        "pulumi up --yes",
        "kubectl apply -k overlays/prod",
        "terragrunt run-all apply",
    ]
    for command in commands:
        workflow = f"on: push\njobs:\n  build:\n    runs-on: x\n    steps:\n      - run: {command}\n"
        ci = scan({".github/workflows/ci.yml": workflow}).signals["ci.pipelines"]
        assert ci["applies_infrastructure"] and ci["deploys"], command


def test_apply_as_a_task_input_means_applies_infrastructure(scan):
    pipeline = dedent(
        """\
        trigger: [main]
        steps:
          - task: TerraformTaskV4@4
            inputs:
              command: "apply"
        """
    )
    not_alone = pipeline.replace('command: "apply"', "command: apply --dry-run")  # `apply` must be the whole value
    assert scan({"azure-pipelines.yml": pipeline}).signals["ci.pipelines"]["applies_infrastructure"]
    assert not scan({"azure-pipelines.yml": not_alone}).signals["ci.pipelines"]["applies_infrastructure"]


def test_commented_out_apply_and_plan_do_not_count(scan):
    workflow = "on: push\njobs:\n  build:\n    runs-on: x\n    steps:\n      # - run: terraform apply\n      - run: terraform plan\n"
    ci = scan({".github/workflows/ci.yml": workflow}).signals["ci.pipelines"]
    assert not ci["applies_infrastructure"] and not ci["deploys"]


def test_deploy_action_without_infrastructure_deploys_only(scan):
    workflow = "on: push\njobs:\n  build:\n    runs-on: x\n    steps:\n      - uses: azure/webapps-deploy@v3\n"
    ci = scan({".github/workflows/ci.yml": workflow}).signals["ci.pipelines"]
    assert ci["deploys"] and not ci["applies_infrastructure"]


def test_gitlab_pipeline_with_includes_and_environment(scan):
    pipeline = dedent(
        """\
        include:
          - local: .gitlab/ci/build.yml
          - project: acme/ci-templates
            ref: v2
            file: [/deploy.yml, test.yml]
          - remote: https://user:secret@example.com/ci/lint.yml
          - component: $CI_SERVER_FQDN/acme/components/sast@1.0
          - template: Jobs/Build.gitlab-ci.yml
        stages: [build, release]
        release:
          stage: release
          environment: production
          script: ./release.sh
        """
    )
    detection = scan({".gitlab-ci.yml": pipeline})
    ci = detection.signals["ci.pipelines"]
    assert ci["systems"] == ["gitlab_ci"] and ci["deploys"]
    assert detection.signals["ci.reusable_used"]["refs"] == [
        "$CI_SERVER_FQDN/acme/components/sast@1.0",
        "acme/ci-templates/deploy.yml@v2",
        "acme/ci-templates/test.yml@v2",
        "https://example.com/ci/lint.yml",
        "template:Jobs/Build.gitlab-ci.yml",
    ]


def test_gitlab_local_includes_only_are_not_reuse(scan):
    pipeline = "include:\n  - local: .gitlab/ci/build.yml\n  - .gitlab/ci/test.yml\nbuild:\n  script: make\n"
    detection = scan({".gitlab-ci.yml": pipeline, ".gitlab/ci/build.yml": "b:\n  script: make\n"})
    assert not detection.signals["ci.reusable_used"]["present"]
    assert detection.signals["ci.pipelines"]["paths"] == [".gitlab-ci.yml", ".gitlab/ci/build.yml"]


def test_gitlab_templates_offered_to_others(scan):
    component = (
        "spec:\n  inputs:\n    stage: {default: test}\n---\nscan:\n  stage: $[[ inputs.stage ]]\n  script: ./scan.sh\n"
    )
    detection = scan(
        {
            "templates/sast.yml": component,
            "ci/deploy.gitlab-ci.yml": ".deploy:\n  script: ./deploy.sh\n",
            ".gitlab/ci/inputs.yml": component,
            ".gitlab/ci/plain.yml": "build:\n  script: make\n",
        }
    )
    provided = detection.signals["ci.reusable_provided"]
    assert provided["workflows"] == [".gitlab/ci/inputs.yml", "ci/deploy.gitlab-ci.yml", "templates/sast.yml"]


def test_a_root_helm_charts_templates_folder_is_not_gitlab_ci(scan):
    detection = scan(
        {
            "Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
            "templates/job.yaml": "apiVersion: batch/v1\nkind: Job\nspec:\n  template:\n    spec:\n      containers: [{name: x, args: ['{{ .Values.script }}']}]\n",
        }
    )
    assert not detection.signals["ci.reusable_provided"]["present"]
    assert detection.problems == []


AZURE_PIPELINE = dedent(
    """\
    trigger: [main]
    pool:
      vmImage: ubuntu-latest
    resources:
      repositories:
        - repository: templates
          type: git
          name: platform/pipeline-templates
          ref: refs/tags/v3
    stages:
      - stage: Build
        jobs:
          - job: build
            steps:
              - script: make
              - template: steps/scan.yml@templates
      - stage: Release
        jobs:
          - deployment: web
            environment: prod
            strategy:
              runOnce:
                deploy:
                  steps:
                    - task: AzureResourceManagerTemplateDeployment@3
    """
)


def test_azure_pipeline_recognised_by_content_in_a_generic_name(scan):
    detection = scan({"deploy.yml": AZURE_PIPELINE})
    ci = detection.signals["ci.pipelines"]
    assert ci["systems"] == ["azure_pipelines"] and ci["paths"] == ["deploy.yml"]
    assert ci["deploys"] and ci["applies_infrastructure"]
    assert detection.signals["ci.reusable_used"]["refs"] == ["platform/pipeline-templates/steps/scan.yml@refs/tags/v3"]


def test_generic_yaml_with_stages_is_not_an_azure_pipeline(scan):
    detection = scan(
        {
            "deploy.yml": "stages:\n  - build\n  - deploy\nsteps:\n  - name: x\n    image: alpine\n",
            "config/app.yaml": "server:\n  port: 8080\njobs:\n  - name: nightly\n",
        }
    )
    assert not detection.signals["ci.pipelines"]["present"]
    assert detection.problems == []


def test_azure_pipelines_named_file_counts_by_name(scan):
    ci = scan({"azure-pipelines.yml": "steps:\n  - script: echo hi\n"}).signals["ci.pipelines"]
    assert ci["systems"] == ["azure_pipelines"] and not ci["deploys"]


def test_azure_template_with_parameters_is_provided_not_a_pipeline(scan):
    template = "parameters:\n  - name: env\n    type: string\nsteps:\n  - script: echo ${{ parameters.env }}\n"
    detection = scan({"pipelines/build-steps.yml": template})
    assert detection.signals["ci.reusable_provided"]["workflows"] == ["pipelines/build-steps.yml"]
    assert not detection.signals["ci.pipelines"]["present"]


def test_jenkinsfile_with_deploy_stage_and_shared_library(scan):
    jenkinsfile = dedent(
        """\
        @Library('acme-pipeline@v4') _
        pipeline {
          stages {
            // stage('Apply') { steps { sh 'terraform apply' } }
            stage('Deploy to prod') { steps { sh './ship.sh' } }
          }
        }
        """
    )
    detection = scan({"Jenkinsfile": jenkinsfile})
    ci = detection.signals["ci.pipelines"]
    assert ci["systems"] == ["jenkins"] and ci["deploys"] and not ci["applies_infrastructure"]
    assert detection.signals["ci.reusable_used"]["refs"] == ["jenkins-library:acme-pipeline@v4"]


def test_circleci_config_with_deploy_job(scan):
    config = "version: 2.1\njobs:\n  deploy-prod:\n    docker: [{image: cimg/base:stable}]\n    steps: [checkout]\n"
    ci = scan({".circleci/config.yml": config}).signals["ci.pipelines"]
    assert ci["systems"] == ["circleci"] and ci["deploys"]


def test_several_systems_are_listed_sorted(scan):
    detection = scan(
        {
            ".gitlab-ci.yml": "build:\n  script: make\n",
            "Jenkinsfile": "node { sh 'make' }\n",
            ".github/workflows/ci.yml": PUSH_WORKFLOW,
        }
    )
    assert detection.signals["ci.pipelines"]["systems"] == ["github_actions", "gitlab_ci", "jenkins"]


def test_malformed_workflow_is_a_problem_not_a_pipeline(scan):
    detection = scan({".github/workflows/ci.yml": "on: push\njobs:\n  build: [unclosed\n"})
    assert not detection.signals["ci.pipelines"]["present"]  # GitHub would not run it either
    assert len(detection.problems) == 1
    assert detection.problems[0].startswith(".github/workflows/ci.yml: malformed YAML (line ")


def test_jenkinsfile_variants_are_pipelines(scan):
    detection = scan({"Jenkinsfile.release": "node {}\n", "ci/build.jenkinsfile": "node {}\n", "docs/Jenkins.md": "x"})
    assert detection.signals["ci.pipelines"]["paths"] == ["Jenkinsfile.release", "ci/build.jenkinsfile"]


# --- reusable CI offered to others, or purely internal (issue 13, point 7) ---------------------

_CALLABLE = "on:\n  workflow_call:\njobs:\n  lint:\n    runs-on: x\n    steps:\n      - run: make lint\n"


def _caller(*workflows: str) -> str:
    jobs = "".join(f"  j{index}:\n    uses: ./.github/workflows/{name}\n" for index, name in enumerate(workflows))
    return "on: push\njobs:\n" + jobs


def test_a_workflow_only_its_own_repository_calls_is_purely_internal(scan) -> None:
    provided = scan(
        {".github/workflows/lint.yml": _CALLABLE, ".github/workflows/ci.yml": _caller("lint.yml@main")}
    ).signals["ci.reusable_provided"]
    assert provided["present"] is True and provided["internal_only"] is True


def test_a_workflow_nobody_here_calls_may_be_for_others(scan) -> None:
    provided = scan({".github/workflows/build.yml": _CALLABLE}).signals["ci.reusable_provided"]
    assert provided["present"] is True and provided["internal_only"] is False


def test_one_workflow_called_here_and_one_not_is_not_purely_internal(scan) -> None:
    provided = scan(
        {
            ".github/workflows/lint.yml": _CALLABLE,
            ".github/workflows/build.yml": _CALLABLE,
            ".github/workflows/ci.yml": _caller("lint.yml"),
        }
    ).signals["ci.reusable_provided"]
    assert provided["internal_only"] is False


def test_a_gitlab_template_only_its_own_pipeline_includes_is_purely_internal(scan) -> None:
    template = "build:\n  script: [make]\n"
    provided = scan(
        {
            "templates/build.gitlab-ci.yml": template,
            ".gitlab-ci.yml": "include:\n  - local: /templates/build.gitlab-ci.yml\ntest:\n  script: [make test]\n",
        }
    ).signals["ci.reusable_provided"]
    assert provided["present"] is True and provided["internal_only"] is True


def test_a_gitlab_template_nobody_here_includes_may_be_for_others(scan) -> None:
    provided = scan(
        {"templates/build.gitlab-ci.yml": "build:\n  script: [make]\n", ".gitlab-ci.yml": "test:\n  script: [make test]\n"}
    ).signals["ci.reusable_provided"]
    assert provided["present"] is True and provided["internal_only"] is False


def test_an_azure_template_only_its_own_pipeline_uses_is_purely_internal(scan) -> None:
    provided = scan(
        {
            "templates/build.yml": "parameters:\n  - name: x\nsteps:\n  - script: make\n",
            "azure-pipelines.yml": "trigger: [main]\nsteps:\n  - template: templates/build.yml\n",
        }
    ).signals["ci.reusable_provided"]
    assert provided["present"] is True and provided["internal_only"] is True
