"""Classify a repository's files by path alone: what counts, what to read, what to ignore.

Runs once per file of every repository, so it stays a handful of dict and string operations:
no regular expressions, no reads. Signals that a path proves on its own are recorded here;
files whose content decides are queued in a `Plan` for the family modules. A CI file counts
only once read and parsed: a broken pipeline definition runs nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from collectors.detect.files import RepoFile
from collectors.detect.findings import (
    DASHBOARDS,
    DEPS,
    DEVCONTAINER,
    DOCS,
    IAC,
    ORIGIN,
    POLICY,
    PRODUCT,
    TEMPLATES,
    Findings,
)

#: Folders whose content describes someone else's project or no project at all.
IGNORED_FOLDERS = frozenset({".git", "node_modules", "vendor", "third_party", ".terraform"})

#: Where GitHub and GitLab look for CODEOWNERS, in GitHub's order of precedence.
CODEOWNERS_FOLDERS = (".github", "", "docs", ".gitlab")

_YAML = frozenset({"yml", "yaml"})

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
        "composer.lock",
    }
)
_PLAIN_JSON_PREFIXES = ("tsconfig", "appsettings")
# Folders of editor and host settings: their YAML/JSON is configuration, not infrastructure.
_SETTINGS_FOLDERS = (".github", ".vscode", ".idea", ".devcontainer", ".circleci", ".gitlab")

_RENOVATE_NAMES = frozenset({"renovate.json", "renovate.json5", ".renovaterc", ".renovaterc.json", ".renovaterc.json5"})
_DOCS_SITE_NAMES = {
    "mkdocs.yml": "mkdocs",
    "mkdocs.yaml": "mkdocs",
    "docusaurus.config.js": "docusaurus",
    "docusaurus.config.ts": "docusaurus",
    "docusaurus.config.mjs": "docusaurus",
    "docusaurus.config.cjs": "docusaurus",
    "antora.yml": "antora",
    "antora-playbook.yml": "antora",
    "hugo.toml": "hugo",
    "hugo.yaml": "hugo",
    "hugo.yml": "hugo",
    "hugo.json": "hugo",
}
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
_DOC_EXTENSIONS = frozenset({"", "md", "markdown", "rst", "txt", "adoc", "asciidoc", "org"})
_FEATURE_WORDS = ("feature", "enhancement", "proposal")


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
    yaml: list[RepoFile] = field(default_factory=list)  # any other YAML: manifests, rule files …
    json: list[RepoFile] = field(default_factory=list)  # dashboards, ARM, policies, CloudFormation
    issue_templates: list[RepoFile] = field(default_factory=list)  # names that do not say "feature"
    hugo_candidates: list[str] = field(default_factory=list)  # paths of config.toml and kin

    def sort(self) -> None:
        for item in fields(self):
            getattr(self, item.name).sort(key=lambda entry: entry.path if isinstance(entry, RepoFile) else entry)
        order = {folder: index for index, folder in enumerate(CODEOWNERS_FOLDERS)}
        self.codeowners.sort(key=lambda file: order[file.path.rpartition("/")[0]])


def is_ignored(path: str) -> bool:
    """Template skeletons, vendored trees, VCS internals and nested .github/ folders are not live."""
    if "{{" in path:
        return True
    folders = path.split("/")[:-1]
    return not IGNORED_FOLDERS.isdisjoint(folders) or ".github" in folders[1:]


def plan_files(files: list[RepoFile], findings: Findings) -> Plan:
    plan = Plan()
    for file in files:
        if not is_ignored(file.path):
            _classify(file, plan, findings)
    if plan.hugo_candidates:
        _confirm_hugo(files, plan.hugo_candidates, findings)
    plan.sort()
    return plan


def _classify(file: RepoFile, plan: Plan, findings: Findings) -> None:
    path = file.path
    folder, _, name = path.rpartition("/")
    dot = name.rfind(".")
    ext = name[dot + 1 :].lower() if dot > 0 else ""

    # CI definitions.
    if folder == ".github/workflows":
        if ext in _YAML:
            plan.workflows.append(file)
        return
    if (name == ".gitlab-ci.yml" and folder == "") or (
        ext in _YAML and (folder == ".gitlab/ci" or folder.startswith(".gitlab/ci/"))
    ):
        plan.gitlab_pipelines.append(file)
        return
    if name.endswith(".gitlab-ci.yml"):  # elsewhere: a template for others to include
        plan.gitlab_templates.append(file)
        return
    if name.startswith("azure-pipelines") and ext in _YAML:
        plan.azure_pipelines.append(file)
        return
    if name.startswith("Jenkinsfile") or ext == "jenkinsfile":
        plan.jenkinsfiles.append(file)
        return
    if folder == ".circleci":
        if name in ("config.yml", "config.yaml"):
            plan.circleci.append(file)
        return
    if folder == "" and name in (".pre-commit-config.yaml", ".pre-commit-config.yml"):
        plan.precommit.append(file)
        return
    if name == "CODEOWNERS":
        if folder in CODEOWNERS_FOLDERS:
            plan.codeowners.append(file)
        return

    # Infrastructure as code.
    if ext == "tf":
        findings.hit(IAC, path, "terraform")
        plan.terraform.append(file)
        return
    if ext == "json" and name.endswith(".tf.json"):
        findings.hit(IAC, path, "terraform")
        plan.terraform_json.append(file)
        return
    if name == "terragrunt.hcl":
        findings.hit(IAC, path, "terraform")
        plan.terraform.append(file)
        return
    if ext in ("bicep", "bicepparam"):
        findings.hit(IAC, path, "bicep")
        if ext == "bicep":
            plan.bicep.append(file)
        return
    if name == "Chart.yaml":
        findings.hit(IAC, path, "helm")
        plan.helm_charts.append(file)
        return
    if name in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
        findings.hit(IAC, path, "kustomize")
        plan.kustomizations.append(file)
        return
    if name in ("Pulumi.yaml", "Pulumi.yml"):
        findings.hit(IAC, path, "pulumi")
        return
    if name == "ansible.cfg" or (
        name in ("main.yml", "main.yaml") and folder.endswith("/tasks") and folder.split("/")[-3:-2] == ["roles"]
    ):
        findings.hit(IAC, path, "ansible")
        return
    if ext == "rego":
        findings.hit(POLICY, path, "rego")
        return
    if ext == "workbook":
        findings.hit(DASHBOARDS, path, "azure_workbook")
        return

    # Templates, dev environments, docs, dependency automation, product artifacts.
    if name in _TEMPLATE_NAMES:
        findings.hit(TEMPLATES, path, _TEMPLATE_NAMES[name])
        return
    if name == ".cruft.json":
        findings.hit(ORIGIN, path, "cruft")
        return
    if name.startswith(".copier-answers") and ext in _YAML:
        findings.hit(ORIGIN, path, "copier")
        return
    if (name == "devcontainer.json" and (folder == ".devcontainer" or _is_child_folder(folder, ".devcontainer"))) or (
        name == ".devcontainer.json" and folder == ""
    ):
        findings.hit(DEVCONTAINER, path)
        return
    if name in _DOCS_SITE_NAMES:
        findings.hit(DOCS, path, _DOCS_SITE_NAMES[name])
        return
    if name == "conf.py":
        parts = folder.split("/")
        if "docs" in parts or "doc" in parts:
            findings.hit(DOCS, path, "sphinx")
        return
    if name in _HUGO_LEGACY_CONFIGS and "/" not in folder:  # Hugo sites sit at the root or one down
        plan.hugo_candidates.append(path)
    if folder in ("", ".github", ".gitlab"):
        if folder == ".github" and name in ("dependabot.yml", "dependabot.yaml"):
            findings.hit(DEPS, path, "dependabot")
            return
        if name in _RENOVATE_NAMES:
            findings.hit(DEPS, path, "renovate")
            return
    if _is_issue_template(folder, name):
        findings.hit(PRODUCT, path)
        findings.set(PRODUCT, "issue_templates", True)
        if any(word in name.lower() for word in _FEATURE_WORDS):
            findings.set(PRODUCT, "feature_request_template", True)
        elif ext in ("md", "yml", "yaml"):
            plan.issue_templates.append(file)
        return
    if folder in _PRODUCT_FOLDERS and ext in _DOC_EXTENSIONS:
        upper = name.upper()
        for prefix, flag in _PRODUCT_PREFIXES:
            if upper.startswith(prefix):
                findings.hit(PRODUCT, path)
                findings.set(PRODUCT, flag, True)
                return

    # Everything else is decided by content, if its name allows it to matter at all.
    if ext in _YAML:
        if _is_plain_config(folder, name, _PLAIN_YAML_NAMES, _PLAIN_YAML_PREFIXES):
            return
        if folder == "templates" or (
            name in ("template.yml", "template.yaml") and _is_child_folder(folder, "templates")
        ):
            plan.gitlab_templates.append(file)  # a CI/CD component, or a root Helm chart's template
        plan.yaml.append(file)
    elif ext == "json" and not _is_plain_config(folder, name, _PLAIN_JSON_NAMES, _PLAIN_JSON_PREFIXES):
        plan.json.append(file)


def _is_child_folder(folder: str, parent: str) -> bool:
    """`folder` is exactly one level below `parent` (a root-level folder)."""
    return folder.startswith(parent + "/") and folder.count("/") == parent.count("/") + 1


def _is_plain_config(folder: str, name: str, names: frozenset[str], prefixes: tuple[str, ...]) -> bool:
    return name in names or name.startswith(prefixes) or folder.split("/", 1)[0] in _SETTINGS_FOLDERS


def _is_issue_template(folder: str, name: str) -> bool:
    if folder.lower() == ".github/issue_template":
        return name not in ("config.yml", "config.yaml")
    if folder == ".gitlab/issue_templates":
        return name.endswith(".md")
    return folder in _PRODUCT_FOLDERS and name.lower() == "issue_template.md"


def _confirm_hugo(files: list[RepoFile], configs: list[str], findings: Findings) -> None:
    """A config.toml is a Hugo site's only when content/ and layouts/ or themes/ sit beside it."""
    for config in configs:
        folder = config.rpartition("/")[0]
        prefix = f"{folder}/" if folder else ""
        beside = {
            file.path[len(prefix) :].split("/", 1)[0]
            for file in files
            if file.path.startswith(prefix) and "/" in file.path[len(prefix) :]
        }
        if "content" in beside and not beside.isdisjoint({"layouts", "themes", "archetypes"}):
            findings.hit(DOCS, config, "hugo")
