"""Classify a repository's files by path alone: what counts, what to read, what to ignore.

Runs on every file of every repository: `candidates` passes the paths a rule may take with a
few lookups and operators per path (a pattern only for paths in a document folder), and only
those reach the rules, a handful of dict and string operations each; no reads. No path proves
a signal on its own: files are queued in a `Plan` for the family modules, and those whose name
says what they are (named.py) with the check their content must pass. A CI file counts only
once read and parsed: a broken pipeline definition runs nowhere.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from itertools import chain
from operator import itemgetter
from typing import NamedTuple

from collectors.detect import runners
from collectors.detect.files import RepoFile
from collectors.detect.findings import Findings
from collectors.detect.named import Named

#: Folders whose content describes someone else's project or no project at all.
IGNORED_FOLDERS = frozenset({".git", "node_modules", "vendor", "third_party", ".terraform"})

#: Where GitHub and GitLab look for CODEOWNERS, in GitHub's order of precedence.
CODEOWNERS_FOLDERS = (".github", "", "docs", ".gitlab")

# Names of YAML and JSON files that are never manifests, pipelines or dashboards: not read.
_PLAIN_YAML_NAMES = frozenset(
    {
        "pnpm-lock.yaml",
        "compose.yml",
        "compose.yaml",
        ".golangci.yml",
        ".golangci.yaml",
        ".yamllint",
        ".yamllint.yml",
        ".yamllint.yaml",
        "codecov.yml",
        ".codecov.yml",
        ".readthedocs.yml",
        ".readthedocs.yaml",
        "environment.yml",
        "pubspec.yaml",
        "Chart.lock",
        ".markdownlint.yml",
        ".markdownlint.yaml",
        ".goreleaser.yml",
        ".goreleaser.yaml",
        ".travis.yml",
        "swagger.yaml",
        "openapi.yaml",
        "openapi.yml",
    }
)
_PLAIN_YAML_PREFIXES = ("docker-compose", "values", "Pulumi.")
_PLAIN_JSON_NAMES = frozenset(
    {
        "package.json",
        "package-lock.json",
        "composer.json",
        "jsconfig.json",
        ".eslintrc.json",
        ".prettierrc.json",
        ".babelrc.json",
        "babel.config.json",
        ".stylelintrc.json",
        "tslint.json",
        "lerna.json",
        "nx.json",
        "project.json",
        "angular.json",
        "firebase.json",
        "vercel.json",
        "turbo.json",
        "deno.json",
        "bower.json",
        "manifest.json",
        "cspell.json",
        ".markdownlint.json",
        "launch.json",
        "settings.json",
        "extensions.json",
        "tasks.json",
        "global.json",
        "launchSettings.json",
        "packages.lock.json",
        "release-please-config.json",
        ".release-please-manifest.json",
    }
)
_PLAIN_JSON_PREFIXES = ("tsconfig", "appsettings")
# Folders of editor and host settings: their YAML/JSON is configuration, not infrastructure.
_SETTINGS_FOLDERS = (".github", ".vscode", ".idea", ".devcontainer", ".circleci", ".gitlab")
# Settings folders whose YAML may still be a pipeline (not a manifest or a dashboard).
_PIPELINE_SETTINGS_FOLDERS = frozenset({".github", ".gitlab"})

_RENOVATE_NAMES = frozenset({"renovate.json", "renovate.json5", ".renovaterc", ".renovaterc.json", ".renovaterc.json5"})
# Names and the named.py check their content must pass.
_DOCS_SITE_NAMES = {
    "mkdocs.yml": "mkdocs",
    "mkdocs.yaml": "mkdocs",
    "docusaurus.config.js": "docusaurus",
    "docusaurus.config.ts": "docusaurus",
    "docusaurus.config.mjs": "docusaurus",
    "docusaurus.config.cjs": "docusaurus",
    "antora.yml": "antora",
    "antora-playbook.yml": "antora",
}
_HUGO_CONFIGS = frozenset({"hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json"})
_HUGO_LEGACY_CONFIGS = frozenset({"config.toml", "config.yaml", "config.yml"})
_TEMPLATE_NAMES = {"cookiecutter.json": "cookiecutter", "copier.yml": "copier", "copier.yaml": "copier"}

# Product artifacts: found at the root, in .github/ or docs/, by (upper-cased) name prefix.
_PRODUCT_FOLDERS = frozenset({"", ".github", "docs"})
_PRODUCT_PREFIXES = (
    ("ROADMAP", "roadmap"),
    ("CHANGELOG", "changelog"),
    ("CHANGES", "changelog"),
    ("HISTORY", "changelog"),
    ("CONTRIBUTING", "contributing"),
    ("SECURITY", "security_policy"),
)
_DOCUMENT_PREFIXES = tuple(prefix for prefix, _flag in _PRODUCT_PREFIXES) + ("ISSUE_TEMPLATE",)
_DOC_EXTENSIONS = frozenset({"", "md", "markdown", "rst", "txt", "adoc", "asciidoc", "org"})


@dataclass
class Plan:
    """Files to read, by what reads them. Each list ends up sorted by path."""

    workflows: list[RepoFile] = field(default_factory=list)  # .github/workflows/*.yml
    gitlab_pipelines: list[RepoFile] = field(default_factory=list)  # .gitlab-ci.yml, .gitlab/ci/**
    gitlab_templates: list[RepoFile] = field(default_factory=list)  # CI templates offered to others
    azure_pipelines: list[RepoFile] = field(default_factory=list)  # named azure-pipelines*.yml
    jenkinsfiles: list[RepoFile] = field(default_factory=list)
    circleci: list[RepoFile] = field(default_factory=list)
    precommit: list[RepoFile] = field(default_factory=list)
    codeowners: list[RepoFile] = field(default_factory=list)
    terraform: list[RepoFile] = field(default_factory=list)  # *.tf, terragrunt.hcl
    terraform_json: list[RepoFile] = field(default_factory=list)
    bicep: list[RepoFile] = field(default_factory=list)
    helm_charts: list[RepoFile] = field(default_factory=list)
    kustomizations: list[RepoFile] = field(default_factory=list)
    runner_configs: list[RepoFile] = field(default_factory=list)  # atlantis.yaml, .spacelift/config.yml …
    template_answers: list[RepoFile] = field(default_factory=list)  # .copier-answers.yml, .cruft.json
    yaml: list[RepoFile] = field(default_factory=list)  # any other YAML: manifests, rule files …
    settings_yaml: list[RepoFile] = field(default_factory=list)  # other YAML in .github/, .gitlab/: pipelines only
    json: list[RepoFile] = field(default_factory=list)  # dashboards, ARM, policies, CloudFormation
    named: list[Named] = field(default_factory=list)  # files whose name says what they are, to confirm
    hugo_candidates: list[RepoFile] = field(default_factory=list)  # hugo.toml, config.toml and kin

    def yaml_files(self) -> dict[str, RepoFile]:
        """Every queued YAML file by path: what a GitLab pipeline may include locally."""
        queues = (self.workflows, self.gitlab_pipelines, self.gitlab_templates, self.azure_pipelines, self.yaml)
        return {file.path: file for queue in (*queues, self.settings_yaml) for file in queue}

    def to_read(self) -> list[RepoFile]:
        """Every file queued to be read, once each (Hugo candidates only once confirmed, as named files)."""
        queued: dict[str, RepoFile] = {}
        for name in _QUEUES:
            if name != "hugo_candidates":
                for entry in getattr(self, name):
                    file = entry.file if isinstance(entry, Named) else entry
                    queued.setdefault(file.path, file)
        return list(queued.values())

    def sort(self) -> None:
        for queue in vars(self).values():  # the queues, without looking each up by name
            if len(queue) > 1:
                queue.sort(key=_by_path)
        if len(self.codeowners) > 1:
            self.codeowners.sort(key=lambda file: _CODEOWNERS_ORDER[file.path.rpartition("/")[0]])


_QUEUES = tuple(item.name for item in fields(Plan))
_CODEOWNERS_ORDER = {folder: index for index, folder in enumerate(CODEOWNERS_FOLDERS)}


def _by_path(entry: RepoFile | Named) -> str:
    return entry.path


# Substrings of every ignored folder's name (".git" is in ".github" too): most paths hold none,
# and a few substring tests cost less than splitting the path into folders.
_IGNORED_WORDS = (".git", "node_modules", "vendor", "third_party", ".terraform")


def is_ignored(path: str) -> bool:
    """Template skeletons, vendored trees, VCS internals and nested .github/ folders are not live."""
    if "{{" in path:
        return True
    if (
        ".git" not in path
        and "node_modules" not in path
        and "vendor" not in path
        and "third_party" not in path
        and ".terraform" not in path
    ):  # _IGNORED_WORDS, spelled out: a loop over them costs more than the split it saves
        return False
    folders = path.split("/")[:-1]
    return not IGNORED_FOLDERS.isdisjoint(folders) or ".github" in folders[1:]


def plan_files(
    paths: Sequence[str], sizes: Mapping[str, int], findings: Findings, chosen: Sequence[str] | None = None
) -> Plan:
    """Classify every path; `sizes` gives the byte size of the files whose size the lister knows;
    `chosen`: the paths a rule may take, where the lister found them (`candidates_by_folder`)."""
    plan = Plan()
    for path in candidates(paths) if chosen is None else chosen:
        classify(path, sizes.get(path), plan, findings)
    if plan.hugo_candidates:
        _confirm_hugo(paths, plan.hugo_candidates, plan)
    plan.sort()
    return plan


def classify(path: str, size: int | None, plan: Plan, findings: Findings) -> None:
    """Record what the path proves on its own, and queue it if its content decides."""
    # Most candidates still match no rule: two dict lookups reject them before anything else runs.
    folder, _, name = path.rpartition("/")
    dot = name.rfind(".")
    extension = name[dot + 1 :].lower() if dot > 0 else ""
    name_rule, extension_rule = _NAME_RULES.get(name), _EXTENSION_RULES.get(extension)
    if name_rule is None:
        if extension_rule is None:
            if not name.startswith("Jenkinsfile"):  # Jenkinsfile.release and kin
                return
            name_rule = _jenkinsfile
        elif extension_rule is _document and not (
            folder in _ISSUE_TEMPLATE_FOLDERS
            or (folder in _PRODUCT_FOLDERS and name.upper().startswith(_DOCUMENT_PREFIXES))
        ):
            return  # the common case: one of many Markdown or text files
    if is_ignored(path):
        return
    file = _File(RepoFile(path, size), folder, name, extension)
    if name_rule is not None and name_rule(file, plan, findings):
        return
    if extension_rule is not None:
        extension_rule(file, plan, findings)


def used_by_name(paths: Iterable[str]) -> list[str]:
    """The paths detection would count or read, judged by their names alone: for a collector
    to name the files it could not offer (a FIFO called main.tf) without them proving anything."""
    used = []
    for path in candidates(paths):
        plan, findings = Plan(), Findings()
        classify(path, None, plan, findings)
        if not findings.empty or any(getattr(plan, name) for name in _QUEUES):
            used.append(path)
    return used


def candidates(paths: Iterable[str]) -> list[str]:
    """The paths a rule may take: every one of them and few others, by tests that are operators
    and lookups rather than method calls (most paths are source files no rule takes, and each
    test costs every one of them). Root files all pass: product documents, names without an
    extension. Below the root, a path's last character picks the few endings that could end it
    (most characters none), its first character comes before the document folders' pattern,
    and "Jenkinsfile" is looked for path by path only in listings that hold the word."""
    paths = paths if isinstance(paths, list) else list(paths)
    jenkins = "Jenkinsfile" in "\n".join(paths)
    return [
        path
        for path in paths
        if "/" not in path
        or ((last := path[-1]) in _FOLDED_LAST and path.lower().endswith(_FOLDED_ENDINGS[last]))
        or (last in _EXACT_LAST and path.endswith(_EXACT_ENDINGS[last]))
        or (path[0] in _DOCUMENT_FIRSTS and _DOCUMENT_PATH.match(path) is not None)
        or (jenkins and "Jenkinsfile" in path)
    ]


def candidates_by_folder(folders: Iterable[tuple[str, Sequence[str]]]) -> list[str]:
    """`candidates` for a lister that has each folder's file names apart: (the folder's prefix,
    "" or "a/b/", and its files' names, none empty), in listing order. Every path a rule may
    take passes, as there. A folder's names are first tested together by set operations that
    loop in C (their last characters, the rule names, first letters in a document folder): most
    folders hold none a rule may take and are passed over whole, without a test per name."""
    folders = folders if isinstance(folders, list) else list(folders)
    jenkins = "Jenkinsfile" in "\n".join(chain.from_iterable([names for _prefix, names in folders]))
    chosen: list[str] = []
    for prefix, names in folders:
        if not prefix or prefix in _ISSUE_TEMPLATE_PREFIXES:
            chosen.extend([prefix + name for name in names])
            continue
        documents = prefix in _DOCUMENT_PREFIXES_BELOW_ROOT
        if not names or (
            _FOLDED_LAST.isdisjoint(map(_LAST_CHARACTER, names))
            and _RULE_NAME_SET.isdisjoint(names)
            and not jenkins
            and not (documents and _may_be_documents(names))
        ):
            continue
        chosen.extend(
            [
                prefix + name
                for name in names
                if ((last := name[-1]) in _FOLDED_LAST and name.lower().endswith(_FOLDED_ENDINGS[last]))
                or name in _RULE_NAME_SET
                or (documents and ((first := name[0]) in _DOCUMENT_FIRST_LETTERS or first > "\x7f"))
                or (jenkins and name.startswith("Jenkinsfile"))
            ]
        )
    return chosen


def _may_be_documents(names: Sequence[str]) -> bool:
    firsts = set(map(_FIRST_CHARACTER, names))
    return not _DOCUMENT_FIRST_LETTERS.isdisjoint(firsts) or max(firsts) > "\x7f"


class _File(NamedTuple):
    file: RepoFile
    folder: str
    name: str
    extension: str  # lower case, without the dot; "" for none

    @property
    def path(self) -> str:
        return self.file.path


# A name rule returns True when it has dealt with the file, False to let the extension rule
# have it too. Extension rules run for every file of their extension that no name rule took.
_Rule = Callable[[_File, Plan, Findings], "bool | None"]


def _check(check: str) -> _Rule:
    """A file whose name says what it is, counted once its content passes `check` (named.py)."""

    def rule(file: _File, plan: Plan, findings: Findings) -> bool:
        plan.named.append(Named(file.file, check))
        return True

    return rule


def _read_later(queue: str) -> _Rule:
    """Files whose name is not proof enough: binary junk named Chart.yaml is not a chart."""

    def rule(file: _File, plan: Plan, findings: Findings) -> bool:
        getattr(plan, queue).append(file.file)
        return True

    return rule


def _gitlab_ci(file: _File, plan: Plan, findings: Findings) -> bool:
    # At the root it is the pipeline; anywhere else, a template for others to include.
    (plan.gitlab_pipelines if file.folder == "" else plan.gitlab_templates).append(file.file)
    return True


def _precommit(file: _File, plan: Plan, findings: Findings) -> bool:
    if file.folder == "":
        plan.precommit.append(file.file)
    return True


def _codeowners(file: _File, plan: Plan, findings: Findings) -> bool:
    if file.folder in CODEOWNERS_FOLDERS:
        plan.codeowners.append(file.file)
    return True


def _runner_config(file: _File, plan: Plan, findings: Findings) -> bool:
    if file.folder == "":
        plan.runner_configs.append(file.file)
        return True
    return False


def _devcontainer(file: _File, plan: Plan, findings: Findings) -> bool:
    folder = file.folder
    if (file.name == ".devcontainer.json" and folder == "") or (
        file.name == "devcontainer.json" and (folder == ".devcontainer" or _is_child_folder(folder, ".devcontainer"))
    ):
        plan.named.append(Named(file.file, "devcontainer"))
    return True


def _sphinx(file: _File, plan: Plan, findings: Findings) -> bool:
    parts = file.folder.split("/")
    if "docs" in parts or "doc" in parts:
        plan.named.append(Named(file.file, "sphinx"))
    return True


def _hugo_config(file: _File, plan: Plan, findings: Findings) -> bool:
    if "/" not in file.folder:  # Hugo sites sit at the root or one folder down
        plan.hugo_candidates.append(file.file)
    return file.name in _HUGO_CONFIGS  # a config.yaml may still be anything else


def _dependabot(file: _File, plan: Plan, findings: Findings) -> bool:
    if file.folder == ".github":
        plan.named.append(Named(file.file, "dependabot"))
        return True
    return False


def _renovate(file: _File, plan: Plan, findings: Findings) -> bool:
    if file.folder in ("", ".github", ".gitlab"):
        plan.named.append(Named(file.file, "renovate"))
        return True
    return False


def _jenkinsfile(file: _File, plan: Plan, findings: Findings) -> bool:
    if file.name.startswith("Jenkinsfile") or file.extension == "jenkinsfile":
        plan.jenkinsfiles.append(file.file)
        return True
    return False


def _terraform_or_json(file: _File, plan: Plan, findings: Findings) -> None:
    if file.name.endswith(".tf.json"):
        plan.terraform_json.append(file.file)
    elif not _is_plain_config(file.folder, file.name, _PLAIN_JSON_NAMES, _PLAIN_JSON_PREFIXES):
        plan.json.append(file.file)


def _yaml(file: _File, plan: Plan, findings: Findings) -> None:
    folder, name = file.folder, file.name
    if folder == ".github/workflows":
        plan.workflows.append(file.file)
    elif folder == ".gitlab/ci" or folder.startswith(".gitlab/ci/"):
        plan.gitlab_pipelines.append(file.file)
    elif name.endswith(".gitlab-ci.yml"):
        plan.gitlab_templates.append(file.file)
    elif name.startswith("azure-pipelines"):
        plan.azure_pipelines.append(file.file)
    elif folder == runners.SPACELIFT_FOLDER and name in ("config.yml", "config.yaml"):
        plan.runner_configs.append(file.file)
    elif folder == ".circleci":
        if name in ("config.yml", "config.yaml"):
            plan.circleci.append(file.file)
    elif name.startswith(".copier-answers"):
        plan.template_answers.append(file.file)
    elif folder in _ISSUE_TEMPLATE_FOLDERS:
        _issue_template(file, plan, findings)
    elif "roles/" in folder and _is_ansible_role_file(folder):
        plan.named.append(Named(file.file, "ansible_role"))
    elif folder.partition("/")[0] in _PIPELINE_SETTINGS_FOLDERS and name not in _PLAIN_YAML_NAMES:
        plan.settings_yaml.append(file.file)  # an Azure pipeline or an included GitLab file may sit there
    elif not _is_plain_config(folder, name, _PLAIN_YAML_NAMES, _PLAIN_YAML_PREFIXES):
        if folder == "templates" or (
            name in ("template.yml", "template.yaml") and _is_child_folder(folder, "templates")
        ):
            plan.gitlab_templates.append(file.file)  # a CI/CD component, or a root Helm chart's template
        plan.yaml.append(file.file)


def _templated(file: _File, plan: Plan, findings: Findings) -> None:
    """`x.yaml.j2`, `x.json.tpl`, `x.j2`: read like the file they render, template blocks
    stripped (detection.py). Helm's `_helpers.tpl` and kin are partials, not files."""
    inner = file.name[: -len(file.extension) - 1]
    dot = inner.rfind(".")
    extension = inner[dot + 1 :].lower() if dot > 0 else ""
    if file.name.startswith("_") or extension not in _TEMPLATED_KINDS:
        return
    findings.templated.add(file.path)
    (plan.json if _TEMPLATED_KINDS[extension] == "json" else plan.yaml).append(file.file)


