"""Nested CI includes against the fake GitLab: other projects' files fetched once per scan,
their own includes followed and scanned as pipelines, hostile chains bounded."""

from __future__ import annotations

from collectors.gitlab import includes
from collectors.gitlab.instance import component_prefixes
from scanner.contract import Limits
from scanner.model import EvidenceStatus
from tests.contract.gitlab.scanning import run_gitlab
from tests.fakes.gitlab.model import Group, Project
from tests.fakes.gitlab.samples import sample_instance
from tests.fakes.gitlab.server import FakeGitLab

SVC_A, SVC_B = "gitlab:acme/apps/svc-a", "gitlab:acme/apps/svc-b"
BUILD = "templates/build.yml"

# The central template: runs nothing itself, includes a scan job of its own project, one of
# another project, GitLab's SAST template and a remote file (neither ever fetched).
CENTRAL = b"""include:
  - local: /templates/scan.yml
  - project: acme/platform/policies
    file: /ci/conftest.yml
  - template: Jobs/SAST.gitlab-ci.yml
  - remote: https://ci.example.org/shared/lint.yml
build:
  script: [make build]
"""
SCAN = b"""checkov:
  stage: test
  script: [checkov -d .]
"""
CONFTEST = b"""policy:
  stage: test
  script: [conftest test deploy/]
"""


def _central(fake: FakeGitLab) -> None:
    instance = fake.instance
    templates = instance.project("acme/platform/ci-templates")
    platform = instance.group("acme/platform")
    svc_b = instance.project("acme/apps/svc-b")
    assert templates is not None and platform is not None and svc_b is not None
    templates.files[BUILD] = CENTRAL
    templates.files["templates/scan.yml"] = SCAN
    instance.projects.append(Project(106, platform, "policies", files={"ci/conftest.yml": CONFTEST}))
    svc_b.files[".gitlab-ci.yml"] = b"include:\n  - project: acme/platform/ci-templates\n    ref: v1\n    file: /templates/build.yml\n"


def test_included_files_and_what_they_include_are_scanned_as_the_projects_pipeline(fake_gitlab: FakeGitLab) -> None:
    _central(fake_gitlab)
    scan = run_gitlab(fake_gitlab)
    for project in (SVC_A, SVC_B):
        assert {"checkov", "conftest"} <= set(scan.data(project, "policy.ci_scanners")["live_tools"])
        origins = scan.data(project, "references.origins")
        assert "gitlab_include template:Jobs/SAST.gitlab-ci.yml" in origins["external"]
        assert "gitlab_include https://ci.example.org/shared/lint.yml" in origins["external"]
        assert "gitlab_include acme/platform/policies/ci/conftest.yml" in origins["internal"]
    assert "acme/platform/ci-templates/templates/scan.yml@v1" in scan.data(SVC_B, "policy.ci_scanners")["paths"]
    # each included file once per scan, whoever includes it; templates and remote files never
    paths = fake_gitlab.paths()
    assert paths["/projects/acme%2Fplatform%2Fci-templates/repository/files/templates%2Fbuild.yml/raw"] == 1
    assert paths["/projects/acme%2Fplatform%2Fci-templates/repository/files/templates%2Fscan.yml/raw"] == 1
    assert paths["/projects/acme%2Fplatform%2Fpolicies/repository/files/ci%2Fconftest.yml/raw"] == 1
    assert not any("SAST" in path or "lint.yml" in path for path in paths)
    # a spec: template offers CI in its own project, not in those that include it
    assert scan.data(SVC_B, "ci.reusable_provided")["present"] is False


def test_an_include_that_cannot_be_read_leaves_the_pipeline_kinds_unknown(fake_gitlab: FakeGitLab) -> None:
    _central(fake_gitlab)
    fake_gitlab.fail(r"/repository/files/ci%2Fconftest.yml/raw$", 404, message="404 File Not Found", times=10)
    scan = run_gitlab(fake_gitlab)
    record = scan.of(SVC_B, "policy.ci_scanners")
    assert record.status is EvidenceStatus.UNAVAILABLE and "acme/platform/policies/ci/conftest.yml" in (record.reason or "")
    assert any("included acme/platform/policies/ci/conftest.yml" in message for message in scan.messages(SVC_B))


