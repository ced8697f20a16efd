"""Plugin discovery through entry points: built-ins register exactly like third-party plugins.

Groups: `pecm.kinds` (lists of KindSpec), `pecm.collectors`, `pecm.renderers`,
`pecm.rule_packs` (a path to a pack). A plugin that fails to load is a warning and a
recorded problem, not a crash; two plugins with one name is an error naming both.

Collectors and renderers are imported the first time they are asked for by name: a local
JSON scan does not import the GitHub collector, nor the HTML renderer and Jinja2.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, EntryPoints, entry_points
from pathlib import Path
from typing import Any, Protocol

from scanner.errors import UserError
from scanner.kinds import DuplicateKind, KindRegistry, KindSpec
from scanner.model import Problem

log = logging.getLogger(__name__)

CORE_KINDS = "core"  # the entry point of the core vocabulary (scanner.kinds:KINDS)
GROUPS = ("pecm.kinds", "pecm.collectors", "pecm.renderers", "pecm.rule_packs")

_COLLECTOR_ATTRIBUTES = ("name", "version", "config_model", "provides", "collect")
_RENDERER_ATTRIBUTES = ("name", "description", "render")


@dataclass(frozen=True)
class PluginInfo:
    group: str
    name: str
    value: str
    distribution: str


class LazyPlugins(Mapping[str, type[Any]]):
    """One group's plugins by name, each loaded (and checked) when first asked for; one that
    fails either is missing from then on, its problem recorded by `load`."""

    def __init__(self, entries: Mapping[str, EntryPoint], load: Callable[[str, EntryPoint], type[Any] | None]) -> None:
        self._entries = entries
        self._load = load
        self._loaded: dict[str, type[Any] | None] = {}

    def __getitem__(self, name: str) -> type[Any]:
        if name not in self._loaded:
            self._loaded[name] = self._load(name, self._entries[name])
        plugin = self._loaded[name]
        if plugin is None:
            raise KeyError(name)
        return plugin

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)


@dataclass
class Plugins:
    kinds: KindRegistry
    collectors: Mapping[str, type[Any]] = field(default_factory=dict)
    renderers: Mapping[str, type[Any]] = field(default_factory=dict)
    rule_packs: dict[str, Path] = field(default_factory=dict)
    infos: list[PluginInfo] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def load_all(self) -> None:
        """Import every collector and renderer now, so that the broken ones are in `problems`."""
        for group in (self.collectors, self.renderers):
            for name in group:
                group.get(name)


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
    infos: list[PluginInfo] = []
    problems: list[Problem] = []
    installed = entry_points()  # one pass over the installed distributions for every group (2 ms each)
    # One metadata parse per distribution (its entry points share the Distribution object).
    distributions: dict[object, str] = {}
    entries: dict[str, dict[str, EntryPoint]] = {}
    for group in GROUPS:
        entries[group] = {entry.name: entry for entry in _unique(installed, group)}
        for entry in entries[group].values():
            if entry.dist not in distributions:
                distributions[entry.dist] = _distribution(entry)
            infos.append(PluginInfo(group, entry.name, entry.value, distributions[entry.dist]))

    def load(group: str, name: str, entry: EntryPoint) -> Any:
        try:
            return entry.load()
        except Exception as exc:  # a broken plugin must not take the others down
            message = f"plugin {name!r} ({group}, {distributions[entry.dist]}) failed to load: {exc}"
            log.warning(message)
            problems.append(Problem(source="plugins", message=message, hint="reinstall or remove the plugin"))
            return None

    registry = KindRegistry([])
    defined_by: dict[str, str] = {}  # kind -> the vocabulary that defined it
    # The core vocabulary first, so that a plugin redefining a core kind is the one refused.
    for name, entry in sorted(entries["pecm.kinds"].items(), key=lambda item: (item[0] != CORE_KINDS, item[0])):
        specs: list[KindSpec] | None = load("pecm.kinds", name, entry)
        if specs is None:
            continue
        try:
            registry.add_vocabulary(specs)
        except DuplicateKind as exc:
            other = defined_by.get(exc.kind, name)
            by = "itself" if other == name else f"plugin {other!r} ({distributions[entries['pecm.kinds'][other].dist]})"
            message = (
                f"plugin {name!r} (pecm.kinds, {distributions[entry.dist]}) is not usable: "
                f"it defines evidence kind {exc.kind!r}, which is defined by {by} too"
            )
            log.warning(message)
            problems.append(Problem(source="plugins", message=message, hint="rename the kind in one of the vocabularies"))
            continue
        defined_by.update((spec.name, name) for spec in specs)
    plugins = Plugins(kinds=registry, infos=infos, problems=problems)

    def admitted(group: str, required: tuple[str, ...]) -> Callable[[str, EntryPoint], type[Any] | None]:
        def load_and_check(name: str, entry: EntryPoint) -> type[Any] | None:
            plugin = load(group, name, entry)
            return plugin if plugin is not None and _admit(plugins, group, name, plugin, required) else None

        return load_and_check

    plugins.collectors = LazyPlugins(entries["pecm.collectors"], admitted("pecm.collectors", _COLLECTOR_ATTRIBUTES))
    plugins.renderers = LazyPlugins(entries["pecm.renderers"], admitted("pecm.renderers", _RENDERER_ATTRIBUTES))
    packs = {name: load("pecm.rule_packs", name, entry) for name, entry in entries["pecm.rule_packs"].items()}
    plugins.rule_packs = {name: Path(path) for name, path in packs.items() if path is not None}
    return plugins


def _admit(plugins: Plugins, group: str, name: str, plugin: Any, required: tuple[str, ...]) -> bool:
    missing = _missing_attributes(plugin, required)
    if group == "pecm.collectors" and not missing:
        unknown = sorted(set(plugin.provides) - set(plugins.kinds.names()))
        if unknown:
            missing = [f"a vocabulary for the kinds it provides ({', '.join(unknown)})"]
    if missing:
        message = f"plugin {name!r} ({group}) is not usable: it lacks {', '.join(missing)}"
        log.warning(message)
        plugins.problems.append(Problem(source="plugins", message=message, hint="update or remove the plugin"))
        return False
    return True
