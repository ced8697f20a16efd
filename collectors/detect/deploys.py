"""Whether a pipeline job deploys, and whether it applies infrastructure.

A job deploys when it runs a deploy or apply command against a real target, or targets an
environment, or says it deploys by its name — unless what it runs only publishes (docs,
Pages, packages, images, releases) or aims at a cluster the job creates itself (kind, k3d,
minikube: a test cluster, gone when the job ends).
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from collectors.detect.parse import WordsFirst

_APPLIES = WordsFirst(
    re.compile(
        r"""\b(?:terraform|tofu|terragrunt)[ \t]+(?:-chdir=\S+[ \t]+)?(?:run-all[ \t]+)?apply\b
        |\baz[ \t]+deployment[ \t]+(?:group|sub|mg|tenant)[ \t]+create\b
        |\baz[ \t]+stack[ \t]+(?:group|sub|mg)[ \t]+create\b
        |\bNew-Az(?:ResourceGroup|Subscription|ManagementGroup|Tenant)?Deployment\b
        |\bhelm[ \t]+(?:upgrade|install)\b
        |\bhelmfile[ \t]+(?:apply|sync)\b
        |\bpulumi[ \t]+up\b
        |\bkubectl[ \t]+apply\b
        |\bbicep[ \t]+deploy\b
        |\baws[ \t]+cloudformation[ \t]+(?:deploy|create-stack|update-stack)\b
        |\b(?:cdk|sam)[ \t]+deploy\b
        |\b(?:AzureResourceManagerTemplateDeployment|AzureResourceGroupDeployment|HelmDeploy)@
        |\b(?:azure/arm-deploy|aws-actions/aws-cloudformation-github-deploy)@
        """,
        re.X,
    ),
    ("apply", "create", "deploy", "Deploy", "helm", "pulumi", "cloudformation"),
)
# Terraform and Kubernetes tasks, pulumi/actions. Apart from _APPLIES: a `^` alternative
# inside it made every search try it at every position (46 µs a workflow against 6).
_APPLY_COMMAND = WordsFirst(re.compile(r"^[ \t]*command:[ \t]*[\"']?(?:apply|up)[\"']?[ \t]*$", re.M), ("command:",))
_DEPLOYS = WordsFirst(
    re.compile(
        r"""\bkubectl[ \t]+(?:set[ \t]+image|rollout[ \t]+restart|create)\b
        |\b(?:gcloud[ \t]+(?:run|app|functions)|firebase|vercel|netlify|flyctl|fly|serverless|sls|eb|azd)[ \t]+deploy\b
        |\bazd[ \t]+up\b
        |\bcf[ \t]+push\b
        |\baz[ \t]+(?:webapp|functionapp|containerapp|staticwebapp|spring)\b[^\n]*\b(?:deploy|up|update|create)\b
        |\buses:[ \t]*["']?[\w.-]+/[\w./-]*deploy[\w.-]*@
        |\btask:[ \t]*(?:AzureWebApp|AzureFunctionApp|AzureRmWebAppDeployment|KubernetesManifest|Kubernetes|AzureContainerApps)@
        """,
        re.X | re.M,
    ),
    ("kubectl", "deploy", "push", "az", "task:"),
)
# What publishes rather than deploys: documentation and Pages, packages, images, releases.
_PUBLISHES = WordsFirst(
    re.compile(
        r"""(?:actions/deploy-pages|actions/upload-pages-artifact|peaceiris/actions-gh-pages
        |github-pages-deploy-action|\bgh-pages\b|\bmkdocs[ \t]+gh-deploy|\bghp-import\b
        |pypa/gh-action-pypi-publish|\btwine[ \t]+upload|\b(?:npm|yarn|pnpm)[ \t]+publish
        |\b(?:poetry|cargo|flit|hatch|uv)[ \t]+publish|\bgem[ \t]+push|\bnuget[ \t]+push
        |\bmvnw?\b[^\n]*\bdeploy\b|\bgradlew?\b[^\n]*\bpublish|\bdocker[ \t]+push|\bgoreleaser
        |softprops/action-gh-release|\bhelm[ \t]+push|chart-releaser)""",
        re.X,
    ),
    ("pages", "deploy", "ghp-import", "publish", "twine", "push", "release"),
)
# A cluster the job itself creates, and the lines that talk to a cluster.
_LOCAL_CLUSTER = WordsFirst(
    re.compile(
        r"""\bkind[ \t]+create[ \t]+cluster\b|\bk3d[ \t]+cluster[ \t]+create\b|\bminikube[ \t]+start\b
        |\bctlptl[ \t]+create\b
        |(?:helm/kind-action|engineerd/setup-kind|AbsaOSS/k3d-action|nolar/setup-k3d-k3s|medyagh/setup-minikube
        |manusa/actions-setup-minikube)@""",
        re.X,
    ),
    ("create", "minikube", "kind", "k3d"),
)
_CLUSTER_COMMAND = re.compile(r"\b(?:kubectl|helm|helmfile|kustomize|flux|argocd)\b")
# Environments that receive publications, not deployments.
_PUBLISHING_ENVIRONMENTS = frozenset(
    {"github-pages", "pages", "docs", "documentation", "pypi", "testpypi", "npm", "release", "releases"}
)


class Verdict(NamedTuple):
    deploys: bool
    applies: bool


NOTHING = Verdict(False, False)


def says_deploy(value: Any) -> bool:
    return isinstance(value, str) and "deploy" in value.lower()


def judge(code: str, *, named_deploy: bool = False, environment: Any = None) -> Verdict:
    """The verdict on one job from what it runs (comments already removed), whether its name
    says it deploys, and its `environment:` (a name, a mapping with one, or True for a target
    not named)."""
    local_cluster = _LOCAL_CLUSTER.search(code)
    if local_cluster:  # what such a job applies or deploys goes to a throwaway test cluster
        code = _without_lines(_CLUSTER_COMMAND, code)
    published = _PUBLISHES.search(code)
    if published:
        code = _without_lines(_PUBLISHES, code)
    applies = _APPLIES.search(code) or _APPLY_COMMAND.search(code)
    if applies or _DEPLOYS.search(code):
        return Verdict(True, applies)
    if local_cluster:
        return NOTHING
    # A job that publishes may still deploy to the environment it names; its name alone,
    # `deploy-docs` and kin, says nothing more than that it publishes.
    return Verdict(_targets_environment(environment) or (named_deploy and not published), False)


def _without_lines(pattern: re.Pattern[str] | WordsFirst, code: str) -> str:
    # Searched in the whole text first: most jobs have no such line, and a per-line pass
    # (or a `^.*` pattern) costs every job.
    return "\n".join(line for line in code.splitlines() if not pattern.search(line))


def _targets_environment(environment: Any) -> bool:
    name = environment.get("name") if isinstance(environment, dict) else environment
    if isinstance(name, str):
        return name.strip().lower() not in _PUBLISHING_ENVIRONMENTS
    return bool(name)
