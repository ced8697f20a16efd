"""Product artifacts that need content: is one of the issue templates a feature request?

Roadmaps, changelogs, contribution guides, security policies and issue templates themselves
are recognised by name (classify.py).
"""

from __future__ import annotations

import re

from collectors.detect.files import FileReader, RepoFile
from collectors.detect.findings import PRODUCT, Findings

_FEATURE_REQUEST = re.compile(
    r"\b(?:feature|enhancement)[ \t_-]*(?:request|proposal|idea)s?\b"
    r"|\brequest[ \t_-]+(?:a[ \t_-]+)?(?:new[ \t_-]+)?feature\b"
    r"|^[ \t]*labels?:.*\b(?:enhancement|feature)\b",
    re.I | re.M,
)


def scan_issue_templates(files: list[RepoFile], reader: FileReader, findings: Findings) -> None:
    """Read the templates whose names do not tell, until one proves to be a feature request."""
    if findings.value(PRODUCT, "feature_request_template"):
        return
    for file in files:
        text = reader.text(file)
        if text is not None and _FEATURE_REQUEST.search(text):
            findings.set(PRODUCT, "feature_request_template", True)
            return
