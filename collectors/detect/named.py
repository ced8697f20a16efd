"""Files whose name says what they are, counted only once their content agrees.

A name is a clue, not proof: an empty `devcontainer.json`, a `policy.rego` holding only its
package line, `site_name: x` as the whole `mkdocs.yml` or a one-word ROADMAP.md would
otherwise count as a practice. classify.py queues such files with the check their content must
pass; each is read once here and counted only when it holds what its tool needs to do anything.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from collectors.detect.files import FileReader, RepoFile
from collectors.detect.findings import DASHBOARDS, DEPS, DEVCONTAINER, DOCS, IAC, POLICY, PRODUCT, TEMPLATES, Findings
from collectors.detect.observability import is_workbook
from collectors.detect.parse import load_json, load_yaml, strip_comment_lines


class Named(NamedTuple):
    """A queued file and the name of the check its content must pass (a key of CHECKS)."""

    file: RepoFile
    check: str

    @property
    def path(self) -> str:
        return self.file.path


class Context:
    """What a check may consult besides the file: the reader (malformed YAML and JSON become
    problems) and the repository's other paths (what lies beside the file)."""

    def __init__(self, reader: FileReader, paths: Sequence[str]) -> None:
        self.reader = reader
        self._paths = paths

    def under(self, folder: str) -> list[str]:
        """Paths below `folder` ('' for the root), relative to it."""
        prefix = f"{folder}/" if folder else ""
        return [path[len(prefix) :] for path in self._paths if path.startswith(prefix)]

    def yaml_mapping(self, path: str, text: str) -> dict[Any, Any]:
        documents = load_yaml(path, text, self.reader)
        return documents[0] if documents and isinstance(documents[0], dict) else {}

    def json_value(self, path: str, text: str) -> Any:
        return load_json(path, text, self.reader)


@dataclass(frozen=True)
class Check:
    kind: str
    tool: str | None
    accepts: Callable[[str, str, Context], bool]  # (path, text, context)
    flag: str | None = None  # the product.artifacts flag the file sets


def confirm(files: Sequence[Named], reader: FileReader, findings: Findings, paths: Sequence[str]) -> None:
    """Count each queued file whose content passes its check."""
    context = Context(reader, paths)
    for entry in files:
        check = CHECKS[entry.check]
        text = reader.text(entry.file)
        if text is None or not check.accepts(entry.path, text, context):
            continue
        findings.hit(check.kind, entry.path, check.tool)
        if check.flag is not None:
            findings.set(PRODUCT, check.flag, True)
            if check.flag == "issue_templates" and is_feature_request(entry.path, text):
                findings.set(PRODUCT, "feature_request_template", True)


def _folder(path: str) -> str:
    return path.rpartition("/")[0]


# --- documents ----------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]{2,}")
#: A document says something: two lines or more, and this many words ("TODO" is one).
DOCUMENT_MIN_WORDS = 8


def is_document(text: str) -> bool:
    return sum(1 for line in text.splitlines() if line.strip()) >= 2 and len(_WORD.findall(text)) >= DOCUMENT_MIN_WORDS


def _document(path: str, text: str, context: Context) -> bool:
    return is_document(text)


_FEATURE_WORDS = ("feature", "enhancement", "proposal")
_FEATURE_REQUEST = re.compile(
    r"\b(?:feature|enhancement)[ \t_-]*(?:request|proposal|idea)s?\b"
    r"|\brequest[ \t_-]+(?:a[ \t_-]+)?(?:new[ \t_-]+)?feature\b"
    r"|^[ \t]*labels?:.*\b(?:enhancement|feature)\b",
    re.I | re.M,
)


def is_feature_request(path: str, text: str) -> bool:
    name = path.rpartition("/")[2].lower()
    return any(word in name for word in _FEATURE_WORDS) or bool(_FEATURE_REQUEST.search(text))


def _issue_template(path: str, text: str, context: Context) -> bool:
    """A GitHub issue form needs a name and a body of fields; a Markdown template, some text."""
    if path.endswith((".yml", ".yaml")):
        form = context.yaml_mapping(path, text)
        return isinstance(form.get("name"), str) and isinstance(form.get("body"), list) and bool(form["body"])
    return is_document(text)


# --- infrastructure and policy ------------------------------------------------------------


def _pulumi(path: str, text: str, context: Context) -> bool:
    project = context.yaml_mapping(path, text)
    return bool(project.get("name")) and bool(project.get("runtime"))


