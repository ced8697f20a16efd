"""An in-memory repository for detection: `detect` takes a file list and a read callable,
so a dict of contents is a real source, not a stand-in."""

from __future__ import annotations

import json

import pytest

from collectors.detect import Detection, UnreadableFile, detect
from scanner.kinds import FILE_SIGNAL_KINDS, KINDS, KindRegistry

REGISTRY = KindRegistry(KINDS)


class Scanner:
    """Runs detection over `{path: content}` and checks every produced data dict."""

    def __init__(self) -> None:
        self.reads: list[str] = []

    def __call__(
        self,
        contents: dict[str, str | bytes],
        *,
        max_file_bytes: int = 1_048_576,
        sizes: dict[str, int] | None = None,
        unreadable: dict[str, str] | None = None,
    ) -> Detection:
        raw = {path: data.encode() if isinstance(data, str) else data for path, data in contents.items()}
        sizes = sizes or {}
        unreadable = unreadable or {}
        self.reads = []

        def read(path: str) -> bytes:
            self.reads.append(path)
            if path in unreadable:
                raise UnreadableFile(unreadable[path])
            return raw[path]

        known_sizes = {path: sizes.get(path, len(data)) for path, data in raw.items()}
        detection = detect(list(raw), read, sizes=known_sizes, max_file_bytes=max_file_bytes)
        assert list(detection.signals) == list(FILE_SIGNAL_KINDS)
        for kind, data in detection.signals.items():
            # The same JSON, types included (true is not 1): collectors record it without validating it.
            assert json.dumps(REGISTRY.validate_data(kind, data), sort_keys=True) == json.dumps(data, sort_keys=True)
            assert detection.locators[kind] == tuple(data["paths"])
        assert detection.files_read == len(self.reads)
        return detection


@pytest.fixture
def scan() -> Scanner:
    return Scanner()
