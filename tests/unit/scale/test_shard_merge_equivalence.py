"""The merged assessment of N shards is the single-process assessment of the same input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scanner.merge import ShardBundle, merge_bundles, recompute_cross_subject
from scanner.model import Assessment, EvidenceBundle
from scanner.plugins import Plugins, discover
from scanner.shard import Shard
from tests.unit.scale.scale_inputs import EXAMPLE, assess, generated_tree, scan_bundle


@pytest.fixture(scope="module")
def plugins() -> Plugins:
    return discover()


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated_tree(tmp_path_factory.mktemp("tree"))


def _comparable(assessment: Assessment) -> dict[str, Any]:
    """The assessment as JSON; problems as a sorted list, since shards meet them in another order."""
    data = assessment.model_dump(mode="json")
    data["scan"]["problems"] = sorted(data["scan"]["problems"], key=lambda p: (p["source"], p["subject"] or "", p["message"]))
    return data


def _sharded(paths: list[Path], base_dir: Path, count: int, plugins: Plugins) -> list[EvidenceBundle]:
    return [scan_bundle(paths, base_dir, Shard(index, count), plugins) for index in range(count)]


@pytest.mark.parametrize("count", [1, 2, 3, 5])
@pytest.mark.parametrize("which", ["example", "generated"])
def test_merged_shards_assess_like_one_process(which: str, count: int, tree: Path, plugins: Plugins, tmp_path: Path) -> None:
    paths = [EXAMPLE] if which == "example" else [tree]
    single = scan_bundle(paths, tmp_path, plugins=plugins)
    shards = _sharded(paths, tmp_path, count, plugins)
    merged = merge_bundles([ShardBundle(f"shard-{index}.json", bundle) for index, bundle in enumerate(shards)])
    merged = recompute_cross_subject(merged, plugins.collectors)  # what `pecm merge` does next

    assert merged.subjects == single.subjects
    assert merged.evidence == single.evidence
    assert merged.sources == single.sources
    assert _comparable(assess(merged, tmp_path, plugins)) == _comparable(assess(single, tmp_path, plugins))


def test_each_repository_is_examined_by_exactly_one_shard(tree: Path, plugins: Plugins, tmp_path: Path) -> None:
    shards = _sharded([tree], tmp_path, 3, plugins)
    seen = [subject.id for bundle in shards for subject in bundle.subjects]
    assert len(seen) == len(set(seen)) == 40
    assert all(bundle.subjects for bundle in shards)  # 40 repositories over 3 shards: none is empty
    assert all(run.subjects == len(bundle.subjects) for bundle in shards for run in bundle.sources)


def test_shards_are_stable_across_runs(tree: Path, plugins: Plugins, tmp_path: Path) -> None:
    first = [[s.id for s in bundle.subjects] for bundle in _sharded([tree], tmp_path, 3, plugins)]
    again = [[s.id for s in bundle.subjects] for bundle in _sharded([tree], tmp_path, 3, plugins)]
    assert first == again


def test_a_problem_every_shard_meets_is_kept_once(tree: Path, plugins: Plugins, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    shards = _sharded([tree, missing], tmp_path, 2, plugins)
    merged = merge_bundles([ShardBundle(str(index), bundle) for index, bundle in enumerate(shards)])
    about_missing = [p for p in merged.problems if "no-such-folder" in p.message]
    assert len(about_missing) == 1
    assert about_missing == [p for p in scan_bundle([tree, missing], tmp_path, plugins=plugins).problems if "no-such-folder" in p.message]
