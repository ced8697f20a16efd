"""GitLab's DORA metrics API (`/projects/:id/dora/metrics`, Ultimate), where the tier offers it.

GitLab computes change-failure rate and time to restore from incidents, and lead time from the
merge, which the deployments list cannot show; those three are read from it over the window
(one bucket: `interval=all`). Deployment frequency stays the deployments list's count: the
API's `all` bucket has been a total on some versions and a daily average on others
(gitlab-org/gitlab#371271). Projects without production deployments in the window are not
asked (the API has nothing to tell), nor are projects on a tier without approvals (Free).
The first refusal (403: no Ultimate licence) stops the asking for the rest of the scan: the
deployments-based figures are the fallback.

The group's figures (`/groups/:id/dora/metrics`, the same three over every project of the group
and its subgroups) go to the organization as delivery.dora_figures: one set of requests per
group, asked before its projects, so that its refusal spares them the asking.

The projects' figures come in the GraphQL batch (batch.py) where GitLab has a field per metric
(`Project.dora.metrics`, 15.10 and later): the same service answers both APIs (DoraMetricsResolver
and the REST endpoint call Dora::AggregateMetricsService, production environments by default), so
they are the same figures, for no request; a project whose figures GraphQL withholds (null with an
error: the licence) is asked over REST.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from collectors.base import Gap
from collectors.gitlab.client import ApiError, GitLabClient
from collectors.gitlab.gaps import gap
from collectors.gitlab.mapping import Listed

DORA = "dora/metrics"
GROUP_DORA = "groups/dora/metrics"
ULTIMATE = "GitLab's DORA metrics API needs GitLab Ultimate"
METRICS = ("lead_time_for_changes", "time_to_restore_service", "change_failure_rate")
#: each metric's field on GraphQL's DoraMetric
GRAPHQL_FIELDS = {"lead_time_for_changes": "leadTimeForChanges", "time_to_restore_service": "timeToRestoreService",
                  "change_failure_rate": "changeFailureRate"}


def window_dates(now: datetime, window_days: int) -> tuple[str, str]:
    """The window's first and last day, as both APIs take them."""
    return (now - timedelta(days=window_days)).date().isoformat(), now.date().isoformat()


def graphql_field(start: str, end: str) -> str:
    """`Project.dora` asking the window's figures, one bucket (`interval: ALL`)."""
    return (f'dora {{ metrics(startDate: "{start}", endDate: "{end}", interval: ALL) '
            f'{{ {" ".join(GRAPHQL_FIELDS.values())} }} }}')


def from_graphql(dora: Any) -> dict[str, float | None] | None:
    """The figures of a project's `dora` (its one bucket); None where GitLab withheld them."""
    rows = dora.get("metrics") if isinstance(dora, dict) else None
    if not isinstance(rows, list):
        return None
    row = rows[0] if rows and isinstance(rows[0], dict) else {}
    return {metric: _number(row.get(field)) for metric, field in GRAPHQL_FIELDS.items()}


class DoraApi:
    """One scan's use of the API, shared by its workers."""

    def __init__(self, client: GitLabClient) -> None:
        self._client = client
        self.refused: str | None = None  # why the instance refused it; set once, read by every worker

    def figures(self, project_id: int, now: datetime, window_days: int,
                known: dict[str, float | None] | None = None) -> dict[str, float | None] | Gap | None:
        """The metrics of the window (`known`: as the GraphQL batch gave them, nothing asked); None
        where the instance does not offer them."""
        if known is not None:
            return known
        return self._read(DORA, f"/projects/{project_id}/dora/metrics", now, window_days)

    def group_figures(
        self, group_id: int, projects: list[Listed], now: datetime, window_days: int
    ) -> dict[str, Any] | Gap:
        """delivery.dora_figures of a group; unsupported where the tier has no DORA API (a Free
        tier, known from the project list, is not asked)."""
        free = not any(project.required_approvals is not None for project in projects)
        figures = None if free else self._read(GROUP_DORA, f"/groups/{group_id}/dora/metrics", now, window_days)
        if figures is None:
            return Gap(f"{ULTIMATE} ({self.refused})" if self.refused else ULTIMATE, unsupported=True)
        if isinstance(figures, Gap):
            return figures
        return {"window_days": window_days, **_figures(figures)}

    def _read(self, family: str, path: str, now: datetime, window_days: int) -> dict[str, float | None] | Gap | None:
        if self.refused is not None:
            return None
        start, end = window_dates(now, window_days)
        params = {"interval": "all", "start_date": start, "end_date": end}
        found: dict[str, float | None] = {}
        for metric in METRICS:
            try:
                answer = self._client.get(family, path, {**params, "metric": metric})
            except ApiError as exc:
                if exc.status in (403, 404):  # not licensed (GitLab answers 403), or an instance without the API
                    self.refused = exc.reason()
                    return None
                return gap(exc)
            found[metric] = _value(answer.data)
        return found


def _value(data: Any) -> float | None:
    """The one bucket's value of an `interval=all` answer (`[{"date": null, "value": 0.25}]`)."""
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return _number(data[0].get("value"))
    return None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def with_figures(deployments: Mapping[str, Any], figures: Mapping[str, float | None]) -> dict[str, Any]:
    """delivery.deployments with GitLab's own DORA figures in place of those derived from the list."""
    return {**deployments, "derived_from": "dora_api", **_figures(figures)}


def _figures(figures: Mapping[str, float | None]) -> dict[str, float | None]:
    rate = figures.get("change_failure_rate")
    return {
        "change_failure_rate": round(rate, 4) if rate is not None else None,
        "lead_time_hours_median": _hours(figures.get("lead_time_for_changes")),
        "time_to_restore_hours_median": _hours(figures.get("time_to_restore_service")),
    }


def _hours(seconds: float | None) -> float | None:
    return round(seconds / 3600, 2) if seconds is not None else None
