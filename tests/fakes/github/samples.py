"""`sample_org()`: a small organization with one of everything the fake serves."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from .model import (
    ActionsPermissions,
    Branch,
    BranchProtection,
    CodeSecurityConfiguration,
    Commit,
    CustomProperty,
    Deployment,
    DeploymentStatus,
    Environment,
    Organization,
    Pages,
    Repository,
    Ruleset,
    Team,
    User,
    WorkflowRun,
    rule,
)

NOW = datetime(2026, 5, 30, 12, 0, tzinfo=timezone.utc)


def _history(prefix: str, authors: list[tuple[str | None, str]], count: int) -> list[Commit]:
    """`count` daily commits, newest first, cycling through (login, email) authors."""
    return [
        Commit(
            sha=f"{prefix}{index:04x}".ljust(40, "0")[:40],
            date=NOW - timedelta(days=index),
            author_login=authors[index % len(authors)][0],
            author_email=authors[index % len(authors)][1],
            author_name=(authors[index % len(authors)][0] or "external").title(),
            message=f"Change {index}",
        )
        for index in range(count)
    ]


def sample_org() -> Organization:
    """Organization "acme": members alice (owner), bob, carol; repositories svc-payments, svc-orders,
    platform-templates (a template), legacy-tool (archived) and docs-fork (a fork)."""
    people = [("alice", "alice@acme.test"), ("bob", "bob@acme.test"), (None, "contractor@example.com")]
    payments = Repository(
        "svc-payments",
        description="Payment service",
        language="Python",
        topics=["service", "payments"],
        template_repository="acme/platform-templates",
        has_vulnerability_alerts=True,
        security_and_analysis={
            "secret_scanning": "enabled",
            "secret_scanning_push_protection": "enabled",
            "dependabot_security_updates": "enabled",
        },
        pushed_at=NOW,
        files={
            "README.md": b"# svc-payments\n",
            ".github/CODEOWNERS": b"* @acme/platform\n",
            ".github/workflows/ci.yml": b"on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n",
            ".github/dependabot.yml": b"version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n    schedule: {interval: weekly}\n",
            "catalog-info.yaml": (
                b"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: svc-payments\n"
                b"spec:\n  type: service\n  owner: platform\n"
            ),
            "src/payments/__init__.py": b"",
            "src/payments/api.py": b"def pay() -> None:\n    pass\n",
            "deploy/terraform/main.tf": b'module "svc" {\n  source = "git::https://example.test/acme/tf-modules//svc"\n}\n',
        },
        commits=_history("a1", people, 12),
        branches=[
            Branch(
                "main",
                protection=BranchProtection(
                    required_approving_review_count=2,
                    require_code_owner_reviews=True,
                    required_status_checks=["test"],
                    strict_status_checks=True,
                    enforce_admins=True,
                ),
            ),
            Branch("release/1.0", sha="a1" + "f" * 38),
        ],
        rulesets=[Ruleset("no-force-push", rules=[rule("non_fast_forward"), rule("deletion")])],
        deployments=[
            Deployment(
                "production",
                created_at=NOW - timedelta(days=day),
                ref="main",
                statuses=[
                    DeploymentStatus("in_progress", NOW - timedelta(days=day)),
                    DeploymentStatus(
                        "failure" if day == 3 else "success", NOW - timedelta(days=day) + timedelta(minutes=5)
                    ),
                ],
            )
            for day in range(1, 7)
        ]
        + [
            Deployment(
                "staging",
                created_at=NOW - timedelta(hours=6),
                statuses=[DeploymentStatus("success", NOW - timedelta(hours=5))],
            )
        ],
        environments=[
            Environment("production", required_reviewers=["alice"], wait_timer_minutes=5, branch_policy="protected_branches")
        ],
        custom_properties={"owner": "payments", "tier": "1"},
        workflow_runs=[
            WorkflowRun(
                created_at=NOW - timedelta(hours=8 * index),
                conclusion="failure" if index % 4 == 0 else "success",
                head_branch="main" if index % 3 else "feature/x",
                event="push" if index % 3 else "pull_request",
            )
            for index in range(1, 10)
        ],
    )
    orders = Repository(
        "svc-orders",
        description="Order service",
        language="Go",
        visibility="internal",
        topics=["service"],
        pushed_at=NOW - timedelta(days=2),
        files={
            "README.md": b"# svc-orders\n",
            "go.mod": b"module acme.test/orders\n",
            "main.go": b"package main\n",
            ".github/workflows/build.yml": b"on: [push]\n",
        },
        commits=_history("b2", people[:2], 4),
        workflow_runs=[WorkflowRun(created_at=NOW - timedelta(days=1), status="in_progress", conclusion=None)],
    )
    templates = Repository(
        "platform-templates",
        description="Golden-path templates",
        is_template=True,
        topics=["template"],
        pushed_at=NOW - timedelta(days=20),
        files={"README.md": b"# templates\n", "service/README.md": b"# service\n"},
        pages=Pages(build_type="workflow"),
    )
    legacy = Repository(
        "legacy-tool",
        archived=True,
        pushed_at=NOW - timedelta(days=400),
        created_at=NOW - timedelta(days=900),
        files={"tool.sh": b"#!/bin/sh\necho legacy\n"},
        has_issues=False,
    )
    docs_fork = Repository(
        "docs-fork", fork=True, visibility="public", pushed_at=NOW - timedelta(days=30), files={"index.md": b"# docs\n"},
        code_scanning_default_setup=True,
    )
    return Organization(
        "acme",
        name="Acme Corp",
        description="Makers of everything",
        two_factor_requirement_enabled=True,
        members=[User("alice", name="Alice", email="alice@acme.test"), User("bob", name="Bob"), User("carol")],
        owners={"alice"},
        teams=[
            Team(
                "platform",
                name="Platform",
                members=["alice", "bob"],
                maintainers=["alice"],
                repos={"platform-templates": "admin", "svc-payments": "maintain"},
            ),
            Team("payments", members=["bob", "carol"], repos={"svc-payments": "push", "svc-orders": "pull"}),
        ],
        rulesets=[
            Ruleset(
                "org-default-branch",
                include_repositories=["svc-*"],
                rules=[
                    rule("pull_request", required_approving_review_count=1),
                    rule("required_status_checks", required_status_checks=[{"context": "test"}]),
                ],
            )
        ],
        repos=[payments, orders, templates, legacy, docs_fork],
        custom_properties=[
            CustomProperty("owner", required=True, description="The owning team"),
            CustomProperty("tier", value_type="single_select", allowed_values=["1", "2", "3"]),
        ],
        code_security_configurations=[CodeSecurityConfiguration("acme-default", repositories=["svc-payments"])],
        actions_permissions=ActionsPermissions(allowed_actions="selected", patterns_allowed=["acme/*"]),
    )
