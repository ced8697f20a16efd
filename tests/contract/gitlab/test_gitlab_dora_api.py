"""GitLab's DORA metrics API against the fake GitLab: used on Ultimate, the deployments list elsewhere."""

from __future__ import annotations

from collectors.gitlab import dora_api
from scanner.contract import Limits
from scanner.model import EvidenceStatus
from tests.contract.gitlab.scanning import run_gitlab
from tests.fakes.gitlab.model import Deployment
from tests.fakes.gitlab.server import FakeGitLab

SVC_A = "gitlab:acme/apps/svc-a"


def _deploy_templates_too(fake: FakeGitLab) -> None:
    templates = fake.instance.project("acme/platform/ci-templates")
    assert templates is not None
    templates.deployments = [Deployment("production", "2026-05-20T10:00:00Z", tier="production")]


def test_ultimate_reads_gitlabs_own_figures_for_projects_that_deploy(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.instance.tier = "ultimate"
    scan = run_gitlab(fake_gitlab)
    assert scan.data(SVC_A, "delivery.deployments") == {
        "window_days": 90,
        "derived_from": "dora_api",
        "events": 3,  # frequency stays the deployments list's
        "failed": 1,
        "per_week": 0.2333,
        "change_failure_rate": 0.25,  # GitLab's, from incidents (the list alone says 0.3333)
        "lead_time_hours_median": 12.0,
        "time_to_restore_hours_median": 2.0,
        "environments": ["live-eu"],
    }
    asked = [r for r in fake_gitlab.requests if r.path.startswith("/api/v4/projects/") and r.path.endswith("/dora/metrics")]
    assert sorted(r.query["metric"] for r in asked) == sorted(dora_api.METRICS)
    assert {r.path for r in asked} == {"/api/v4/projects/101/dora/metrics"}  # the others have no deployments
    assert {(r.query["interval"], r.query["start_date"], r.query["end_date"]) for r in asked} == {
        ("all", "2026-03-01", "2026-05-30")
    }


def test_a_tier_refusing_the_api_is_asked_once_and_the_deployments_list_stays(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.instance.tier = "premium"
    _deploy_templates_too(fake_gitlab)
    scan = run_gitlab(fake_gitlab, limits=Limits(max_workers=1))  # one worker: the refusal is seen before the next project
    data = scan.data(SVC_A, "delivery.deployments")
    assert data["derived_from"] == "deployments" and data["change_failure_rate"] == 0.3333
    assert scan.data("gitlab:acme/platform/ci-templates", "delivery.deployments")["derived_from"] == "deployments"
    assert fake_gitlab.count(r"/dora/metrics$") == 1
    assert not any("dora" in problem.message.lower() for problem in scan.problems)  # the tier lacks it: nothing to grant


def test_the_free_tier_never_asks(fake_gitlab: FakeGitLab) -> None:
    scan = run_gitlab(fake_gitlab)
    assert scan.data(SVC_A, "delivery.deployments")["derived_from"] == "deployments"
    assert fake_gitlab.count(r"/dora/metrics$") == 0
    group = scan.of("gitlab:acme", "delivery.dora_figures")
    assert group.status is EvidenceStatus.UNSUPPORTED and group.reason == dora_api.ULTIMATE


def test_ultimate_reads_the_groups_own_figures_for_the_organization(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.instance.tier = "ultimate"
    acme = fake_gitlab.instance.group("acme")
    assert acme is not None
    acme.dora = {"lead_time_for_changes": 86400.0, "time_to_restore_service": 1800.0, "change_failure_rate": 0.125}
    scan = run_gitlab(fake_gitlab)
    assert scan.data("gitlab:acme", "delivery.dora_figures") == {
        "window_days": 90, "change_failure_rate": 0.125, "lead_time_hours_median": 24.0, "time_to_restore_hours_median": 0.5,
    }
    assert sorted(r.query["metric"] for r in fake_gitlab.requests if r.path == "/api/v4/groups/10/dora/metrics") == sorted(
        dora_api.METRICS
    )


def test_a_group_refused_the_api_spares_its_projects_the_asking(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.instance.tier = "premium"  # lists approvals, has no DORA API: GitLab answers 403
    scan = run_gitlab(fake_gitlab)
    group = scan.of("gitlab:acme", "delivery.dora_figures")
    assert group.status is EvidenceStatus.UNSUPPORTED and "403" in (group.reason or "")
    assert fake_gitlab.count(r"/dora/metrics$") == 1  # the group's first request; svc-a, which deploys, is not asked
    assert scan.data(SVC_A, "delivery.deployments")["derived_from"] == "deployments"


def test_a_failing_dora_request_makes_the_deployments_unavailable(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.instance.tier = "ultimate"
    fake_gitlab.fail(r"^/projects/101/dora/metrics$", 500, times=10)
    scan = run_gitlab(fake_gitlab, max_retries=1)
    record = scan.of(SVC_A, "delivery.deployments")
    assert record.status is EvidenceStatus.UNAVAILABLE and record.reason == "HTTP 500: 500 — scan again later"
