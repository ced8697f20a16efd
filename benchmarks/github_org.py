"""A 1,000-repository organization shaped like a real one, for the GitHub benchmark.

70% small application repositories (~50 files), 20% infrastructure repositories with
Terraform and pipelines (~200 files), 10% GitOps/platform repositories with 300-800
Kubernetes manifests; workflow runs and deployments on the deployable ones.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from tests.fakes.github.model import (
    Commit,
    Deployment,
    DeploymentStatus,
    Organization,
    Repository,
    Team,
    User,
    WorkflowRun,
    fake_sha,
)

NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)
WORKFLOW = b"""name: ci
on: [push]
jobs:
  build:
    uses: bench/platform-workflows/.github/workflows/build.yml@v1
  deploy:
    runs-on: ubuntu-latest
    environment: production
    steps:
      - run: helm upgrade --install app ./chart
"""
TERRAFORM = b'module "net" {\n  source = "git::https://github.com/bench/tf-modules.git//net?ref=v1"\n}\n'
MANIFEST = b"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-%d\nspec:\n  replicas: 2\n"
ARGO = b"apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: app-%d\n"


def _app(rng: random.Random, name: str) -> dict[str, bytes]:
    files = {f"src/module_{n}.py": b"print('x')\n" for n in range(44)}
    files.update({"README.md": b"# app\n", ".github/workflows/ci.yml": WORKFLOW, "Dockerfile": b"FROM python\n"})
    if rng.random() < 0.6:
        files[".github/CODEOWNERS"] = b"* @bench/team-a\n"
    if rng.random() < 0.4:
        files["catalog-info.yaml"] = b"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: x}\n"
    return files


def _infra(rng: random.Random, name: str) -> dict[str, bytes]:
    files = {f"modules/m{n}/main.tf": b"# module\n" for n in range(150)}
    files.update({f"envs/e{n}/main.tf": TERRAFORM for n in range(40)})
    files.update({".github/workflows/terraform.yml": WORKFLOW + b"      - run: terraform apply -auto-approve\n",
                  ".github/workflows/checkov.yml": b"on: [pull_request]\njobs:\n  c:\n    steps:\n      - run: checkov -d .\n",
                  "README.md": b"# infra\n"})
    return files


def _gitops(rng: random.Random, name: str) -> dict[str, bytes]:
    count = rng.randint(300, 800)
    files = {f"apps/app-{n}/deployment.yaml": MANIFEST % n for n in range(count)}
    files.update({f"argocd/app-{n}.yaml": ARGO % n for n in range(20)})
    files.update({"kustomization.yaml": b"resources: []\n", "README.md": b"# gitops\n"})
    return files


def generate(repositories: int = 1000, seed: int = 11, login: str = "bench") -> Organization:
    rng = random.Random(seed)
    members = [User(f"dev{n:03d}") for n in range(60)]
    logins = [m.login for m in members]
    repos = []
    for index in range(repositories):
        share = index % 10
        kind, make = ("gitops", _gitops) if share == 0 else ("infra", _infra) if share in (1, 2) else ("app", _app)
        name = f"platform-{index:04d}" if kind == "gitops" else f"{kind}-{index:04d}"
        pushed = NOW - timedelta(days=rng.randint(0, 60))
        commits = [
            Commit(sha=fake_sha(name, n), date=pushed - timedelta(days=2 * n), author_login=rng.choice(logins),
                   author_email=f"{rng.choice(logins)}@bench.test")
            for n in range(rng.randint(3, 15))
        ]
        deployable = kind != "infra" or rng.random() < 0.5
        runs = [WorkflowRun(created_at=pushed - timedelta(days=n), name="deploy",
                            conclusion="failure" if rng.random() < 0.1 else "success") for n in range(10)] if deployable else []
        deployments = [
            Deployment(created_at=pushed - timedelta(days=3 * n),
                       statuses=[DeploymentStatus("failure" if rng.random() < 0.1 else "success",
                                                  created_at=pushed - timedelta(days=3 * n))])
            for n in range(6)
        ] if deployable else []
        repos.append(Repository(name, files=make(rng, name), pushed_at=pushed, created_at=NOW - timedelta(days=900),
                                commits=commits, workflow_runs=runs, deployments=deployments))
    teams = [Team("platform", members=logins[:6], repos={r.name: "admin" for r in repos if r.name.startswith("platform")})]
    teams += _product_teams(random.Random(seed + 1), repos, logins)
    return Organization(login, members=members, owners={logins[0], logins[1]}, teams=teams,
                        two_factor_requirement_enabled=True, repos=repos)


def _product_teams(rng: random.Random, repos: list[Repository], logins: list[str]) -> list[Team]:
    """One team per 20 repositories, each granted 10-40 of them, and direct collaborators on a
    third of the repositories: the grants `vcs.access` counts (its own generator, so the
    repositories' content stays what it was)."""
    for repo in repos:
        if rng.random() < 0.3:
            repo.collaborators = {login: "push" for login in rng.sample(logins, rng.randint(1, 3))}
    return [
        Team(f"team-{number:02d}", members=rng.sample(logins, 5),
             repos={repo.name: rng.choice(["push", "maintain"]) for repo in rng.sample(repos, min(len(repos), rng.randint(10, 40)))})
        for number in range(max(1, len(repos) // 20))
    ]
