"""Local collector: repositories checked out on disk (git checkouts or plain folders)."""

from collectors.local.collector import LocalCollector
from collectors.local.config import LocalConfig

__all__ = ["LocalCollector", "LocalConfig"]
