"""Vocabulary plugins (`pecm.kinds`): a kind defined twice is a named plugin problem, and the
vocabulary that redefines it is refused whole, whatever the order the plugins are found in."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from scanner.kinds import KINDS, DuplicateKind, KindRegistry, KindSpec
from scanner.plugins import PluginInfo, discover


def _install(site: Path, module: str, kinds_source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A real installed distribution (a dist-info folder on the import path) with one vocabulary."""
    (site / f"{module}.py").write_text(
        "from pydantic import BaseModel\nfrom scanner.kinds import KindSpec\n\n"
        "class Shape(BaseModel):\n    present: bool = False\n\n" + textwrap.dedent(kinds_source),
        encoding="utf-8",
    )
    info = site / f"{module}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n", encoding="utf-8")
    # Named "acme" so that it sorts before the core vocabulary ("core").
    (info / "entry_points.txt").write_text(f"[pecm.kinds]\nacme = {module}:KINDS\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))


def test_a_plugin_redefining_a_core_kind_is_a_named_problem_and_its_vocabulary_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = """
        KINDS = [
            KindSpec("acme.widgets", "repository", Shape, "Widgets."),
            KindSpec("iac.usage", "repository", Shape, "Another shape for a core kind."),
        ]
    """
    _install(tmp_path, "pecm_vocabulary_redefining", source, monkeypatch)
    plugins = discover()
    messages = [problem.message for problem in plugins.problems]
    assert messages == [
        "plugin 'acme' (pecm.kinds, pecm_vocabulary_redefining 1.0) is not usable: it defines evidence kind "
        f"'iac.usage', which is defined by plugin 'core' ({_core_distribution(plugins.infos)}) too"
    ]
    core = {spec.name: spec for spec in KINDS}
    assert plugins.kinds["iac.usage"] is core["iac.usage"]  # the core's shape stays
    assert "acme.widgets" not in plugins.kinds  # nothing of the refused vocabulary
    assert plugins.kinds.names() == sorted(core)


def test_a_plugin_defining_one_kind_twice_is_a_named_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = """
        KINDS = [
            KindSpec("acme.widgets", "repository", Shape, "Widgets."),
            KindSpec("acme.widgets", "organization", Shape, "Widgets again."),
        ]
    """
    _install(tmp_path, "pecm_vocabulary_twice", source, monkeypatch)
    plugins = discover()
    assert [problem.message for problem in plugins.problems] == [
        "plugin 'acme' (pecm.kinds, pecm_vocabulary_twice 1.0) is not usable: it defines evidence kind "
        "'acme.widgets', which is defined by itself too"
    ]
    assert "acme.widgets" not in plugins.kinds


def test_a_registry_refuses_a_second_definition_by_its_name() -> None:
    registry = KindRegistry(KINDS)
    spec = registry["iac.usage"]
    with pytest.raises(DuplicateKind, match="'iac.usage' is defined twice") as raised:
        registry.add_vocabulary(
            [
                KindSpec("acme.widgets", "repository", spec.data_model, "new"),
                KindSpec(spec.name, spec.subject_kind, spec.data_model, "another"),
            ]
        )
    assert raised.value.kind == "iac.usage"
    assert "acme.widgets" not in registry  # all or nothing
    registry.add_vocabulary([spec])  # the same definition again is no conflict


def _core_distribution(infos: list[PluginInfo]) -> str:
    return next(info.distribution for info in infos if info.group == "pecm.kinds" and info.name == "core")


def test_branch_protection_layers_are_a_closed_host_neutral_set() -> None:
    registry = KindRegistry(KINDS)
    gitlab_group_rule = {"enabled": True, "via": ["organization_ruleset", "branch_protection"]}
    assert registry.validate_data("vcs.branch_protection", gitlab_group_rule)["via"] == gitlab_group_rule["via"]
    with pytest.raises(ValueError, match="vcs.branch_protection"):  # a host's own word is not a layer
        registry.validate_data("vcs.branch_protection", {"enabled": True, "via": ["protected_branch"]})
