"""The GitHub collector: organizations and their repositories through GitHub's REST and GraphQL APIs."""

from collectors.github.collector import GitHubCollector
from collectors.github.config import GitHubAppConfig, GitHubConfig

__all__ = ["GitHubAppConfig", "GitHubCollector", "GitHubConfig"]
