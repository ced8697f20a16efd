"""Infrastructure as code: tools by content where names are not enough, and shared modules.

`module_refs` lists what a repository takes from elsewhere: remote Terraform module sources,
Bicep registry and template-spec modules, Helm chart dependencies from chart repositories,
remote Kustomize resources and charts.
"""

from __future__ import annotations

import re
from typing import Any

from collectors.detect import observability, policy, runners
from collectors.detect.files import FileReader, RepoFile
from collectors.detect.findings import IAC, Findings
from collectors.detect.parse import as_list, load_json, read_yaml_mapping, strip_comment_lines

#: Terraform and Bicep files read for module sources at most, per repository. Module blocks
#: sit in a few root files; a module library's hundreds of resource files add nothing.
MAX_MODULE_SOURCE_READS = 50

# `terraform fmt` puts blocks and their closing brace at column 0.
_TF_MODULE_BLOCK = re.compile(r'^module[ \t]+"?[\w-]+"?[ \t]*\{(.*?)^\}', re.M | re.S)
_TERRAGRUNT_BLOCK = re.compile(r"^terraform[ \t]*\{(.*?)^\}", re.M | re.S)
_HCL_SOURCE = re.compile(r'^[ \t]+source[ \t]*=[ \t]*"([^"]+)"', re.M)
_BICEP_MODULE = re.compile(r"^[ \t]*module[ \t]+\w+[ \t]+'((?:br|ts)[:/][^']+)'", re.M)
_URL_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")

_CFN_VERSION = re.compile(r"^AWSTemplateFormatVersion:", re.M)
_CFN_RESOURCES = re.compile(r"^Resources:", re.M)
_CFN_AWS_TYPE = re.compile(r"^[ \t]+Type:[ \t]*[\"']?AWS::", re.M)

_PLAY_HOSTS = re.compile(r"^(?:-[ \t]+|[ \t]+)hosts:[ \t]*\S", re.M)
_PLAY_BODY = re.compile(r"^(?:-[ \t]+|[ \t]+)(?:tasks|roles|pre_tasks|post_tasks):", re.M)
# `- import_playbook: x.yml`, or `- name: …` with import_playbook on the play's next line.
_PLAY_IMPORT = re.compile(r"^(?:-[ \t]+|[ \t]+)(?:ansible\.builtin\.)?import_playbook:", re.M)
# An Ansible collection's metadata: namespace and name at the top level.
_GALAXY_NAMESPACE = re.compile(r"^namespace:[ \t]*\S", re.M)
_GALAXY_NAME = re.compile(r"^name:[ \t]*\S", re.M)

# What makes a file infrastructure rather than a name: a resource, data source or module block,
# or another top-level block with something in it (`terraform {}` alone configures nothing).
# Both are searched after a newline in "\n" + text: what `^` under re.M finds, but the literal
# first character lets the engine skip from line to line instead of trying every position.
_TF_CONTENT = re.compile(
    r"\n(?:(?:resource|data|module)\b[^\n{]*\{"
    r"|(?:provider|terraform|variable|output|locals|import|moved|removed|check)\b[^\n{]*\{\s*[^\s}])"
)
_TERRAGRUNT_CONTENT = re.compile(
    r"\n(?:terraform|include|inputs|dependency|dependencies|locals|remote_state|generate)\b[^\n{=]*[{=]\s*[^\s}]"
)
_BICEP_CONTENT = re.compile(r"^[ \t]*(?:resource|module)[ \t]+\w+[ \t]+'", re.M)
_TF_JSON_BLOCKS = ("resource", "data", "module", "provider", "terraform", "variable", "output", "locals")

_REMOTE_KUSTOMIZE_PREFIXES = ("github.com/", "gitlab.com/", "bitbucket.org/", "git@", "ssh://", "git::")


def without_credentials(reference: str) -> str:
    """A reference with any user:password@ part of a URL removed: evidence holds no secrets."""
    return _URL_USERINFO.sub("", reference)