def _document(file: _File, plan: Plan, findings: Findings) -> None:
    """Product artifacts and issue templates: only at the root, in .github/ or docs/."""
    folder, name = file.folder, file.name
    if folder in _ISSUE_TEMPLATE_FOLDERS:
        _issue_template(file, plan, findings)
    elif folder in _PRODUCT_FOLDERS:
        if name.lower() == "issue_template.md":
            _issue_template(file, plan, findings)
            return
        upper = name.upper()
        for prefix, flag in _PRODUCT_PREFIXES:
            if upper.startswith(prefix):
                plan.named.append(Named(file.file, flag))
                return


def _issue_template(file: _File, plan: Plan, findings: Findings) -> None:
    if file.name in ("config.yml", "config.yaml") or (
        file.folder == ".gitlab/issue_templates" and file.extension != "md"
    ):
        return  # the template chooser's settings; GitLab takes Markdown only
    if file.extension in ("md", "yml", "yaml"):
        plan.named.append(Named(file.file, "issue_template"))


_ISSUE_TEMPLATE_FOLDERS = frozenset({".github/ISSUE_TEMPLATE", ".github/issue_template", ".gitlab/issue_templates"})

_NAME_RULES: dict[str, _Rule] = {
    ".gitlab-ci.yml": _gitlab_ci,
    "Jenkinsfile": _jenkinsfile,
    ".pre-commit-config.yaml": _precommit,
    ".pre-commit-config.yml": _precommit,
    "CODEOWNERS": _codeowners,
    "terragrunt.hcl": _read_later("terraform"),
    "Chart.yaml": _read_later("helm_charts"),
    "kustomization.yaml": _read_later("kustomizations"),
    "kustomization.yml": _read_later("kustomizations"),
    "Kustomization": _read_later("kustomizations"),
    "Pulumi.yaml": _check("pulumi"),
    "Pulumi.yml": _check("pulumi"),
    "ansible.cfg": _check("ansible_cfg"),
    ".cruft.json": _read_later("template_answers"),
    "devcontainer.json": _devcontainer,
    ".devcontainer.json": _devcontainer,
    "conf.py": _sphinx,
    "dependabot.yml": _dependabot,
    "dependabot.yaml": _dependabot,
    **{name: _renovate for name in _RENOVATE_NAMES},
    **{name: _runner_config for name in runners.CONFIG_NAMES},
    **{name: _hugo_config for name in (*_HUGO_CONFIGS, *_HUGO_LEGACY_CONFIGS)},
    **{name: _check(check) for name, check in _TEMPLATE_NAMES.items()},
    **{name: _check(check) for name, check in _DOCS_SITE_NAMES.items()},
}

