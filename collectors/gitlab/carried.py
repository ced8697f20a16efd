"""What a re-scan carries from the last scan of a project whose default branch, `last_activity_at`
and head commit are unchanged, so that such a project costs no request of its own.

Two kinds of carried answers:
- history that only a push changes: the window's commits and, on platform projects, the merged
  merge requests (a merge is a push). They are exact: filtered to the new window, they give the
  figures a new read would;
- what changes without a push: deployments (a pipeline can redeploy the same commit), approval
  rules, push rules, members and protected branches listed over REST (settings). GitLab's
  `last_activity_at` does not move for them, so they are carried only while younger than
  `settings_max_age_hours` and their records keep the time they were read (`observed_at`): a
  reader sees their age. Older, they are read again.
Protected branches GraphQL gives (to a Maintainer) are not carried: they come with the head
commits, every scan. A Reporter's come over REST, a request per project, so they are carried.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from collectors.base import Found, Gap
from collectors.githost.cache import ScanCache
from collectors.githost.dora import parse_time

# Fields of the answers the evidence is computed from; the rest is not kept.
_COMMIT_FIELDS = ("id", "committed_date", "author_email", "author_name")
# Fields of a protected branch mapping.branch_protection reads (code-owner approval: absent where
# the tier has none, which keeps it unknown)
_PROTECTED_FIELDS = ("name", "allow_force_push", "code_owner_approval_required")


@dataclass(frozen=True)
class Carried:
    read_at: datetime  # when the scan that read them ran
    commits: list[dict[str, Any]]  # the window's commits then, newest first
    merged: list[dict[str, Any]] | None  # platform projects: merged merge requests (author, updated_at)
    deployments: Found  # delivery.deployments as read then (a refusal is carried too)
    security: Found  # vcs.security_settings as read then
    required_approvals: int | None  # approvals the default branch needed then; None: not read (or no such tier)
    access: Found | None = None  # vcs.access as read then; None: not kept (read again)
    approval_settings: dict[str, bool | None] | None = None  # the protected default branch's, as read then
    protected: list[dict[str, Any]] | None = None  # protected branches REST listed then; None: not kept (read again)


def load(cache: ScanCache, full_path: str, state: str, now: datetime, max_age_hours: float) -> Carried | None:
    """The carried answers of a project at `state`, while younger than `max_age_hours`."""
    found = fresh_details(cache, full_path, state, now, max_age_hours)
    if found is None:
        return None
    read_at, data = found
    try:
        required = data["required_approvals"]
        return Carried(
            read_at=read_at,
            commits=[dict(commit) for commit in data["commits"]],
            merged=[dict(item) for item in data["merged"]] if data["merged"] is not None else None,
            deployments=_decode(data["deployments"]),
            security=_decode(data["security"]),
            required_approvals=int(required) if required is not None else None,
            access=_decode(data["access"]) if data.get("access") is not None else None,
            approval_settings=dict(data["approval_settings"]) if data.get("approval_settings") is not None else None,
            protected=[dict(entry) for entry in data["protected"]] if data.get("protected") is not None else None,
        )
    except (KeyError, TypeError, ValueError):
        return None


def fresh_details(
    cache: ScanCache, key: str, state: str, now: datetime, max_age_hours: float
) -> tuple[datetime, dict[str, Any]] | None:
    """What was saved under `key` at `state` and when it was read, while younger than `max_age_hours`
    (a time after `now` is not trusted either)."""
    found = cache.details(key, state)
    if found is None:
        return None
    saved_at, data = found
    read_at = datetime.fromtimestamp(saved_at, tz=timezone.utc)
    if (now - read_at).total_seconds() > max_age_hours * 3600 or read_at > now:
        return None
    return read_at, data


def save(cache: ScanCache, full_path: str, state: str, carried: Carried) -> None:
    cache.save_details(full_path, state, carried.read_at.timestamp(), {
        "commits": [{key: commit.get(key) for key in _COMMIT_FIELDS} for commit in carried.commits],
        "merged": [{"author": {"username": (item.get("author") or {}).get("username")}, "updated_at": item.get("updated_at")}
                   for item in carried.merged] if carried.merged is not None else None,
        "deployments": _encode(carried.deployments),
        "security": _encode(carried.security),
        "required_approvals": carried.required_approvals,
        "access": _encode(carried.access) if carried.access is not None else None,
        "approval_settings": carried.approval_settings,
        "protected": [{key: entry[key] for key in _PROTECTED_FIELDS if key in entry} for entry in carried.protected]
        if carried.protected is not None else None,
    })


def since(items: Iterable[Mapping[str, Any]], field: str, start: datetime) -> list[dict[str, Any]]:
    """The items whose `field` (a time) is at or after `start`: a carried list cut to the new window."""
    return [dict(item) for item in items if (moment := parse_time(item.get(field))) is not None and moment >= start]


def keeps(found: Found) -> bool:
    """Whether an answer may be carried: data or a refusal, never a failure or a rate limit."""
    return not isinstance(found, Gap) or not (found.failure or found.rate_limited)


def _encode(found: Found) -> dict[str, Any]:
    if isinstance(found, Gap):
        return {"gap": found.reason, "unsupported": found.unsupported}
    return {"data": found}


def _decode(stored: Mapping[str, Any]) -> Found:
    if "gap" in stored:
        return Gap(str(stored["gap"]), unsupported=bool(stored.get("unsupported")))
    return dict(stored["data"])
