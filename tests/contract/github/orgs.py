"""Organizations the contract tests declare for the fake GitHub."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.contract.github.scanning import NOW
from tests.fakes.github.model import (
    Branch,
    BranchProtection,
    Commit,
    Deployment,
    DeploymentState,
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

REUSABLE = b"""on:
  workflow_call:
    inputs:
      target: {type: string}
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: make build
"""
DEPLOY_WORKFLOW = b"""name: Deploy
on:
  push:
    branches: [main]
jobs:
  ship:
    runs-on: ubuntu-latest
    steps:
      - run: flyctl deploy --remote-only
"""
BUILD_WORKFLOW = b"on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make test\n"
CALLER = b"""on: [push]
jobs:
  build:
    uses: acme/platform-ci/.github/workflows/build.yml@v1
  scan:
    runs-on: ubuntu-latest
    steps:
      - run: checkov -d .
"""


def commits(name: str, authors: list[tuple[str | None, str]], days: list[float]) -> list[Commit]:
    """Commits `days` ago (newest first), cycling through (login, email) authors."""
    return [
        Commit(
            sha=fake_sha(name, index),
            date=NOW - timedelta(days=day, hours=1),
            author_login=authors[index % len(authors)][0],
            author_email=authors[index % len(authors)][1],
        )
        for index, day in enumerate(sorted(days))
    ]


def deployment(day: float, state: DeploymentState, environment: str = "production") -> Deployment:
    created = NOW - timedelta(days=day)
    return Deployment(environment, created_at=created, statuses=[DeploymentStatus(state, created + timedelta(minutes=5))])


def acme() -> Organization:
    alice, bob, erin = ("alice", "alice@acme.test"), ("bob", "bob@acme.test"), ("erin", "erin@acme.test")
    outsider = (None, "contractor@example.com")
    head_date: datetime = NOW - timedelta(days=2, hours=1)
    platform_ci = Repository(
        "platform-ci",
        files={
            ".github/workflows/build.yml": REUSABLE,
            "CODEOWNERS": b"* @acme/platform\n",
            "CONTRIBUTING.md": b"# Contributing\n\nOpen an issue first, then a pull request with tests for the change.\n",
            "README.md": b"# CI\n",
        },
        commits=commits("platform-ci", [alice, erin, outsider], [2, 9, 16, 30, 31]),
        pushed_at=head_date,
        has_discussions=True,
        rulesets=[Ruleset("main", rules=[rule("pull_request", required_approving_review_count=1, require_code_owner_review=True)])],
        security_and_analysis={"secret_scanning": "enabled", "secret_scanning_push_protection": "disabled"},
    )
    svc_a = Repository(
        "svc-a",
        files={
            ".github/workflows/ci.yml": CALLER,
            ".github/CODEOWNERS": b"* @acme/payments @bob\n/infra/ @acme/platform\n",
            ".github/dependabot.yml": b"version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n    schedule: {interval: weekly}\n",
            "infra/main.tf": b'module "db" {\n  source = "git::https://github.com/acme/tf-modules.git//db?ref=v1"\n}\n',
            "src/app.py": b"print('a')\n",
        },
        commits=commits("svc-a", [bob, alice], [1, 2, 8, 40]),
        template_repository="acme/service-template",
        has_vulnerability_alerts=True,
        branches=[Branch("main", protection=BranchProtection(required_approving_review_count=2, required_status_checks=["build", "scan / checkov"]))],
        deployments=[deployment(10, "success"), deployment(8, "failure"), deployment(7, "success"), deployment(3, "success", "staging")],
    )
    svc_b = Repository(
        "svc-b",
        files={".github/workflows/ci.yml": CALLER, "main.go": b"package main\n"},
        commits=commits("svc-b", [bob], [5]),
        collaborators={"bob": "admin", "contractor": "push"},  # granted one by one, not through a team
    )
    template = Repository(
        "service-template",
        is_template=True,
        files={"cookiecutter.json": b'{"name": "svc"}\n', "{{cookiecutter.name}}/README.md": b"# {{cookiecutter.name}}\n"},
        commits=commits("service-template", [alice], [60]),
    )
    return Organization(
        "acme",
        two_factor_requirement_enabled=True,
        members=[User("alice"), User("bob"), User("erin"), User("frank")],
        owners={"alice", "frank"},
        teams=[
            Team("platform", members=["alice", "erin"], repos={"platform-ci": "admin", "service-template": "maintain"}),
            Team("platform-oncall", privacy="secret", members=["erin"], repos={"svc-b": "push"}),
            Team("payments", members=["bob"], repos={"svc-a": "admin"}),
        ],
        rulesets=[Ruleset("org-main", rules=[rule("required_status_checks", required_status_checks=[{"context": "build"}])])],
        repos=[
            platform_ci,
            svc_a,
            svc_b,
            template,
            Repository("old", archived=True, files={"a.txt": b"a"}),
            Repository("upstream-fork", fork=True, files={"b.txt": b"b"}),
        ],
    )


def many_repositories(count: int) -> Organization:
    """An organization with `count` tiny repositories, named repo-000 …"""
    return Organization(
        "acme",
        members=[User("alice")],
        owners={"alice"},
        repos=[Repository(f"repo-{index:03d}", files={"README.md": b"# r\n", ".github/CODEOWNERS": b"* @alice\n"}) for index in range(count)],
    )


def deploy_run(hours_ago: float, conclusion: str = "success", sha: str | None = None, **fields: Any) -> WorkflowRun:
    return WorkflowRun(
        created_at=NOW - timedelta(hours=hours_ago), name="Deploy", workflow_path=".github/workflows/deploy.yml",
        head_sha=sha, conclusion=conclusion, **fields,
    )


def deploying() -> Organization:
    """Repositories whose workflow deploys (flyctl), with and without GitHub deployments:
    svc-ship records none, svc-recorded records some in the window, svc-old only long ago."""
    bob = ("bob", "bob@acme.test")
    files = {".github/workflows/deploy.yml": DEPLOY_WORKFLOW, ".github/workflows/ci.yml": BUILD_WORKFLOW}
    ship_commits = commits("svc-ship", [bob], [1, 2, 5])  # committed 1 h before each of these days
    ship = Repository(
        "svc-ship",
        files=dict(files),
        commits=ship_commits,
        workflow_runs=[
            deploy_run(24 - 1, sha=ship_commits[0].sha),  # 2 h after its commit
            deploy_run(48 - 5, sha=ship_commits[1].sha),  # restores the failure 5 h before; 6 h after its commit
            deploy_run(48, "failure", sha=ship_commits[1].sha),
            deploy_run(96, "cancelled"),
            deploy_run(144, sha="f" * 40),  # a commit the window's history does not hold
            deploy_run(30, "failure", head_branch="feature/x"),  # another branch: not asked for
            deploy_run(24 * 120, "failure"),  # before the window: not asked for
            WorkflowRun(created_at=NOW - timedelta(hours=10), conclusion="failure"),  # CI, not a deployment
        ],
    )
    recorded = Repository(
        "svc-recorded",
        files=dict(files),
        commits=commits("svc-recorded", [bob], [3]),
        deployments=[deployment(3, "success")],
        workflow_runs=[deploy_run(72)],
    )
    old = Repository(
        "svc-old",
        files=dict(files),
        commits=commits("svc-old", [bob], [10]),
        deployments=[deployment(200, "success")],
        workflow_runs=[deploy_run(240), deploy_run(480)],
    )
    return Organization("acme", members=[User("bob")], owners={"bob"}, repos=[ship, recorded, old])
