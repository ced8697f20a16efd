"""Configuration of the local collector: which folders to scan and how."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class LocalConfig(BaseModel):
    """Folders of checked-out repositories (or single checkouts) to scan.

    Each path is either one repository (a folder that contains `.git`) or a folder whose
    non-hidden subfolders are repositories (git checkouts or plain folders).
    """

    model_config = ConfigDict(extra="forbid")

    paths: list[Path] = Field(min_length=1, description="Repository folders, or folders of repositories.")
    exclude: list[str] = Field(
        default_factory=list, description="Glob patterns on repository names to leave out, e.g. 'archive-*'."
    )
    window_days: int = Field(default=90, gt=0, description="Days of commit history that count as recent activity.")
    git: str | None = Field(
        default="git",
        description="git executable (a name looked up on PATH, or a path); null to never run git.",
    )
    git_timeout_seconds: float = Field(default=120.0, gt=0, description="Longest one `git log` may run.")
    bots: list[str] = Field(
        default_factory=list,
        description="Glob patterns on commit author names or e-mail addresses of bots, left out of author counts "
        "and active weeks beside the ones recognised anyway ('[bot]' names, bot noreply addresses).",
    )
    processes: int | None = Field(
        default=None,
        gt=0,
        description="Processes that walk and read repositories, the scanning process one of them (the others "
        "are forked workers); null: one per available CPU; 1: all in the scanning process. Workers are used "
        "where processes can be forked (Linux, BSD).",
    )

    def resolved_paths(self, base_dir: Path) -> list[Path]:
        """The paths, relative ones taken from `base_dir` (the configuration file's folder)."""
        return [path if path.is_absolute() else base_dir / path for path in self.paths]
