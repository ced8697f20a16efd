"""Files whose name says what they are count only once their content agrees (issue 13: files
never read still counted by name). Per signal: a one-line stub under the name proves nothing,
the smallest real file does."""

from __future__ import annotations

import json

import pytest

from collectors.detect.iac import MAX_MODULE_SOURCE_READS

DOCUMENT = "How the platform team plans its work,\nand how to propose a change to it.\n"

# (files, stub content of the first file, kind, field, value when counted). The other files
# are what a real one has beside it (a docs folder, a template skeleton).
CASES = {
    "terraform": ({"infra/main.tf": 'resource "azurerm_resource_group" "rg" {\n  name = "rg"\n}\n'}, "# TODO\n", "iac.usage", "tools", ["terraform"]),
    "terraform_variables": ({"infra/variables.tf": 'variable "region" {\n  type = string\n}\n'}, "terraform {}\n", "iac.usage", "tools", ["terraform"]),
    "terragrunt": ({"live/terragrunt.hcl": 'terraform {\n  source = "../modules/app"\n}\n'}, "x\n", "iac.usage", "tools", ["terraform"]),
    "terraform_json": ({"infra/main.tf.json": json.dumps({"resource": {"null_resource": {"x": {}}}})}, "{}", "iac.usage", "tools", ["terraform"]),
    "bicep": ({"infra/main.bicep": "resource sa 'Microsoft.Storage/storageAccounts@2023-01-01' = {\n  name: 'sa'\n}\n"}, "param location string\n", "iac.usage", "tools", ["bicep"]),
    "bicepparam": ({"infra/main.bicepparam": "using './main.bicep'\nparam location = 'westeurope'\n"}, "// TODO\n", "iac.usage", "tools", ["bicep"]),
    "pulumi": ({"Pulumi.yaml": "name: infra\nruntime: python\n"}, "name: infra\n", "iac.usage", "tools", ["pulumi"]),
    "ansible_cfg": ({"ansible.cfg": "[defaults]\ninventory = hosts.ini\n"}, "TODO\n", "iac.usage", "tools", ["ansible"]),
    "ansible_tasks": ({"roles/web/tasks/main.yml": "- name: install nginx\n  ansible.builtin.package: {name: nginx}\n"}, "- name: x\n", "iac.usage", "tools", ["ansible"]),
    "ansible_defaults": ({"roles/web/defaults/main.yml": "http_port: 80\n"}, "---\n", "iac.usage", "tools", ["ansible"]),
    "rego": ({"policy/deny.rego": 'package main\n\ndeny contains msg if {\n  not input.owner\n  msg := "owner"\n}\n'}, "package stub\n", "policy.as_code", "tools", ["rego"]),
    "workbook": ({"monitor/app.workbook": json.dumps({"version": "Notebook/1.0", "items": [{"type": 1}]})}, "{}", "observability.dashboards", "tools", ["azure_workbook"]),
    "devcontainer": ({".devcontainer/devcontainer.json": '{\n  // the team image\n  "image": "mcr.microsoft.com/devcontainers/python:3"\n}\n'}, "{}", "devenv.devcontainer", "present", True),
    "sphinx": ({"docs/conf.py": "project = 'platform'\nextensions = ['myst_parser']\n"}, "project = 'x'\n", "docs.site", "tools", ["sphinx"]),
    "mkdocs": ({"mkdocs.yml": "site_name: Platform\n", "docs/index.md": "# Platform\n"}, "nav: []\n", "docs.site", "tools", ["mkdocs"]),
    "docusaurus": ({"website/docusaurus.config.js": "module.exports = {\n  title: 'Platform',\n  baseUrl: '/',\n};\n"}, "module.exports = {}\n", "docs.site", "tools", ["docusaurus"]),
    "antora": ({"docs/antora.yml": "name: platform\nversion: ~\n"}, "name: x\n", "docs.site", "tools", ["antora"]),
    "hugo": ({"hugo.toml": "baseURL = 'https://docs.example/'\n", "content/_index.md": "# Docs\n"}, "x\n", "docs.site", "tools", ["hugo"]),
    "dependabot": ({".github/dependabot.yml": "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n"}, "version: 2\n", "deps.automation", "tools", ["dependabot"]),
    "renovate": ({"renovate.json": '{"$schema": "https://docs.renovatebot.com/renovate-schema.json", "extends": ["config:recommended"]}'}, "{}", "deps.automation", "tools", ["renovate"]),
    "renovate_json5": ({".renovaterc.json5": "{\n  // presets\n  extends: ['config:recommended'],\n}\n"}, "{}\n", "deps.automation", "tools", ["renovate"]),
    "cookiecutter": ({"cookiecutter.json": '{"project_slug": "svc"}', "{{cookiecutter.project_slug}}/README.md": "x"}, "{}", "golden_path.templates", "tools", ["cookiecutter"]),
    "copier": ({"copier.yml": "project_name: {type: str}\n", "README.md.jinja": "# {{ project_name }}\n"}, "_min_copier_version: '9'\n", "golden_path.templates", "tools", ["copier"]),
    "roadmap": ({"ROADMAP.md": DOCUMENT}, "TODO\n", "product.artifacts", "roadmap", True),
    "changelog": ({"CHANGELOG.md": DOCUMENT}, "TODO\n", "product.artifacts", "changelog", True),
    "contributing": ({"CONTRIBUTING.md": DOCUMENT}, "TODO\n", "product.artifacts", "contributing", True),
    "security_policy": ({"SECURITY.md": DOCUMENT}, "TODO\n", "product.artifacts", "security_policy", True),
    "issue_form": ({".github/ISSUE_TEMPLATE/bug.yml": "name: Bug\ndescription: x\nbody:\n  - type: textarea\n    attributes: {label: What}\n"}, "name: x\n", "product.artifacts", "issue_templates", True),
    "feature_request": ({".github/ISSUE_TEMPLATE/feature_request.md": DOCUMENT}, "x\n", "product.artifacts", "feature_request_template", True),
    "codeowners": ({"CODEOWNERS": "* @acme/platform\n"}, "# owners to come\n", "ownership.codeowners", "present", True),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_real_file_counts(scan, case: str) -> None:
    files, _stub, kind, field, value = CASES[case]
    assert scan(files).signals[kind][field] == value


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_stub_under_the_name_proves_nothing(scan, case: str) -> None:
    files, stub, kind, field, value = CASES[case]
    first = next(iter(files))
    detection = scan({**files, first: stub})
    assert detection.signals[kind][field] != value
    assert first not in detection.signals[kind]["paths"]


def test_the_stub_organizations_one_line_files_count_for_nothing(scan) -> None:
    detection = scan(
        {
            "SECURITY.md": "TODO",
            "ROADMAP.md": "TODO",
            "CHANGELOG.md": "TODO",
            "CONTRIBUTING.md": "TODO",
            ".github/ISSUE_TEMPLATE/feature_request.yml": "name: x",
            "policy.rego": "package stub",
            ".devcontainer/devcontainer.json": "{}",
            "mkdocs.yml": "site_name: x",
        }
    )
    product = detection.signals["product.artifacts"]
    assert not any(product[flag] for flag in ("roadmap", "changelog", "contributing", "security_policy", "issue_templates"))
    for kind in ("policy.as_code", "devenv.devcontainer", "docs.site"):
        assert not detection.signals[kind]["present"], kind


def test_mkdocs_without_pages_beside_it_is_no_site(scan) -> None:
    elsewhere = scan({"site/mkdocs.yml": "site_name: Platform\n", "docs/index.md": "# x\n"}).signals["docs.site"]
    own_docs_dir = scan({"mkdocs.yml": "site_name: P\ndocs_dir: pages\n", "pages/index.md": "# x\n"}).signals["docs.site"]
    assert not elsewhere["present"] and own_docs_dir["tools"] == ["mkdocs"]


def test_terraform_files_past_the_read_cap_are_clues_not_counted(scan) -> None:
    real = 'resource "null_resource" "x" {}\n'
    contents: dict[str, str | bytes] = {f"stacks/s{n:03}/main.tf": real for n in range(MAX_MODULE_SOURCE_READS + 3)}
    iac = scan(contents).signals["iac.usage"]
    assert iac["path_count"] == MAX_MODULE_SOURCE_READS
    assert len(iac["unread"]) == 3 and not set(iac["unread"]) & set(iac["paths"])
