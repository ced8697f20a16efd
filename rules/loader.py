"""Loading rule packs (YAML) and merging them, with the config's overrides, into a RuleSet.

A pack's rules may use only the metrics and params that pack declares, so each pack is
checked completely on its own (`pecm rules validate PATH`); names are global, so merging
refuses a rule id, metric or param that two packs both define.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from rules.conditions import AllOf, AnyOf, Not
from rules.definitions import MetricDef, MetricLeaf, MinSample, PackModel, ParamDef, RuleDef, RulePack, WhenCondition
from rules.errors import PackError
from rules.pack_cache import cached_pack
from rules.yaml_file import display_path, read_yaml
from scanner.kinds import KindRegistry
from scanner.model import Capability, NotInferable, PackRef, Stage

if TYPE_CHECKING:
    from rules.pack_schema import CapabilityDoc, ManifestDoc

__all__ = ["PackError", "RulePack", "RuleSet", "build_ruleset", "load_pack"]

MANIFEST = "pack.yaml"
Named = TypeVar("Named", ParamDef, MetricDef, RuleDef)


@dataclass(frozen=True)
class RuleSet:
    """The packs in use, merged: params resolved, disabled rules left out, everything ordered."""

    packs: tuple[PackRef, ...]
    model: PackModel
    params: Mapping[str, float]  # resolved: override or default
    metrics: Mapping[str, MetricDef]  # by name, in name order
    rules: tuple[RuleDef, ...]  # enabled rules, by capability (model order), stage, id
    not_inferable: tuple[NotInferable, ...]
    disabled: tuple[str, ...] = ()
    # per capability, the stage every respondent of the self-assessment reports: it closes core criteria
    self_reported: Mapping[Capability, Stage] = field(default_factory=dict)
    # the config's `declared:` facts (what is used where pecm cannot look, or "none"), by key
    declared: Mapping[str, str] = field(default_factory=dict)

    def rule(self, rule_id: str) -> RuleDef | None:
        return next((rule for rule in self.rules if rule.id == rule_id), None)


def load_pack(path: Path, kinds: KindRegistry, cache_dir: Path | None = None) -> RulePack:
    """Load and check a pack: a directory with pack.yaml, or a single YAML file. With a
    `cache_dir`, a pack compiled before from the same files is read from there (pack_cache)."""
    shown = display_path(path)
    if path.is_dir():
        manifest_path = path / MANIFEST
        if not manifest_path.is_file():
            raise PackError(f"{shown}: not a rule pack: {MANIFEST} is missing")
        # Each file's name as shown, worked out once (it resolves both it and the working directory).
        files = [
            (file, display_path(file))
            for file in sorted(path.glob("*.yaml"), key=lambda file: file.name)
            if file.name != MANIFEST
        ]
        names = {path: shown, manifest_path: display_path(manifest_path), **dict(files)}
        compile_pack = partial(_load_folder, path, shown, names[manifest_path], files, kinds)
    elif path.is_file():
        names = {path: shown}
        compile_pack = partial(_load_file, path, shown, kinds)
    else:
        raise PackError(f"{shown}: no such rule pack (neither a file nor a directory)")
    return compile_pack() if cache_dir is None else cached_pack(names, kinds, cache_dir, compile_pack)


# The document models and the compiler are imported only when a pack is compiled: a scan
# whose pack is in the cache never needs them.
def _load_folder(path: Path, shown: str, manifest_file: str, files: list[tuple[Path, str]], kinds: KindRegistry) -> RulePack:
    from rules.pack_compiler import parse_document
    from rules.pack_schema import CapabilityDoc, ManifestDoc

    manifest = parse_document(ManifestDoc, read_yaml(path / MANIFEST, manifest_file), manifest_file)
    documents = [(file_shown, parse_document(CapabilityDoc, read_yaml(file, file_shown), file_shown)) for file, file_shown in files]
    return _compile_pack(manifest, manifest_file, documents, kinds, shown)


def _load_file(path: Path, shown: str, kinds: KindRegistry) -> RulePack:
    from rules.pack_compiler import parse_document
    from rules.pack_schema import SingleFilePackDoc

    single = parse_document(SingleFilePackDoc, read_yaml(path, shown), shown)
    return _compile_pack(single, shown, [(shown, document) for document in single.capabilities], kinds, shown)


def _compile_pack(
    manifest: ManifestDoc,
    manifest_file: str,
    documents: Sequence[tuple[str, CapabilityDoc]],
    kinds: KindRegistry,
    source: str,
) -> RulePack:
    from rules.pack_compiler import (
        PackScope,
        Site,
        capability_of,
        compile_metric,
        compile_min_sample,
        compile_model,
        compile_not_inferable,
        compile_params,
        compile_rule,
    )

    model = compile_model(manifest.model, manifest_file) if manifest.model else None
    params = compile_params(manifest.params, manifest_file)
    min_sample = compile_min_sample(manifest.min_sample, manifest_file, params.keys())
    scope = PackScope(
        kinds=kinds,
        capabilities=[entry.id for entry in model.capabilities] if model else list(Capability),
        params=params,
    )
    capabilities = [capability_of(document, file, scope) for file, document in documents]

    metrics: dict[str, MetricDef] = {}
    for file, document in documents:
        for name, metric_doc in document.metrics.items():
            if name in metrics:
                raise Site(file, f"metric {name}").error("", f"also defined in {metrics[name].source}")
            metrics[name] = compile_metric(name, metric_doc, file, scope)

    rules: dict[str, RuleDef] = {}
    not_inferable: list[NotInferable] = []
    for (file, document), capability in zip(documents, capabilities, strict=True):
        for rule_doc in document.rules:
            if rule_doc.id in rules:
                raise Site(file, f"rule {rule_doc.id}").error("id", f"also defined in {rules[rule_doc.id].source}")
            rules[rule_doc.id] = compile_rule(rule_doc, capability, file, scope, metrics)
        not_inferable += compile_not_inferable(capability, document.not_inferable, file)

    return RulePack(
        name=manifest.name,
        version=manifest.version,
        source=source,
        model=model,
        params=params,
        metrics=metrics,
        rules=tuple(rules.values()),
        not_inferable=tuple(not_inferable),
        min_sample=min_sample,
    )


def build_ruleset(
    packs: Sequence[RulePack],
    params: Mapping[str, float | int] | None = None,
    disabled: Collection[str] = (),
    self_reported: Mapping[Capability, Stage] | None = None,
    declarations: Mapping[str, str] | None = None,
) -> RuleSet:
    """Merge packs (the first one defines the model, and the minimum samples) and apply the config's overrides."""
    model = _shared_model(packs)
    declared = _merge((pack.params.values() for pack in packs), lambda param: param.name, "param")
    metrics = _merge((pack.metrics.values() for pack in packs), lambda metric: metric.name, "metric")
    rules = _merge((pack.rules for pack in packs), lambda rule: rule.id, "rule")
    order = {entry.id: index for index, entry in enumerate(model.capabilities)}
    _check_in_model(packs, order)
    values = _param_values(declared, params or {})
    _check_declared(declarations or {}, rules.values())
    for rule_id in disabled:
        if rule_id not in rules:
            raise PackError(f"config rules.disable: no rule pack declares rule {rule_id!r}")

    enabled = [replace(rule, when=_resolve(rule.when, values)) for rule in rules.values() if rule.id not in disabled]
    not_inferable = [item for pack in packs for item in pack.not_inferable]
    return RuleSet(
        packs=tuple(PackRef(name=pack.name, version=pack.version, source=pack.source) for pack in packs),
        model=model,
        params=dict(sorted(values.items())),
        metrics={name: _with_min_sample(metrics[name], packs[0].min_sample, values) for name in sorted(metrics)},
        rules=tuple(sorted(enabled, key=lambda rule: (order[rule.capability], rule.stage.rank, rule.id))),
        not_inferable=tuple(sorted(not_inferable, key=lambda item: (order[item.capability], item.stage.rank))),
        disabled=tuple(sorted(set(disabled))),
        self_reported=dict(self_reported or {}),
        declared=dict(sorted((declarations or {}).items())),
    )


