"""A compiled rule pack kept in the cache directory: read back as the very pack compiled, keyed
by everything it depends on, and never trusted when it is not an entry pecm wrote."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import BaseModel

from rules.conditions import leaves
from rules.definitions import RulePack
from rules.loader import load_pack
from rules.pack_cache import FOLDER, _encode, cached_pack
from rules.yaml_file import display_path
from scanner.kinds import KINDS, KindRegistry, KindSpec
from scanner.kinds.spec import KindData

CATALOG = Path(__file__).resolve().parents[3] / "rules" / "catalog"


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    copy = tmp_path / "pack"
    shutil.copytree(CATALOG, copy, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return copy


def _entries(cache: Path) -> list[Path]:
    return sorted((cache / FOLDER).glob("*.json"))


def _not_compiled() -> RulePack:
    raise AssertionError("compiled again")


def _shown(pack: Path) -> dict[Path, str]:
    files = sorted(pack.glob("*.yaml"), key=lambda file: file.name)
    return {pack: display_path(pack), pack / "pack.yaml": display_path(pack / "pack.yaml"),
            **{file: display_path(file) for file in files if file.name != "pack.yaml"}}


def test_the_pack_read_from_its_entry_is_the_pack_compiled(pack_dir: Path, tmp_path: Path) -> None:
    kinds = KindRegistry(KINDS)
    compiled = load_pack(pack_dir, kinds)
    first = load_pack(pack_dir, kinds, tmp_path / "cache")
    assert len(_entries(tmp_path / "cache")) == 1
    read = cached_pack(_shown(pack_dir), kinds, tmp_path / "cache", _not_compiled)
    assert read == compiled == first
    assert _encode(read) == _encode(compiled)  # the fields equality leaves out (a leaf's value) too
    for metric_read, metric in zip(read.metrics.values(), compiled.metrics.values(), strict=True):
        for leaf_read, leaf in zip(leaves(metric_read.where), leaves(metric.where), strict=True):
            if leaf is None:
                continue
            assert (leaf_read.value, leaf_read.path) == (leaf.value, leaf.path)
            for probe in (None, True, False, 0, 1, 2.5, "x", "github", ["x"], []):  # its test, made again from its value
                assert leaf_read.test(probe) == leaf.test(probe)


def test_a_changed_pack_file_is_compiled_again_and_replaces_its_entry(pack_dir: Path, tmp_path: Path) -> None:
    kinds = KindRegistry(KINDS)
    before = load_pack(pack_dir, kinds, tmp_path / "cache")
    title = before.rules[0].title
    for document in pack_dir.glob("*.yaml"):
        document.write_text(document.read_text().replace(title, "A title changed since"))
    after = load_pack(pack_dir, kinds, tmp_path / "cache")
    assert [rule.title for rule in after.rules if rule.id == before.rules[0].id] == ["A title changed since"]
    assert len(_entries(tmp_path / "cache")) == 1  # one entry per pack location


def test_kinds_with_other_fields_do_not_meet_the_entry(pack_dir: Path, tmp_path: Path) -> None:
    load_pack(pack_dir, KindRegistry(KINDS), tmp_path / "cache")

    class Extra(KindData):
        present: bool = False

    plugin = KindRegistry([*KINDS, KindSpec("plugin.extra", "repository", Extra, "a plugin's kind")])
    assert cached_pack(_shown(pack_dir), KindRegistry(KINDS), tmp_path / "cache", _not_compiled) is not None
    with pytest.raises(AssertionError, match="compiled again"):
        cached_pack(_shown(pack_dir), plugin, tmp_path / "cache", _not_compiled)


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\xff\xfe not json",
        b'{"key": "',
        b"[1, 2, 3]",
        b'{"key": "KEY", "pack": {"$C": "Popen", "args": ["true"]}}',
        b'{"key": "KEY", "pack": {"$C": "RuleDef"}}',
        b'{"key": "KEY", "pack": {"$E": "Stage", "v": "no such stage"}}',
        b'{"key": "KEY", "pack": [1]}',
        b'{"key": "KEY", "pack": {"$C": "EvidenceLeaf", "kind": "k", "field": "f", "op": "matches", "value": "(unclosed"}}',
    ],
)
def test_an_entry_that_is_not_one_pecm_wrote_is_compiled_again(pack_dir: Path, tmp_path: Path, content: bytes) -> None:
    kinds = KindRegistry(KINDS)
    expected = load_pack(pack_dir, kinds, tmp_path / "cache")
    [entry] = _entries(tmp_path / "cache")
    key = json.loads(entry.read_bytes())["key"]
    entry.write_bytes(content.replace(b"KEY", key.encode()))
    assert load_pack(pack_dir, kinds, tmp_path / "cache") == expected
    assert json.loads(entry.read_bytes())["key"] == key  # written again, whole


def test_a_cache_that_cannot_be_written_costs_only_the_cache(pack_dir: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "a file"
    blocked.write_text("not a folder")
    kinds = KindRegistry(KINDS)
    assert load_pack(pack_dir, kinds, blocked) == load_pack(pack_dir, kinds)


def test_a_model_change_of_a_nested_field_is_seen(pack_dir: Path, tmp_path: Path) -> None:
    class Inner(BaseModel):
        count: int = 0

    class Outer(KindData):
        inner: Inner = Inner()

    class Inner2(BaseModel):
        total: int = 0

    class Outer2(KindData):
        inner: Inner2 = Inner2()

    one = KindRegistry([*KINDS, KindSpec("plugin.outer", "repository", Outer, "")])
    two = KindRegistry([*KINDS, KindSpec("plugin.outer", "repository", Outer2, "")])
    load_pack(pack_dir, one, tmp_path / "cache")
    assert cached_pack(_shown(pack_dir), one, tmp_path / "cache", _not_compiled) is not None
    with pytest.raises(AssertionError, match="compiled again"):
        cached_pack(_shown(pack_dir), two, tmp_path / "cache", _not_compiled)


SECOND_SCAN = """
import atexit, sys
atexit.register(lambda: print(sorted(m for m in sys.modules if m in ("rules.pack_compiler", "rules.pack_schema"))))
sys.argv = ["pecm", "scan", sys.argv[1], "--config", sys.argv[2], "--format", "json", "--no-progress", "-o", sys.argv[3]]
from scanner.start import main
main()
"""


def test_a_scan_with_its_pack_in_the_cache_imports_neither_the_compiler_nor_the_document_models(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[3] / "examples" / "acme"
    config = tmp_path / "pecm.yaml"
    config.write_text(f"cache_dir: {tmp_path / 'cache'}\n")
    outputs = []
    for run in ("first", "second"):
        out = tmp_path / f"{run}.json"
        ran = subprocess.run([sys.executable, "-c", SECOND_SCAN, str(example), str(config), str(out)],
                             capture_output=True, text=True, timeout=120)
        assert ran.returncode == 0, ran.stderr
        outputs.append((ran.stdout.splitlines()[-1], json.loads(out.read_text())))
    (first_loaded, first), (second_loaded, second) = outputs
    assert first_loaded == "['rules.pack_compiler', 'rules.pack_schema']"
    assert second_loaded == "[]"
    assert first["capabilities"] == second["capabilities"]
