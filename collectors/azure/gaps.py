"""Why Azure evidence is missing: an ARM refusal as a `Gap`, naming the built-in role that would let pecm read it."""

from __future__ import annotations

from collectors.azure.client import Refused
from collectors.base import Gap

READER = "Reader"
COST_READER = "Cost Management Reader"
# Answers that mean the service offers no such thing for this subscription (its offer type, the
# resource provider never registered, no Entra ID P2 licence for PIM), as opposed to a refusal.
UNSUPPORTED_CODES = frozenset(("MissingSubscriptionRegistration", "SubscriptionNotRegistered", "NotSupported",
                               "UnsupportedSubscriptionType", "SubscriptionTypeNotSupported", "AadPremiumLicenseRequired"))


def refusal_gap(refused: Refused, what: str, role: str, holder: str) -> Gap:
    """Why `what` ("budgets") of a `holder` ("subscription") is missing after `refused`: unsupported,
    refused (with `role` to grant), not found, throttled (the subject not read in full), or failed."""
    if refused.code in UNSUPPORTED_CODES:
        return Gap(f"this {holder} offers no {what} ({refused.code})", unsupported=True)
    if refused.status == 403:
        return Gap(f"Azure refused to list the {what} ({refused.code}): grant {role} on the {holder}")
    if refused.status == 404:
        return Gap(f"the {holder} was not found when listing its {what} ({refused.code})")
    if refused.status == 429:
        return Gap(f"the {what} were not read: {refused.message}; scan again later", rate_limited=True)
    server_side = refused.status is None or refused.status >= 500  # kept failing through the retries
    return Gap(f"the {what} could not be read ({refused}); scan again later", failure=server_side)
