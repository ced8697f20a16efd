"""Group membership managed from a directory: a top-level group's and its subgroups' SAML group
links (`/groups/:id/saml_group_links`: Premium and Ultimate, GitLab.com and self-managed) and
LDAP group links (`/groups/:id/ldap_group_links`: self-managed only, GitLab.com has no LDAP),
into the top-level group's org.access.

Two requests per group at most (a re-scan carries the subgroups' answers: subgroup_links.py),
none on the Free tier (known from the project list: nothing is asked, the fields stay unknown). GitLab shows both lists to the group's Owners only, and says so
differently:
- SAML: 401 below Owner, and also where the group has no SAML group sync set up (the same
  permission check): the token was just accepted for the group itself, so this 401 is the
  refusal of the role, not of the token;
- LDAP: 403 below Owner; 404 `No linked LDAP groups found` for a group without links (its
  message is all that tells it from the 404 of an instance without the route).
A subgroup's list is asked only where the top-level group's answered: an Owner of the top-level
group owns its subgroups, and SAML group sync is the top-level group's, so a list refused there
is refused below too (except to an Owner of a subgroup alone, whose links leave the count
unknown either way). A refusal leaves the count unknown (None), never "no links": links seen on
one list still show that membership comes from a directory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from collectors.base import Gap
from collectors.gitlab.client import ApiError, GitLabClient, TokenRefused
from collectors.gitlab.gaps import PREMIUM, gap
from collectors.gitlab.subgroup_links import SubgroupLinks
from scanner.kinds.git_host import UNTOLD_DIRECTORY_LINKS

SAML_LINKS = "groups/saml_group_links"
LDAP_LINKS = "groups/ldap_group_links"
OWNER = "GitLab shows a group's SAML and LDAP links to its Owners only"
SAML_REFUSED = f"{OWNER} (or the group has no SAML group sync set up)"
NO_LDAP_LINKS = "No linked LDAP groups found"  # GitLab's 404 message for a group without LDAP links
ROLES = {5: "minimal_access", 10: "guest", 15: "planner", 20: "reporter", 30: "developer", 40: "maintainer", 50: "owner"}
UNKNOWN: dict[str, Any] = dict(UNTOLD_DIRECTORY_LINKS)


@dataclass(frozen=True)
class Links:
    """The org.access fields about directory links, and why they are unknown where they are."""

    fields: dict[str, Any]
    gap: Gap | None = None
    read_at: datetime | None = None  # the subgroups' links were carried from the scan at this time


def read(
    client: GitLabClient, group_id: int, premium: bool, self_managed: bool, subgroups: SubgroupLinks | None = None
) -> Links:
    """The links of the group (`group_id`) and of its `subgroups` (None: none)."""
    if not premium:
        return Links(dict(UNKNOWN), Gap(f"directory group links {PREMIUM}", unsupported=True))
    readers: list[tuple[str, Callable[[GitLabClient, int], list[int] | Gap]]] = [("saml", _saml)]
    if self_managed:
        readers.append(("ldap", _ldap))
    levels: list[int] = []
    refused: Gap | None = None
    offered = False
    for kind, reader in readers:
        found = reader(client, group_id)
        if isinstance(found, Gap):
            if not found.unsupported:
                refused = refused or found
            continue
        offered = True
        levels += found
        below = subgroups.levels(kind, partial(reader, client)) if subgroups is not None else []
        if isinstance(below, Gap):
            refused = refused or below
        else:
            levels += below
    if refused is not None:  # a list unread: links seen elsewhere still tell a directory is used
        return Links({**UNKNOWN, "membership_from_directory": True if levels else None}, refused, _read_at(subgroups))
    if not offered:
        return Links(dict(UNKNOWN), Gap("this GitLab offers no directory group links", unsupported=True))
    return Links(of_levels(levels), read_at=_read_at(subgroups))


def of_levels(levels: Sequence[int]) -> dict[str, Any]:
    """The fields from the access levels the links grant, one per link."""
    return {
        "membership_from_directory": bool(levels),
        "directory_links": len(levels),
        "directory_link_roles": [ROLES.get(level, str(level)) for level in sorted(set(levels))],
    }


def _read_at(subgroups: SubgroupLinks | None) -> datetime | None:
    return subgroups.read_at if subgroups is not None else None


def _saml(client: GitLabClient, group_id: int) -> list[int] | Gap:
    try:
        links = list(client.pages(SAML_LINKS, f"/groups/{group_id}/saml_group_links"))
    except TokenRefused as exc:
        return Gap(f"HTTP 401: {exc} — {SAML_REFUSED}")
    except ApiError as exc:
        if exc.status == 404:  # a GitLab before 15.3, or without the EE code: no such feature
            return Gap(exc.reason(), unsupported=True)
        return gap(exc, OWNER)
    return _levels(links, "access_level")


def _ldap(client: GitLabClient, group_id: int) -> list[int] | Gap:
    try:
        links = list(client.pages(LDAP_LINKS, f"/groups/{group_id}/ldap_group_links"))
    except ApiError as exc:
        if exc.status == 404 and exc.message == NO_LDAP_LINKS:
            return []
        if exc.status == 404:
            return Gap(exc.reason(), unsupported=True)
        return gap(exc, OWNER)
    return _levels(links, "group_access")


def _levels(links: Sequence[Any], field: str) -> list[int]:
    return [link[field] for link in links if isinstance(link, dict) and isinstance(link.get(field), int)]
