"""REST route handlers, one module per area; `routes.py` maps paths to them."""
