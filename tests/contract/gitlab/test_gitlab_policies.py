"""Policy checks required in the pipeline (Ultimate): security policies and compliance pipelines,
from the GraphQL batch, against the fake GitLab, by tier and role."""

from __future__ import annotations

import json

from collectors.gitlab import policies
from tests.contract.gitlab.scanning import run_gitlab
from tests.fakes.gitlab.model import Policy
from tests.fakes.gitlab.server import FakeGitLab

SVC_A = "gitlab:acme/apps/svc-a"  # its default branch is protected
PIPELINE_RULE = {"type": "pipeline", "branch_type": "default"}


def _ultimate(fake: FakeGitLab, *tokens: set[str]) -> None:
    fake.instance.tier = "ultimate"
    for readers in tokens:
        readers.add(fake.token)


def _checks(fake: FakeGitLab) -> object:
    return run_gitlab(fake).data(SVC_A, "vcs.branch_protection")["policy_checks_required"]


def test_a_pipeline_execution_policy_of_the_project_requires_policy_checks(fake_gitlab: FakeGitLab) -> None:
    _ultimate(fake_gitlab, fake_gitlab.instance.developer_tokens)
    svc_a = fake_gitlab.instance.project("acme/apps/svc-a")
    assert svc_a is not None
    svc_a.policies.append(Policy("Compliance jobs", "pipeline_execution_policy"))
    assert _checks(fake_gitlab) is True
    assert fake_gitlab.count(r"^/api/graphql$") == 1  # in the batch: no request of its own


def test_a_group_scan_policy_running_on_the_default_branch_binds_its_projects(fake_gitlab: FakeGitLab) -> None:
    _ultimate(fake_gitlab, fake_gitlab.instance.developer_tokens)
    acme = fake_gitlab.instance.group("acme")
    assert acme is not None
    acme.policies.append(Policy("Secrets", "scan_execution_policy", rules=[PIPELINE_RULE]))
    assert _checks(fake_gitlab) is True


def test_policies_that_do_not_bind_the_default_branch_leave_it_unknown(fake_gitlab: FakeGitLab) -> None:
    _ultimate(fake_gitlab, fake_gitlab.instance.developer_tokens)
    acme = fake_gitlab.instance.group("acme")
    assert acme is not None
    acme.policies += [
        Policy("Nightly", "scan_execution_policy", rules=[{"type": "schedule", "cadence": "0 0 * * *"}]),
        Policy("Releases", "scan_execution_policy", rules=[{"type": "pipeline", "branches": ["release/*"]}]),
        Policy("Off", "pipeline_execution_policy", enabled=False),
    ]
    assert _checks(fake_gitlab) is None  # an empty or unbinding list may be all the role is shown: never False


def test_a_reporter_is_shown_no_policy_and_the_requirement_stays_unknown(fake_gitlab: FakeGitLab) -> None:
    _ultimate(fake_gitlab)  # GitLab lists no policy to a Reporter, silently
    svc_a = fake_gitlab.instance.project("acme/apps/svc-a")
    assert svc_a is not None
    svc_a.policies.append(Policy("Compliance jobs", "pipeline_execution_policy"))
    assert _checks(fake_gitlab) is None


def test_premium_has_no_policies_and_the_requirement_stays_unknown(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.instance.tier = "premium"
    fake_gitlab.instance.developer_tokens.add(fake_gitlab.token)
    svc_a = fake_gitlab.instance.project("acme/apps/svc-a")
    assert svc_a is not None
    svc_a.policies.append(Policy("Compliance jobs", "pipeline_execution_policy"))
    assert _checks(fake_gitlab) is None


def test_a_compliance_pipeline_is_seen_by_owners_only(fake_gitlab: FakeGitLab) -> None:
    _ultimate(fake_gitlab, fake_gitlab.instance.maintainer_tokens)
    svc_a = fake_gitlab.instance.project("acme/apps/svc-a")
    assert svc_a is not None
    svc_a.compliance_frameworks.append(("SOX", ".compliance-ci.yml@acme/compliance"))
    scan = run_gitlab(fake_gitlab)  # a Maintainer: the pipeline's path comes back null, with an error
    protection = scan.data(SVC_A, "vcs.branch_protection")
    assert protection["policy_checks_required"] is None and protection["enabled"] is True  # the rest of the batch stands
    fake_gitlab.instance.owner_tokens.add(fake_gitlab.token)
    assert _checks(fake_gitlab) is True


def test_the_free_tier_asks_for_no_policy_and_keeps_the_requirement_unknown(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.instance.developer_tokens.add(fake_gitlab.token)
    assert _checks(fake_gitlab) is None
    queries = [json.loads(request.body or b"{}")["query"] for request in fake_gitlab.requests if request.path == "/api/graphql"]
    assert queries and all("Policies" not in query for query in queries)


def test_a_gitlab_without_the_policy_fields_is_asked_again_without_them(fake_gitlab: FakeGitLab) -> None:
    _ultimate(fake_gitlab, fake_gitlab.instance.maintainer_tokens)  # who sees the branch rules over GraphQL
    fake_gitlab.instance.policy_fields = False  # GitLab before 17.2 refuses the whole query
    scan = run_gitlab(fake_gitlab)
    assert scan.data(SVC_A, "vcs.branch_protection")["policy_checks_required"] is None
    # refused with the push rules' settings (merge request 223061), then with the policies, then asked without either
    assert fake_gitlab.count(r"^/api/graphql$") == 3
    assert fake_gitlab.count(r"^/projects/\d+/protected_branches$") == 0  # the batch still gave the protections


def test_scan_policy_rules_cover_the_default_branch_by_type_or_pattern() -> None:
    def covers(*rules: dict[str, object]) -> bool:
        return policies.required({"scanExecutionPolicies": {"nodes": [
            {"enabled": True, "yaml": f"name: p\nrules: {list(rules)!r}\n"}]}}, "main") is True

    assert covers({"type": "pipeline", "branch_type": "all"})
    assert covers({"type": "pipeline", "branches": ["ma*"]})
    assert not covers({"type": "pipeline", "branches": ["*"], "branch_exceptions": ["main"]})
    assert not covers({"type": "pipeline", "branch_type": "target_default"})
    assert not covers({"type": "schedule", "branch_type": "default"})
    assert policies.required({"scanExecutionPolicies": {"nodes": [{"enabled": True, "yaml": "rules: [unclosed"}]}}, "main") is None


def test_a_policy_yaml_nested_past_the_parser_is_unknown_not_a_crash() -> None:
    # Policies are YAML people wrote, read with the bounds a repository's file gets: nesting deep
    # enough to exhaust the constructor's recursion leaves the policy unread, not the scan failed.
    nested = "rules: " + "[" * 20_000 + "]" * 20_000 + "\n"
    assert policies.required({"scanExecutionPolicies": {"nodes": [{"enabled": True, "yaml": nested}]}}, "main") is None
