"""Remote IaC runners: infrastructure applied by Terraform Cloud, Atlantis, Spacelift, env0,
Digger or an Azure Pipelines deployment job rather than from someone's laptop."""

from __future__ import annotations

import re

from collectors.detect.files import FileReader, RepoFile
from collectors.detect.findings import RUNNER, Findings
from collectors.detect.parse import read_yaml_mapping

#: Runner configuration files by name, and the runner each configures. Spacelift's sits in
#: `.spacelift/`, the others at the repository root.
CONFIG_NAMES = {
    "atlantis.yaml": "atlantis",
    "atlantis.yml": "atlantis",
    "env0.yml": "env0",
    "env0.yaml": "env0",
    "digger.yml": "digger",
    "digger.yaml": "digger",
}
SPACELIFT_FOLDER = ".spacelift"

# `terraform fmt` puts the terraform block and its closing brace at column 0.
_TERRAFORM_BLOCK = re.compile(r"^terraform[ \t]*\{(.*?)^\}", re.M | re.S)
_REMOTE_RUN = re.compile(r'^[ \t]+(?:cloud[ \t]*\{|backend[ \t]+"remote"[ \t]*\{)', re.M)


def scan_configs(files: list[RepoFile], reader: FileReader, findings: Findings) -> None:
    """A runner's configuration counts when it is a YAML mapping: its name alone proves nothing."""
    for file in files:
        loaded = read_yaml_mapping(file, reader)
        if loaded is not None and loaded[1]:
            name = file.path.rpartition("/")[2]
            findings.hit(RUNNER, file.path, CONFIG_NAMES.get(name, "spacelift"))


def scan_terraform(path: str, text: str, findings: Findings) -> None:
    """`cloud {}` or `backend "remote"` in a terraform block: runs happen in Terraform Cloud
    or Enterprise."""
    if ("cloud" in text or '"remote"' in text) and any(
        _REMOTE_RUN.search(block) for block in _TERRAFORM_BLOCK.findall(text)
    ):
        findings.hit(RUNNER, path, "terraform_cloud")
