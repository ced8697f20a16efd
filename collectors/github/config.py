"""Configuration of the GitHub collector: which accounts to scan, how to authenticate, how hard to try."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from collectors.api_url import checked_api_url
from collectors.http_limits import HttpLimits

DEFAULT_BASE_URL = "https://api.github.com"


class GitHubAppConfig(BaseModel):
    """Authenticate as a GitHub App installation instead of with a token (higher rate limits)."""

    model_config = ConfigDict(extra="forbid")

    app_id: int = Field(gt=0, description="The App's id (its settings page, 'App ID').")
    private_key_file: Path = Field(description="PEM private key of the App; relative to the config file.")
    installation_id: int | None = Field(
        default=None, gt=0, description="The installation to act as; omitted: looked up per organization."
    )


class GitHubConfig(HttpLimits):
    """GitHub organizations (or user accounts) to scan through the REST and GraphQL APIs; limits as `HttpLimits`."""

    organizations: list[str] = Field(min_length=1, description="Organization or user logins, e.g. ['acme'].")
    # Before base_url: its validator reads it.
    allow_insecure_http: bool = Field(
        default=False,
        description="Accept a plain http:// base_url on a host other than this machine (the token would travel in clear).",
    )
    base_url: str = Field(
        default=DEFAULT_BASE_URL,
        description="API root: https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server.",
    )
    token_env: str = Field(
        default="GITHUB_TOKEN",
        description="Environment variable holding a read-only token; unused when `app` is set.",
    )
    app: GitHubAppConfig | None = Field(default=None, description="GitHub App authentication, instead of a token.")
    include: list[str] = Field(
        default_factory=list, description="Glob patterns on repository names to scan; empty: every repository."
    )
    exclude: list[str] = Field(default_factory=list, description="Glob patterns on repository names to leave out.")
    topics: list[str] = Field(
        default_factory=list, description="Scan only repositories with at least one of these topics; empty: all."
    )
    include_archived: bool = Field(default=False, description="Also scan archived repositories.")
    include_forks: bool = Field(default=False, description="Also scan forks.")
    window_days: int = Field(default=90, gt=0, description="Days of history counted as recent (commits, deployments).")
    bots: list[str] = Field(
        default_factory=list,
        description="Glob patterns on commit author names or e-mail addresses of bots, left out of author counts "
        "and active weeks beside the ones recognised anyway ('[bot]' names, bot noreply addresses).",
    )
    platform_team: str = Field(
        default="platform*", description="Glob pattern on team slugs that names the platform team."
    )
    archive_threshold: int = Field(
        default=1,
        ge=0,
        description="Detection needing more files than this reads one tarball of the default branch instead of "
        "one request per file (a tarball costs one rate-limited request).",
    )
    archive_max_megabytes: int = Field(
        default=200, ge=0, description="Repositories larger than this are read file by file, never as a tarball."
    )
    production_environments: list[str] = Field(
        default_factory=lambda: ["production", "prod", "prod-*", "production-*", "*-prod", "*-production", "live"],
        description="Deployment environments DORA figures count (fnmatch, any case); when none of a repository's "
        "match, all of its deployments count.",
    )
    coverage_floor: float = Field(
        default=0.9,
        ge=0,
        le=1,
        description="Share of repositories that must be read in full (no request that kept failing, no rate limit); "
        "below it the source fails (exit 4 when it is the only one) and its evidence is unknown, never a verdict.",
    )
    cache_max_age_days: int = Field(
        default=30, ge=1, description="Cache entries unused for this many days are removed at the end of a scan."
    )
    graphql_batch_size: int = Field(
        default=21, ge=1, le=100, description="Repositories per GraphQL query (21 cost one point: 7 connections each, see graphql.py)."
    )

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str, info: ValidationInfo) -> str:
        checked_api_url(value, bool(info.data.get("allow_insecure_http")), "https://api.github.com or https://HOST/api/v3")
        return value.rstrip("/")

    @field_validator("organizations")
    @classmethod
    def _logins(cls, value: list[str]) -> list[str]:
        for login in value:
            if not login or "/" in login or login.strip() != login:
                raise ValueError(f"{login!r} is not an organization or user login")
        return list(dict.fromkeys(value))
