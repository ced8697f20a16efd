"""GitLab-only evidence reported beside the rules it explains, deciding nothing: the approval
settings beside branch protection, the group's own DORA figures beside the deployments' (pack 3.2.0).
Cases are written as rule cases (tests/rules/casefile.py) and evaluated with the default pack."""

from __future__ import annotations

import re
from pathlib import Path

from test_cases import run_case

from rules.catalog import PACK_DIR

PROTECTED = "{enabled: true, required_reviews: 1"
# Two GitLab projects whose approvals hold, one whose author may approve, one unprotected (left out).
GITLAB_APPROVALS = f"""
params: {{sample_repositories_min: 1, sample_platform_repositories_min: 1}}
subjects:
  - name: svc-a
    evidence:
      vcs.branch_protection: {PROTECTED}, author_can_approve: false, committers_can_approve: false, approval_rules_overridable: false, stale_approvals_dismissed: true}}
      org.rulesets: unsupported
  - name: svc-b
    evidence:
      vcs.branch_protection: {PROTECTED}, author_can_approve: false, committers_can_approve: false, approval_rules_overridable: false, stale_approvals_dismissed: true}}
  - name: svc-c
    evidence:
      vcs.branch_protection: {PROTECTED}, author_can_approve: true, committers_can_approve: false, approval_rules_overridable: false, stale_approvals_dismissed: true}}
  - name: old
    evidence:
      vcs.branch_protection: {{enabled: false}}
expect: pass
"""


def _case(tmp_path: Path, rule: str, text: str) -> Path:
    path = tmp_path / rule / "pass.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(text)
    return path


def test_approval_settings_are_reported_beside_branch_protection(tmp_path: Path) -> None:
    _expected, result = run_case(_case(tmp_path, "governance.default_branches_protected", GITLAB_APPROVALS), PACK_DIR)
    (hold,) = result.beside
    assert hold.name == "approvals_hold_share" and (hold.low, hold.high) == (2 / 3, 2 / 3)
    # GitHub shows no such settings (null): unknown beside, and the rule decides as before
    github = re.sub(r", author_can_approve: \w+, committers_can_approve: \w+, approval_rules_overridable: \w+, "
                    r"stale_approvals_dismissed: \w+", "", GITLAB_APPROVALS)
    _expected, result = run_case(_case(tmp_path / "gh", "governance.default_branches_protected", github), PACK_DIR)
    assert result.outcome.value == "pass"
    (hold,) = result.beside
    assert (hold.low, hold.high, hold.unknown) == (0.0, 1.0, 3)


def test_committers_who_may_approve_decide_the_share_without_the_other_settings(tmp_path: Path) -> None:
    # the GitLab collector leaves the other three unread (None) where committers may approve: the
    # project counts as not holding, observed, exactly as with all four read
    svc_c = "author_can_approve: true, committers_can_approve: false, approval_rules_overridable: false, stale_approvals_dismissed: true"
    read = GITLAB_APPROVALS.replace(svc_c, svc_c.replace("committers_can_approve: false", "committers_can_approve: true"))
    unread = GITLAB_APPROVALS.replace(svc_c, "author_can_approve: null, committers_can_approve: true, "
                                             "approval_rules_overridable: null, stale_approvals_dismissed: null")
    assert read != GITLAB_APPROVALS and unread != GITLAB_APPROVALS
    shares = []
    for name, text in (("read", read), ("unread", unread)):
        _expected, result = run_case(_case(tmp_path / name, "governance.default_branches_protected", text), PACK_DIR)
        (hold,) = result.beside
        shares.append((hold.low, hold.high, hold.unknown))
    assert shares[0] == shares[1] == (2 / 3, 2 / 3, 0)


def test_the_groups_dora_figures_are_reported_beside_the_deployments(tmp_path: Path) -> None:
    text = """
params: {sample_repositories_min: 1, sample_platform_repositories_min: 1}
subjects:
  - name: acme
    kind: organization
    evidence:
      delivery.dora_figures: {window_days: 90, change_failure_rate: 0.08, lead_time_hours_median: 20.5}
  - name: svc-a
    evidence:
      delivery.deployments: {window_days: 90, derived_from: deployments, events: 12, change_failure_rate: 0.1}
      ci.pipelines: {present: true, deploys: true}
expect: pass
"""
    _expected, result = run_case(_case(tmp_path, "measurement.dora_inputs_recorded", text), PACK_DIR)
    assert result.outcome.value == "pass"  # decided by the deployments alone, as before
    assert [(metric.name, metric.low) for metric in result.beside] == [
        ("host_change_failure_rate", 0.08), ("host_lead_time_hours", 20.5), ("host_time_to_restore_hours", None),
    ]
