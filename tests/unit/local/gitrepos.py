"""Real git repositories for the local collector's tests: fixed identity and dates, no user config."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def git(repo: Path, *arguments: str, when: str = "2026-01-01T00:00:00+00:00", email: str = "dev@acme.test") -> str:
    """Run git on a test repository with fixed identity and dates, isolated from user config."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(repo.parent),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Dev",
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": "Dev",
        "GIT_COMMITTER_EMAIL": email,
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }
    done = subprocess.run(["git", "-C", str(repo), *arguments], env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def new_repo(path: Path) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    return path


def commit(repo: Path, when: str, email: str = "dev@acme.test") -> str:
    with open(repo / "log.txt", "a") as log:
        log.write(f"{when} {email}\n")
    git(repo, "add", "log.txt")
    git(repo, "commit", "-q", "-m", f"change at {when}", when=when, email=email)
    return git(repo, "rev-parse", "HEAD")
