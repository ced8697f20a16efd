"""REST routes of the fake GitHub, driven by real PyGithub."""

from __future__ import annotations

import io
import tarfile
from datetime import datetime, timezone
from urllib.parse import parse_qsl

import pytest
import requests
from github import Github, GithubException, UnknownObjectException

from tests.fakes.github import FakeGitHub, Repository, Token, User


def test_org_repos_paginate_through_link_headers(fake_github: FakeGitHub, client) -> None:
    gh = client(per_page=2)
    repos = list(gh.get_organization("acme").get_repos())
    assert [repo.name for repo in repos] == [
        "svc-payments",
        "svc-orders",
        "platform-templates",
        "docs-fork",
        "legacy-tool",
    ]  # newest first
    listing = fake_github.stats.for_family("repos")
    assert [dict(parse_qsl(entry.query)) for entry in listing] == [
        {"per_page": "2"},
        {"per_page": "2", "page": "2"},
        {"per_page": "2", "page": "3"},
    ]
    assert [repo.archived for repo in repos][-1] is True
    assert repos[0].topics == ["service", "payments"] and repos[0].default_branch == "main"
    assert len(fake_github.stats.log) == 3  # list attributes need no completion request


def test_org_repos_type_and_sort_filters(gh: Github) -> None:
    org = gh.get_organization("acme")
    assert [repo.name for repo in org.get_repos(type="forks")] == ["docs-fork"]
    by_name = [repo.name for repo in org.get_repos(sort="full_name", direction="asc")]
    assert by_name == sorted(by_name)
    assert org.get_repos().totalCount == 5


def test_user_repos_and_profile(fake_github: FakeGitHub, gh: Github) -> None:
    fake_github.world.users.append(User("dana", name="Dana", repos=[Repository("dotfiles", visibility="public")]))
    dana = gh.get_user("dana")
    assert [repo.full_name for repo in dana.get_repos()] == ["dana/dotfiles"]
    assert dana.name == "Dana" and dana.public_repos == 1


def test_repository_fields_and_state_changes_between_requests(fake_github: FakeGitHub, client) -> None:
    gh = client(lazy=False)
    repo = gh.get_repo("acme/svc-payments")
    assert (repo.visibility, repo.fork, repo.is_template) == ("private", False, False)
    assert repo.template_repository.full_name == "acme/platform-templates"
    assert repo.security_and_analysis.secret_scanning.status == "enabled"
    assert repo.url == f"{fake_github.url}/repos/acme/svc-payments"
    fake_github.org.repo("svc-payments").archived = True
    assert gh.get_repo("acme/svc-payments").archived is True


def test_missing_repository_is_404_with_githubs_body(client) -> None:
    with pytest.raises(UnknownObjectException) as raised:
        client(lazy=False).get_repo("acme/nope")
    assert raised.value.status == 404
    assert raised.value.data["message"] == "Not Found" and raised.value.data["status"] == "404"


def test_truncated_tree_is_walked_through_sub_trees(fake_github: FakeGitHub, gh: Github) -> None:
    repo_state = fake_github.org.repo("svc-orders")
    repo_state.files.update({f"pkg/mod{i}/file{j}.go": b"package x\n" for i in range(5) for j in range(4)})
    fake_github.settings.tree_entry_limit = 10
    repo = gh.get_repo("acme/svc-orders")
    tree = repo.get_git_tree("main", recursive=True)
    assert tree.truncated is True and len(tree.tree) == 10

    found: set[str] = set()

    def walk(sha: str, prefix: str) -> None:
        for entry in repo.get_git_tree(sha).tree:
            path = f"{prefix}{entry.path}"
            if entry.type == "tree":
                walk(entry.sha, f"{path}/")
            else:
                found.add(path)

    walk(tree.sha, "")
    assert found == set(repo_state.files)


def test_tree_shas_are_gits(gh: Github) -> None:
    tree = gh.get_repo("acme/svc-orders").get_git_tree("main", recursive=True)
    readme = next(entry for entry in tree.tree if entry.path == "README.md")
    assert readme.sha == "8b5cf04a54a96f0f5d27be47c6d1456a457fd4a6"  # `git hash-object` of "# svc-orders\n"
    assert readme.size == len(b"# svc-orders\n") and readme.mode == "100644"


