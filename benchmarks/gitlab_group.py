"""A GitLab top-level group of 1,000 projects in 50 subgroups, shaped like a real one, for the
GitLab benchmark.

One platform subgroup holds the CI templates and the GitOps projects (10%: 300-800 Kubernetes
manifests each); 49 team subgroups hold the rest: 70% small applications (~50 files, a
`.gitlab-ci.yml` including the platform's templates), 20% infrastructure (~190 Terraform files).
Commits and deployments in the window on the deployable ones, protected default branches on most.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from tests.fakes.gitlab.model import (
    DEVELOPER,
    MAINTAINER,
    OWNER,
    Commit,
    Deployment,
    Group,
    Instance,
    MergeRequest,
    Project,
    ProtectedBranch,
)

NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)  # the scan's clock: the history below is relative to it
TOKEN = "glpat-bench-0123456789abcdef"
GROUP = "bench"
SUBGROUPS = 50

APP_CI = b"""include:
  - project: bench/platform/ci-templates
    ref: v1
    file: /templates/build.yml
stages: [build, deploy]
deploy:
  stage: deploy
  environment: production
  script: [helm upgrade --install app ./chart]
"""
INFRA_CI = b"""include:
  - project: bench/platform/ci-templates
    ref: v1
    file: /templates/terraform.yml
plan:
  script: [terraform plan]
"""
TERRAFORM = b'module "net" {\n  source = "git::https://gitlab.example/bench/platform/tf-net.git?ref=v2"\n}\n'
MANIFEST = b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-%d\nspec:\n  replicas: 2\n"
ARGO = b"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: app-%d\n"
TEMPLATE = b"spec:\n  inputs:\n    stage:\n      default: build\n---\nbuild:\n  stage: $[[ inputs.stage ]]\n  script: [make]\n"


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _app(rng: random.Random) -> dict[str, bytes]:
    files = {f"src/module_{n}.py": b"print('x')\n" for n in range(44)}
    files.update({"README.md": b"# app\n", ".gitlab-ci.yml": APP_CI, "Dockerfile": b"FROM python\n"})
    if rng.random() < 0.6:
        files[".gitlab/CODEOWNERS"] = b"* @bench/team\n"
    if rng.random() < 0.4:
        files["catalog-info.yaml"] = b"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: x}\n"
    return files


def _infra(rng: random.Random) -> dict[str, bytes]:
    files = {f"modules/m{n}/main.tf": b"# module\n" for n in range(150)}
    files.update({f"envs/e{n}/main.tf": TERRAFORM for n in range(40)})
    files.update({".gitlab-ci.yml": INFRA_CI, "README.md": b"# infra\n"})
    return files


def _gitops(rng: random.Random) -> dict[str, bytes]:
    count = rng.randint(300, 800)
    files = {f"apps/app-{n}/deployment.yaml": MANIFEST % n for n in range(count)}
    files.update({f"argocd/app-{n}.yaml": ARGO % n for n in range(20)})
    files.update({"kustomization.yaml": b"resources: []\n", "README.md": b"# gitops\n"})
    return files


def generate(projects: int = 1000, subgroups: int = SUBGROUPS, seed: int = 17) -> Instance:
    rng = random.Random(seed)
    top = Group(1, GROUP, members=[("owner1", OWNER), ("owner2", OWNER)] + [(f"dev{n:03d}", DEVELOPER) for n in range(20)],
                require_two_factor_authentication=True)
    platform = Group(2, f"{GROUP}/platform", parent_id=1, members=[(f"dev{n:03d}", MAINTAINER) for n in range(6)])
    teams = [Group(3 + n, f"{GROUP}/team-{n:02d}", parent_id=1) for n in range(max(0, subgroups - 1))]
    made = [Project(10, platform, "ci-templates", tags=["v1"], files={"templates/build.yml": TEMPLATE, "templates/terraform.yml": TEMPLATE,
                                                        "README.md": b"# CI\n"},
                    protected_branches=[ProtectedBranch("main")], last_activity_at=_iso(NOW - timedelta(days=3)), head_commit=f"{1:040x}",
                    commits=[Commit(f"{n:040x}", _iso(NOW - timedelta(days=3 + 5 * n)), f"dev{n % 6:03d}@bench.test")
                             for n in range(1, 6)],
                    merge_requests=[MergeRequest(f"dev{n:03d}", _iso(NOW - timedelta(days=2 * n))) for n in range(8, 14)])]
    for index in range(projects - 1):
        share = index % 10
        kind, make = ("gitops", _gitops) if share == 0 else ("infra", _infra) if share in (1, 2) else ("app", _app)
        namespace = platform if kind == "gitops" or not teams else teams[index % len(teams)]
        pushed = NOW - timedelta(days=rng.randint(0, 60))
        project_id = 100 + index
        commits = [Commit(f"{project_id:08x}{n:032x}", _iso(pushed - timedelta(days=2 * n)), f"dev{rng.randrange(20):03d}@bench.test")
                   for n in range(rng.randint(3, 15))]
        deployable = kind != "infra" or rng.random() < 0.5
        deployments = [
            Deployment("production", _iso(pushed - timedelta(days=3 * n)), status="failed" if rng.random() < 0.1 else "success",
                       sha=commits[0].id, tier="production")
            for n in range(6)
        ] if deployable else []
        merge_requests = [MergeRequest(f"dev{rng.randrange(20):03d}", _iso(pushed - timedelta(days=n))) for n in range(4)] \
            if namespace is platform else []
        made.append(Project(
            project_id, namespace, f"{kind}-{index:04d}", files=make(rng), last_activity_at=_iso(pushed),
            head_commit=commits[0].id, commits=commits, deployments=deployments, merge_requests=merge_requests,
            protected_branches=[ProtectedBranch("main")] if rng.random() < 0.8 else [],
        ))
    return Instance(groups=[top, platform, *teams], projects=made, tokens={TOKEN})
