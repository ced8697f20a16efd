"""Policy and security scanners run as pipeline steps.

Only steps count: what a step uses (`uses:`, an Azure Pipelines `task:`, a CircleCI orb
command, a GitLab `include:`) and the commands it runs (`run:`, `script:`, Jenkins `sh`).
A name in a comment, a job name or an `echo` runs nothing.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Iterator
from typing import Any

from collectors.detect.findings import SCANNERS, Findings
from collectors.detect.parse import iter_mappings

#: Keys whose values are what a step runs or uses, in GitHub Actions, GitLab CI, Azure
#: Pipelines and CircleCI. Names (`name:`, job ids, step ids) run nothing.
PIPELINE_STEP_KEYS = frozenset(
    {
        "uses",
        "run",
        "script",
        "before_script",
        "after_script",
        "bash",
        "pwsh",
        "powershell",
        "task",
        "command",
        "steps",  # CircleCI orb commands are plain strings in a job's steps
        "include",
        "template",
        "component",
        "remote",
        "file",
    }
)
#: pre-commit: the hook's repository, its id and the command it runs.
PRECOMMIT_STEP_KEYS = frozenset({"repo", "id", "entry"})

# Lines that print or comment rather than run (shell, PowerShell, batch).
_NOT_RUN = re.compile(r"^\s*(?:#|//|rem\b|echo\b|printf\b|print\b|write-host\b|write-output\b)", re.I)

# Jenkins shell steps: sh 'x', sh "x", sh '''x''', sh(script: "x"), bat and powershell alike.
_JENKINS_STEP = re.compile(
    r"""\b(?:sh|bat|powershell|pwsh)\b[ \t]*\(?[ \t]*(?:script[ \t]*:[ \t]*)?
        (?:'''(.*?)'''|\"\"\"(.*?)\"\"\"|'([^'\n]*)'|"([^"\n]*)")""",
    re.X | re.S,
)

# Names found in lower-cased step text by one alternation (the engine jumps between first
# letters); neighbours are checked on each match. Longer spellings come before their prefixes.
_NAMES = re.compile(
    r"checkov|tfsec|trivy|kics|conftest|codeql|semgrep|snyksecurityscan|snyk|sonar-scanner|sonarqube\w*|sonarcloud\w*"
    r"|sonarsource|sonar:sonar|gitleaks|trufflehog|grype|anchore/scan-action|terrascan"
    r"|kyverno[ \t]+(?:apply|test)|kyverno/action-install-cli|kyverno-cli"
    r"|sast-iac|container-scanning|secret-detection"
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


def yaml_steps(document: Any, keys: frozenset[str] = PIPELINE_STEP_KEYS) -> Iterator[str]:
    """The text of every step value in a parsed YAML pipeline (or pre-commit config)."""
    for mapping in iter_mappings(document):
        for key, value in mapping.items():
            if key in keys:
                yield from _strings(value)


def jenkins_steps(code: str) -> Iterator[str]:
    """The scripts of a Jenkinsfile's shell steps (comments already removed)."""
    for match in _JENKINS_STEP.finditer(code):
        yield next(group for group in match.groups() if group is not None)


def record_scanners(path: str, steps: Iterable[str], findings: Findings) -> None:
    """Record the scanners the steps invoke; lines that only print or comment are skipped."""
    for step in steps:
        for line in step.lower().splitlines():
            if not _NOT_RUN.match(line):
                for tool in _tools_in(line):
                    findings.hit(SCANNERS, path, tool)


def _tools_in(line: str) -> Iterator[str]:
    for match in _NAMES.finditer(line):
        name, (start, end) = match.group(), match.span()
        before, after = line[start - 1 : start], line[end : end + 1]  # "" at either end of the line
        if name == "conftest":
            if before not in _CONFTEST_BEFORE and after not in _CONFTEST_AFTER:
                yield name
        elif before not in _NAME_CHARACTERS and after not in _NAME_CHARACTERS:
            yield _TOOL_OF.get(name) or next((tool for prefix, tool in _FAMILIES.items() if name.startswith(prefix)), name)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        yield from (item for item in value if isinstance(item, str))
    elif isinstance(value, dict):  # `include: {template: …}` and orb maps: their string values
        yield from (item for item in value.values() if isinstance(item, str))