# Template suffixes, and what the file under the suffix is read as ("" for `x.j2` alone).
_TEMPLATE_EXTENSIONS = ("j2", "jinja", "jinja2", "tpl")  # each suffix costs every path of every repository a test
_TEMPLATED_KINDS = {"yaml": "yaml", "yml": "yaml", "json": "json", "": "yaml"}

_EXTENSION_RULES: dict[str, _Rule] = {
    "yml": _yaml,
    "yaml": _yaml,
    "json": _terraform_or_json,
    "tf": _read_later("terraform"),
    "bicep": _read_later("bicep"),
    "bicepparam": _check("bicepparam"),
    "rego": _check("rego"),
    "workbook": _check("workbook"),
    "jenkinsfile": _jenkinsfile,
    **{extension: _templated for extension in _TEMPLATE_EXTENSIONS},
    **{extension: _document for extension in _DOC_EXTENSIONS},
}


# Endings a rule takes below the root. Extensions match in any case, as `classify` folds
# them; name rules match exactly, and only the names no extension already lets through.
_RULE_EXTENSIONS = tuple(f".{extension}" for extension in _EXTENSION_RULES if extension not in _DOC_EXTENSIONS)
_RULE_NAMES = tuple(
    f"/{name}" for name in _NAME_RULES if not name.lower().endswith(_RULE_EXTENSIONS) and name != "Jenkinsfile"
)  # Jenkinsfile: "Jenkinsfile" in the path lets it through
# The endings by a path's last character. A path whose last character is not ASCII ends, lower
# cased, in what that character lower-cases to: ASCII only for the Kelvin sign (K, to k).
_LAST_CANDIDATES = (*map(chr, range(128)), "\u212a")
_FOLDED_ENDINGS = {
    last: endings
    for last in _LAST_CANDIDATES
    if (endings := tuple(ending for ending in _RULE_EXTENSIONS if ending[-1] == last.lower()))
}
_EXACT_ENDINGS = {
    last: endings for last in _LAST_CANDIDATES if (endings := tuple(ending for ending in _RULE_NAMES if ending[-1] == last))
}
_FOLDED_LAST, _EXACT_LAST = frozenset(_FOLDED_ENDINGS), frozenset(_EXACT_ENDINGS)
# Product documents below the root, by the first letter of their prefixes (the name's first
# character upper-cases to it, or is not ASCII: `ß` upper-cases to SS), and anything in an
# issue template folder.
_DOCUMENT_LETTERS = "".join(sorted({prefix[0] for prefix in _DOCUMENT_PREFIXES}))
_DOCUMENT_PATH = re.compile(
    "|".join(
        [f"{re.escape(folder)}/[{_DOCUMENT_LETTERS}{_DOCUMENT_LETTERS.lower()}\\x80-\\U0010ffff]" for folder in sorted(_PRODUCT_FOLDERS) if folder]
        + [f"{re.escape(folder)}/" for folder in sorted(_ISSUE_TEMPLATE_FOLDERS)]
    )
)
_DOCUMENT_FIRSTS = frozenset(folder[0] for folder in (*_PRODUCT_FOLDERS, *_ISSUE_TEMPLATE_FOLDERS) if folder)
# The same tests by folder (candidates_by_folder): a name's ending or its whole, and in the
# document folders its first character.
_RULE_NAME_SET = frozenset(ending[1:] for ending in _RULE_NAMES)
_ISSUE_TEMPLATE_PREFIXES = frozenset(f"{folder}/" for folder in _ISSUE_TEMPLATE_FOLDERS)
_DOCUMENT_PREFIXES_BELOW_ROOT = frozenset(f"{folder}/" for folder in _PRODUCT_FOLDERS if folder)
_DOCUMENT_FIRST_LETTERS = frozenset(_DOCUMENT_LETTERS + _DOCUMENT_LETTERS.lower())
_LAST_CHARACTER, _FIRST_CHARACTER = itemgetter(-1), itemgetter(0)


