"""Checkout: turns a cart into an order."""


def checkout(cart: dict[str, int]) -> dict[str, object]:
    return {"items": sum(cart.values()), "status": "created"}