def is_remote_module_source(source: str) -> bool:
    """Registry, Git, HTTP, S3 … sources; not local paths or interpolations."""
    return bool(source) and not source.startswith(("./", "../", "/", ".\\", "..\\", "$")) and source != "."


# Files that usually hold module blocks or the terraform block (backend, cloud) come first.
_LIKELY_NAMES = frozenset({"main.tf", "modules.tf", "terragrunt.hcl", "backend.tf", "versions.tf", "terraform.tf"})


def _module_source_priority(file: RepoFile) -> tuple[int, int, str]:
    folder, _, name = file.path.rpartition("/")
    named = 0 if name in _LIKELY_NAMES or "module" in name or "backend" in name else 1
    return (named, folder.count("/") + bool(folder), file.path)


def scan_module_sources(
    terraform: list[RepoFile], bicep: list[RepoFile], reader: FileReader, findings: Findings
) -> None:
    """Read the likeliest Terraform and Bicep files (capped): each counts as IaC when it declares
    something, and is searched for references to shared modules. The files past the cap are
    listed as `unread`, uncounted."""
    if not terraform and not bicep:
        return
    read_terraform, read_bicep = _within_cap(terraform), _within_cap(bicep)
    read = {file.path for file in (*read_terraform, *read_bicep)}
    unread = [file.path for file in (*terraform, *bicep) if file.path not in read]
    if unread:
        findings.add(IAC, "unread", *unread)
    for file in read_terraform:
        text = reader.text(file)
        if text is None:
            continue
        terragrunt = file.path.endswith("terragrunt.hcl")
        if (_TERRAGRUNT_CONTENT if terragrunt else _TF_CONTENT).search("\n" + text):
            findings.hit(IAC, file.path, "terraform")
        block, word = (_TERRAGRUNT_BLOCK, "terraform") if terragrunt else (_TF_MODULE_BLOCK, "module")
        bodies = block.findall(text) if word in text else ()  # the block's first word, before its search
        sources = (s for body in bodies for s in _HCL_SOURCE.findall(body))
        _add_refs(sources, findings, file.path, "terraform")
        runners.scan_terraform(file.path, text, findings)
        _scan_other_families(file.path, text, findings)
    for file in read_bicep:
        text = reader.text(file)
        if text is None:
            continue
        if _BICEP_CONTENT.search(text):
            findings.hit(IAC, file.path, "bicep")
        _add_refs(_BICEP_MODULE.findall(text), findings, file.path, "bicep")
        _scan_other_families(file.path, text, findings)


def _within_cap(files: list[RepoFile]) -> list[RepoFile]:
    """The likeliest files up to the cap, then any file whose path says it holds policy:
    the cap bounds reads in module libraries but must not hide a policy declaration."""
    ordered = sorted(files, key=_module_source_priority)
    rest = ordered[MAX_MODULE_SOURCE_READS:]
    return ordered[:MAX_MODULE_SOURCE_READS] + [
        file for file in rest if policy.path_says_policy(file.path)
    ]


def scan_terraform_json(files: list[RepoFile], reader: FileReader, findings: Findings) -> None:
    for file in files:
        text = reader.text(file)
        value = load_json(file.path, text, reader) if text is not None else None
        if not isinstance(value, dict):
            continue
        if any(value.get(block) for block in _TF_JSON_BLOCKS):
            findings.hit(IAC, file.path, "terraform")
        sources = []
        for modules in as_list(value.get("module")):
            if isinstance(modules, dict):
                sources += [m.get("source") for m in modules.values() if isinstance(m, dict)]
        _add_refs((s for s in sources if isinstance(s, str)), findings, file.path, "terraform")


