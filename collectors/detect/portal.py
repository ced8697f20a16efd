"""Developer-portal signals: Backstage catalog entities, software templates and what their
annotations say.

manifests.py finds the files whose documents head like Backstage entities; here they are
parsed, and only valid entities count: `apiVersion: backstage.io/…` (or a subgroup such as
scaffolder.backstage.io), a kind, `metadata.name` and, for the kinds Backstage requires it
of, `spec.owner`. A catalog-info.yaml holding `x: 1` is no catalog entry.
"""

from __future__ import annotations

import re
from typing import Any

from collectors.detect.files import FileReader
from collectors.detect.findings import CATALOG, DOCS, ORIGIN, REFS, TEMPLATES, Findings
from collectors.detect.manifests import BACKSTAGE
from collectors.detect.parse import load_yaml
from collectors.detect.references import BACKSTAGE_TEMPLATE
from scanner.scopes import is_live

#: Kinds whose spec must name an owner (Backstage's own validation).
_OWNED_KINDS = frozenset({"Component", "API", "Resource", "System"})

# `${{ values.name }}` is how a Backstage template's skeleton files say "filled in later".
_SKELETON_EXPRESSION = re.compile(r"\$\{\{[ \t]*values\.")


def is_template_skeleton(text: str) -> bool:
    """A file of a Backstage template's skeleton describes projects to come, not this one."""
    return "${{" in text and bool(_SKELETON_EXPRESSION.search(text))


def scan_yaml(path: str, text: str, reader: FileReader, findings: Findings, families: set[str]) -> None:
    if BACKSTAGE not in families:
        return
    for document in load_yaml(path, text, reader) or ():
        kind = entity_kind(document)
        if kind is None:
            continue
        findings.hit(CATALOG, path)
        findings.add(CATALOG, "entity_kinds", kind)
        if kind == "Template" and document["apiVersion"].startswith("scaffolder.backstage.io/"):
            findings.hit(TEMPLATES, path, "backstage")
            findings.add(TEMPLATES, "names", document["metadata"]["name"])
            name, namespace = document["metadata"]["name"], document["metadata"].get("namespace")
            defined = template_ref(f"{namespace}/{name}" if isinstance(namespace, str) else name)
            if defined and is_live(path):  # what the repositories created from it name
                findings.add(REFS, "backstage_templates", defined)
            owner = document.get("spec", {}).get("owner") if isinstance(document.get("spec"), dict) else None
            if isinstance(owner, str) and owner:
                findings.add(TEMPLATES, "owners", owner)
        annotations = document["metadata"].get("annotations")
        if isinstance(annotations, dict):
            if "backstage.io/techdocs-ref" in annotations:
                findings.techdocs_refs.append(path)
            source = annotations.get("backstage.io/source-template")
            if isinstance(source, str) and source:  # set by Backstage on what a template created
                findings.hit(ORIGIN, path, "backstage")
                findings.add(ORIGIN, "sources", source)
                created_from = template_ref(source)
                if created_from:  # the template, in the organization's own catalog
                    findings.reference(BACKSTAGE_TEMPLATE, created_from, path)


def template_ref(ref: str) -> str | None:
    """A Backstage template's entity ref as `template:namespace/name` in lower case (Backstage
    compares refs without case; the namespace defaults to `default`), or None when `ref` names
    an entity of another kind."""
    kind, _, rest = ref.strip().lower().rpartition(":")
    namespace, _, name = rest.rpartition("/")
    if kind not in ("", "template") or not name:
        return None
    return f"template:{namespace or 'default'}/{name}"


def entity_kind(document: Any) -> str | None:
    """The kind of a valid Backstage entity, or None."""
    if not isinstance(document, dict):
        return None
    api_version, kind, metadata, spec = (document.get(key) for key in ("apiVersion", "kind", "metadata", "spec"))
    group = api_version.partition("/")[0] if isinstance(api_version, str) and "/" in api_version else ""
    if not (group == "backstage.io" or group.endswith(".backstage.io")) or not isinstance(kind, str) or not kind:
        return None
    if not (isinstance(metadata, dict) and isinstance(metadata.get("name"), str) and metadata["name"]):
        return None
    if kind in _OWNED_KINDS and not (isinstance(spec, dict) and isinstance(spec.get("owner"), str) and spec["owner"]):
        return None
    return kind


def resolve_techdocs(findings: Findings) -> None:
    """An mkdocs site that a catalog entity points TechDocs at is a TechDocs site."""
    if findings.techdocs_refs and findings.has(DOCS, "tools", "mkdocs"):
        for path in findings.techdocs_refs:
            findings.hit(DOCS, path, "techdocs")
