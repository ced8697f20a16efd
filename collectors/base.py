"""Base class for collectors; the contract itself is `scanner.contract.CollectorPlugin`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import ClassVar

from pydantic import BaseModel

from scanner.contract import CollectContext
from scanner.model import Evidence, Subject


class Collector(ABC):
    name: ClassVar[str]
    version: ClassVar[str]
    config_model: ClassVar[type[BaseModel]]
    provides: ClassVar[frozenset[str]]

    @abstractmethod
    def collect(self, ctx: CollectContext) -> Iterator[Subject | Evidence]:
        """Yield each subject, then one evidence record per provided kind for it."""
