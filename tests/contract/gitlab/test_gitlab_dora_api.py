"""GitLab's DORA metrics API against the fake GitLab: used on Ultimate (in the GraphQL batch where
GitLab has a field per metric, over REST otherwise), the deployments list elsewhere."""

from __future__ import annotations

import json
from typing import Any

from collectors.gitlab import batch, dora_api
from collectors.gitlab.client import GitLabClient
from collectors.gitlab.mapping import Listed
from scanner.contract import Limits, RequestCounter
from scanner.model import EvidenceStatus
from tests.contract.gitlab.scanning import NOW, run_gitlab, timer_of
from tests.fakes.gitlab.model import Deployment
from tests.fakes.gitlab.server import FakeGitLab

SVC_A = "gitlab:acme/apps/svc-a"
REST_DORA = r"^/projects/\d+/dora/metrics$"
SVC_A_FIGURES = {
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


def _queries(fake: FakeGitLab) -> list[str]:
    return [str(json.loads(r.body or b"{}")["query"]) for r in fake.requests if r.path == "/api/graphql"]


def _deploy_templates_too(fake: FakeGitLab) -> None:
    templates = fake.instance.project("acme/platform/ci-templates")
    assert templates is not None
    templates.deployments = [Deployment("production", "2026-05-20T10:00:00Z", tier="production")]


def test_ultimate_reads_gitlabs_own_figures_in_the_graphql_batch(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.instance.tier = "ultimate"
    scan = run_gitlab(fake_gitlab)
    assert scan.data(SVC_A, "delivery.deployments") == SVC_A_FIGURES
    assert fake_gitlab.count(REST_DORA) == 0 and fake_gitlab.count(r"^/api/graphql$") == 1
    (query,) = _queries(fake_gitlab)
    assert 'dora { metrics(startDate: "2026-03-01", endDate: "2026-05-30", interval: ALL) ' \
           "{ leadTimeForChanges timeToRestoreService changeFailureRate } }" in query
    # a project without deployments in the window keeps the list's (none), as over REST
    assert scan.data("gitlab:acme/platform/ci-templates", "delivery.deployments")["derived_from"] == "none"


def test_a_gitlab_without_the_per_metric_fields_reads_them_over_rest_as_before(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.instance.tier = "ultimate"
    fake_gitlab.instance.dora_metric_fields = False  # before 15.10: the batch naming them is refused, asked again without
    scan = run_gitlab(fake_gitlab)
    assert scan.data(SVC_A, "delivery.deployments") == SVC_A_FIGURES
    asked = [r for r in fake_gitlab.requests if r.path.startswith("/api/v4/projects/") and r.path.endswith("/dora/metrics")]
    assert sorted(r.query["metric"] for r in asked) == sorted(dora_api.METRICS)
    assert {r.path for r in asked} == {"/api/v4/projects/101/dora/metrics"}  # the others have no deployments
    assert {(r.query["interval"], r.query["start_date"], r.query["end_date"]) for r in asked} == {
        ("all", "2026-03-01", "2026-05-30")
    }
    assert [("dora" in query) for query in _queries(fake_gitlab)] == [True, True, True, False]


def test_figures_graphql_withholds_are_asked_over_rest(fake_gitlab: FakeGitLab) -> None:
    # below Ultimate GitLab answers each project's `metrics` null with an error (read_dora4_analytics):
    # not "no figures", the REST API is asked, whose 403 stops the asking
    fake_gitlab.instance.tier = "premium"
    client = GitLabClient(fake_gitlab.url, fake_gitlab.token, counter=RequestCounter(), timeout=10, max_retries=0,
                          max_rate_limit_wait=0, rate_limit_wait_budget=0, timer=timer_of(fake_gitlab))
    listed = [Listed(101, "acme/apps/svc-a", "apps/svc-a", "main", False, False, (), None, False, False, required_approvals=1)]
    try:
        states = batch.ProjectStates(client, listed, dora_api.window_dates(NOW, 90)).of(listed)
        assert states[101].dora is None and states[101].head is not None
        api = dora_api.DoraApi(client)
        assert api.figures(101, NOW, 90, states[101].dora) is None and api.refused is not None
        assert fake_gitlab.count(REST_DORA) == 1
        fake_gitlab.instance.tier = "ultimate"
        again = batch.ProjectStates(client, listed, dora_api.window_dates(NOW, 90)).of(listed)
        assert again[101].dora == {"lead_time_for_changes": 43200.0, "time_to_restore_service": 7200.0,
                                   "change_failure_rate": 0.25}
    finally:
        client.close()


def test_the_dora_field_mapping() -> None:
    assert dora_api.from_graphql(None) is None and dora_api.from_graphql({"metrics": None}) is None  # withheld
    nothing: dict[str, Any] = {"metrics": []}  # no bucket: figures unknown, not zero
    assert dora_api.from_graphql(nothing) == dict.fromkeys(dora_api.METRICS)
    assert dora_api.from_graphql({"metrics": [{"leadTimeForChanges": 3600, "changeFailureRate": True}]}) == {
        "lead_time_for_changes": 3600.0, "time_to_restore_service": None, "change_failure_rate": None,
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
    assert not any("dora" in query for query in _queries(fake_gitlab))  # nor the batch


def test_a_failing_dora_request_makes_the_deployments_unavailable(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.instance.tier = "ultimate"
    fake_gitlab.instance.dora_metric_fields = False  # the figures over REST
    fake_gitlab.fail(r"^/projects/101/dora/metrics$", 500, times=10)
    scan = run_gitlab(fake_gitlab, max_retries=1)
    record = scan.of(SVC_A, "delivery.deployments")
    assert record.status is EvidenceStatus.UNAVAILABLE and record.reason == "HTTP 500: 500 — scan again later"
