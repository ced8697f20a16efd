"""Base class for collectors; the contract itself is `scanner.contract.CollectorPlugin`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel

from scanner.contract import CollectContext
from scanner.model import Evidence, Subject


class Collector(ABC):
    name: ClassVar[str]
    version: ClassVar[str]
    config_model: ClassVar[type[BaseModel]]
    provides: ClassVar[frozenset[str]]

    @classmethod
    def scope(cls, config: BaseModel, base_dir: Path) -> tuple[str, ...]:
        """What a scan with `config` looks at, one entry per target ("github:acme"): history
        tells scans of different targets apart by it. Collectors with targets override it."""
        return (cls.name,)

    @abstractmethod
    def collect(self, ctx: CollectContext) -> Iterator[Subject | Evidence]:
        """Yield each subject, then one evidence record per provided kind for it."""
