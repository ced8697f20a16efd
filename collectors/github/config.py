"""Configuration of the GitHub collector: which accounts to scan, how to authenticate, how hard to try."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from collectors.api_url import checked_api_url
from collectors.githost.config import GitHostConfig

DEFAULT_BASE_URL = "https://api.github.com"


class GitHubAppConfig(BaseModel):
    """Authenticate as a GitHub App installation instead of with a token (higher rate limits)."""

    model_config = ConfigDict(extra="forbid")

    app_id: int = Field(gt=0, description="The App's id (its settings page, 'App ID').")
    private_key_file: Path = Field(description="PEM private key of the App; relative to the config file.")
    installation_id: int | None = Field(
        default=None, gt=0, description="The installation to act as; omitted: looked up per organization."
    )


class GitHubConfig(GitHostConfig):
    """GitHub organizations (or user accounts) to scan through the REST and GraphQL APIs; the rest as `GitHostConfig`."""

    organizations: list[str] = Field(min_length=1, description="Organization or user logins, e.g. ['acme'].")
    base_url: str = Field(
        default=DEFAULT_BASE_URL,
        description="API root: https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise Server.",
    )
    token_env: str = Field(
        default="GITHUB_TOKEN",
        description="Environment variable holding a read-only token; unused when `app` is set.",
    )
    app: GitHubAppConfig | None = Field(default=None, description="GitHub App authentication, instead of a token.")
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
    coverage_floor: float = Field(
        default=0.9,
        ge=0,
        le=1,
        description="Share of repositories that must be read in full (no request that kept failing, no rate limit); "
        "below it the source fails (exit 4 when it is the only one) and its evidence is unknown, never a verdict.",
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
