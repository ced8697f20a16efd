"""A GitLab project's CI includes and other references told internal or external, as the
adoption rules read GitHub's reusable workflows."""

from __future__ import annotations

from typing import Any

from collectors.gitlab import consumers, mapping, origins
from scanner.model import EvidenceStatus
from tests.contract.gitlab.scanning import run_gitlab
from tests.fakes.gitlab.server import FakeGitLab

CI = b"""include:
  - local: /ci/lint.yml
  - project: acme/platform/ci-templates
    ref: v1
    file: [/templates/build.yml, /templates/test.yml]
  - component: $CI_SERVER_FQDN/acme/platform/components/deploy@1.2
  - component: gitlab.com/components/sast/sast@2.0
  - remote: https://ci.example.org/shared/lint.yml
  - template: Jobs/Build.gitlab-ci.yml
build:
  script: [make]
"""


def test_includes_of_the_instance_and_group_are_internal_and_the_rest_external(fake_gitlab: FakeGitLab) -> None:
    svc_a = fake_gitlab.instance.project("acme/apps/svc-a")
    assert svc_a is not None
    svc_a.files[".gitlab-ci.yml"] = CI
    svc_a.files["ci/lint.yml"] = b"lint:\n  script: [make lint]\n"
    data = run_gitlab(fake_gitlab).data("gitlab:acme/apps/svc-a", "references.origins")
    assert sorted(data["internal"]) == sorted([
        "gitlab_include acme/platform/ci-templates/templates/build.yml@v1",
        "gitlab_include acme/platform/ci-templates/templates/test.yml@v1",
        "gitlab_include $CI_SERVER_FQDN/acme/platform/components/deploy@1.2",
        "terraform git::https://gitlab.example/acme/platform/tf-net.git?ref=v2",
    ])
    assert sorted(data["external"]) == sorted([
        "gitlab_include gitlab.com/components/sast/sast@2.0",  # another instance's catalog
        "gitlab_include https://ci.example.org/shared/lint.yml",
        "gitlab_include template:Jobs/Build.gitlab-ci.yml",
    ])
    assert (data["internal_count"], data["external_count"]) == (4, 3)


def _project(web_url: str) -> mapping.Listed:
    return mapping.listed({"id": 1, "path_with_namespace": "acme/apps/svc-a", "default_branch": "main",
                           "web_url": web_url}, "acme")


def test_on_gitlab_com_only_the_group_is_internal_not_the_host() -> None:
    refs = ["gitlab_include gitlab.com/acme/platform/components/deploy@1", "gitlab_include gitlab.com/components/sast/sast@2"]
    data: dict[str, Any] = {"refs": refs}
    told = origins.classified(data, "https://gitlab.com", _project("https://gitlab.com/acme/apps/svc-a"), [])
    assert told["internal"] == refs[:1] and told["external"] == refs[1:]
    # a self-managed instance's own host is internal, whatever the group
    own = origins.classified({"refs": ["gitlab_include git.acme.internal/tools/ci/x@1"]}, "https://git.acme.internal",
                             _project("https://git.acme.internal/acme/apps/svc-a"), [])
    assert own["internal_count"] == 1
    # configured internal_sources count too
    configured = origins.classified(data, "https://gitlab.com", _project("https://gitlab.com/acme/apps/svc-a"),
                                    ["gitlab.com/components/*"])
    assert configured["external"] == []


def test_a_project_whose_ci_others_include_has_them_as_consumers(fake_gitlab: FakeGitLab) -> None:
    scan = run_gitlab(fake_gitlab)
    templates = "gitlab:acme/platform/ci-templates"
    assert scan.data(templates, "ci.reusable_consumers") == {"consumers": 1, "repositories": ["acme/apps/svc-a"]}
    assert scan.data(templates, "repo.cross_references") == {
        "applied_by": [], "consumed_by": ["acme/apps/svc-a"], "created_from_here": [],
    }
    assert scan.data("gitlab:acme/apps/svc-b", "ci.reusable_consumers")["consumers"] == 0


