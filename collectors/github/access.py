"""Who is granted access to each repository: teams, against people granted it one by one.

Team grants cost one conditional list per team of its repositories (100 a page), not a request
per repository; the teams themselves were listed for org.teams (organization.py). Direct collaborators are counted in
the GraphQL batch (`collaborators(affiliation: DIRECT) { totalCount }`, see graphql.py).
What the token cannot see stays unknown, never 0: GitHub hides secret teams from anyone but
organization owners (and their members), and a repository's collaborators from a token
without push access to it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from concurrent.futures import Future
from typing import Any
from urllib.parse import quote

from collectors.base import WorkerPool
from collectors.github.client import ApiError, GitHubClient, RateLimited
from collectors.github.organization import MEMBERS_PERMISSION, TEAMS, Account
from collectors.shares import share

NOT_OWNER = "GitHub shows secret teams only to organization owners — scan with an owner's token to count team grants"
COLLABORATORS_HIDDEN = "GitHub shows a repository's direct collaborators only to a token with push access to it"


class TeamGrants:
    """Per repository name (lower case), how many of the teams `slugs` are granted access to it;
    or why that is not known (`slugs` is a string when the teams could not be listed). Each
    team's list is a job of `pool`, started at once; they are counted when first asked for."""

    def __init__(self, pool: WorkerPool, client: GitHubClient, account: Account, slugs: tuple[str, ...] | str) -> None:
        self._lists: list[Future[list[str]]] = []
        self._counted: dict[str, int] | str | None = None
        if isinstance(slugs, str):
            self._counted = slugs
        elif not account.viewer_is_owner:
            self._counted = NOT_OWNER
        else:
            self._lists = [pool.submit(_team_repositories, client, account.login, slug) for slug in slugs]

    def result(self) -> dict[str, int] | str:
        if self._counted is None:
            counts: Counter[str] = Counter()
            try:
                for names in self._lists:
                    counts.update(names.result())
            except RateLimited as exc:  # told like every other rate-limited piece, not as a permission
                self._counted = exc.reason()
            except ApiError as exc:
                self._counted = exc.reason_with(MEMBERS_PERMISSION)
            else:
                self._counted = dict(counts)
        return self._counted


def _team_repositories(client: GitHubClient, login: str, slug: str) -> list[str]:
    path = f"/orgs/{login}/teams/{quote(slug, safe='')}/repos"
    return [str(repo.get("name") or "").lower() for repo in client.pages(TEAMS, path, conditional=True)]


def repository_access(data: Mapping[str, Any], teams: Mapping[str, int], name: str) -> dict[str, Any] | str:
    """vcs.access from the repository's GraphQL metadata and the team grants; or why not known."""
    collaborators = data.get("collaborators")
    direct = collaborators.get("totalCount") if isinstance(collaborators, dict) else None
    if not isinstance(direct, int):
        return COLLABORATORS_HIDDEN
    team = teams.get(name.lower(), 0)
    granted = team + direct
    return {
        "team_grants": team,
        "direct_collaborators": direct,
        "team_grant_share": share(team, granted),
        "expiring_grants": None,  # GitHub shows no end date of a grant
    }
