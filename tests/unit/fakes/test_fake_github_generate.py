"""generate_org: deterministic, varied, and served at benchmark size."""

from __future__ import annotations

from github import Github

from tests.fakes.github import FakeGitHub, generate_org


def _fingerprint(n_repos: int, seed: int) -> list[tuple[object, ...]]:
    org = generate_org(n_repos, seed)
    return [
        (
            repo.name,
            repo.archived,
            repo.visibility,
            tuple(sorted(repo.files)),
            repo.head_sha,
            len(repo.deployments),
            len(repo.workflow_runs),
        )
        for repo in org.repos
    ]


def test_same_seed_same_org_other_seed_other_org() -> None:
    assert _fingerprint(60, seed=1) == _fingerprint(60, seed=1)
    assert _fingerprint(60, seed=1) != _fingerprint(60, seed=2)


def test_generated_org_has_the_variety_rules_need() -> None:
    org = generate_org(300, seed=5)
    repos = org.repos
    assert len(repos) == 300 and len({repo.name for repo in repos}) == 300
    assert any(repo.archived for repo in repos) and not all(repo.archived for repo in repos)
    assert any(repo.fork for repo in repos) and any(repo.is_template for repo in repos)
    protected = [repo for repo in repos if repo.branch("main") and repo.branch("main").protection]
    assert 0 < len(protected) < len(repos)
    assert any(repo.deployments for repo in repos) and any(repo.workflow_runs for repo in repos)
    assert any(".github/CODEOWNERS" in repo.files for repo in repos)
    templates = {f"bench/{repo.name}" for repo in repos if repo.is_template}
    assert {repo.template_repository for repo in repos if repo.template_repository} <= templates
    assert org.teams and org.owners <= {member.login for member in org.members}


def test_thousand_repositories_page_through_the_rest_api(fake_github: FakeGitHub, client) -> None:
    fake_github.world.orgs.insert(0, generate_org(1000, seed=0))
    gh: Github = client(per_page=100)
    names = [repo.name for repo in gh.get_organization("bench").get_repos()]
    assert len(names) == 1000 and len(set(names)) == 1000
    assert fake_github.stats.by_family["repos"] == 10
