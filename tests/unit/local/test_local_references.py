"""The local collector tells internal references from external ones by each checkout's own
remote (or the configured patterns), and computes what each repository takes from the others
(issue 13, points 2 and 4)."""

from __future__ import annotations

from pathlib import Path

from collectors.local.git import remote_urls

ARGO = """apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: orders}
spec:
  source:
    repoURL: https://github.com/acme/orders.git
    path: deploy
"""
WORKFLOW = """on: push
jobs:
  build:
    runs-on: x
    steps:
      - uses: actions/checkout@v4
  shared:
    uses: acme/ci/.github/workflows/build.yml@v1
"""


def checkout(root: Path, remote: str | None, files: dict[str, str]) -> Path:
    """A checkout's files and, for a git checkout, the config file naming its remote (no git run)."""
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    if remote is not None:
        (root / ".git").mkdir(parents=True)
        (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
        (root / ".git" / "config").write_text(f'[remote "origin"]\n\turl = {remote}\n\tfetch = +refs/heads/*\n', encoding="utf-8")
    return root


def organization(tmp_path: Path, remote_of: dict[str, str | None]) -> None:
    checkout(tmp_path / "gitops", remote_of["gitops"], {"apps/orders.yaml": ARGO})
    checkout(tmp_path / "orders", remote_of["orders"], {".github/workflows/ci.yml": WORKFLOW, "infra/main.tf": 'resource "a" "b" {}\n'})
    checkout(tmp_path / "ci", remote_of["ci"], {".github/workflows/build.yml": "on: workflow_call\njobs: {}\n"})


def test_remote_urls_come_from_the_config_file(tmp_path: Path) -> None:
    root = checkout(tmp_path / "r", "git@github.com:acme/r.git", {})
    assert remote_urls(str(root), str(root / ".git")) == ["git@github.com:acme/r.git"]
    assert remote_urls(str(tmp_path), str(tmp_path / "missing")) == []


def test_a_git_directory_outside_the_checkout_says_nothing(tmp_path: Path) -> None:
    elsewhere = checkout(tmp_path / "elsewhere", "git@github.com:other/x.git", {})
    assert remote_urls(str(tmp_path / "victim"), str(elsewhere / ".git")) == []


def test_references_are_internal_by_the_checkouts_own_organization(tmp_path: Path, scan_local) -> None:
    organization(tmp_path, {"gitops": "git@github.com:acme/gitops.git", "orders": "https://github.com/acme/orders", "ci": "git@github.com:acme/ci.git"})
    scan = scan_local(tmp_path, git=None)
    origins = scan.data("local:orders", "references.origins")
    assert origins["internal"] == ["github_workflow acme/ci/.github/workflows/build.yml@v1"]
    assert origins["external"] == ["github_action actions/checkout@v4"]
    assert scan.data("local:orders", "repo.cross_references") == {"applied_by": ["gitops"], "consumed_by": [], "created_from_here": []}
    assert scan.data("local:ci", "repo.cross_references") == {"applied_by": [], "consumed_by": ["orders"], "created_from_here": []}


def test_another_organizations_repository_of_the_same_name_is_external(tmp_path: Path, scan_local) -> None:
    organization(tmp_path, {"gitops": "git@github.com:globex/gitops.git", "orders": "git@github.com:acme/orders.git", "ci": "git@github.com:acme/ci.git"})
    scan = scan_local(tmp_path, git=None)
    assert scan.data("local:gitops", "references.origins")["external"] == ["argocd https://github.com/acme/orders.git"]
    assert scan.data("local:orders", "repo.cross_references")["applied_by"] == []


def test_plain_folders_reference_each_other_by_name(tmp_path: Path, scan_local) -> None:
    organization(tmp_path, {"gitops": None, "orders": None, "ci": None})
    scan = scan_local(tmp_path)
    assert scan.data("local:orders", "repo.cross_references") == {"applied_by": ["gitops"], "consumed_by": [], "created_from_here": []}
    assert scan.data("local:orders", "references.origins")["external"] == ["github_action actions/checkout@v4"]


def test_configured_internal_sources(tmp_path: Path, scan_local) -> None:
    organization(tmp_path, {"gitops": None, "orders": None, "ci": None})
    checkout(tmp_path / "app", None, {".github/workflows/ci.yml": "on: push\njobs:\n  b:\n    runs-on: x\n    steps:\n      - uses: acme/setup@v1\n"})
    assert scan_local(tmp_path).data("local:app", "references.origins")["internal"] == []
    configured = scan_local(tmp_path, internal_sources=("acme",))
    assert configured.data("local:app", "references.origins")["internal"] == ["github_action acme/setup@v1"]



# Backstage writes `backstage.io/source-template` on what one of its templates created (issue 13 point 9).
BACKSTAGE_TEMPLATE = """apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata: {name: verdict, title: A verdict service}
spec: {owner: platform-team, type: service, steps: []}
"""


def created_service(template: str) -> str:
    return f"""apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: orders
  annotations: {{backstage.io/source-template: "{template}"}}
spec: {{type: service, owner: team-orders, lifecycle: production}}
"""


def test_a_backstage_source_template_marks_the_template_as_used(tmp_path: Path, scan_local) -> None:
    checkout(tmp_path / "golden-paths", None, {"templates/verdict/template.yaml": BACKSTAGE_TEMPLATE})
    checkout(tmp_path / "orders", None, {"catalog-info.yaml": created_service("template:default/verdict")})
    scan = scan_local(tmp_path)
    used = {"applied_by": [], "consumed_by": ["orders"], "created_from_here": ["orders"]}
    assert scan.data("local:golden-paths", "repo.cross_references") == used
    assert scan.data("local:orders", "references.origins")["internal"] == ["backstage_template template:default/verdict"]


def test_a_source_template_naming_another_template_marks_nothing(tmp_path: Path, scan_local) -> None:
    checkout(tmp_path / "golden-paths", None, {"templates/verdict/template.yaml": BACKSTAGE_TEMPLATE})
    checkout(tmp_path / "orders", None, {"catalog-info.yaml": created_service("template:default/python-service")})
    checkout(tmp_path / "billing", None, {"catalog-info.yaml": created_service("template:team-a/verdict")})
    scan = scan_local(tmp_path)
    assert scan.data("local:golden-paths", "repo.cross_references")["created_from_here"] == []


def test_stubs_and_fixtures_mark_no_template_as_used(tmp_path: Path, scan_local) -> None:
    # A template defined only in a test fixture is no golden path; an annotation on something that
    # is no valid entity (no apiVersion, no owner), or in a test fixture, was not written by Backstage.
    checkout(tmp_path / "golden-paths", None, {"tests/fixtures/template.yaml": BACKSTAGE_TEMPLATE})
    checkout(tmp_path / "platform", None, {"templates/verdict/template.yaml": BACKSTAGE_TEMPLATE})
    stub = "kind: Component\nmetadata:\n  name: orders\n  annotations: {backstage.io/source-template: template:default/verdict}\n"
    checkout(tmp_path / "orders", None, {"catalog-info.yaml": stub})
    checkout(tmp_path / "billing", None, {"tests/fixtures/catalog-info.yaml": created_service("template:default/verdict")})
    scan = scan_local(tmp_path)
    assert scan.data("local:golden-paths", "repo.cross_references")["created_from_here"] == []
    assert scan.data("local:platform", "repo.cross_references")["created_from_here"] == []