def _shared_model(packs: Sequence[RulePack]) -> PackModel:
    if not packs:
        raise PackError("no rule pack to evaluate")
    first = packs[0]
    if first.model is None:
        raise PackError(f"{first.source}: model: missing (the first rule pack defines the capability model)")
    for pack in packs[1:]:
        if pack.model is not None and pack.model != first.model:
            raise PackError(
                f"{pack.source}: model: differs from the model of {first.source} (leave it out to use that one)"
            )
    return first.model


def _check_in_model(packs: Sequence[RulePack], order: Mapping[Capability, int]) -> None:
    """Add-on packs without a model were checked against every capability; now check the model's."""
    where = f"is not in the model of {packs[0].source}"
    for pack in packs:
        for rule in pack.rules:
            if rule.capability not in order:
                raise PackError(f"{rule.source}: rule {rule.id}: capability {rule.capability.value!r} {where}")
        for item in pack.not_inferable:
            if item.capability not in order:
                raise PackError(
                    f"{pack.source}: not_inferable {item.criterion!r}: capability {item.capability.value!r} {where}"
                )


def _param_values(declared: Mapping[str, ParamDef], overrides: Mapping[str, float | int]) -> dict[str, float]:
    values = {name: param.default for name, param in declared.items()}
    for name, value in overrides.items():
        if name not in declared:
            raise PackError(f"config rules.params.{name}: no rule pack declares this parameter")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise PackError(f"config rules.params.{name}: expected a number, got {value!r}")
        from rules.pack_compiler import floor_share_problem  # the compiler's rule, for an override

        problem = floor_share_problem(value) if declared[name].floor_of is not None else None
        if problem:
            raise PackError(f"config rules.params.{name}: {problem}")
        values[name] = float(value)
    return values


