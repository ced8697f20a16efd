"""A fake GitHub REST + GraphQL API on 127.0.0.1, served from a declarative state.

Quick start (see README.md beside this file for every route, counter and fault)::

    from tests.fakes.github import FakeGitHub, sample_org
    from github import Auth, Github

    with FakeGitHub(sample_org).running() as fake:           # or the pytest fixture in .fixtures
        g = Github(base_url=fake.url, auth=Auth.Token(fake.token), per_page=100,
                   seconds_between_requests=None, retry=None, lazy=True)
        names = [repo.name for repo in g.get_organization(fake.org.login).get_repos()]
        fake.org.repos[0].archived = True                    # state is mutable between requests
        assert fake.stats.by_family["repos"] == 1

State: `tests.fakes.github.model` (Organization, Repository, User, Team, Ruleset, ...);
large organizations: `generate_org(n_repos, seed)`.
"""

from .generate import generate_org
from .model import (
    DEFAULT_TOKEN,
    Branch,
    BranchProtection,
    Commit,
    Deployment,
    DeploymentStatus,
    Environment,
    GitHubApp,
    Organization,
    Repository,
    Ruleset,
    Team,
    Token,
    User,
    WorkflowRun,
    World,
    rule,
)
from .samples import sample_org
from .server import FakeGitHub

__all__ = [
    "DEFAULT_TOKEN",
    "Branch",
    "BranchProtection",
    "Commit",
    "Deployment",
    "DeploymentStatus",
    "Environment",
    "FakeGitHub",
    "GitHubApp",
    "Organization",
    "Repository",
    "Ruleset",
    "Team",
    "Token",
    "User",
    "WorkflowRun",
    "World",
    "generate_org",
    "rule",
    "sample_org",
]
