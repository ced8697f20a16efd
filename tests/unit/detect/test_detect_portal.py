"""Catalog, golden paths, dev containers, docs sites, GitOps, dependency automation, product artifacts."""

from __future__ import annotations

from textwrap import dedent

from collectors.detect.portal import template_ref

CATALOG = dedent(
    """\
    apiVersion: backstage.io/v1alpha1
    kind: Component
    metadata:
      name: api
      annotations:
        backstage.io/techdocs-ref: dir:.
        backstage.io/source-template: template:default/python-service
    spec: {type: service, owner: team-a}
    ---
    apiVersion: backstage.io/v1alpha1
    kind: API
    metadata: {name: api}
    spec: {type: openapi, owner: team-a}
    """
)

TEMPLATE = "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata:\n  name: python-service\n"

# The smallest real files of each kind (files named so but holding less prove nothing:
# test_detect_named.py).
MKDOCS = "site_name: Platform docs\nnav:\n  - Home: index.md\n"
DOCUMENT = "How the platform team plans its work,\nand how to propose a change to it.\n"
DEVCONTAINER = '{"image": "mcr.microsoft.com/devcontainers/python:3"}'
DEPENDABOT = "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n    schedule: {interval: weekly}\n"


def test_catalog_entities_and_template_origin(scan):
    detection = scan({"catalog-info.yaml": CATALOG})
    catalog = detection.signals["portal.catalog"]
    assert catalog["present"] and catalog["entity_kinds"] == ["API", "Component"]
    assert detection.signals["golden_path.origin"]["tools"] == ["backstage"]


def test_backstage_entity_in_any_yaml_file(scan):
    system = "apiVersion: backstage.io/v1alpha1\nkind: System\nmetadata: {name: pay}\nspec: {owner: team-a}\n"
    detection = scan({"catalog/systems.yaml": system})
    assert detection.signals["portal.catalog"]["entity_kinds"] == ["System"]


def test_backstage_software_template_is_a_golden_path(scan):
    detection = scan({"templates/python/template.yaml": TEMPLATE})
    assert detection.signals["golden_path.templates"]["tools"] == ["backstage"]
    assert detection.signals["portal.catalog"]["entity_kinds"] == ["Template"]


def test_backstage_skeleton_files_are_not_this_repositorys_catalog(scan):
    skeleton = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ${{ values.name }}\n"
    detection = scan(
        {"templates/python/template.yaml": TEMPLATE, "templates/python/skeleton/catalog-info.yaml": skeleton}
    )
    assert detection.signals["portal.catalog"]["entity_kinds"] == ["Template"]
    assert detection.signals["portal.catalog"]["paths"] == ["templates/python/template.yaml"]


def test_mkdocs_with_a_techdocs_annotation_is_techdocs(scan):
    with_catalog = scan({"mkdocs.yml": MKDOCS, "catalog-info.yaml": CATALOG}).signals["docs.site"]
    alone = scan({"mkdocs.yml": MKDOCS}).signals["docs.site"]
    assert with_catalog["tools"] == ["mkdocs", "techdocs"]
    assert alone["tools"] == ["mkdocs"]


def test_docs_site_generators(scan):
    detection = scan(
        {
            "website/docusaurus.config.ts": "export default {\n  title: 'Platform',\n  baseUrl: '/',\n};\n",
            "docs/source/conf.py": "project = 'x'\nextensions = []\n",
            "src/conf.py": "project = 'x'\nextensions = []\n",
            "docs/antora.yml": "name: platform\nversion: ~\n",
            "site/hugo.toml": "baseURL = 'https://docs.example/'\ntitle = 'x'\n",
            "site/content/_index.md": "x",
        }
    )
    assert detection.signals["docs.site"]["tools"] == ["antora", "docusaurus", "hugo", "sphinx"]
    assert "src/conf.py" not in detection.signals["docs.site"]["paths"]


def test_legacy_hugo_config_needs_a_hugo_layout_beside_it(scan):
    config = "baseURL = 'https://docs.example/'\n"
    hugo = scan({"config.toml": config, "content/_index.md": "x", "themes/t/theme.toml": "x"}).signals["docs.site"]
    other = scan({"config.toml": config, "src/main.rs": "x"}).signals["docs.site"]
    assert hugo["tools"] == ["hugo"] and not other["present"]


def test_cookiecutter_template_counts_but_its_skeleton_is_ignored(scan):
    detection = scan(
        {
            "cookiecutter.json": '{"project_slug": "x"}',
            "{{cookiecutter.project_slug}}/.github/workflows/ci.yml": "on: push\njobs: {}\n",
            "{{cookiecutter.project_slug}}/catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Component\n",
            "{{cookiecutter.project_slug}}/main.tf": "",
        }
    )
    assert detection.signals["golden_path.templates"]["tools"] == ["cookiecutter"]
    for kind in ("ci.pipelines", "portal.catalog", "iac.usage"):
        assert not detection.signals[kind]["present"], kind
    assert detection.files_read == 1  # cookiecutter.json, for its variables; the skeleton never