_INI_SECTION = re.compile(r"^[ \t]*\[[^\]\n]+\]", re.M)
_INI_OPTION = re.compile(r"^[ \t]*[\w.-]+[ \t]*[=:]", re.M)


def _ansible_cfg(path: str, text: str, context: Context) -> bool:
    return bool(_INI_SECTION.search(text) and _INI_OPTION.search(text))


def _ansible_role_file(path: str, text: str, context: Context) -> bool:
    """Tasks and handlers: a list of tasks, one doing something beyond naming itself; defaults
    and vars: some variables; meta: the role's galaxy_info or dependencies."""
    part = _folder(path).rpartition("/")[2]
    documents = load_yaml(path, text, context.reader) or [None]
    value = documents[0]
    if part in ("tasks", "handlers"):
        return isinstance(value, list) and any(isinstance(task, dict) and set(task) - {"name"} for task in value)
    if part == "meta":
        return isinstance(value, dict) and ("galaxy_info" in value or "dependencies" in value)
    return isinstance(value, dict) and bool(value)


_BICEPPARAM_USING = re.compile(r"^[ \t]*using[ \t]+'", re.M)
_BICEPPARAM_VALUE = re.compile(r"^[ \t]*param[ \t]+\w+[ \t]*=", re.M)


def _bicepparam(path: str, text: str, context: Context) -> bool:
    return bool(_BICEPPARAM_USING.search(text) and _BICEPPARAM_VALUE.search(text))


_REGO_PACKAGE = re.compile(r"^package[ \t]+\S", re.M)
# A rule head: `allow if …`, `deny contains msg if …`, `x := …`, `violation[msg] { … }`.
_REGO_RULE = re.compile(
    r"^(?!package\b|import\b)[A-Za-z_][\w.]*(?:\[[^\]\n]*\])?[ \t]*(?:contains\b|if\b|:?=|\{)", re.M
)


def _rego(path: str, text: str, context: Context) -> bool:
    code = strip_comment_lines(text)
    return bool(_REGO_PACKAGE.search(code) and _REGO_RULE.search(code))


def _workbook(path: str, text: str, context: Context) -> bool:
    return is_workbook(context.json_value(path, text))


# --- developer experience -----------------------------------------------------------------

# What a dev container is made from; devcontainer.json allows comments, so it is not parsed.
_DEVCONTAINER_SOURCE = re.compile(r'"(?:image|build|dockerFile|dockerfile|dockerComposeFile)"[ \t]*:')


def _devcontainer(path: str, text: str, context: Context) -> bool:
    return bool(_DEVCONTAINER_SOURCE.search(strip_comment_lines(text, slash=True)))


_SPHINX_SETTING = re.compile(r"^(project|extensions|html_theme|master_doc|root_doc|copyright|author|release)[ \t]*=", re.M)


def _sphinx(path: str, text: str, context: Context) -> bool:
    """conf.py is only read as text, never run: two of the settings sphinx-quickstart writes."""
    return len(set(_SPHINX_SETTING.findall(text))) >= 2


_MKDOCS_SITE_NAME = re.compile(r"^site_name:[ \t]*\S", re.M)
_MKDOCS_NAV = re.compile(r"^nav:", re.M)
_MKDOCS_DOCS_DIR = re.compile(r"^docs_dir:[ \t]*['\"]?([^'\"\s#]+)", re.M)
_MARKDOWN = (".md", ".markdown")


def _mkdocs(path: str, text: str, context: Context) -> bool:
    """A site name, and pages: a nav, or Markdown in the docs folder beside the file (mkdocs.yml
    may hold `!!python/name` tags a safe loader refuses, so it is read by its lines)."""
    if not _MKDOCS_SITE_NAME.search(text):
        return False
    if _MKDOCS_NAV.search(text):
        return True
    docs_dir = _MKDOCS_DOCS_DIR.search(text)
    folder = "/".join(part for part in (_folder(path), docs_dir.group(1) if docs_dir else "docs") if part)
    return any(page.lower().endswith(_MARKDOWN) for page in context.under(folder.strip("/")))


_DOCUSAURUS_SETTINGS = (re.compile(r"\btitle\b[\"']?[ \t]*:"), re.compile(r"\bbaseUrl\b[\"']?[ \t]*:"))


def _docusaurus(path: str, text: str, context: Context) -> bool:
    return all(setting.search(text) for setting in _DOCUSAURUS_SETTINGS)


