"""The history store as the command line names it: a SQLAlchemy URL, or "default" (the SQLite
file in the user's data directory). Apart from the history commands, so that the scanning
commands can read the store without importing them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from scanner.history import HistoryStore

DEFAULT_STORE: Final = "default"  # `--store` without a value: the SQLite file in the user's data directory


def open_store(store_url: str | None, create: bool = True) -> HistoryStore:
    """The store at `store_url`; None or "default" means the default SQLite file. The reading
    commands pass `create=False`: a mistyped path must not leave an empty store behind."""
    # SQLAlchemy loads only when a command uses the history: every other command would pay
    # 0.15 s for it at start (measured with python -X importtime).
    from scanner.history import HistoryStore, default_store_url  # noqa: PLC0415

    return HistoryStore(default_store_url() if store_url in (None, DEFAULT_STORE) else str(store_url), create=create)