def test_copier_template_and_generated_repositories(scan):
    detection = scan(
        {
            "copier.yml": "project_name: {type: str}\n",
            "README.md.jinja": "# {{ project_name }}\n",
            ".copier-answers.yml": "_src_path: gh:acme/t\n",
            ".cruft.json": '{"template": "https://github.com/acme/cookiecutter-svc", "commit": "abc"}',
        }
    )
    assert detection.signals["golden_path.templates"]["tools"] == ["copier"]
    assert detection.signals["golden_path.origin"]["tools"] == ["copier", "cruft"]
    assert detection.files_read == 3  # the answer files, read for their source; copier.yml for its questions
    assert detection.signals["references.origins"]["refs"] == ["copier gh:acme/t", "cruft https://github.com/acme/cookiecutter-svc"]


def test_dev_containers(scan):
    for path in (".devcontainer/devcontainer.json", ".devcontainer.json", ".devcontainer/python/devcontainer.json"):
        assert scan({path: DEVCONTAINER}).signals["devenv.devcontainer"]["paths"] == [path]
    for path in ("src/devcontainer.json", ".devcontainer/a/b/devcontainer.json", "sub/.devcontainer.json"):
        assert not scan({path: DEVCONTAINER}).signals["devenv.devcontainer"]["present"], path


def test_gitops_argocd_and_flux(scan):
    detection = scan(
        {
            "argo/app.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\n",
            "argo/rollout.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\n",
            "clusters/prod/flux.yaml": "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n",
        }
    )
    gitops = detection.signals["gitops.controllers"]
    assert gitops["tools"] == ["argocd", "flux"]
    assert gitops["paths"] == ["argo/app.yaml", "clusters/prod/flux.yaml"]


def test_kustomize_kustomization_is_not_flux(scan):
    text = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n"
    detection = scan({"base/kustomization.yaml": text})
    assert not detection.signals["gitops.controllers"]["present"]
    assert detection.signals["iac.usage"]["tools"] == ["kustomize"]


def test_dependency_automation(scan):
    preset = '{"extends": ["config:recommended"]}'
    dependabot = scan({".github/dependabot.yml": DEPENDABOT}).signals["deps.automation"]
    renovate = scan({".github/renovate.json": preset, "renovate.json5": "{\n  extends: ['config:recommended'],\n}\n"}).signals["deps.automation"]
    nowhere = scan({"src/renovate.json": preset, "dependabot.yml": DEPENDABOT}).signals["deps.automation"]
    assert dependabot["tools"] == ["dependabot"]
    assert renovate["tools"] == ["renovate"] and len(renovate["paths"]) == 2
    assert not nowhere["present"]


def test_product_artifacts_by_name_and_place(scan):
    detection = scan(
        {
            "ROADMAP.md": DOCUMENT,
            "docs/CHANGELOG.rst": DOCUMENT,
            ".github/CONTRIBUTING.md": DOCUMENT,
            "SECURITY.md": DOCUMENT,
            "src/history.py": DOCUMENT,
            "lib/CHANGELOG.md": DOCUMENT,
        }
    )
    product = detection.signals["product.artifacts"]
    assert product["roadmap"] and product["changelog"] and product["contributing"] and product["security_policy"]
    assert not product["issue_templates"]
    assert product["paths"] == [".github/CONTRIBUTING.md", "ROADMAP.md", "SECURITY.md", "docs/CHANGELOG.rst"]


def test_feature_request_template_by_name(scan):
    detection = scan({".github/ISSUE_TEMPLATE/feature_request.md": DOCUMENT, ".github/ISSUE_TEMPLATE/bug.md": DOCUMENT})
    product = detection.signals["product.artifacts"]
    assert product["issue_templates"] and product["feature_request_template"]


def test_feature_request_template_by_content(scan):
    form = "name: Idea\ndescription: Suggest something\nlabels: [enhancement]\nbody:\n  - type: textarea\n    attributes: {label: What}\n"
    detection = scan(
        {".github/ISSUE_TEMPLATE/idea.yml": form, ".github/ISSUE_TEMPLATE/config.yml": "blank_issues_enabled: false\n"}
    )
    assert detection.signals["product.artifacts"]["feature_request_template"]
    assert detection.signals["product.artifacts"]["paths"] == [".github/ISSUE_TEMPLATE/idea.yml"]


def test_bug_template_is_not_a_feature_request(scan):
    bug = "---\nname: Bug report\nlabels: bug\n---\nWhich feature is broken?\n"
    product = scan({".gitlab/issue_templates/Bug.md": bug}).signals["product.artifacts"]
    assert product["issue_templates"] and not product["feature_request_template"]


