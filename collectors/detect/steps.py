"""The steps of a pipeline: what each uses or runs, without names, comments or settings.

Shared by the checks that must look at what runs only: policy scanners (scanners.py) and
deployments (deploys.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

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

# Jenkins shell steps: sh 'x', sh "x", sh '''x''', sh(script: "x"), bat and powershell alike.
_JENKINS_STEP = re.compile(
    r"""\b(?:sh|bat|powershell|pwsh)\b[ \t]*\(?[ \t]*(?:script[ \t]*:[ \t]*)?
        (?:'''(.*?)'''|\"\"\"(.*?)\"\"\"|'([^'\n]*)'|"([^"\n]*)")""",
    re.X | re.S,
)


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


def step_text(document: Any) -> str:
    """A document's steps as `key: value` lines, the way pipeline text writes them, for
    patterns that match a step's key with its value (`uses: x/deploy@v1`, `command: apply`)."""
    return "\n".join(
        f"{key}: {text}"
        for mapping in iter_mappings(document)
        for key, value in mapping.items()
        if key in PIPELINE_STEP_KEYS
        for text in _strings(value)
    )


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        yield from (item for item in value if isinstance(item, str))
    elif isinstance(value, dict):  # `include: {template: …}` and orb maps: their string values
        yield from (item for item in value.values() if isinstance(item, str))
