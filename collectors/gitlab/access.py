"""Who is granted access to each GitLab project: groups, against people granted it one by one.

On GitLab a team is a group: a project is reached through the subgroups it sits in (their
direct members) and through the groups it is shared with (`shared_with_groups`, listed with
the project at no cost). People granted the project itself are its direct members (from the
GraphQL batch, or `/projects/:id/members` where it did not give them whole; project and group
access tokens' bot users are not people and are left out). Members of the top-level group reach every project, like
GitHub's base permission: not a grant to this project. Each subgroup's direct members are read
once per scan (one request per subgroup holding scanned projects), not once per project.

A Reporter sees every member list. What it cannot see: the private groups a project is shared
with that the token's user cannot see (GitLab leaves them out of `shared_with_groups`), and
invitations not yet accepted (shown to Maintainers only); both can only lower the counts.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any
from urllib.parse import quote

from collectors.base import Gap
from collectors.gitlab.client import ApiError, GitLabClient
from collectors.gitlab.gaps import gap
from collectors.gitlab.mapping import BOT_USERNAMES, Listed
from collectors.people import is_bot
from collectors.shares import share

PROJECT_MEMBERS = "members"
SHARES_UNLISTED = "the project list did not say which groups the project is shared with"
GROUP_MEMBERS = "groups/members"


def people(members: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The members that are people (bots of access tokens left out: GraphQL flags them, REST
    shows them by their usernames)."""
    found = []
    for member in members:
        username = str(member.get("username") or "")
        if username and member.get("bot") is not True and not is_bot(username, "", BOT_USERNAMES):
            found.append(member)
    return found


def repository_access(
    shares: Iterable[Mapping[str, Any]], subgroups_with_members: int, direct: Iterable[Mapping[str, Any]], today: date
) -> dict[str, Any]:
    """vcs.access from the groups the project is shared with, how many of the subgroups it sits
    in grant anybody, and its direct members (people). `expiring_grants`: shares and direct
    members whose access ends on a date still to come."""
    shared = list(shares)
    persons = people(direct)
    team = len(shared) + subgroups_with_members
    granted = team + len(persons)
    expiring = sum(1 for grant in (*shared, *persons) if _ends_after(grant.get("expires_at"), today))
    return {
        "team_grants": team,
        "direct_collaborators": len(persons),
        "team_grant_share": share(team, granted),
        "expiring_grants": expiring,
    }


def _ends_after(value: Any, today: date) -> bool:
    if not isinstance(value, str) or not value:
        return False
    try:
        return date.fromisoformat(value[:10]) >= today
    except ValueError:
        return False


class ProjectAccess:
    """One scan's reading of project access, shared by its workers: subgroup members once each."""

    def __init__(self, client: GitLabClient) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._grants: dict[str, bool | Gap] = {}  # subgroup path -> it has direct members (people)

    def read(
        self, project: Listed, top_level: str, today: date, direct: list[dict[str, Any]] | None = None
    ) -> dict[str, Any] | Gap:
        """vcs.access; `direct`: the project's direct members where the GraphQL batch gave them
        (else they are asked)."""
        if project.shared_with_groups is None:
            return Gap(SHARES_UNLISTED)
        if direct is None:
            try:
                direct = list(self._client.pages(PROJECT_MEMBERS, f"/projects/{project.id}/members"))
            except ApiError as exc:
                return gap(exc)
        subgroups = 0
        for path in _subgroups_of(project.full_path, top_level):
            grants = self._subgroup_grants(path)
            if isinstance(grants, Gap):
                return grants
            subgroups += grants
        return repository_access(project.shared_with_groups, subgroups, direct, today)

    def _subgroup_grants(self, path: str) -> bool | Gap:
        with self._lock:  # one request per subgroup, whichever worker needs it first
            if path not in self._grants:
                try:
                    members = self._client.pages(GROUP_MEMBERS, f"/groups/{quote(path, safe='')}/members")
                    self._grants[path] = bool(people(members))
                except ApiError as exc:
                    self._grants[path] = gap(exc)
            return self._grants[path]


def _subgroups_of(full_path: str, top_level: str) -> list[str]:
    """The subgroups between the top-level group and the project: `acme/apps/web/svc` -> acme/apps, acme/apps/web."""
    parts = full_path.split("/")[:-1]
    return ["/".join(parts[:end]) for end in range(2, len(parts) + 1) if "/".join(parts[:end]).startswith(top_level + "/")]
