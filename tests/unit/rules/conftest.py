"""Fixtures for the rules engine's tests (helpers in engine_fixtures.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from engine_fixtures import SAMPLE_PACK, BundleMaker, RuleSetMaker, build_bundle, single_file_pack

from rules.loader import RulePack, RuleSet, build_ruleset, load_pack
from scanner.kinds import KINDS, KindRegistry
from scanner.model import EvidenceBundle


@pytest.fixture(scope="session")
def kinds() -> KindRegistry:
    return KindRegistry(KINDS)


@pytest.fixture(scope="session")
def sample_pack(kinds: KindRegistry) -> RulePack:
    return load_pack(SAMPLE_PACK, kinds)


@pytest.fixture
def bundle_of(kinds: KindRegistry) -> BundleMaker:
    def make(subjects: list[dict[str, Any]], sources: dict[str, list[str]] | None = None) -> EvidenceBundle:
        return build_bundle(subjects, sources, kinds)

    return make


@pytest.fixture
def ruleset_of(tmp_path: Path, kinds: KindRegistry) -> RuleSetMaker:
    """Write a single-file pack (capability documents as data) and build its rule set."""

    def make(*capabilities: dict[str, Any], params: dict[str, Any] | None = None, **overrides: Any) -> RuleSet:
        path = tmp_path / "pack.yaml"
        path.write_text(yaml.safe_dump(single_file_pack(list(capabilities), params), sort_keys=False))
        return build_ruleset([load_pack(path, kinds)], **overrides)

    return make
