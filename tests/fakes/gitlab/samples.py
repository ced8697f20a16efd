"""The sample instance: a top-level group `acme` with two subgroups and projects covering the
cases the collector must tell apart (protected or not, archived, fork, empty, many files)."""

from __future__ import annotations

from .model import (
    DEVELOPER,
    MAINTAINER,
    OWNER,
    ApprovalRule,
    Commit,
    Deployment,
    Group,
    Instance,
    MergeRequest,
    Project,
    ProtectedBranch,
)

TOKEN = "glpat-CANARY-0123456789abcdef"  # a canary: tests check it never appears in any output

SVC_A_CI = b"""include:
  - project: acme/platform/ci-templates
    ref: v1
    file: /templates/build.yml
  - template: Security/SAST.gitlab-ci.yml
stages: [build, deploy]
deploy:
  stage: deploy
  environment: production
  script: [helm upgrade --install svc-a ./chart]
"""

TEMPLATES_CI = b"""spec:
  inputs:
    stage:
      default: build
---
build:
  stage: $[[ inputs.stage ]]
  script: [make build]
"""


def sample_instance() -> Instance:
    acme = Group(10, "acme", members=[("alice", OWNER), ("bob", MAINTAINER), ("carol", DEVELOPER)],
                 require_two_factor_authentication=True)
    platform = Group(11, "acme/platform", parent_id=10, members=[("dave", MAINTAINER), ("erin", DEVELOPER)])
    apps = Group(12, "acme/apps", parent_id=10)
    many = {f"src/module_{index:03}.py": b"print('hello')\n" for index in range(150)}
    projects = [
        Project(100, platform, "ci-templates", topics=["platform"], tags=["v1"],
                files={"templates/build.yml": TEMPLATES_CI, "CODEOWNERS": b"* @acme/platform\n", "README.md": b"# CI\n"},
                protected_branches=[ProtectedBranch("main", code_owner_approval_required=True)],
                commits=[Commit("1" * 40, "2026-05-28T09:00:00Z", "dave@example.com"),
                         Commit("2" * 40, "2026-05-26T09:00:00Z", "erin@example.com"),
                         Commit("3" * 40, "2026-05-12T09:00:00Z", "dave@example.com"),
                         Commit("4" * 40, "2025-11-02T09:00:00Z", "dave@example.com")],  # before the window
                merge_requests=[MergeRequest("dave", "2026-05-28T09:00:00Z"), MergeRequest("bob", "2026-05-20T09:00:00Z"),
                                MergeRequest("carol", "2026-05-18T09:00:00Z"), MergeRequest("bob", "2026-05-02T09:00:00Z"),
                                MergeRequest("project_100_bot_1a2b", "2026-05-03T09:00:00Z"),
                                MergeRequest("zed", "2026-05-04T09:00:00Z", state="closed"),
                                MergeRequest("yan", "2025-10-01T09:00:00Z")],  # before the window
                approvals_before_merge=2, only_allow_merge_if_pipeline_succeeds=True,
                approval_rules=[ApprovalRule("All members", 2, rule_type="any_approver")],
                push_rule={"prevent_secrets": True, "member_check": True}),
        Project(101, apps, "svc-a", files={".gitlab-ci.yml": SVC_A_CI, ".gitlab/CODEOWNERS": b"* @bob\n",
                                           "infra/main.tf": b'module "net" {\n  source = "git::https://gitlab.example/acme/platform/tf-net.git?ref=v2"\n}\n'},
                protected_branches=[ProtectedBranch("main"), ProtectedBranch("release/*")], approvals_before_merge=1,
                approval_rules=[ApprovalRule("Reviewers", 1, branches=["main"]),
                                ApprovalRule("Release managers", 3, branches=["release/*"]),  # not the default branch
                                ApprovalRule("License-Check", 5, rule_type="report_approver")],  # a report rule, not a review
                dora={"deployment_frequency": 0.03, "lead_time_for_changes": 43200.0, "time_to_restore_service": 7200.0,
                      "change_failure_rate": 0.25},
                deployments=[
                    Deployment("live-eu", "2026-05-01T10:00:00Z", committed_at="2026-05-01T06:00:00Z", tier="production"),
                    Deployment("live-eu", "2026-05-08T10:00:00Z", status="failed", sha="d" * 40, tier="production"),
                    Deployment("live-eu", "2026-05-09T10:00:00Z", sha="d" * 40, committed_at="2026-05-08T08:00:00Z",
                               tier="production"),
                    Deployment("review/feature-x", "2026-05-10T10:00:00Z"),  # a review app: not production
                    Deployment("live-eu", "2025-12-01T10:00:00Z", tier="production"),  # before the window
                ]),
        Project(102, apps, "svc-b", files={"Dockerfile": b"FROM python:3.12\n", **many},
                protected_branches=[ProtectedBranch("release/*")]),
        Project(103, apps, "old", archived=True, files={"README.md": b"# old\n"}),
        Project(104, apps, "svc-a-fork", forked_from="acme/apps/svc-a", files={"README.md": b"# fork\n"}),
        Project(105, apps, "empty", default_branch=None),
    ]
    return Instance(groups=[acme, platform, apps], projects=projects, tokens={TOKEN})