def test_include_loops_end_and_each_file_is_fetched_once(fake_gitlab: FakeGitLab) -> None:
    templates = fake_gitlab.instance.project("acme/platform/ci-templates")
    assert templates is not None
    templates.files[BUILD] = b"include:\n  - local: /templates/again.yml\nbuild:\n  script: [make]\n"
    templates.files["templates/again.yml"] = (
        b"include:\n  - project: acme/platform/ci-templates\n    ref: v1\n    file: /templates/build.yml\n"
        b"again:\n  script: [trivy fs .]\n"
    )
    scan = run_gitlab(fake_gitlab)
    assert "trivy" in scan.data(SVC_A, "policy.ci_scanners")["tools"]
    assert fake_gitlab.count(r"ci-templates/repository/files/templates%2F(build|again).yml/raw$") == 2


def test_a_thousand_includes_and_a_huge_file_are_bounded(fake_gitlab: FakeGitLab) -> None:
    templates = fake_gitlab.instance.project("acme/platform/ci-templates")
    assert templates is not None
    many = "".join(f"  - local: /gen/{index}.yml\n" for index in range(1000))
    templates.files[BUILD] = f"include:\n{many}".encode()
    for index in range(1000):
        templates.files[f"gen/{index}.yml"] = b"x" * (2 << 20) if index == 0 else f"job{index}:\n  script: [make]\n".encode()
    scan = run_gitlab(fake_gitlab, limits=Limits(max_file_bytes=1 << 20))
    fetched = fake_gitlab.count(r"ci-templates/repository/files/gen%2F\d+\.yml/raw$")
    assert fetched == includes.MAX_FILES - 1  # the template itself is the first of them
    messages = scan.messages(SVC_A)
    assert any(f"more than {includes.MAX_FILES} included files" in message for message in messages)
    assert any("gen/0.yml" in message and "larger than" in message for message in messages)
    # the huge file is a pipeline file not read: what the pipeline runs is unknown, not "nothing"
    assert scan.of(SVC_A, "policy.ci_scanners").status is EvidenceStatus.UNAVAILABLE


def test_a_project_outside_the_scan_is_found_by_trying_where_its_path_ends(fake_gitlab: FakeGitLab) -> None:
    shared = Group(20, "shared")
    ci = Group(21, "shared/ci", parent_id=20)
    fake_gitlab.instance.groups += [shared, ci]
    fake_gitlab.instance.projects.append(Project(200, ci, "lib", files={"jobs/lint.yml": b"lint:\n  script: [semgrep scan]\n"}))
    svc_b = fake_gitlab.instance.project("acme/apps/svc-b")
    assert svc_b is not None
    svc_b.files[".gitlab-ci.yml"] = b"include:\n  - project: shared/ci/lib\n    file: /jobs/lint.yml\n"
    scan = run_gitlab(fake_gitlab)
    assert "semgrep" in scan.data(SVC_B, "policy.ci_scanners")["tools"]
    # shared/ci (file lib/jobs/lint.yml) answers 404, then shared/ci/lib is the project
    assert fake_gitlab.count(r"^/projects/shared%2Fci(%2Flib)?/repository/files/") == 2


# A component project: one component in a single file, one in a folder of its own (GitLab's two layouts).
DEPLOY_COMPONENT = b"""spec:
  inputs:
    environment:
      default: production
---
deploy:
  stage: deploy
  environment: $[[ inputs.environment ]]
  script: [helm upgrade --install app ./chart]
"""
SCAN_COMPONENT = b"""spec:
  inputs: {}
---
include:
  - local: /templates/scan/rules.yml
scan:
  stage: test
  script: [trivy fs .]
"""


def _components(fake: FakeGitLab, ci: bytes) -> None:
    platform = fake.instance.group("acme/platform")
    svc_b = fake.instance.project("acme/apps/svc-b")
    assert platform is not None and svc_b is not None
    fake.instance.projects.append(Project(
        107, platform, "components", tags=["1.2", "1.3"], releases=["1.2", "1.3"],
        files={"templates/deploy.yml": DEPLOY_COMPONENT, "templates/scan/template.yml": SCAN_COMPONENT,
               "templates/scan/rules.yml": b"semgrep:\n  script: [semgrep scan]\n"},
    ))
    svc_b.files[".gitlab-ci.yml"] = ci


