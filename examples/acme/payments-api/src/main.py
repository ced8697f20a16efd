"""Payments API: accepts a payment and returns its id."""

import uuid


def create_payment(amount_cents: int, currency: str) -> str:
    if amount_cents <= 0:
        raise ValueError("amount must be positive")
    return f"{currency.lower()}-{uuid.uuid4()}"
