"""The path filter in front of the classification rules never hides a path a rule would take."""

from __future__ import annotations

from dataclasses import fields
from itertools import product

from collectors.detect.classify import Plan, candidates, candidates_by_folder, classify, plan_files
from collectors.detect.findings import Findings
from scanner.kinds import FILE_SIGNAL_KINDS

FOLDERS = ("", ".github", ".github/workflows", ".github/ISSUE_TEMPLATE", ".gitlab", ".gitlab/ci",
           ".gitlab/issue_templates", ".circleci", ".devcontainer", ".devcontainer/python", "docs", "doc",
           "docs/source", "templates", "deploy/k8s", "roles/web/tasks", "site", "infra/modules/net")
NAMES = (
    "ci.yml", "CI.YML", "deploy.Yaml", "main.tf", "MAIN.TF", "main.tf.json", "net.bicep", "app.bicepparam",
    "policy.rego", "board.workbook", "dashboard.json", "azuredeploy.json", "Jenkinsfile", "Jenkinsfile.release",
    "build.jenkinsfile", ".gitlab-ci.yml", "deploy.gitlab-ci.yml", "azure-pipelines.yml", "azure-pipelines-ci.yaml",
    ".pre-commit-config.yaml", "CODEOWNERS", "terragrunt.hcl", "Chart.yaml", "kustomization.yaml", "Kustomization",
    "Pulumi.yaml", "ansible.cfg", "main.yml", ".cruft.json", "devcontainer.json", ".devcontainer.json", "conf.py",
    "dependabot.yml", "renovate.json", ".renovaterc", "config.toml", "config.yaml", "cookiecutter.json",
    "copier.yml", ".copier-answers.yml", "mkdocs.yml", "docusaurus.config.ts", "antora.yml", "hugo.toml",
    "ROADMAP.md", "roadmap", "Changelog.rst", "CHANGES.txt", "HISTORY.md", "CONTRIBUTING.md", "SECURITY.md",
    "ISSUE_TEMPLATE.md", "issue_template.md", "bug_report.md", "feature_request.yml", "catalog-info.yaml",
    "template.yaml", "values.yaml", "board.workboo\u212a", "rbac.yaml.J2", "Main.Tf", "Ruleset.REGO", "app.JSON",
    "docusaurus.config.ts", "renovate.json5", "Kustomization", "hugo.toml", "terragrunt.hcl", "ci.Jenkinsfile",
)
NOISE = ("src/main.py", "src/pkg/util.go", "assets/logo.png", "docs/guide.md", "tests/test_api.py", "web/index.ts")


def taken(path: str) -> bool:
    plan, findings = Plan(), Findings()
    classify(path, None, plan, findings)
    queued = any(getattr(plan, item.name) for item in fields(plan))
    return queued or any(findings.has(kind) for kind in FILE_SIGNAL_KINDS)


def test_every_path_a_rule_takes_passes_the_filter() -> None:
    paths = [f"{folder}/{name}" if folder else name for folder, name in product(FOLDERS, NAMES)]
    taken_paths = [path for path in paths if taken(path)]
    assert len(taken_paths) > len(NAMES)  # the corpus exercises the rules, not only the filter
    assert candidates(taken_paths) == taken_paths


def test_the_filter_rejects_ordinary_source_files() -> None:
    assert candidates(NOISE) == []
    assert not any(taken(path) for path in NOISE)


def test_planning_with_the_filter_equals_classifying_every_path() -> None:
    paths = [f"{folder}/{name}" if folder else name for folder, name in product(FOLDERS, NAMES)] + list(NOISE)
    filtered, findings = plan_files(paths, {}, Findings()), Findings()
    unfiltered = Plan()
    for path in paths:
        classify(path, None, unfiltered, findings)
    unfiltered.sort()
    assert filtered == unfiltered


def test_the_only_character_outside_ascii_that_lower_cases_into_ascii_is_the_kelvin_sign() -> None:
    # The filter looks endings up by a path's last character: ASCII ones, and this one.
    assert [c for c in map(chr, range(128, 0x110000)) if c.lower()[-1:].isascii()] == ["\u212a"]


def test_a_jenkinsfile_below_the_root_passes_and_any_listing_is_taken_in_order() -> None:
    listing = ["src/a.py", "ci/Jenkinsfile.release", "docs/guide.md", "deploy/app.YAML", "README"]
    assert candidates(listing) == ["ci/Jenkinsfile.release", "deploy/app.YAML", "README"]
    assert candidates(iter(listing)) == candidates(listing)
    assert candidates(["src/a.py", ""]) == [""]


# --- the same filter by folder (a lister that has each folder's names apart) ---------------


def by_folder(paths: list[str]) -> list[tuple[str, list[str]]]:
    """The listing's folders in order: (prefix, names), as collectors/local/walk lists them."""
    folders: list[tuple[str, list[str]]] = []
    for path in paths:
        folder, _, name = path.rpartition("/")
        prefix = f"{folder}/" if folder else ""
        if folders and folders[-1][0] == prefix:
            folders[-1][1].append(name)
        else:
            folders.append((prefix, [name]))
    return folders


def test_by_folder_every_path_a_rule_takes_passes_and_in_listing_order() -> None:
    paths = [f"{folder}/{name}" if folder else name for folder, name in product(FOLDERS, NAMES)] + list(NOISE)
    chosen = candidates_by_folder(by_folder(paths))
    assert [path for path in chosen if taken(path)] == [path for path in paths if taken(path)]
    assert set(chosen) <= set(candidates(paths))


def test_by_folder_planning_equals_classifying_every_path() -> None:
    paths = [f"{folder}/{name}" if folder else name for folder, name in product(FOLDERS, NAMES)] + list(NOISE)
    findings, every = Findings(), Findings()
    filtered = plan_files(paths, {}, findings, chosen=candidates_by_folder(by_folder(paths)))
    unfiltered = Plan()
    for path in paths:
        classify(path, None, unfiltered, every)
    unfiltered.sort()
    assert filtered == unfiltered
    assert findings.found() == every.found()


def test_by_folder_ordinary_folders_pass_nothing_and_the_few_names_that_count_pass() -> None:
    assert candidates_by_folder(by_folder(list(NOISE))) == []
    listing = [
        "README", "ci/Jenkinsfile.release", "ci/run.sh", "docs/guide.md", "docs/CHANGELOG.md", "docs/\u00dfig.md",
        "docs/sub/Security.md", ".github/ISSUE_TEMPLATE/anything", "deploy/app.YAML", "deploy/x.py",
        "site/board.workboo\u212a", "site/conf.py", "infra/CODEOWNERS",
    ]
    assert candidates_by_folder(by_folder(listing)) == [
        "README", "ci/Jenkinsfile.release", "docs/CHANGELOG.md", "docs/\u00dfig.md",
        ".github/ISSUE_TEMPLATE/anything", "deploy/app.YAML", "site/board.workboo\u212a", "site/conf.py",
        "infra/CODEOWNERS",
    ]
    assert candidates_by_folder(iter(by_folder(listing))) == candidates_by_folder(by_folder(listing))
