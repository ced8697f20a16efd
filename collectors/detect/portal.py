"""Developer-portal signals: Backstage catalog files and what their annotations say.

Backstage entities and software templates themselves are recognised as manifests
(see manifests.py); this adds what only a catalog file's name or annotations tell.
"""

from __future__ import annotations

import re

from collectors.detect.findings import CATALOG, DOCS, ORIGIN, Findings
from collectors.detect.manifests import BACKSTAGE

CATALOG_FILE_NAMES = frozenset({"catalog-info.yaml", "catalog-info.yml"})

# `${{ values.name }}` is how a Backstage template's skeleton files say "filled in later".
_SKELETON_EXPRESSION = re.compile(r"\$\{\{[ \t]*values\.")


def is_template_skeleton(text: str) -> bool:
    """A file of a Backstage template's skeleton describes projects to come, not this one."""
    return "${{" in text and bool(_SKELETON_EXPRESSION.search(text))


def scan_yaml(path: str, text: str, findings: Findings, families: set[str]) -> None:
    if path.rpartition("/")[2] in CATALOG_FILE_NAMES:
        findings.hit(CATALOG, path)
    if BACKSTAGE in families:
        if "backstage.io/techdocs-ref" in text:
            findings.techdocs_refs.append(path)
        if "backstage.io/source-template" in text:  # set by Backstage on what a template created
            findings.hit(ORIGIN, path, "backstage")


def resolve_techdocs(findings: Findings) -> None:
    """An mkdocs site that a catalog entity points TechDocs at is a TechDocs site."""
    if findings.techdocs_refs and findings.has(DOCS, "tools", "mkdocs"):
        for path in findings.techdocs_refs:
            findings.hit(DOCS, path, "techdocs")
