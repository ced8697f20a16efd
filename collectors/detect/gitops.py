"""References through GitOps and Crossplane objects: what Argo CD, Flux and Crossplane take
from elsewhere (charts, Git repositories, OCI packages), and which repositories they deploy.

A Crossplane self-service abstraction is a CompositeResourceDefinition (the API teams claim)
*with* a Composition that implements it (`compositeTypeRef` names the XRD's group and kind),
both in live files: an XRD alone offers an API nothing provisions.

A Flux `HelmRelease` names its chart's source by kind and name, and a Crossplane Composition
names its functions by object name: both are resolved against the source and Function objects
of the whole repository once every file was read (`resolve`).
"""

from __future__ import annotations

from typing import Any

from collectors.detect.findings import IAC, REFS, Findings
from collectors.detect.iac import without_credentials
from collectors.detect.manifests import manifest_heads
from collectors.detect.parse import as_list, load_yaml_quietly
from scanner.scopes import is_live

_FLUX_SOURCES = frozenset({"HelmRepository", "OCIRepository", "GitRepository", "Bucket"})
_CROSSPLANE_PACKAGES = frozenset({"Configuration", "Provider", "Function"})
_DEPENDENCY_KEYS = ("provider", "configuration", "function", "package")


class PendingRefs:
    """Named objects and the references to them, per repository, until `resolve`."""

    def __init__(self) -> None:
        self.flux_sources: dict[tuple[str, str], str] = {}  # (kind, name) -> url
        self.functions: dict[str, str] = {}  # Function object name -> package
        self.helm_releases: list[tuple[str, str, str, str, str]] = []  # path, source kind, name, chart, version
        self.function_refs: list[tuple[str, str]] = []  # path, Function name
        self.composite_types: set[tuple[str, str]] = set()  # (group, kind) a live XRD defines
        self.composed_types: set[tuple[str, str]] = set()  # (group, kind) a live Composition implements


def wants(text: str) -> bool:
    """Whether the text may hold an object this module reads: a cheap test before parsing."""
    return "argoproj.io" in text or "fluxcd.io" in text or "crossplane.io" in text


def scan_yaml(path: str, text: str, findings: Findings, pending: PendingRefs) -> None:
    heads = manifest_heads(text)
    if not any(_group(api_version) for api_version, _kind in heads):
        return
    for document in load_yaml_quietly(text):
        if isinstance(document, dict) and isinstance(document.get("spec"), dict):
            _scan_object(path, document, findings, pending)


def _group(api_version: str) -> bool:
    group = api_version.rpartition("/")[0]
    return group == "argoproj.io" or group.endswith(("fluxcd.io", "crossplane.io"))


def _scan_object(path: str, manifest: dict[Any, Any], findings: Findings, pending: PendingRefs) -> None:
    group = str(manifest.get("apiVersion", "")).rpartition("/")[0]
    kind, spec = manifest.get("kind"), manifest["spec"]
    name = _text((manifest.get("metadata") or {}).get("name") if isinstance(manifest.get("metadata"), dict) else None)
    if group == "argoproj.io" and kind == "Application":
        _argo_sources(path, spec, findings)
    elif group == "argoproj.io" and kind == "ApplicationSet":
        template = spec.get("template")
        if isinstance(template, dict) and isinstance(template.get("spec"), dict):
            _argo_sources(path, template["spec"], findings)
        for generator in as_list(spec.get("generators")):
            git = generator.get("git") if isinstance(generator, dict) else None
            if isinstance(git, dict) and _text(git.get("repoURL")):
                _git_source(path, "argocd", git["repoURL"], findings)
    elif group.endswith("fluxcd.io") and kind in _FLUX_SOURCES:
        url = _text(spec.get("url"))
        if url:
            if kind == "GitRepository":
                _git_source(path, "flux", url, findings)
            else:
                findings.reference("flux", without_credentials(url), path)
            if name:
                pending.flux_sources[(kind, name)] = without_credentials(url)
    elif group.endswith("fluxcd.io") and kind == "HelmRelease":
        chart = spec.get("chart")
        chart_spec = chart.get("spec") if isinstance(chart, dict) else None
        if isinstance(chart_spec, dict) and isinstance(chart_spec.get("sourceRef"), dict):
            source = chart_spec["sourceRef"]
            pending.helm_releases.append(
                (path, _text(source.get("kind")), _text(source.get("name")),
                 _text(chart_spec.get("chart")), _text(chart_spec.get("version")))
            )
        chart_ref = spec.get("chartRef")
        if isinstance(chart_ref, dict):
            pending.helm_releases.append((path, _text(chart_ref.get("kind")), _text(chart_ref.get("name")), "", ""))
    elif group.endswith("crossplane.io"):
        _crossplane(path, group, kind, name, spec, findings, pending)