_ANTORA_COMPONENT = (re.compile(r"^name:[ \t]*\S", re.M), re.compile(r"^version:", re.M))
_ANTORA_PLAYBOOK = (re.compile(r"^content:", re.M), re.compile(r"^[ \t]+sources:", re.M))


def _antora(path: str, text: str, context: Context) -> bool:
    patterns = _ANTORA_PLAYBOOK if path.endswith("antora-playbook.yml") else _ANTORA_COMPONENT
    return all(pattern.search(text) for pattern in patterns)


_HUGO_SETTING = re.compile(r"^[ \t]*[\"']?(?:baseURL|baseurl|title|theme|languageCode)[\"']?[ \t]*[=:]", re.M)


def _hugo(path: str, text: str, context: Context) -> bool:
    """A Hugo setting (classify.py has seen content/ and layouts/ or themes/ beside it)."""
    return bool(_HUGO_SETTING.search(text))


def _dependabot(path: str, text: str, context: Context) -> bool:
    config = context.yaml_mapping(path, text)
    updates = config.get("updates")
    return "version" in config and isinstance(updates, list) and any(
        isinstance(update, dict) and update.get("package-ecosystem") for update in updates
    )


# A JSON5 key other than $schema: Renovate's presets and rules.
_JSON5_KEY = re.compile(r"^[ \t{]*[\"']?(?!\$schema)[A-Za-z_][\w-]*[\"']?[ \t]*:", re.M)


def _renovate(path: str, text: str, context: Context) -> bool:
    """Settings beyond `$schema`: an empty `{}` configures nothing on purpose."""
    if path.endswith(".json"):
        value = context.json_value(path, text)
        return isinstance(value, dict) and bool(set(value) - {"$schema"})
    return bool(_JSON5_KEY.search(strip_comment_lines(text, slash=True)))


def _cookiecutter(path: str, text: str, context: Context) -> bool:
    """Variables, and the `{{cookiecutter.…}}` folder beside them that a project is made from."""
    variables = context.json_value(path, text)
    return (
        isinstance(variables, dict)
        and bool(variables)
        and any(entry.startswith("{{") and "cookiecutter." in entry.split("/", 1)[0] for entry in context.under(_folder(path)))
    )


_COPIER_SUFFIXES = (".jinja", ".jinja2", ".tmpl")


def _copier(path: str, text: str, context: Context) -> bool:
    """Questions, and templated files to render (under `_subdirectory` when set)."""
    settings = context.yaml_mapping(path, text)
    if not any(isinstance(key, str) and not key.startswith("_") for key in settings):
        return False
    subdirectory = settings.get("_subdirectory")
    suffix = settings.get("_templates_suffix")
    suffixes = (*_COPIER_SUFFIXES, suffix) if isinstance(suffix, str) and suffix else _COPIER_SUFFIXES
    folder = "/".join(part for part in (_folder(path), subdirectory if isinstance(subdirectory, str) else "") if part)
    return any(entry.endswith(suffixes) or "{{" in entry for entry in context.under(folder.strip("/")))


CHECKS: dict[str, Check] = {
    "pulumi": Check(IAC, "pulumi", _pulumi),
    "ansible_cfg": Check(IAC, "ansible", _ansible_cfg),
    "ansible_role": Check(IAC, "ansible", _ansible_role_file),
    "bicepparam": Check(IAC, "bicep", _bicepparam),
    "rego": Check(POLICY, "rego", _rego),
    "workbook": Check(DASHBOARDS, "azure_workbook", _workbook),
    "devcontainer": Check(DEVCONTAINER, None, _devcontainer),
    "sphinx": Check(DOCS, "sphinx", _sphinx),
    "mkdocs": Check(DOCS, "mkdocs", _mkdocs),
    "docusaurus": Check(DOCS, "docusaurus", _docusaurus),
    "antora": Check(DOCS, "antora", _antora),
    "hugo": Check(DOCS, "hugo", _hugo),
    "dependabot": Check(DEPS, "dependabot", _dependabot),
    "renovate": Check(DEPS, "renovate", _renovate),
    "cookiecutter": Check(TEMPLATES, "cookiecutter", _cookiecutter),
    "copier": Check(TEMPLATES, "copier", _copier),
    "issue_template": Check(PRODUCT, None, _issue_template, "issue_templates"),
    **{
        flag: Check(PRODUCT, None, _document, flag)
        for flag in ("roadmap", "changelog", "contributing", "security_policy")
    },
}