def test_components_of_this_instance_are_fetched_and_scanned_as_the_projects_pipeline(fake_gitlab: FakeGitLab) -> None:
    host = fake_gitlab.url.split("://", 1)[1]
    _components(fake_gitlab, (
        "include:\n"
        "  - component: $CI_SERVER_FQDN/acme/platform/components/deploy@1.2\n"
        f"  - component: {host}/acme/platform/components/scan@~latest\n"
        "  - component: gitlab.com/components/sast/sast@2.0\n"
    ).encode())
    scan = run_gitlab(fake_gitlab)
    scanners = scan.data(SVC_B, "policy.ci_scanners")
    # the folder component's own local include was followed in its project, at its version
    assert {"trivy", "semgrep"} <= set(scanners["live_tools"])
    assert "acme/platform/components/templates/scan/template.yml@1.3" in scanners["paths"]
    assert "acme/platform/components/templates/scan/rules.yml@1.3" in scanners["paths"]
    assert scan.data(SVC_B, "ci.pipelines")["deploys"] is True  # the deploy component's job
    origins = scan.data(SVC_B, "references.origins")
    assert "gitlab_include $CI_SERVER_FQDN/acme/platform/components/deploy@1.2" in origins["internal"]
    assert "gitlab_include gitlab.com/components/sast/sast@2.0" in origins["external"]
    paths = fake_gitlab.paths()
    project = "/projects/acme%2Fplatform%2Fcomponents"
    assert paths[f"{project}/repository/files/templates%2Fdeploy.yml/raw"] == 1
    # the single-file layout first, then the folder's template.yml; ~latest is the latest release
    assert paths[f"{project}/repository/files/templates%2Fscan.yml/raw"] == 1
    assert paths[f"{project}/repository/files/templates%2Fscan%2Ftemplate.yml/raw"] == 1
    assert paths[f"{project}/releases/permalink/latest"] == 1
    assert [r.query.get("ref") for r in fake_gitlab.requests if r.path.endswith("deploy.yml/raw")] == ["1.2"]
    # another host's component is never fetched
    assert not any("sast" in path for path in paths)


def test_components_of_an_instance_served_under_a_path_are_resolved_against_its_host_and_path() -> None:
    fake = FakeGitLab(sample_instance, prefix="/gitlab").start()  # https://example.com/gitlab, as it were
    try:
        fqdn = fake.url.split("://", 1)[1]  # 127.0.0.1:PORT/gitlab: GitLab's server_fqdn
        host = fqdn.removesuffix("/gitlab")
        _components(fake, (
            "include:\n"
            f"  - component: {fqdn}/acme/platform/components/deploy@1.2\n"
            f"  - component: {fqdn}/acme/platform/components/scan@1.3\n"
            f"  - component: {host}/acme/platform/elsewhere/other@1.2\n"  # not under the path: not this instance's
        ).encode())
        scan = run_gitlab(fake)
        assert scan.data(SVC_B, "ci.pipelines")["deploys"] is True  # the deploy component's job
        scanners = scan.data(SVC_B, "policy.ci_scanners")
        assert {"trivy", "semgrep"} <= set(scanners["live_tools"])
        assert "acme/platform/components/templates/deploy.yml@1.2" in scan.data(SVC_B, "ci.pipelines")["paths"]
        paths = fake.paths()
        project = "/projects/acme%2Fplatform%2Fcomponents"
        assert paths[f"{project}/repository/files/templates%2Fdeploy.yml/raw"] == 1
        assert paths[f"{project}/repository/files/templates%2Fscan%2Ftemplate.yml/raw"] == 1
        assert not any("other" in path for path in paths)
        # and the project they come from knows who uses them
        consumers = scan.data("gitlab:acme/platform/components", "ci.reusable_consumers")
        assert consumers["repositories"] == ["acme/apps/svc-b"]
    finally:
        fake.stop()


def test_the_instance_address_a_component_starts_with_is_gitlabs_server_fqdn() -> None:
    assert component_prefixes("https://example.com/gitlab") == ("$ci_server_fqdn/", "example.com/gitlab/")
    assert component_prefixes("https://GitLab.example.com:8443/") == ("$ci_server_fqdn/", "gitlab.example.com:8443/")
    assert component_prefixes("https://gitlab.example.com:443") == (
        "$ci_server_fqdn/", "gitlab.example.com/", "$ci_server_host/"  # $CI_SERVER_HOST: the host, without port or path
    )


def test_a_component_that_cannot_be_read_leaves_the_pipeline_kinds_unknown(fake_gitlab: FakeGitLab) -> None:
    _components(fake_gitlab, b"include:\n  - component: $CI_SERVER_FQDN/acme/platform/components/missing@1.2\n")
    scan = run_gitlab(fake_gitlab)
    record = scan.of(SVC_B, "policy.ci_scanners")
    assert record.status is EvidenceStatus.UNAVAILABLE
    assert "acme/platform/components/templates/missing/template.yml@1.2" in (record.reason or "")
    # both layouts tried, once each
    assert fake_gitlab.count(r"components/repository/files/templates%2Fmissing") == 2
