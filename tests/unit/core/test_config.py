from pathlib import Path

import pytest

from scanner.config import load_config, parse_config
from scanner.errors import UserError

ROOT = Path(__file__).resolve().parents[3]


def test_example_config_is_valid_and_paths_resolve(tmp_path: Path) -> None:
    loaded = load_config(ROOT / "config.example.yaml")
    assert loaded.base_dir == ROOT
    assert loaded.config.sources["local"]["paths"] == ["examples/acme"]
    assert loaded.config.rules.default_pack is True


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"limits": {"max_workers": 0}}, "config c.yaml limits.max_workers: Input should be greater than or equal to 1"),
        ({"limits": {"max_worker": 2}}, "config c.yaml limits.max_worker: unknown key"),
        ({"rules": {"params": {"iac_share_min": "lots"}}}, "config c.yaml rules.params.iac_share_min: Input should be a valid number"),
        ({"sources": {"local": "examples"}}, "config c.yaml sources.local: must be a mapping"),
        (["a", "list"], "config c.yaml: the configuration must be a mapping of keys, not list"),
    ],
)
def test_bad_config_names_the_key(data: object, expected: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_config(data, "config c.yaml", Path("."))
    assert caught.value.one_line().startswith(expected)
    assert "\n" not in caught.value.one_line()


def test_secret_in_clear_is_refused_without_echoing_it() -> None:
    with pytest.raises(UserError) as caught:
        parse_config({"sources": {"github": {"token": "ghp_supersecret"}}}, "config c.yaml", Path("."))
    line = caught.value.one_line()
    assert "sources.github.token" in line and "token_env" in line
    assert "ghp_supersecret" not in line


@pytest.mark.parametrize(
    ("key", "pasted"),
    [
        ("token_env", "ghp_0123456789abcdefABCDEF0123456789abcd"),  # a classic token: a valid variable name
        ("token_env", "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz"),
        ("password_env", "s3cret/Pass+word-0123456789"),
    ],
)
def test_an_env_key_holding_a_token_is_refused_without_echoing_it(key: str, pasted: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_config({"sources": {"github": {"organizations": ["acme"], key: pasted}}}, "config c.yaml", Path("."))
    line = caught.value.one_line()
    assert line == (
        f"config c.yaml sources.github.{key} must name an environment variable (letters, digits, _), "
        "not hold the secret itself"
    )
    assert pasted not in repr(caught.value) and caught.value.__cause__ is None and caught.value.__context__ is None


def test_env_keys_naming_variables_are_accepted() -> None:
    loaded = parse_config({"sources": {"github": {"organizations": ["acme"], "token_env": "GH_TOKEN_2"}}}, "c", Path("."))
    assert loaded.config.sources["github"]["token_env"] == "GH_TOKEN_2"


def test_malformed_yaml_is_one_line_with_the_line_number(tmp_path: Path) -> None:
    path = tmp_path / "pecm.yaml"
    path.write_text("sources:\n  local: {paths: [a\n")
    with pytest.raises(UserError) as caught:
        load_config(path)
    assert "YAML syntax error" in caught.value.one_line()
    assert "line 3" in caught.value.one_line() or "line 2" in caught.value.one_line()


def test_relative_pack_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    path = tmp_path / "conf" / "pecm.yaml"
    path.parent.mkdir()
    path.write_text("rules: {packs: [extra]}\n")
    assert load_config(path).config.rules.packs == [tmp_path / "conf" / "extra"]


def test_missing_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="config .*: cannot read it"):
        load_config(tmp_path / "absent.yaml")


def test_every_source_in_the_example_config_validates_against_its_collector() -> None:
    from scanner.pipeline import plan_scan
    from scanner.plugins import discover

    plan = plan_scan(load_config(ROOT / "config.example.yaml"), discover())
    assert [source.name for source in plan.sources] == ["local", "github", "gitlab"]