def _argo_sources(path: str, spec: dict[Any, Any], findings: Findings) -> None:
    for source in [spec.get("source"), *as_list(spec.get("sources"))]:
        if not isinstance(source, dict) or not _text(source.get("repoURL")):
            continue
        url, chart, revision = _text(source["repoURL"]), _text(source.get("chart")), _text(source.get("targetRevision"))
        if chart:  # a chart from a Helm repository (or OCI registry), not a Git repository
            ref = f"{url.rstrip('/')}/{chart}" + (f"@{revision}" if revision else "")
            findings.reference("argocd", without_credentials(ref), path)
        else:
            _git_source(path, "argocd", url, findings)


def _git_source(path: str, via: str, url: str, findings: Findings) -> None:
    """A Git repository a controller deploys from: a reference, and a deployment of that repository."""
    url = without_credentials(url)
    findings.reference(via, url, path)
    if is_live(path) and not url.startswith("$"):
        findings.add(REFS, "gitops_sources", url)


def _crossplane(
    path: str, group: str, kind: Any, name: str, spec: dict[Any, Any], findings: Findings, pending: PendingRefs
) -> None:
    if group == "meta.pkg.crossplane.io":  # crossplane.yaml of a package: what it depends on
        for dependency in as_list(spec.get("dependsOn")):
            if isinstance(dependency, dict):
                package = next((_text(dependency.get(key)) for key in _DEPENDENCY_KEYS if _text(dependency.get(key))), "")
                version = _text(dependency.get("version"))
                if package:
                    findings.reference("crossplane", package + (f"@{version}" if version else ""), path)
    elif group == "pkg.crossplane.io" and kind in _CROSSPLANE_PACKAGES:
        package = _text(spec.get("package"))
        if package:
            findings.reference("crossplane", package, path)
            if kind == "Function" and name:
                pending.functions[name] = package
    elif group == "apiextensions.crossplane.io" and kind == "CompositeResourceDefinition":
        names = spec.get("names")
        defined = (_text(spec.get("group")), _text(names.get("kind")) if isinstance(names, dict) else "")
        if all(defined) and is_live(path):
            pending.composite_types.add(defined)
    elif group == "apiextensions.crossplane.io" and kind == "Composition":
        implemented = spec.get("compositeTypeRef")
        if isinstance(implemented, dict) and is_live(path):
            composite = (_text(implemented.get("apiVersion")).rpartition("/")[0], _text(implemented.get("kind")))
            if all(composite):
                pending.composed_types.add(composite)
        for step in as_list(spec.get("pipeline")):
            function = step.get("functionRef") if isinstance(step, dict) else None
            if isinstance(function, dict) and _text(function.get("name")):
                pending.function_refs.append((path, _text(function["name"])))


def resolve(findings: Findings, pending: PendingRefs) -> None:
    """HelmRelease charts and Composition functions, by the objects they name. A name no object
    of the repository holds says nothing about where the asset comes from, and is left out."""
    for path, kind, name, chart, version in pending.helm_releases:
        url = pending.flux_sources.get((kind, name))
        if url:
            ref = f"{url.rstrip('/')}/{chart}" if chart else url
            findings.reference("flux", ref + (f"@{version}" if version else ""), path)
    for path, name in pending.function_refs:
        if name in pending.functions:
            findings.reference("crossplane", pending.functions[name], path)
    if pending.composite_types & pending.composed_types:
        findings.add(IAC, "self_service", "crossplane")


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