def test_contents_json_raw_directory_and_missing(fake_github: FakeGitHub, gh: Github) -> None:
    repo = gh.get_repo("acme/svc-payments")
    assert repo.get_contents(".github/CODEOWNERS", ref="main").decoded_content == b"* @acme/platform\n"
    listing = repo.get_contents(".github")
    assert sorted(item.path for item in listing) == [
        ".github/CODEOWNERS",
        ".github/dependabot.yml",
        ".github/workflows",
    ]
    with pytest.raises(UnknownObjectException):
        repo.get_contents("CODEOWNERS")
    status, _, body = gh.requester.requestJson(
        "GET", "/repos/acme/svc-payments/contents/README.md", headers={"Accept": "application/vnd.github.raw"}
    )
    assert (status, body) == (200, "# svc-payments\n")
    assert fake_github.stats.by_family["contents"] == 4


def test_tarball_redirects_to_a_real_archive(fake_github: FakeGitHub, gh: Github) -> None:
    link = gh.get_repo("acme/svc-orders").get_archive_link("tarball", "main")
    assert link.startswith(fake_github.url)
    download = requests.get(link, timeout=5)
    with tarfile.open(fileobj=io.BytesIO(download.content), mode="r:gz") as archive:
        names = archive.getnames()
        head = fake_github.org.repo("svc-orders").head_sha
        top = f"acme-svc-orders-{head[:7]}"
        assert f"{top}/go.mod" in names and all(name.startswith(top) for name in names)
        assert archive.extractfile(f"{top}/main.go").read() == b"package main\n"
        assert archive.pax_headers["comment"] == head
    assert fake_github.stats.by_family["tarball"] == 1 and fake_github.stats.charged_by_family["codeload"] == 0


def test_branch_protection_found_absent_and_forbidden(fake_github: FakeGitHub, client) -> None:
    gh = client()
    protection = gh.get_repo("acme/svc-payments").get_branch("main").get_protection()
    assert protection.required_status_checks.contexts == ["test"]
    assert protection.required_pull_request_reviews.required_approving_review_count == 2
    assert protection.enforce_admins is True
    with pytest.raises(GithubException) as unprotected:
        gh.get_repo("acme/svc-orders").get_branch("main").get_protection()
    assert unprotected.value.status == 404 and unprotected.value.data["message"] == "Branch not protected"

    fake_github.world.tokens.append(Token("ghp_reader", repo_admin=False))
    reader = client(token="ghp_reader")
    with pytest.raises(GithubException) as forbidden:
        reader.get_repo("acme/svc-payments").get_branch("main").get_protection()
    assert forbidden.value.status == 403
    assert forbidden.value.data["message"] == "Must have admin rights to Repository."
    assert fake_github.stats.by_family["protection"] == 3


def test_branch_rules_combine_repo_and_org_rulesets(gh: Github) -> None:
    _, rules = gh.requester.requestJsonAndCheck("GET", "/repos/acme/svc-payments/rules/branches/main")
    assert {(rule["type"], rule["ruleset_source_type"]) for rule in rules} == {
        ("non_fast_forward", "Repository"),
        ("deletion", "Repository"),
        ("pull_request", "Organization"),
        ("required_status_checks", "Organization"),
    }
    _, other_branch = gh.requester.requestJsonAndCheck("GET", "/repos/acme/svc-payments/rules/branches/dev")
    assert other_branch == []
    _, uncovered = gh.requester.requestJsonAndCheck("GET", "/repos/acme/legacy-tool/rules/branches/main")
    assert uncovered == []  # the org ruleset only covers svc-*


