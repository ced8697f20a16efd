"""Delivery evidence: what a Git host records of deployments (GitHub deployments or deploy runs,
GitLab environments), the inputs of the DORA measures; and what the history store says of them
in earlier scans (added by the commands that scan, scanner/commands/history_evidence.py)."""

from __future__ import annotations

from pydantic import Field

from scanner.kinds.spec import KindData


class Deployments(KindData):
    """DORA inputs over a window. Each figure says how it was derived and over how many events."""

    window_days: int
    derived_from: str = Field(description="deployments, workflow_runs, dora_api (the host's own DORA figures) or none.")
    events: int = Field(description="Deployments (or deploy runs) in the window.")
    failed: int = 0
    per_week: float = 0.0
    change_failure_rate: float | None = None
    lead_time_hours_median: float | None = Field(default=None, description="Commit to deployment, where SHAs allow it.")
    time_to_restore_hours_median: float | None = None
    environments: list[str] = Field(
        default_factory=list, description="The deployment environments counted (production ones where any are named so)."
    )


class DoraFigures(KindData):
    """The Git host's own DORA figures over an organization's (a GitLab group's) projects in one:
    they count deployments made from pipelines of other projects and incidents the projects'
    own lists cannot show. Deployment frequency is left to the repositories' deployments."""

    window_days: int
    change_failure_rate: float | None = None
    lead_time_hours_median: float | None = Field(default=None, description="Merge to deployment, as the host computes it.")
    time_to_restore_hours_median: float | None = Field(default=None, description="From the host's incidents.")


class DoraSeries(KindData):
    """What the history store says of the earlier scans of this scope."""

    earlier_scans: int = Field(description="Scans of this scope recorded before this one.")
    tracked_scans: int = Field(
        description="Of those, the scans in which DORA inputs were recorded (measurement.dora_inputs_recorded passed)."
    )
    first_tracked_at: str | None = Field(default=None, description="ISO 8601 start of the earliest such scan.")
