"""Internal or external (issue 13, point 2), and what other repositories take from each one
(point 4): the pure functions the collectors apply to detection's references."""

from __future__ import annotations

import pytest

from collectors.detect.references import InternalSources, classify, cross_references, is_internal, owner_and_repository

ACME_ON_GITHUB = InternalSources.of(["git@github.com:acme/payments.git"], [])
SELF_HOSTED = InternalSources.of(["https://oauth2:glpat-secret@gitlab.acme.corp/team/app.git"], [])
CONFIGURED = InternalSources.of([], ["acme", "registry.acme.io", "ghcr.io/acme/*"])


@pytest.mark.parametrize(
    ("via", "ref", "internal", "expected"),
    [
        ("github_workflow", "acme/platform/.github/workflows/build.yml@v1", ACME_ON_GITHUB, True),
        ("github_action", "actions/checkout@v4", ACME_ON_GITHUB, False),
        ("argocd", "https://github.com/acme/orders.git", ACME_ON_GITHUB, True),
        ("terraform", "git::ssh://git@github.com/acme/modules.git//vpc?ref=v1", ACME_ON_GITHUB, True),
        ("terraform", "git::https://github.com/acme-evil/modules.git", ACME_ON_GITHUB, False),  # trap: a prefix
        ("terraform", "terraform-aws-modules/vpc/aws", ACME_ON_GITHUB, False),
        ("terraform", "./modules/vpc", ACME_ON_GITHUB, True),
        ("gitlab_include", "template:Security/SAST.gitlab-ci.yml", SELF_HOSTED, False),
        ("gitlab_include", "$CI_SERVER_FQDN/team/components/build@1.0", SELF_HOSTED, True),
        ("flux", "https://gitlab.acme.corp/other-group/app.git", SELF_HOSTED, True),  # its own server
        ("flux", "https://gitlab.com/team/app.git", SELF_HOSTED, True),  # the same owner elsewhere
        ("jenkins_library", "acme-shared", InternalSources(), True),
        ("helm", "oci://registry.acme.io/charts/web@1", CONFIGURED, True),
        ("helm", "oci://registry.acme.io.evil.com/charts/web@1", CONFIGURED, False),  # trap: a longer host
        ("crossplane", "ghcr.io/acme/function-naming:v1", CONFIGURED, True),
        ("crossplane", "ghcr.io/other/function-naming:v1", CONFIGURED, False),
        ("terraform", "acme/network/azurerm", CONFIGURED, True),  # a bare name is an owner, on any host
        ("copier", "gh:acme/service-template", CONFIGURED, True),
        ("github_action", "acme/setup@v1", InternalSources(), False),  # nothing known: external
        ("github_action", "acme/setup@v1", InternalSources.of([], [], frozenset({"setup"})), True),  # a scanned folder
    ],
)
def test_internal_or_external(via: str, ref: str, internal: InternalSources, expected: bool) -> None:
    assert is_internal(via, ref, internal) is expected


def test_the_remote_credentials_only_tell_the_owner() -> None:
    assert SELF_HOSTED.owners == {"team"} and SELF_HOSTED.hosts == {"gitlab.acme.corp"}
    assert "secret" not in repr(SELF_HOSTED)


def test_public_hosts_are_never_internal_by_host_alone() -> None:
    assert ACME_ON_GITHUB.hosts == frozenset() and ACME_ON_GITHUB.owners == {"acme"}


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("acme/platform/.github/workflows/build.yml@v1", ("", "acme", "platform")),
        ("https://github.com/acme/app.git//sub?ref=v1", ("github.com", "acme", "app")),
        ("git@github.com:acme/app.git", ("github.com", "acme", "app")),
        ("actions/checkout@v4", ("", "actions", "checkout")),
        ("jenkins", ("", "jenkins", "")),
        ("http://localhost:8080/acme/app", ("localhost:8080", "acme", "app")),
    ],
)
def test_owner_and_repository(ref: str, expected: tuple[str, str, str]) -> None:
    assert owner_and_repository(ref) == expected


