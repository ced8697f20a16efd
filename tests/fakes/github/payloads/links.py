"""URLs in payloads: API and web links both live on the fake's base URL so clients can follow them."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timezone


@dataclass(frozen=True)
class Links:
    base: str  # e.g. http://127.0.0.1:PORT, no trailing slash

    def api(self, path: str) -> str:
        return self.base + path

    def html(self, path: str) -> str:
        return self.base + path

    def repo_api(self, owner: str, repo: str, suffix: str = "") -> str:
        return f"{self.base}/repos/{owner}/{repo}{suffix}"

    def avatar(self, account_id: int) -> str:
        return f"{self.base}/_avatars/u/{account_id}?v=4"


def node_id(type_name: str, database_id: int) -> str:
    """GitHub's legacy global node id: base64 of "0<len>:<Type><id>" (decodable by `parse_node_id`)."""
    return base64.b64encode(f"0{len(type_name)}:{type_name}{database_id}".encode()).decode()


def parse_node_id(value: str) -> tuple[str, int] | None:
    try:
        text = base64.b64decode(value.encode(), validate=True).decode()
        length_text, rest = text.split(":", 1)
        length = int(length_text)
        return rest[:length], int(rest[length:])
    except (ValueError, UnicodeDecodeError):
        return None


def iso(moment: datetime) -> str:
    """GitHub's timestamp format: UTC with a Z."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