def test_product_artifacts_without_extension_and_the_legacy_issue_template(scan):
    product = scan({"ROADMAP": DOCUMENT, "docs/ISSUE_TEMPLATE.md": DOCUMENT, "docs/guide.md": DOCUMENT}).signals["product.artifacts"]
    assert product["roadmap"] and product["issue_templates"]
    assert product["paths"] == ["ROADMAP", "docs/ISSUE_TEMPLATE.md"]


# --- valid Backstage descriptors ------------------------------------------------------------


def test_a_catalog_file_without_an_entity_is_no_catalog_entry(scan):
    detection = scan({"catalog-info.yaml": "x: 1\n"})
    assert not detection.signals["portal.catalog"]["present"]


def test_an_entity_needs_a_backstage_api_version_a_name_and_for_owned_kinds_an_owner(scan):
    invalid = {
        "a/catalog-info.yaml": "apiVersion: example.com/v1\nkind: Component\nmetadata: {name: a}\nspec: {owner: t}\n",
        "b/catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Component\nspec: {owner: t}\n",
        "c/catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: c}\n",
        "d/catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Resource\nmetadata: {name: d}\nspec: {type: db}\n",
        "e/catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nmetadata: {name: e}\n",
    }
    for path, content in invalid.items():
        assert not scan({path: content}).signals["portal.catalog"]["present"], path


def test_kinds_without_a_required_owner_need_only_a_name(scan):
    group = "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: platform}\nspec: {type: team, children: []}\n"
    location = "apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata: {name: all}\nspec: {targets: [./a.yaml]}\n"
    assert scan({"org.yaml": group + "---\n" + location}).signals["portal.catalog"]["entity_kinds"] == ["Group", "Location"]


def test_only_the_valid_documents_of_a_file_count(scan):
    content = CATALOG + "---\napiVersion: backstage.io/v1alpha1\nkind: System\nmetadata: {name: s}\n"
    assert scan({"catalog-info.yaml": content}).signals["portal.catalog"]["entity_kinds"] == ["API", "Component"]


def test_a_template_needs_a_name_to_be_a_golden_path(scan):
    nameless = "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nspec: {steps: []}\n"
    assert not scan({"templates/t/template.yaml": nameless}).signals["golden_path.templates"]["present"]


def test_malformed_catalog_yaml_is_a_problem_not_an_entry(scan):
    detection = scan({"catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: [\n"})
    assert not detection.signals["portal.catalog"]["present"]
    assert detection.problems[0].startswith("catalog-info.yaml: malformed YAML")


# --- where a repository came from, and who owns a template ----------------------------------


def test_template_origins_record_their_sources_without_credentials(scan):
    origin = scan(
        {
            ".copier-answers.yml": "_commit: v1\n_src_path: https://user:secret@git.acme.test/platform/svc-template\n",
            ".cruft.json": '{"template": "gh:acme/cookiecutter-svc"}',
            "catalog-info.yaml": CATALOG,
        }
    ).signals["golden_path.origin"]
    assert origin["tools"] == ["backstage", "copier", "cruft"]
    assert origin["sources"] == [
        "gh:acme/cookiecutter-svc",
        "https://git.acme.test/platform/svc-template",
        "template:default/python-service",
    ]


def test_answer_files_without_a_source_or_binary_prove_no_origin(scan):
    detection = scan({".copier-answers.yml": "project: x\n", ".cruft.json": b"\x00\x01"})
    assert not detection.signals["golden_path.origin"]["present"]


def test_backstage_templates_record_their_names_and_owners(scan):
    owned = TEMPLATE + "spec:\n  owner: group:platform\n  type: service\n"
    templates = scan({"templates/svc/template.yaml": owned}).signals["golden_path.templates"]
    assert templates["names"] == ["python-service"] and templates["owners"] == ["group:platform"]


def test_a_template_and_a_creation_are_told_by_their_entity_refs(scan):
    namespaced = "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata: {name: Verdict, namespace: Team-A}\n"
    detection = scan({"templates/python/template.yaml": TEMPLATE, "templates/verdict/template.yaml": namespaced,
                      "catalog-info.yaml": CATALOG})
    origins = detection.signals["references.origins"]
    # Backstage compares entity refs without case, and a ref without namespace is in `default`
    assert origins["backstage_templates"] == ["template:default/python-service", "template:team-a/verdict"]
    assert origins["refs"] == ["backstage_template template:default/python-service"]


def test_template_refs_are_read_as_backstage_writes_them():
    assert template_ref("template:default/verdict") == "template:default/verdict"
    assert template_ref("Template:Verdict") == "template:default/verdict"
    assert template_ref("verdict") == "template:default/verdict"
    assert template_ref("component:default/verdict") is None  # not a template
    assert template_ref("template:default/") is None
