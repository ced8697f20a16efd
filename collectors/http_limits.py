"""How hard an HTTP source tries: the limit settings its config shares with every other one.

The keys are the same in every source's section (`request_timeout_seconds`, `max_retries`,
`max_rate_limit_wait_seconds`, `rate_limit_wait_budget_seconds`), checked the same way. A
config model inherits them; no HTTP library is imported, so loading a config stays cheap.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RequestLimits(BaseModel):
    """How long one request may take and how often one that failed is sent again."""

    model_config = ConfigDict(extra="forbid")

    request_timeout_seconds: int = Field(default=30, gt=0, description="Longest a single request may take.")
    max_retries: int = Field(default=3, ge=0, le=10, description="Retries of a request that failed with 5xx or a network error.")


class HttpLimits(RequestLimits):
    """Request limits, and how long the source waits for rate limits (throttling) before it stops."""

    max_rate_limit_wait_seconds: float = Field(
        default=60.0, ge=0, description="Wait for a rate limit (throttling) to lift this long at most; longer, stop cleanly."
    )
    rate_limit_wait_budget_seconds: float = Field(
        default=600.0, ge=0, description="Longest the source waits for rate limits in all; past it, it stops cleanly."
    )
