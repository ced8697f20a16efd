"""`generate_org(n_repos, seed)`: a deterministic, varied organization for benchmarks (e.g. 1,000 repositories)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from .model import (
    Branch,
    BranchProtection,
    Commit,
    Deployment,
    DeploymentStatus,
    Organization,
    Repository,
    Ruleset,
    Team,
    User,
    WorkflowRun,
    fake_sha,
    rule,
)

NOW = datetime(2026, 5, 30, 12, 0, tzinfo=timezone.utc)

_KINDS = ("svc", "lib", "tool", "infra", "web", "data")
_FILE_SETS: dict[str, dict[str, bytes]] = {
    "svc": {
        "Dockerfile": b"FROM python:3.12\n",
        "src/app.py": b"print('hi')\n",
        "deploy/helm/Chart.yaml": b"apiVersion: v2\nname: app\nversion: 0.1.0\n",
    },
    "lib": {"pyproject.toml": b"[project]\nname = 'lib'\n", "src/lib/__init__.py": b""},
    "tool": {"main.go": b"package main\n", "go.mod": b"module example.test/tool\n"},
    "infra": {"main.tf": b'module "net" {\n  source = "../modules/net"\n}\n', "modules/net/main.tf": b"# net\n"},
    "web": {"package.json": b'{"name": "web"}\n', "src/index.ts": b"export {}\n"},
    "data": {"dbt_project.yml": b"name: data\n", "models/orders.sql": b"select 1\n"},
}
_OPTIONAL_FILES: dict[str, bytes] = {
    ".github/workflows/ci.yml": b"on: [push]\njobs:\n  ci:\n    runs-on: ubuntu-latest\n",
    ".github/CODEOWNERS": b"* @org/platform\n",
    ".github/dependabot.yml": b"version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n    schedule: {interval: weekly}\n",
    "catalog-info.yaml": b"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: svc}\nspec: {owner: platform}\n",
    "docs/runbook.md": b"# Runbook\n",
    "renovate.json": b"{}\n",
}


def _repository(rng: random.Random, index: int, logins: list[str], org_login: str) -> Repository:
    kind = _KINDS[index % len(_KINDS)]
    name = f"{kind}-{index:04d}"
    pushed = NOW - timedelta(days=rng.randint(0, 720), hours=rng.randint(0, 23))
    files = {"README.md": f"# {name}\n".encode(), **_FILE_SETS[kind]}
    files.update({path: content for path, content in _OPTIONAL_FILES.items() if rng.random() < 0.5})
    commits = []
    for number in range(rng.randint(1, 25)):
        login = rng.choice(logins) if rng.random() < 0.9 else None
        commits.append(
            Commit(
                sha=fake_sha(name, number),
                date=pushed - timedelta(days=number * rng.randint(1, 4)),
                author_login=login,
                author_email=f"{login or 'ext'}@example.test",
                author_name=login or "External",
                message=f"Change {number}",
            )
        )
    protection = None
    if rng.random() < 0.6:
        protection = BranchProtection(
            required_approving_review_count=rng.choice([None, 1, 1, 2]),
            require_code_owner_reviews=rng.random() < 0.3,
            required_status_checks=["ci"] if rng.random() < 0.5 else None,
            enforce_admins=rng.random() < 0.3,
        )
    is_service = kind in ("svc", "web")
    deployments = [
        Deployment(
            "production" if day % 3 else "staging",
            created_at=pushed - timedelta(days=day),
            statuses=[
                DeploymentStatus(
                    rng.choice(["success", "success", "success", "failure"]),
                    pushed - timedelta(days=day) + timedelta(minutes=7),
                )
            ],
        )
        for day in range(rng.randint(0, 12) if is_service else 0)
    ]
    runs = [
        WorkflowRun(
            created_at=pushed - timedelta(hours=6 * number),
            conclusion=rng.choice(["success", "success", "success", "failure", "cancelled"]),
        )
        for number in range(rng.randint(0, 15) if ".github/workflows/ci.yml" in files else 0)
    ]
    return Repository(
        name,
        files=files,
        description=f"{kind} number {index}",
        language={"svc": "Python", "lib": "Python", "tool": "Go", "infra": "HCL", "web": "TypeScript", "data": "SQL"}[
            kind
        ],
        visibility=rng.choice(["private", "private", "internal", "public"]),
        archived=rng.random() < 0.15,
        fork=rng.random() < 0.05,
        topics=sorted({kind, *rng.sample(["team-a", "team-b", "golden-path", "pci", "legacy"], rng.randint(0, 2))}),
        is_template=index % 97 == 0,
        template_repository=None if index % 97 == 0 or rng.random() < 0.7 else f"{org_login}/svc-0000",
        has_issues=rng.random() < 0.8,
        has_discussions=rng.random() < 0.1,
        has_vulnerability_alerts=rng.random() < 0.5,
        security_and_analysis={"secret_scanning": rng.choice(["enabled", "disabled"])},
        created_at=pushed - timedelta(days=rng.randint(30, 1500)),
        pushed_at=pushed,
        commits=commits,
        branches=[Branch("main", protection=protection)],
        rulesets=[Ruleset("main-guard", rules=[rule("deletion"), rule("non_fast_forward")])]
        if rng.random() < 0.2
        else [],
        deployments=deployments,
        workflow_runs=runs,
    )


def generate_org(n_repos: int = 1000, seed: int = 0, login: str = "bench") -> Organization:
    """An organization of `n_repos` repositories; the same (n_repos, seed) always gives the same content."""
    rng = random.Random(seed)
    members = [User(f"dev{number:03d}", name=f"Developer {number}") for number in range(max(3, n_repos // 5))]
    logins = [member.login for member in members]
    repos = [_repository(rng, index, logins, login) for index in range(n_repos)]
    teams = [
        Team(
            f"team-{number:02d}",
            members=rng.sample(logins, min(len(logins), 5)),
            repos={
                repo.name: rng.choice(["pull", "push", "maintain", "admin"])
                for repo in rng.sample(repos, min(len(repos), 10))
            },
        )
        for number in range(max(1, n_repos // 20))
    ]
    return Organization(
        login,
        name="Benchmark Org",
        members=members,
        owners=set(logins[:2]),
        teams=teams,
        rulesets=[
            Ruleset(
                "org-main",
                include_repositories=["svc-*", "web-*"],
                rules=[rule("pull_request", required_approving_review_count=1)],
            )
        ],
        two_factor_requirement_enabled=True,
        repos=repos,
    )
