"""Merge-request approval rules and push rules against the fake GitLab, by licence tier and role."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from collectors.gitlab import approval_settings, approvals, directory
from scanner.model import EvidenceStatus
from tests.collecting import CollectedScan
from tests.contract.gitlab.scanning import run_gitlab
from tests.fakes.gitlab.model import ApprovalRule, ProtectedBranch
from tests.fakes.gitlab.server import FakeGitLab

SVC_A, TEMPLATES = "gitlab:acme/apps/svc-a", "gitlab:acme/platform/ci-templates"


def _premium(fake: FakeGitLab, *, maintainer: bool = False) -> None:
    fake.instance.tier = "premium"
    if maintainer:
        fake.instance.maintainer_tokens.add(fake.token)


def test_required_approvals_come_from_the_rules_binding_the_default_branch(fake_gitlab: FakeGitLab) -> None:
    _premium(fake_gitlab)
    svc_a = fake_gitlab.instance.project("acme/apps/svc-a")
    assert svc_a is not None
    svc_a.approvals_before_merge = 0  # deprecated: GitLab keeps the rules, not this number
    svc_a.approval_rules.append(ApprovalRule("Security", 2, applies_to_all_protected_branches=True))
    scan = run_gitlab(fake_gitlab)
    # 2 (every protected branch), not 3 (release/* only) nor 5 (a licence-report rule)
    assert scan.data(SVC_A, "vcs.branch_protection")["required_reviews"] == 2
    assert scan.data(TEMPLATES, "vcs.branch_protection")["required_reviews"] == 2  # the any-approver rule
    # an unprotected default branch asks no approval rules
    assert fake_gitlab.count(r"^/projects/102/approval_rules$") == 0


def _protections(scan: CollectedScan) -> dict[str, Any]:
    return {record.subject: (record.status, record.data, record.reason)
            for record in scan.evidence if record.kind == "vcs.branch_protection"}


def _scoped_rules(fake: FakeGitLab) -> None:
    """svc-a: a rule for every protected branch and an unscoped one besides its own; svc-b (whose
    default branch is not protected): a rule for release/*."""
    svc_a, svc_b = fake.instance.project("acme/apps/svc-a"), fake.instance.project("acme/apps/svc-b")
    assert svc_a is not None and svc_b is not None
    svc_a.protected_branches.append(ProtectedBranch("ma*"))
    svc_a.approval_rules += [ApprovalRule("Wildcard", 2, branches=["ma*"]), ApprovalRule("Anyone", 1),
                             ApprovalRule("Every protected branch", 2, applies_to_all_protected_branches=True)]
    svc_b.approval_rules.append(ApprovalRule("Release", 4, branches=["release/*"]))


@pytest.mark.parametrize("strictest", [2, 4], ids=["wildcard-and-every-protected", "unscoped"])
def test_approval_rules_under_the_batchs_branch_rules_are_the_evidence_rest_gives(fake_gitlab: FakeGitLab, strictest: int) -> None:
    # BranchRule.approvalRules: the rules scoped to each protected branch, and under GitLab's own
    # "All branches" / "All protected branches" rules the unscoped ones and those for every protected branch
    _premium(fake_gitlab, maintainer=True)  # who sees the branch rules
    _scoped_rules(fake_gitlab)
    svc_a = fake_gitlab.instance.project("acme/apps/svc-a")
    assert svc_a is not None
    if strictest == 4:
        svc_a.approval_rules.append(ApprovalRule("Unscoped, stricter", 4))
    over_graphql = _protections(run_gitlab(fake_gitlab))
    assert fake_gitlab.count(r"/approval_rules$") == 0 and fake_gitlab.count(r"^/api/graphql$") == 1
    assert over_graphql[SVC_A][1]["required_reviews"] == strictest
    assert over_graphql[TEMPLATES][1]["required_reviews"] == 2  # the any-approver rule, unscoped
    fake_gitlab.exchanges.clear()
    fake_gitlab.instance.maintainer_tokens.clear()  # a Reporter: no branch rule over GraphQL, the rules over REST
    over_rest = _protections(run_gitlab(fake_gitlab))
    assert fake_gitlab.count(r"/approval_rules$") == 2  # the two protected default branches
    assert over_graphql == over_rest


def test_a_branch_rules_approval_rules_past_one_page_are_asked_over_rest(fake_gitlab: FakeGitLab) -> None:
    _premium(fake_gitlab, maintainer=True)
    svc_a = fake_gitlab.instance.project("acme/apps/svc-a")
    assert svc_a is not None
    svc_a.approval_rules += [ApprovalRule(f"Rule {n}", 1, branches=["main"]) for n in range(approvals.MAX_APPROVAL_RULES)]
    svc_a.approval_rules.append(ApprovalRule("Strict", 6, branches=["main"]))  # on the second page
    scan = run_gitlab(fake_gitlab)
    assert scan.data(SVC_A, "vcs.branch_protection")["required_reviews"] == 6
    assert fake_gitlab.count(r"^/projects/101/approval_rules$") >= 1 and fake_gitlab.count(r"^/projects/100/approval_rules$") == 0


def test_approval_rules_from_branch_rules_mapping() -> None:
    def page(nodes: list[dict[str, Any]], more: bool = False) -> dict[str, Any]:
        return {"nodes": nodes, "pageInfo": {"hasNextPage": more}}

    main = {"name": "main", "approvalRules": page([{"type": "REGULAR", "approvalsRequired": 1},
                                                   {"type": "REPORT_APPROVER", "approvalsRequired": 5}])}
    every = {"name": "Alle Branches", "approvalRules": page([{"type": "ANY_APPROVER", "approvalsRequired": 2}])}  # translated
    rules = approvals.from_branch_rules(page([main, every]))
    assert rules is not None and approvals.required_approvals(rules, "main") == 2
    assert approvals.required_approvals(approvals.from_branch_rules(page([main])) or [], "develop") == 0
    assert approvals.from_branch_rules(page([main], more=True)) is None  # more branch rules than asked
    assert approvals.from_branch_rules(page([{"name": "main", "approvalRules": page([], more=True)}])) is None
    assert approvals.from_branch_rules(page([{"name": "main", "approvalRules": None}])) is None  # withheld
    assert approvals.from_branch_rules(None) is None


def test_the_free_tier_asks_nothing_and_leaves_approvals_unknown_and_push_rules_unsupported(fake_gitlab: FakeGitLab) -> None:
    scan = run_gitlab(fake_gitlab)
    assert scan.data(SVC_A, "vcs.branch_protection")["required_reviews"] is None
    record = scan.of(SVC_A, "vcs.security_settings")
    assert record.status is EvidenceStatus.UNSUPPORTED and record.reason == "push rules needs GitLab Premium or Ultimate"
    assert fake_gitlab.count(r"/(approval_rules|push_rule)$") == 0
    assert scan.problems == []  # what the tier cannot have is nothing to grant


_TEMPLATES_RULE = {
    "secret_scanning": None, "push_protection": True, "dependency_alerts": None, "dependency_security_updates": None,
    "signed_commits_required": True, "commit_authors_checked": True, "committer_is_pusher": False,
    "tag_deletion_denied": True,
}


def _signed_templates(fake: FakeGitLab) -> None:
    templates = fake.instance.project("acme/platform/ci-templates")
    assert templates is not None and templates.push_rule is not None
    templates.push_rule.update(reject_unsigned_commits=True, deny_delete_tag=True)


def _security_settings(scan: CollectedScan) -> dict[str, Any]:
    return {record.subject: (record.status, record.data, record.reason)
            for record in scan.evidence if record.kind == "vcs.security_settings"}


@pytest.mark.parametrize("maintainer", [False, True], ids=["reporter", "maintainer"])
def test_push_rules_come_in_the_graphql_batch_for_a_reporter_and_a_maintainer(fake_gitlab: FakeGitLab, maintainer: bool) -> None:
    # PushRulesType authorizes :read_project (PushRulePolicy delegates to the project): a Reporter
    # reads over GraphQL what REST's /push_rule shows Maintainers only
    _premium(fake_gitlab, maintainer=maintainer)
    _signed_templates(fake_gitlab)
    scan = run_gitlab(fake_gitlab)
    assert scan.data(TEMPLATES, "vcs.security_settings") == _TEMPLATES_RULE
    svc_a = scan.data(SVC_A, "vcs.security_settings")  # no push rule: GitLab answers null, nothing is rejected
    assert (svc_a["push_protection"], svc_a["signed_commits_required"], svc_a["tag_deletion_denied"]) == (False, False, False)
    assert fake_gitlab.count(r"/push_rule$") == 0
    assert scan.messages() == [  # neither is an Owner: only the directory links stay hidden
        f"gitlab: directory group links unavailable for 1 subject: HTTP 401: 401 Unauthorized — {directory.SAML_REFUSED}",
    ]


def test_the_batchs_push_rules_are_the_evidence_rest_gives_a_maintainer(fake_gitlab: FakeGitLab) -> None:
    _premium(fake_gitlab, maintainer=True)
    _signed_templates(fake_gitlab)
    over_graphql = _security_settings(run_gitlab(fake_gitlab))
    fake_gitlab.instance.push_rule_fields = False  # a GitLab before merge request 223061: push rules over REST, project by project
    over_rest = _security_settings(run_gitlab(fake_gitlab))
    assert fake_gitlab.count(r"/push_rule$") == 4
    assert over_graphql == over_rest and over_rest[TEMPLATES][1] == _TEMPLATES_RULE


def test_a_gitlab_without_the_push_rule_fields_is_asked_again_without_push_rules_and_a_reporter_told_the_maintainer_role(
        fake_gitlab: FakeGitLab) -> None:
    _premium(fake_gitlab)
    fake_gitlab.instance.push_rule_fields = False  # PushRules has rejectUnsignedCommits only: the query is refused
    scan = run_gitlab(fake_gitlab)
    record = scan.of(TEMPLATES, "vcs.security_settings")
    assert record.status is EvidenceStatus.UNAVAILABLE
    assert record.reason == f"HTTP 403: 403 Forbidden — {approvals.MAINTAINER}"
    assert scan.data(SVC_A, "vcs.branch_protection")["required_reviews"] == 1  # nothing else lost
    assert fake_gitlab.count(r"^/api/graphql$") == 2  # the refused query, then one without push rules
    assert scan.messages() == [
        f"gitlab: directory group links unavailable for 1 subject: HTTP 401: 401 Unauthorized — {directory.SAML_REFUSED}",
        f"gitlab: push rules unavailable for 4 subjects: HTTP 403: 403 Forbidden — {approvals.MAINTAINER}",
    ]


def test_push_rules_graphql_withholds_with_an_error_are_asked_over_rest_never_read_as_none(fake_gitlab: FakeGitLab) -> None:
    _premium(fake_gitlab, maintainer=True)
    _signed_templates(fake_gitlab)
    fake_gitlab.instance.withhold_push_rules = True  # null and an error, for every project
    scan = run_gitlab(fake_gitlab)
    assert scan.data(TEMPLATES, "vcs.security_settings") == _TEMPLATES_RULE
    assert fake_gitlab.count(r"/push_rule$") == 4


def test_push_rules_not_found_are_unsupported_and_refused_approval_rules_unavailable(fake_gitlab: FakeGitLab) -> None:
    _premium(fake_gitlab)  # a Reporter: approval rules over REST (GraphQL shows no branch rule)
    fake_gitlab.instance.push_rule_fields = False  # push rules over REST
    fake_gitlab.fail(r"^/projects/101/push_rule$", 404, message="404 Not Found")
    fake_gitlab.fail(r"^/projects/101/approval_rules$", 403, message="403 Forbidden")
    scan = run_gitlab(fake_gitlab)
    assert scan.of(SVC_A, "vcs.security_settings").status is EvidenceStatus.UNSUPPORTED
    protection = scan.of(SVC_A, "vcs.branch_protection")
    assert protection.status is EvidenceStatus.UNAVAILABLE and "Reporter role" in (protection.reason or "")
    assert scan.data(TEMPLATES, "vcs.branch_protection")["required_reviews"] == 2


def test_the_fake_answers_push_rules_as_gitlab_role_first_then_licence(fake_gitlab: FakeGitLab) -> None:
    # the collector never asks on Free; the fake still answers as GitLab's ProjectPushRule API does
    url = f"{fake_gitlab.url}/api/v4/projects/100/push_rule"
    headers = {"PRIVATE-TOKEN": fake_gitlab.token}
    assert requests.get(url, headers=headers, timeout=5).status_code == 403
    fake_gitlab.instance.maintainer_tokens.add(fake_gitlab.token)
    assert requests.get(url, headers=headers, timeout=5).status_code == 404
    assert requests.get(f"{fake_gitlab.url}/api/v4/projects/100/approval_rules", headers=headers, timeout=5).status_code == 403


def test_project_approval_settings_fill_branch_protection(fake_gitlab: FakeGitLab) -> None:
    _premium(fake_gitlab)
    svc_a = fake_gitlab.instance.project("acme/apps/svc-a")
    assert svc_a is not None
    svc_a.approvals = {"merge_requests_author_approval": True, "merge_requests_disable_committers_approval": True,
                       "reset_approvals_on_push": False, "disable_overriding_approvers_per_merge_request": True}
    scan = run_gitlab(fake_gitlab)
    protection = scan.data(SVC_A, "vcs.branch_protection")
    assert {field: protection[field] for field in approval_settings.FIELDS} == {
        "author_can_approve": True, "committers_can_approve": False, "approval_rules_overridable": False,
        "stale_approvals_dismissed": False,
    }
    # ci-templates keeps GitLab's default, committers may approve (the GraphQL batch says it): approvals
    # cannot hold, /approvals is not asked and the other three stay unknown, never guessed
    templates = scan.data(TEMPLATES, "vcs.branch_protection")
    assert {field: templates[field] for field in approval_settings.FIELDS} == {
        "author_can_approve": None, "committers_can_approve": True, "approval_rules_overridable": None,
        "stale_approvals_dismissed": None,
    }
    assert fake_gitlab.count(r"^/projects/100/approvals$") == 0 and fake_gitlab.count(r"^/projects/101/approvals$") == 1
    # an unprotected default branch needs no approval: its settings are not asked, and stay unknown
    assert fake_gitlab.count(r"^/projects/102/approvals$") == 0
    assert scan.data("gitlab:acme/apps/svc-b", "vcs.branch_protection")["author_can_approve"] is None
    # a Reporter token is not a group Owner: the group's settings are refused, org.rulesets keeps the rest
    assert fake_gitlab.count(r"/merge_request_approval_setting$") == 1
    assert scan.data("gitlab:acme", "org.rulesets")["author_can_approve"] is None


def test_group_settings_locked_for_every_project_spare_the_projects_requests(fake_gitlab: FakeGitLab) -> None:
    _premium(fake_gitlab)
    fake_gitlab.instance.owner_tokens.add(fake_gitlab.token)
    group = fake_gitlab.instance.group("acme")
    assert group is not None
    group.approval_setting = {"allow_author_approval": (False, True), "allow_committer_approval": (False, True),
                              "allow_overrides_to_approver_list_per_merge_request": (False, True),
                              "retain_approvals_on_push": (False, True)}
    scan = run_gitlab(fake_gitlab)
    expected = {"author_can_approve": False, "committers_can_approve": False, "approval_rules_overridable": False,
                "stale_approvals_dismissed": True}
    rulesets = scan.data("gitlab:acme", "org.rulesets")
    assert {field: rulesets[field] for field in approval_settings.FIELDS} == expected
    assert rulesets["approval_settings_locked"] is True
    protection = scan.data(SVC_A, "vcs.branch_protection")
    assert {field: protection[field] for field in approval_settings.FIELDS} == expected
    assert fake_gitlab.count(r"/approvals$") == 0

    group.approval_setting["retain_approvals_on_push"] = (False, False)  # one unlocked: each project says its own
    for project in fake_gitlab.instance.projects:  # where committers may approve, nothing more would be asked
        project.approvals["merge_requests_disable_committers_approval"] = True
    scan = run_gitlab(fake_gitlab)
    assert scan.data("gitlab:acme", "org.rulesets")["approval_settings_locked"] is False
    assert fake_gitlab.count(r"/approvals$") == 2


def test_settings_where_committers_may_approve_are_the_same_verdict_for_one_request_less(fake_gitlab: FakeGitLab) -> None:
    _premium(fake_gitlab)
    over_graphql = _protections(run_gitlab(fake_gitlab))
    assert fake_gitlab.count(r"/approvals$") == 0  # both protected default branches keep GitLab's default
    fake_gitlab.exchanges.clear()
    fake_gitlab.fail(r"^/api/graphql$", 404, message="404 Not Found", times=10)  # no batch: everything over REST, as before
    over_rest = _protections(run_gitlab(fake_gitlab))
    assert fake_gitlab.count(r"/approvals$") == 2
    for subject, (status, data, reason) in over_rest.items():
        graphql_status, graphql_data, graphql_reason = over_graphql[subject]
        assert (graphql_status, graphql_reason) == (status, reason)
        for field, value in data.items():  # each field as REST says it, or unknown where not asked
            assert graphql_data[field] in (value, None), (subject, field)
        if data["enabled"]:
            assert graphql_data["committers_can_approve"] is data["committers_can_approve"] is True


def test_the_free_tier_asks_no_approval_settings(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.instance.owner_tokens.add(fake_gitlab.token)
    scan = run_gitlab(fake_gitlab)
    assert fake_gitlab.count(r"/(approvals|merge_request_approval_setting)$") == 0
    assert scan.data(SVC_A, "vcs.branch_protection")["author_can_approve"] is None


def test_approval_settings_mapping() -> None:
    assert approval_settings.from_project({}) == approval_settings.UNKNOWN  # an older GitLab: unknown, not "off"
    group = approval_settings.from_group({"allow_author_approval": {"value": True, "locked": True}})
    assert group.values["author_can_approve"] is True and group.values["committers_can_approve"] is None
    assert group.locked is False  # the settings it does not tell are not locked
    assert approval_settings.from_group(None).locked is False


def test_approval_rule_mapping() -> None:
    def rule(required: int, kind: str = "regular", branches: list[str] | None = None, **extra: Any) -> dict[str, Any]:
        return {"approvals_required": required, "rule_type": kind,
                "protected_branches": [{"name": name} for name in branches or []], **extra}

    assert approvals.required_approvals([], "main") == 0
    assert approvals.required_approvals([rule(1), rule(4, "report_approver"), rule(3, "code_owner")], "main") == 1
    assert approvals.required_approvals([rule(2, branches=["ma*"]), rule(5, branches=["release/*"])], "main") == 2
    assert approvals.required_approvals([rule(3, branches=["release/*"], applies_to_all_protected_branches=True)], "main") == 3
    assert approvals.security_settings(None)["push_protection"] is False
    assert approvals.security_settings({"prevent_secrets": "yes"})["push_protection"] is None
    # a rule from a GitLab that does not send a setting leaves it unknown, not "off"
    assert approvals.security_settings({"prevent_secrets": True})["signed_commits_required"] is None
