"""The scope of a scan: what it looked at and under which configuration.

History records it with every scan so that scans of different folders, organizations,
configurations or shards are never compared as if one had followed the other.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scanner.pipeline import ScanPlan
    from scanner.shard import Shard

# Keys of the configuration that do not change what is scanned or how it is judged: where
# results go, and what they are compared with. Everything else is in the fingerprint.
_OUTPUT_KEYS = frozenset({"history", "cache_dir", "self_assessment", "gate"})
_DIGEST_CHARS = 12  # 48 bits: no two scopes of one store collide in practice, and it fits a column


@dataclass(frozen=True)
class ScanScope:
    organization: str | None
    sources: tuple[str, ...]  # one entry per scanned target: "local:/srv/repos", "github:acme"
    config_fingerprint: str  # a hash of the configuration that shapes the verdicts
    shard: str | None  # "I/N" when the scan was one shard

    @property
    def key(self) -> str:
        """Equal for scans of the same scope; short enough to show."""
        return _digest(self.as_json())

    def describe(self) -> str:
        """One line: `organization acme; sources local:/srv/repos; config 3f2a9c1be0d4; shard 2/4`."""
        parts = [f"organization {self.organization}"] if self.organization else []
        parts.append("sources " + (", ".join(self.sources) or "none"))
        parts.append(f"config {self.config_fingerprint}")
        if self.shard:
            parts.append(f"shard {self.shard}")
        return "; ".join(parts)

    def as_json(self) -> dict[str, Any]:
        return {
            "organization": self.organization,
            "sources": list(self.sources),
            "config_fingerprint": self.config_fingerprint,
            "shard": self.shard,
        }


def scan_scope(plan: ScanPlan, shard: Shard | None) -> ScanScope:
    config = plan.loaded.config
    base_dir = plan.loaded.base_dir
    sources: list[str] = []
    settings: dict[str, Any] = config.model_dump(mode="json", exclude=set(_OUTPUT_KEYS))
    for source in plan.sources:
        targets = getattr(source.plugin, "scope", None)  # plugins not built on collectors.base may lack it
        sources.extend(targets(source.config, base_dir) if targets is not None else (source.name,))
        settings["sources"][source.name] = source.config.model_dump(mode="json")  # with defaults: equal configs hash equal
    return ScanScope(config.organization, tuple(sources), _digest(settings), str(shard) if shard is not None else None)


def _digest(document: dict[str, Any]) -> str:
    """The same short hash for equal documents, whatever their key order."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:_DIGEST_CHARS]