def scan_helm_charts(files: list[RepoFile], reader: FileReader, findings: Findings) -> None:
    """Chart dependencies served from chart repositories (not file://) are shared charts."""
    for file in files:
        chart = _first_mapping(file, reader)
        if not (isinstance(chart.get("name"), str) and ("apiVersion" in chart or "version" in chart)):
            continue  # not a chart: junk, or a file that merely has the name
        findings.hit(IAC, file.path, "helm")
        for dependency in as_list(chart.get("dependencies")):
            if not isinstance(dependency, dict):
                continue
            repository, name, version = (dependency.get(k) for k in ("repository", "name", "version"))
            if isinstance(repository, str) and repository and not repository.startswith("file://") and name:
                ref = f"{repository.rstrip('/')}/{name}" + (f"@{version}" if version else "")
                _add_module_ref(without_credentials(ref), findings, file.path, "helm")


def scan_kustomizations(files: list[RepoFile], reader: FileReader, findings: Findings) -> None:
    """Remote bases/resources/components and helmCharts are shared configuration."""
    for file in files:
        kustomization = _first_mapping(file, reader)
        if not kustomization:
            continue
        findings.hit(IAC, file.path, "kustomize")
        for key in ("resources", "bases", "components"):
            for entry in as_list(kustomization.get(key)):
                if isinstance(entry, str) and ("://" in entry or entry.startswith(_REMOTE_KUSTOMIZE_PREFIXES)):
                    _add_module_ref(without_credentials(entry), findings, file.path, "kustomize")
        for chart in as_list(kustomization.get("helmCharts")):
            if isinstance(chart, dict) and isinstance(chart.get("repo"), str) and chart.get("name"):
                ref = f"{chart['repo'].rstrip('/')}/{chart['name']}" + (
                    f"@{chart['version']}" if chart.get("version") else ""
                )
                _add_module_ref(without_credentials(ref), findings, file.path, "helm")


def scan_yaml(path: str, text: str, findings: Findings) -> None:
    """CloudFormation templates, Ansible playbooks and collections (galaxy.yml)."""
    if "AWS" in text and (_CFN_VERSION.search(text) or (_CFN_RESOURCES.search(text) and _CFN_AWS_TYPE.search(text))):
        findings.hit(IAC, path, "cloudformation")
    if ("hosts:" in text or "import_playbook" in text) and _is_playbook(text):
        findings.hit(IAC, path, "ansible")
    elif path.rpartition("/")[2] == "galaxy.yml" and _GALAXY_NAMESPACE.search(text) and _GALAXY_NAME.search(text):
        findings.hit(IAC, path, "ansible")


def _is_playbook(text: str) -> bool:
    """A list of plays: hosts with tasks or roles, or imports of other playbooks."""
    return strip_comment_lines(text).lstrip().startswith("-") and bool(
        (_PLAY_HOSTS.search(text) and _PLAY_BODY.search(text)) or _PLAY_IMPORT.search(text)
    )


def scan_json(path: str, value: Any, findings: Findings) -> None:
    """ARM templates (by `$schema`) and CloudFormation templates in JSON."""
    if not isinstance(value, dict):
        return
    schema = value.get("$schema")
    if isinstance(schema, str) and "deploymenttemplate.json" in schema.lower():
        findings.hit(IAC, path, "arm")
    resources = value.get("Resources")
    if "AWSTemplateFormatVersion" in value or (
        isinstance(resources, dict)
        and any(isinstance(r, dict) and str(r.get("Type", "")).startswith("AWS::") for r in resources.values())
    ):
        findings.hit(IAC, path, "cloudformation")


def _scan_other_families(path: str, text: str, findings: Findings) -> None:
    """IaC files read for module sources may also deploy policies and workbooks."""
    policy.scan_iac_text(path, text, findings)
    observability.scan_iac_text(path, text, findings)


def _add_refs(sources: Any, findings: Findings, path: str, via: str) -> None:
    for source in sources:
        if is_remote_module_source(source):
            _add_module_ref(without_credentials(source), findings, path, via)


def _add_module_ref(ref: str, findings: Findings, path: str, via: str) -> None:
    findings.add(IAC, "module_refs", ref)
    findings.reference(via, ref, path)


def _first_mapping(file: RepoFile, reader: FileReader) -> dict[Any, Any]:
    loaded = read_yaml_mapping(file, reader)
    return loaded[1] if loaded else {}