def test_with_a_project_unread_nobody_is_not_known_where_it_could_matter(fake_gitlab: FakeGitLab) -> None:
    fake_gitlab.fail(r"^/projects/101/repository/(archive\.tar\.gz|tree)$", 500, times=10)  # svc-a, the one including the templates
    scan = run_gitlab(fake_gitlab, max_retries=0)
    templates = "gitlab:acme/platform/ci-templates"
    assert scan.of(templates, "ci.reusable_consumers").status is EvidenceStatus.UNAVAILABLE
    assert scan.of(templates, "repo.cross_references").status is EvidenceStatus.UNAVAILABLE
    # svc-b offers no reusable CI: it has no consumer whatever svc-a holds
    assert scan.data("gitlab:acme/apps/svc-b", "ci.reusable_consumers")["consumers"] == 0


def test_a_reference_names_the_longest_scanned_project_path() -> None:
    projects = {path.lower(): path for path in ("acme/platform/ci-templates", "acme/platform/components", "acme/platform/tf-net")}
    assert consumers.project_path("acme/platform/ci-templates/templates/build.yml@v1", projects) == "acme/platform/ci-templates"
    assert consumers.project_path("$CI_SERVER_FQDN/acme/platform/components/deploy@1.2", projects) == "acme/platform/components"
    assert consumers.project_path("git::https://gitlab.example.com/acme/platform/tf-net.git?ref=v2", projects,
                                  "gitlab.example.com") == "acme/platform/tf-net"
    assert consumers.project_path("git@gitlab.example.com:acme/platform/tf-net.git", projects,
                                  "gitlab.example.com:8443") == "acme/platform/tf-net"
    assert consumers.project_path("acme/platform", projects) is None  # a group, not a project
    # an instance served under a path: the path is no part of the project's
    served = "https://example.com/gitlab/acme/platform/tf-net.git?ref=v2"
    assert consumers.project_path(served, projects, "example.com/gitlab") == "acme/platform/tf-net"
    assert consumers.project_path("example.com/gitlab/acme/platform/components/deploy@1.2", projects,
                                  "example.com/gitlab") == "acme/platform/components"


def test_a_reference_on_another_host_names_no_scanned_project() -> None:
    # internal by configuration (`internal_sources`) or not, the same path elsewhere is another asset
    projects = {"acme/ci": "acme/ci"}
    assert consumers.project_path("acme/ci/build.yml@v1", projects, "gitlab.example.com") == "acme/ci"
    assert consumers.project_path("https://github.com/acme/ci.git", projects, "gitlab.example.com") is None
    assert consumers.project_path("oci://registry.acme.io/acme/ci", projects, "gitlab.example.com") is None
    assert consumers.project_path("gitlab.com/acme/ci/build@1.0", projects, "gitlab.example.com") is None


def test_copier_answers_naming_a_scanned_project_say_it_was_made_from_there() -> None:
    made = {"refs": ["copier acme/platform/service-template"], "internal": ["copier acme/platform/service-template"]}
    _including, relations = consumers.relations({"acme/platform/service-template": None, "acme/apps/svc-c": made})
    assert relations["acme/platform/service-template"]["created_from_here"] == ["acme/apps/svc-c"]


def test_a_backstage_source_template_says_the_project_defining_the_template_made_it() -> None:
    offered = {"backstage_templates": ["template:default/verdict"]}
    made = {"internal": ["backstage_template template:default/verdict"]}
    other = {"internal": ["backstage_template template:default/python-service"]}
    origins = {"acme/platform/golden-paths": offered, "acme/apps/svc-c": made, "acme/apps/svc-d": other}
    _including, relations = consumers.relations(origins)
    assert relations["acme/platform/golden-paths"]["created_from_here"] == ["acme/apps/svc-c"]
    assert relations["acme/platform/golden-paths"]["consumed_by"] == ["acme/apps/svc-c"]
