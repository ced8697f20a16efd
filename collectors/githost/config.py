"""The settings every Git host's config shares, under the same keys: which of an account's
repositories (GitLab: projects) to scan, how far back to look, what counts as production, how
long the re-scan cache keeps an entry; and the request limits (`HttpLimits`)."""

from __future__ import annotations

from pydantic import Field

from collectors.http_limits import HttpLimits

PRODUCTION_ENVIRONMENTS = ("production", "prod", "prod-*", "production-*", "*-prod", "*-production", "live")


class GitHostConfig(HttpLimits):
    """A host's model adds the accounts to scan, `base_url` (checked by `collectors.api_url`), the
    token's variable and what is its own."""

    # Before each host's base_url: its validator reads it.
    allow_insecure_http: bool = Field(
        default=False,
        description="Accept a plain http:// base_url on a host other than this machine (the token would travel in clear).",
    )
    include: list[str] = Field(
        default_factory=list,
        description="Glob patterns on repository names (GitLab: project paths within the group) to scan; empty: all.",
    )
    exclude: list[str] = Field(
        default_factory=list, description="Glob patterns on repository names (GitLab: project paths) to leave out."
    )
    topics: list[str] = Field(
        default_factory=list, description="Scan only repositories with at least one of these topics; empty: all."
    )
    include_archived: bool = Field(default=False, description="Also scan archived repositories.")
    include_forks: bool = Field(default=False, description="Also scan forks.")
    window_days: int = Field(default=90, gt=0, description="Days of history counted as recent (commits, deployments).")
    production_environments: list[str] = Field(
        default_factory=lambda: list(PRODUCTION_ENVIRONMENTS),
        description="Deployment environments DORA figures count (fnmatch, any case; on GitLab besides those it tiers "
        "`production`); when none of a repository's match, all of its deployments count.",
    )
    cache_max_age_days: int = Field(
        default=30, ge=1, description="Cache entries unused for this many days are removed at the end of a scan."
    )
