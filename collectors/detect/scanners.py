"""Policy and security scanners run as pipeline steps.

Only steps count (steps.py finds them): what a step uses (`uses:`, an Azure Pipelines `task:`, a CircleCI orb
command, a GitLab `include:`) and the commands it runs (`run:`, `script:`, Jenkins `sh`).
A name in a comment, a job name or an `echo` runs nothing.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Iterator

from collectors.detect.findings import SCANNERS, Findings
from collectors.detect.parse import WordsFirst

# Lines that print or comment rather than run (shell, PowerShell, batch).
_NOT_RUN = re.compile(r"^\s*(?:#|//|rem\b|echo\b|printf\b|print\b|write-host\b|write-output\b)", re.I)

# Names found in lower-cased step text by one alternation (the engine jumps between first
# letters); neighbours are checked on each match. Longer spellings come before their prefixes.
_NAMES = re.compile(
    r"checkov|tfsec|trivy|kics|conftest|codeql|semgrep|snyksecurityscan|snyk|sonar-scanner|sonarqube\w*|sonarcloud\w*"
    r"|sonarsource|sonar:sonar|gitleaks|trufflehog|grype|anchore/scan-action|terrascan"
    r"|kyverno[ \t]+(?:apply|test)|kyverno/action-install-cli|kyverno-cli"
    r"|sast-iac|container-scanning|secret-detection"
)
# What a step is searched for first: one of these is in each name above.
_NAMED = WordsFirst(
    _NAMES,
    (
        "checkov", "tfsec", "trivy", "kics", "conftest", "codeql", "semgrep", "snyk", "sonar", "gitleaks",
        "trufflehog", "grype", "anchore", "terrascan", "kyverno", "sast-iac", "container-scanning", "secret-detection",
    ),
)
# Spellings that name another tool: GitLab's scanning templates run KICS, Trivy and Gitleaks.
_TOOL_OF = {
    "sast-iac": "kics",
    "container-scanning": "trivy",
    "secret-detection": "gitleaks",
    "sonar-scanner": "sonarqube",
    "sonarsource": "sonarqube",
    "sonar:sonar": "sonarqube",
    "anchore/scan-action": "grype",
    "snyksecurityscan": "snyk",  # the Azure Pipelines task
}
_FAMILIES = {"sonar": "sonarqube", "kyverno": "kyverno"}  # sonarqube*, sonarcloud*, kyverno apply …
# Characters that may not touch a tool's name: letters and digits only, so `terraform_checkov`
# and `trivy-action` count; around conftest also `_` and `.`, and `/` before it (pytest's conftest.py).
_NAME_CHARACTERS = frozenset(string.ascii_lowercase + string.digits)
_CONFTEST_AFTER = _NAME_CHARACTERS | {"_", "."}
_CONFTEST_BEFORE = _CONFTEST_AFTER | {"/"}


def record_scanners(path: str, steps: Iterable[str], findings: Findings) -> None:
    """Record the scanners the steps invoke; lines that only print or comment are skipped."""
    for tool in scanners_run(steps):
        findings.hit(SCANNERS, path, tool)


def scanners_run(steps: Iterable[str]) -> Iterator[str]:
    """The scanners the steps invoke, as often as they do."""
    for step in steps:
        step = step.lower()
        if not _NAMED.search(step):  # most steps name no scanner: no need to look line by line
            continue
        for line in step.splitlines():
            if not _NOT_RUN.match(line):
                yield from _tools_in(line)


def _tools_in(line: str) -> Iterator[str]:
    for match in _NAMES.finditer(line):
        name, (start, end) = match.group(), match.span()
        before, after = line[start - 1 : start], line[end : end + 1]  # "" at either end of the line
        if name == "conftest":
            if before not in _CONFTEST_BEFORE and after not in _CONFTEST_AFTER:
                yield name
        elif before not in _NAME_CHARACTERS and after not in _NAME_CHARACTERS:
            yield _TOOL_OF.get(name) or next((tool for prefix, tool in _FAMILIES.items() if name.startswith(prefix)), name)
