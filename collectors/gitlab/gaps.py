"""Why GitLab evidence is missing: the role a refusal may stand for, and a request's failure as a `Gap`."""

from __future__ import annotations

from collectors.base import Gap
from collectors.gitlab.client import ApiError, RateLimited

READ_PERMISSION = "the token needs the read_api scope and at least the Reporter role"
PREMIUM = "needs GitLab Premium or Ultimate"


def gap(exc: ApiError, permission: str | None = READ_PERMISSION) -> Gap:
    """Why evidence is missing after `exc`; a server error or a rate limit means the project was not read in full."""
    return Gap(
        exc.reason_with(permission) if permission else exc.reason(),
        failure=exc.status is None or exc.status >= 500,
        rate_limited=isinstance(exc, RateLimited),
    )