def _merge(per_pack: Iterable[Iterable[Named]], name_of: Callable[[Named], str], noun: str) -> dict[str, Named]:
    """Names are global across packs: a name two packs define is an error naming both files."""
    merged: dict[str, Named] = {}
    for items in per_pack:
        for item in items:
            name = name_of(item)
            if name in merged:
                raise PackError(f"{item.source}: {noun} {name}: also defined in {merged[name].source}")
            merged[name] = item
    return merged


def _check_declared(declared: Mapping[str, str], rules: Iterable[RuleDef]) -> None:
    """A declaration no rule reads is a typo, not a fact: refuse it rather than ignore it."""
    known = sorted({rule.elsewhere.declare for rule in rules if rule.elsewhere})
    for key in declared:
        if key not in known:
            readable = ", ".join(known) or "none"
            raise PackError(f"config declared.{key}: no rule reads this declaration (known: {readable})")


def _with_min_sample(metric: MetricDef, entries: Sequence[MinSample], params: Mapping[str, float]) -> MetricDef:
    """The metric with the minimum of the most specific entry that fits it (most tags)."""
    fitting = [entry for entry in entries if entry.fits(metric)]
    if not fitting:
        return metric
    return replace(metric, min_sample=params[max(fitting, key=lambda entry: len(entry.tags)).param])


def _resolve(node: WhenCondition, params: Mapping[str, float]) -> WhenCondition:
    if isinstance(node, AllOf):
        return AllOf(tuple(_resolve(item, params) for item in node.items))
    if isinstance(node, AnyOf):
        return AnyOf(tuple(_resolve(item, params) for item in node.items))
    if isinstance(node, Not):
        return Not(_resolve(node.item, params))
    if isinstance(node, MetricLeaf) and node.param is not None:
        return replace(node, threshold=params[node.param])
    return node