def test_classify_counts_assets_taken_not_deployments_nor_the_repository_itself() -> None:
    data = {
        "refs": [
            "argocd https://github.com/acme/orders.git",
            "argocd https://github.com/acme/gitops.git",
            "github_action actions/checkout@v4",
            "helm oci://ghcr.io/acme/charts/web@1",
            "terraform git::https://github.com/acme/modules.git//vpc",
        ],
        "gitops_sources": ["https://github.com/acme/orders.git", "https://github.com/acme/gitops.git"],
    }
    result = classify(data, InternalSources.of(["https://github.com/acme/gitops"], []), "acme/gitops")
    assert result["internal"] == [
        "argocd https://github.com/acme/orders.git",
        "helm oci://ghcr.io/acme/charts/web@1",  # the organization's namespace on another host
        "terraform git::https://github.com/acme/modules.git//vpc",
    ]
    assert result["external"] == ["github_action actions/checkout@v4"]
    assert (result["internal_count"], result["internal_module_count"], result["external_count"]) == (2, 2, 1)
    assert result["external_share"] == pytest.approx(1 / 3, abs=1e-4)


def test_no_reference_has_no_external_share() -> None:
    assert classify({"refs": []}, InternalSources(), "x")["external_share"] is None


def test_cross_references_deployments_and_consumers() -> None:
    names = {"s:gitops": "gitops", "s:orders": "acme/orders", "s:ci": "ci", "s:lone": "lone"}
    origins = {
        "s:gitops": {"internal": ["argocd https://github.com/acme/orders.git"], "gitops_sources": ["https://github.com/acme/orders.git"]},
        "s:orders": {"internal": ["github_workflow acme/ci/.github/workflows/b.yml@v1", "github_action acme/orders/x@v1"]},
        "s:ci": {"internal": []},
        "s:lone": {"internal": [], "external": ["github_action actions/checkout@v4"]},
    }
    found = cross_references(names, origins)
    assert found["s:orders"] == {"applied_by": ["gitops"], "consumed_by": [], "created_from_here": []}  # its own action is not a consumer
    assert found["s:ci"] == {"applied_by": [], "consumed_by": ["acme/orders"], "created_from_here": []}
    assert found["s:lone"] == {"applied_by": [], "consumed_by": [], "created_from_here": []}


def test_an_external_reference_to_a_same_named_repository_is_no_consumer() -> None:
    found = cross_references({"a": "checkout", "b": "app"}, {"a": {"internal": []}, "b": {"internal": [], "external": ["github_action actions/checkout@v4"]}})
    assert found["a"] == {"applied_by": [], "consumed_by": [], "created_from_here": []}


def test_unread_repositories_leave_the_unreferenced_unknown() -> None:
    found = cross_references(
        {"a": "a", "b": "b", "c": "c"},
        {"a": {"internal": ["github_workflow acme/b/.github/workflows/x.yml@v1"]}, "b": {"internal": []}, "c": None},
    )
    assert found["b"] == {"applied_by": [], "consumed_by": ["a"], "created_from_here": []}
    assert found["a"] is None and found["c"] is None


def test_repositories_created_from_a_template_by_answers_or_by_the_hosts_link() -> None:
    names = {"t": "acme/service-template", "c": "acme/cookie", "a": "acme/orders", "b": "acme/billing", "m": "acme/modules"}
    origins = {
        "t": {"internal": []},
        "c": {"internal": []},
        "m": {"internal": []},
        "a": {"internal": ["copier gh:acme/service-template", "terraform git::https://github.com/acme/modules.git//vpc"]},
        "b": {"internal": ["cruft https://github.com/acme/cookie.git"]},
    }
    found = cross_references(names, origins, {"b": "acme/service-template", "a": None})
    assert found["t"] == {"applied_by": [], "consumed_by": ["acme/orders"], "created_from_here": ["acme/billing", "acme/orders"]}
    assert found["c"] == {"applied_by": [], "consumed_by": ["acme/billing"], "created_from_here": ["acme/billing"]}
    assert found["m"]["created_from_here"] == []  # a module taken is no template used
