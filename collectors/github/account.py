"""One account's own reads, before its repositories are examined: its repositories listed, the
organization's facts and settings, and each team's repository list (team grants).

They run in the pool beside one another (the repository listing while the organization's
facts are read, then the settings beside each team's list), so that no chain of them holds
the repositories' examinations back; the settings and team grants are handed on as futures,
waited for only where they are needed.
"""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass

from collectors.base import WorkerPool, completed
from collectors.githost.selection import selected
from collectors.github import access
from collectors.github.client import ApiError, GitHubClient
from collectors.github.config import GitHubConfig
from collectors.github.mapping import Listed
from collectors.github.organization import Account, OrganizationFacts, list_repositories, organization_facts
from collectors.github.settings import AccountSettings, OrganizationSettings
from collectors.github.settings import read_organization as read_organization_settings
from scanner.contract import CollectContext
from scanner.model import Subject

# A 403 or 404 listing them: the token cannot see the account's repositories (fine-grained: "Repository access").
REPOSITORIES_PERMISSION = "the token needs access to the account's repositories (Metadata: read)"
PLATFORM_ROLES = frozenset({"admin", "maintain"})  # the platform team's roles that make a repository a platform one


@dataclass(frozen=True)
class AccountRead:
    """What the scan knows of an account before examining its repositories."""

    subject: Subject  # the organization (or user) as a subject
    repositories: list[Listed]  # the repositories chosen for examination, in listing order; none when the listing failed
    facts: OrganizationFacts | None  # None: a user account
    settings: Future[OrganizationSettings | AccountSettings]
    grants: access.TeamGrants | None  # None: a user account

    def team_grants(self) -> dict[str, int] | str | None:
        """How many teams are granted each repository (by name, lower case), or why that is not
        known; None for a user account. Waits for the teams' lists."""
        return self.grants.result() if self.grants is not None else None

    def is_platform(self, repo: Listed) -> bool:
        """The platform team administers or maintains the repository."""
        roles = self.facts.platform_repositories if self.facts is not None else {}
        return roles.get(repo.name.lower()) in PLATFORM_ROLES


def read_account(
    ctx: CollectContext, config: GitHubConfig, pool: WorkerPool, client: GitHubClient, account: Account
) -> AccountRead:
    """The account's reads, started in `pool`; a listing that fails is a problem, and the
    repositories it would have named are cut short (unknown, not absent)."""
    subject = Subject(
        id=f"github:{account.login}", kind="organization", name=account.login, source="github", url=account.url
    )
    listing = pool.submit(list_repositories, client, account)
    facts = organization_facts(client, account, config.platform_team) if account.is_organization else None
    try:
        listed = listing.result()
    except ApiError as exc:
        listed = []
        why = f"github: cannot list the repositories of {account.login}: {exc.reason_with(REPOSITORIES_PERMISSION)}"
        ctx.problem(why, hint="the organization's own evidence was kept; scan again later")
        ctx.cut_short("repository", why)
    production = tuple(config.production_environments)
    settings: Future[OrganizationSettings | AccountSettings] = (
        pool.submit(read_organization_settings, client, account.login, listed, production)
        if account.is_organization
        else completed(AccountSettings(production))
    )
    # After the settings, which the examinations wait for; the team lists only the evidence does.
    grants = access.TeamGrants(pool, client, account, facts.team_slugs) if facts is not None else None
    chosen = [
        repo for repo in listed if selected(repo, (repo.name,), config) and ctx.includes(f"github:{repo.full_name}")
    ]
    return AccountRead(subject, chosen, facts, settings, grants)
