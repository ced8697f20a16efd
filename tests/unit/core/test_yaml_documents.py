"""The direct node walk builds exactly what PyYAML builds, and fails exactly where it fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from collectors.detect.parse import _is_alias_bomb
from scanner.yaml_documents import load_document, load_documents

ROOT = Path(__file__).resolve().parents[3]
LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])

EDGE_CASES = {
    "github_on_key": "on: [push]\njobs:\n  a:\n    runs-on: ubuntu-latest\n",
    "scalars": "a: null\nb: ~\nc: true\nd: No\ne: 012\nf: 0x1F\ng: 1_000\nh: 1.5e3\ni: .inf\nj: -.Inf\nk: 2024-01-31\nl: 2024-01-31T10:00:00Z\nm: '12'\n",
    "nan": "value: .nan\n",
    "explicit_core_tags": "a: !!str 12\nb: !!int '7'\nc: !!float 1\nd: !!bool 'true'\n",
    "non_string_keys": "1: one\n2.5: two\ntrue: yes\nnull: nothing\n2024-01-31: date\n",
    "several_documents": "a: 1\n---\n- x\n- y\n---\n---\nplain\n...\n",
    "empty": "",
    "comment_only": "# nothing\n",
    "nested": "a:\n  b:\n    - c: [1, 2, {d: e}]\n      f: {g: [h, i]}\n",
    "duplicate_keys": "a: 1\na: 2\n",
    "merge_key": "base: {x: 1}\nother:\n  <<: {x: 2, y: 3}\n  z: 4\n",
    "anchors": "base: &b {x: 1}\nuse: *b\n",
    "recursive_anchor": "a: &x [1, *x]\n",
    "custom_tag": "Resources:\n  Bucket:\n    Name: !Ref BucketName\n",
    "binary_tag": "data: !!binary aGVsbG8=\n",
    "set_tag": "s: !!set {a, b}\n",
    "unhashable_key": "? [a, b]\n: value\n",
    "mapping_key": "? {a: 1}\n: value\n",
    "str_tag_on_mapping": "a: !!str {b: 1}\n",
    "map_tag_on_scalar": "a: !!map text\n",
    "bad_date": "when: 2024-13-45\n",
    "malformed": "a: [1, 2\nb: }\n",
    "tabs": "a:\n\tb: 1\n",
    "deep": "a: " + "[" * 400 + "]" * 400 + "\n",
}


def _corpus() -> dict[str, str]:
    texts = dict(EDGE_CASES)
    for folder in ("examples", "tests", "rules"):
        for path in sorted((ROOT / folder).rglob("*.y*ml")):
            try:
                text = path.read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                continue  # binary or unreadable on purpose: the robustness tests cover them
            if not _refused(text):
                texts[str(path.relative_to(ROOT))] = text
    return texts


def _refused(text: str) -> bool:
    """Alias bombs are refused before any loading (and would take PyYAML forever)."""
    try:
        return _is_alias_bomb(text)
    except yaml.YAMLError:
        return False


def _outcome(action: Any) -> tuple[str, str]:
    """What a load returned or raised, comparable (NaN is not equal to itself)."""
    try:
        return "value", repr(action())
    except Exception as exc:  # what PyYAML raises, compared by type and message
        return type(exc).__name__, str(exc)


@pytest.mark.parametrize("loader", LOADERS, ids=lambda loader: loader.__name__)
def test_every_document_builds_as_pyyaml_builds_it(loader: type) -> None:
    corpus = _corpus()
    assert len(corpus) > len(EDGE_CASES) + 100  # the project's own YAML files are in it
    different = {
        name: (ours, theirs)
        for name, text in corpus.items()
        if (ours := _outcome(lambda: load_documents(text, loader)))
        != (theirs := _outcome(lambda: list(yaml.load_all(text, Loader=loader))))
    }
    assert different == {}


@pytest.mark.parametrize("loader", LOADERS, ids=lambda loader: loader.__name__)
def test_a_single_document_loads_as_yaml_load_loads_it(loader: type) -> None:
    different = {
        name: (ours, theirs)
        for name, text in _corpus().items()
        if (ours := _outcome(lambda: load_document(text, loader)))
        != (theirs := _outcome(lambda: yaml.load(text, Loader=loader)))
    }
    assert different == {}


def test_a_loader_that_refuses_repeated_keys_still_refuses_them() -> None:
    class Strict(LOADERS[-1]):  # type: ignore[misc,valid-type]
        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            keys = [self.construct_object(key, deep=deep) for key, _ in node.value]
            if len(keys) != len(set(keys)):
                raise yaml.constructor.ConstructorError(None, None, "repeated key", node.start_mark)
            return super().construct_mapping(node, deep=deep)

    assert load_document("a: 1\nb: 2\n", Strict) == {"a": 1, "b": 2}
    with pytest.raises(yaml.constructor.ConstructorError, match="repeated key"):
        load_document("a: 1\nnested: {b: 1, b: 2}\n", Strict)


def test_the_walk_itself_builds_plain_documents() -> None:
    # Guards the speed: documents without anchors, merge keys or tags of their own must not
    # be handed to PyYAML's constructor (which the equality test above cannot see).
    built: list[str] = []
    original = yaml.load_all

    def spy(*args: Any, **kwargs: Any) -> Any:
        built.append("pyyaml")
        return original(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(yaml, "load_all", spy)
        assert load_documents(EDGE_CASES["nested"], LOADERS[-1])[0]["a"]["b"][0]["f"] == {"g": ["h", "i"]}
        assert built == []
        load_documents(EDGE_CASES["merge_key"], LOADERS[-1])
        assert built == ["pyyaml"]
