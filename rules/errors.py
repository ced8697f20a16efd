"""The one error a rule pack can raise: re-exported as `rules.loader.PackError`."""

from __future__ import annotations

from scanner.errors import UserError


class PackError(UserError):
    """A rule pack (or the config's `rules:` section) is invalid.

    The message names the file, the rule id (or metric or param) and the field, e.g.
    "rules/catalog/governance.yaml: rule governance.x: when.metric: unknown metric 'foo'".
    """
