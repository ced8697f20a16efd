"""Plugin discovery through entry points: built-ins register exactly like third-party plugins.

Groups: `pecm.kinds` (lists of KindSpec), `pecm.collectors`, `pecm.renderers`,
`pecm.rule_packs` (a path to a pack). A plugin that fails to load is a warning and a
recorded problem, not a crash; two plugins with one name is an error naming both.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, EntryPoints, entry_points
from pathlib import Path
from typing import Any, Protocol

from scanner.errors import UserError
from scanner.kinds import KindRegistry, KindSpec
from scanner.model import Problem

log = logging.getLogger(__name__)

GROUPS = ("pecm.kinds", "pecm.collectors", "pecm.renderers", "pecm.rule_packs")

_COLLECTOR_ATTRIBUTES = ("name", "version", "config_model", "provides", "collect")
_RENDERER_ATTRIBUTES = ("name", "description", "render")


@dataclass(frozen=True)
class PluginInfo:
    group: str
    name: str
    value: str
    distribution: str


@dataclass
class Plugins:
    kinds: KindRegistry
    collectors: dict[str, type[Any]] = field(default_factory=dict)
    renderers: dict[str, type[Any]] = field(default_factory=dict)
    rule_packs: dict[str, Path] = field(default_factory=dict)
    infos: list[PluginInfo] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class _Installed(Protocol):
    """What `entry_points()` returns (EntryPoints from Python 3.12, SelectableGroups before)."""

    def select(self, *, group: str) -> EntryPoints: ...


def _distribution(entry: EntryPoint) -> str:
    dist = entry.dist
    if dist is None:
        return "unknown distribution"
    metadata = dist.metadata  # parsed on every access: `dist.name` and `dist.version` would parse it twice
    return f"{metadata['Name']} {metadata['Version']}"


def _unique(installed: _Installed, group: str) -> list[EntryPoint]:
    seen: dict[str, EntryPoint] = {}
    for entry in sorted(installed.select(group=group), key=lambda e: e.name):
        other = seen.get(entry.name)
        if other is not None and other.value != entry.value:
            raise UserError(
                f"two plugins are named {entry.name!r} in {group}: "
                f"{other.value} ({_distribution(other)}) and {entry.value} ({_distribution(entry)})",
                hint="uninstall one of them",
            )
        seen[entry.name] = entry
    return list(seen.values())


def _missing_attributes(obj: Any, names: tuple[str, ...]) -> list[str]:
    return [name for name in names if not hasattr(obj, name)]


def discover() -> Plugins:
    loaded: dict[str, dict[str, Any]] = {group: {} for group in GROUPS}
    infos: list[PluginInfo] = []
    problems: list[Problem] = []
    installed = entry_points()  # one pass over the installed distributions for every group (2 ms each)
    # One metadata parse per distribution (its entry points share the Distribution object).
    distributions: dict[object, str] = {}
    for group in GROUPS:
        for entry in _unique(installed, group):
            if entry.dist not in distributions:
                distributions[entry.dist] = _distribution(entry)
            distribution = distributions[entry.dist]
            try:
                loaded[group][entry.name] = entry.load()
            except Exception as exc:  # a broken plugin must not take the others down
                message = f"plugin {entry.name!r} ({group}, {distribution}) failed to load: {exc}"
                log.warning(message)
                problems.append(Problem(source="plugins", message=message, hint="reinstall or remove the plugin"))
                continue
            infos.append(PluginInfo(group, entry.name, entry.value, distribution))

    specs: list[KindSpec] = [spec for kinds in loaded["pecm.kinds"].values() for spec in kinds]
    plugins = Plugins(kinds=KindRegistry(specs), infos=infos, problems=problems)
    for name, collector in loaded["pecm.collectors"].items():
        _admit(plugins, "pecm.collectors", name, collector, _COLLECTOR_ATTRIBUTES)
    for name, renderer in loaded["pecm.renderers"].items():
        _admit(plugins, "pecm.renderers", name, renderer, _RENDERER_ATTRIBUTES)
    plugins.rule_packs = {name: Path(path) for name, path in loaded["pecm.rule_packs"].items()}
    return plugins


def _admit(plugins: Plugins, group: str, name: str, plugin: Any, required: tuple[str, ...]) -> None:
    missing = _missing_attributes(plugin, required)
    if group == "pecm.collectors" and not missing:
        unknown = sorted(set(plugin.provides) - set(plugins.kinds.names()))
        if unknown:
            missing = [f"a vocabulary for the kinds it provides ({', '.join(unknown)})"]
    if missing:
        message = f"plugin {name!r} ({group}) is not usable: it lacks {', '.join(missing)}"
        log.warning(message)
        plugins.problems.append(Problem(source="plugins", message=message, hint="update or remove the plugin"))
        return
    target = plugins.collectors if group == "pecm.collectors" else plugins.renderers
    target[name] = plugin
