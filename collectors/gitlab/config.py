"""Configuration of the GitLab collector: which groups to scan, how to authenticate, how hard to try."""

from __future__ import annotations

from pydantic import Field, ValidationInfo, field_validator

from collectors.api_url import checked_api_url
from collectors.githost.config import GitHostConfig

DEFAULT_BASE_URL = "https://gitlab.com"


class GitLabConfig(GitHostConfig):
    """GitLab top-level groups to scan, with all their subgroups, through the REST API (v4); the rest as `GitHostConfig`."""

    groups: list[str] = Field(min_length=1, description="Top-level group paths, e.g. ['acme'].")
    base_url: str = Field(
        default=DEFAULT_BASE_URL, description="The instance: https://gitlab.com, or https://HOST for a self-managed one."
    )
    token_env: str = Field(
        default="GITLAB_TOKEN", description="Environment variable holding a read_api token (Reporter role is enough)."
    )
    platform_team: str = Field(
        default="platform*",
        description="Glob pattern on subgroup paths below the top-level group (e.g. 'platform', 'teams/platform*') "
        "that names the platform team: its projects are tagged platform.",
    )
    archive_max_megabytes: int = Field(
        default=200, ge=0, description="Projects whose repository is larger than this (or whose size the listing does "
        "not show) are listed and read file by file, never as one archive.",
    )
    settings_max_age_hours: float = Field(
        default=24.0, ge=0, description="A re-scan carries an unchanged project's deployments, approval rules and push "
        "rule (which change without a push), and the subgroups' directory links, from the last scan while younger than "
        "this; their records keep the time they were read. 0: always read them again.",
    )

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str, info: ValidationInfo) -> str:
        allow = bool(info.data.get("allow_insecure_http"))
        parts = checked_api_url(value, allow, "https://gitlab.com or https://gitlab.example.com")
        if parts.path.rstrip("/").endswith("/api/v4"):
            raise ValueError("is the instance's address without /api/v4, e.g. https://gitlab.example.com")
        return value.rstrip("/")

    @field_validator("groups")
    @classmethod
    def _top_level_paths(cls, value: list[str]) -> list[str]:
        for path in value:
            if not path or "/" in path or path.strip() != path:
                raise ValueError(f"{path!r} is not a top-level group path (subgroups are scanned with their group)")
        return list(dict.fromkeys(value))