def test_rulesets_lists_and_details(fake_github: FakeGitHub, client) -> None:
    gh = client()
    _, listed = gh.requester.requestJsonAndCheck("GET", "/repos/acme/svc-payments/rulesets")
    assert {ruleset["source_type"] for ruleset in listed} == {"Repository", "Organization"}
    _, own = gh.requester.requestJsonAndCheck(
        "GET", "/repos/acme/svc-payments/rulesets", parameters={"includes_parents": "false"}
    )
    assert [ruleset["name"] for ruleset in own] == ["no-force-push"]
    org_ruleset = fake_github.org.rulesets[0]
    _, detail = gh.requester.requestJsonAndCheck("GET", f"/orgs/acme/rulesets/{org_ruleset.id}")
    assert detail["conditions"]["repository_name"]["include"] == ["svc-*"]
    assert detail["rules"][0]["parameters"]["required_approving_review_count"] == 1

    fake_github.world.tokens.append(Token("ghp_member", org_admin=False))
    with pytest.raises(GithubException) as forbidden:
        client(token="ghp_member").requester.requestJsonAndCheck("GET", "/orgs/acme/rulesets")
    assert forbidden.value.status == 403


def test_deployments_filter_paginate_and_statuses(fake_github: FakeGitHub, client) -> None:
    repo = client(per_page=4).get_repo("acme/svc-payments")
    production = list(repo.get_deployments(environment="production"))
    assert len(production) == 6 and {d.environment for d in production} == {"production"}
    assert production[0].created_at > production[-1].created_at  # newest first
    assert len(fake_github.stats.for_family("deployments")) == 2
    assert [status.state for status in production[0].get_statuses()] == ["success", "in_progress"]
    environments = [env.name for env in repo.get_environments()]
    assert environments == ["production", "staging"]


def test_workflow_runs_filters(gh: Github) -> None:
    repo = gh.get_repo("acme/svc-payments")
    assert repo.get_workflow_runs().totalCount == 9
    on_main = list(repo.get_workflow_runs(branch="main"))
    assert on_main and {run.head_branch for run in on_main} == {"main"}
    failed = list(repo.get_workflow_runs(status="failure"))
    assert failed and {run.conclusion for run in failed} == {"failure"}
    _, recent = gh.requester.requestJsonAndCheck(
        "GET", "/repos/acme/svc-payments/actions/runs", parameters={"created": ">=2026-05-29"}
    )
    assert recent["total_count"] == 4  # runs every 8 hours back from 2026-05-30T12:00


def test_commits_since_until_and_authors(gh: Github) -> None:
    repo = gh.get_repo("acme/svc-payments")
    since = datetime(2026, 5, 25, tzinfo=timezone.utc)
    until = datetime(2026, 5, 28, 12, tzinfo=timezone.utc)
    window = list(repo.get_commits(since=since, until=until))
    assert [commit.commit.author.date.day for commit in window] == [28, 27, 26, 25]
    authors = {commit.author.login if commit.author else None for commit in repo.get_commits()}
    assert authors == {"alice", "bob", None}
    assert repo.get_commits(sha="release/1.0").totalCount == 1


def test_teams_members_and_team_repos(gh: Github) -> None:
    org = gh.get_organization("acme")
    platform = org.get_team_by_slug("platform")
    assert sorted(member.login for member in platform.get_members()) == ["alice", "bob"]
    assert {repo.name: repo.permissions.admin for repo in platform.get_repos()} == {
        "platform-templates": True,
        "svc-payments": False,
    }
    assert [member.login for member in org.get_members(role="admin")] == ["alice"]
    assert len(list(org.get_members())) == 3


def test_unknown_route_is_404(gh: Github) -> None:
    with pytest.raises(UnknownObjectException):
        gh.requester.requestJsonAndCheck("GET", "/repos/acme/svc-payments/pulls")


def test_world_with_only_users(fake_github: FakeGitHub) -> None:
    fake_github.world.orgs.clear()
    fake_github.world.users.append(User("solo", repos=[Repository("site")]))
    answer = requests.get(
        f"{fake_github.url}/users/solo/repos", headers={"Authorization": f"token {fake_github.token}"}, timeout=5
    )
    assert [repo["full_name"] for repo in answer.json()] == ["solo/site"]