# The folders of an Ansible role that hold YAML: roles/<role>/tasks/install.yml and kin.
_ANSIBLE_ROLE_PARTS = frozenset({"tasks", "handlers", "defaults", "vars", "meta"})


def _is_ansible_role_file(folder: str) -> bool:
    """A YAML file in a role's folder, roles nested in groups too (roles/web/nginx/tasks)."""
    parts = folder.split("/")
    return len(parts) >= 3 and parts[-1] in _ANSIBLE_ROLE_PARTS and "roles" in parts[:-2]


def _is_child_folder(folder: str, parent: str) -> bool:
    """`folder` is exactly one level below `parent` (a root-level folder)."""
    return folder.startswith(parent + "/") and folder.count("/") == parent.count("/") + 1


def _is_plain_config(folder: str, name: str, names: frozenset[str], prefixes: tuple[str, ...]) -> bool:
    return name in names or name.startswith(prefixes) or folder.partition("/")[0] in _SETTINGS_FOLDERS


def _confirm_hugo(paths: Sequence[str], configs: list[RepoFile], plan: Plan) -> None:
    """A Hugo config is a site's only when content/ sits beside it, and for config.toml and kin
    layouts/ or themes/ too (its settings are then checked by named.py)."""
    for config in configs:
        folder = config.path.rpartition("/")[0]
        prefix = f"{folder}/" if folder else ""
        beside = {
            path[len(prefix) :].split("/", 1)[0] for path in paths if path.startswith(prefix) and "/" in path[len(prefix) :]
        }
        legacy = config.path.rpartition("/")[2] in _HUGO_LEGACY_CONFIGS  # a name many tools use
        if "content" in beside and (not legacy or not beside.isdisjoint({"layouts", "themes", "archetypes"})):
            plan.named.append(Named(config, "hugo"))
