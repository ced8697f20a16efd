"""The one reader of user-written YAML: repeated keys, aliases and nesting refused in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules.errors import PackError
from rules.yaml_file import read_yaml
from scanner.config import load_config
from scanner.errors import UserError
from scanner.self_assessment import load_self_assessment
from scanner.user_yaml import MAX_ALIAS_NODES, MAX_DEPTH, read_user_yaml

# Nine lists of nine aliases of the previous one: a billion strings from ten lines.
ALIAS_BOMB = 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n' + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n" for previous, name in zip("abcdefgh", "bcdefghi")
)


def _file(tmp_path: Path, text: str, name: str = "pecm.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rules: {default_pack: false}\nrules: {}\n", "c: line 2, column 1: YAML syntax error: duplicate key 'rules'"),
        ("a: &a [*a]\n", "c: line 1: an alias refers to a collection that contains it"),
        ("a: &a {b: {c: *a}}\n", "c: line 1: an alias refers to a collection that contains it"),
        (ALIAS_BOMB, f"c: line 6: aliases expand to more than {MAX_ALIAS_NODES} values (an alias bomb?)"),
        ("a: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n", f"c: line 1: nested more than {MAX_DEPTH} levels deep"),
        (
            "a: &a " + "[" * 40 + "]" * 40 + "\nb: " + "[" * 30 + "*a" + "]" * 30 + "\n",
            f"c: line 1: nested more than {MAX_DEPTH} levels deep through an alias",
        ),
    ],
)
def test_out_of_bounds_documents_are_one_line_errors(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(UserError) as caught:
        read_user_yaml(_file(tmp_path, text), "c")
    assert caught.value.one_line() == expected


def test_ordinary_aliases_and_merge_keys_still_load(tmp_path: Path) -> None:
    text = "defaults: &d {window_days: 30, include: [a]}\nsources:\n  one: {<<: *d, window_days: 60}\n  two: *d\n"
    assert read_user_yaml(_file(tmp_path, text), "c") == {
        "defaults": {"window_days": 30, "include": ["a"]},
        "sources": {"one": {"window_days": 60, "include": ["a"]}, "two": {"window_days": 30, "include": ["a"]}},
    }
    assert read_user_yaml(_file(tmp_path, ""), "c") is None


def test_the_config_refuses_a_repeated_key_instead_of_dropping_the_first(tmp_path: Path) -> None:
    path = _file(tmp_path, "rules:\n  disable: [governance.x]\nrules:\n  params: {a: 1}\n")
    with pytest.raises(UserError) as caught:
        load_config(path)
    assert caught.value.one_line() == f"config {path}: line 3, column 1: YAML syntax error: duplicate key 'rules'"


def test_a_self_referencing_alias_in_the_config_is_a_user_error_not_a_recursion(tmp_path: Path) -> None:
    path = _file(tmp_path, "sources: &s\n  local: {paths: *s}\n")
    with pytest.raises(UserError, match="an alias refers to a collection that contains it"):
        load_config(path)


def test_an_alias_bomb_in_the_config_fails_fast(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="alias bomb"):
        load_config(_file(tmp_path, ALIAS_BOMB))


def test_packs_and_self_assessments_use_the_same_reader(tmp_path: Path) -> None:
    pack = _file(tmp_path, "a: &a [*a]\n", "pack.yaml")
    with pytest.raises(PackError, match="an alias refers to a collection that contains it"):
        read_yaml(pack)
    answers = _file(tmp_path, "respondents: &r [{name: x, answers: *r}]\n", "answers.yaml")
    with pytest.raises(UserError, match="an alias refers to a collection that contains it"):
        load_self_assessment(answers)
