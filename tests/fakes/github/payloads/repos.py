"""Repository payloads: the list shape (MinimalRepository) and the single-repository shape (FullRepository)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..model import Organization, Repository, User
from .accounts import simple_user
from .links import Links, iso, node_id


@dataclass(frozen=True)
class Owner:
    login: str
    id: int
    type: str  # "Organization" or "User"

    @classmethod
    def of(cls, account: Organization | User) -> Owner:
        return cls(account.login, account.id, "Organization" if isinstance(account, Organization) else "User")


def _permissions(admin: bool) -> dict[str, bool]:
    return {"admin": admin, "maintain": admin, "push": True, "triage": True, "pull": True}


def repository(links: Links, owner: Owner, repo: Repository, *, admin: bool) -> dict[str, Any]:
    """The shape of list endpoints (`/orgs/{org}/repos`, `/users/{user}/repos`, team repos)."""
    full_name = f"{owner.login}/{repo.name}"
    api = links.repo_api(owner.login, repo.name)
    html = links.html(f"/{full_name}")
    host = links.base.split("://", 1)[-1]
    payload: dict[str, Any] = {
        "id": repo.id,
        "node_id": node_id("Repository", repo.id),
        "name": repo.name,
        "full_name": full_name,
        "private": repo.visibility != "public",
        "owner": simple_user(links, owner.login, owner.id, owner.type),
        "html_url": html,
        "description": repo.description,
        "fork": repo.fork,
        "url": api,
        "archive_url": f"{api}/{{archive_format}}{{/ref}}",
        "assignees_url": f"{api}/assignees{{/user}}",
        "blobs_url": f"{api}/git/blobs{{/sha}}",
        "branches_url": f"{api}/branches{{/branch}}",
        "collaborators_url": f"{api}/collaborators{{/collaborator}}",
        "comments_url": f"{api}/comments{{/number}}",
        "commits_url": f"{api}/commits{{/sha}}",
        "compare_url": f"{api}/compare/{{base}}...{{head}}",
        "contents_url": f"{api}/contents/{{+path}}",
        "contributors_url": f"{api}/contributors",
        "deployments_url": f"{api}/deployments",
        "downloads_url": f"{api}/downloads",
        "events_url": f"{api}/events",
        "forks_url": f"{api}/forks",
        "git_commits_url": f"{api}/git/commits{{/sha}}",
        "git_refs_url": f"{api}/git/refs{{/sha}}",
        "git_tags_url": f"{api}/git/tags{{/sha}}",
        "git_url": f"git://{host}/{full_name}.git",
        "issue_comment_url": f"{api}/issues/comments{{/number}}",
        "issue_events_url": f"{api}/issues/events{{/number}}",
        "issues_url": f"{api}/issues{{/number}}",
        "keys_url": f"{api}/keys{{/key_id}}",
        "labels_url": f"{api}/labels{{/name}}",
        "languages_url": f"{api}/languages",
        "merges_url": f"{api}/merges",
        "milestones_url": f"{api}/milestones{{/number}}",
        "notifications_url": f"{api}/notifications{{?since,all,participating}}",
        "pulls_url": f"{api}/pulls{{/number}}",
        "releases_url": f"{api}/releases{{/id}}",
        "ssh_url": f"git@{host}:{full_name}.git",
        "stargazers_url": f"{api}/stargazers",
        "statuses_url": f"{api}/statuses/{{sha}}",
        "subscribers_url": f"{api}/subscribers",
        "subscription_url": f"{api}/subscription",
        "tags_url": f"{api}/tags",
        "teams_url": f"{api}/teams",
        "trees_url": f"{api}/git/trees{{/sha}}",
        "clone_url": f"{html}.git",
        "mirror_url": None,
        "hooks_url": f"{api}/hooks",
        "svn_url": html,
        "homepage": None,
        "language": repo.language,
        "forks_count": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "size": sum(len(content) for content in repo.files.values()) // 1024,
        "default_branch": repo.default_branch,
        "open_issues_count": 0,
        "is_template": repo.is_template,
        "topics": list(repo.topics),
        "has_issues": repo.has_issues,
        "has_projects": True,
        "has_wiki": False,
        "has_pages": repo.pages is not None,
        "has_downloads": True,
        "has_discussions": repo.has_discussions,
        "archived": repo.archived,
        "disabled": False,
        "visibility": repo.visibility,
        "pushed_at": iso(repo.pushed_at),
        "created_at": iso(repo.created_at),
        "updated_at": iso(repo.pushed_at),
        "permissions": _permissions(admin),
        "allow_forking": False,
        "web_commit_signoff_required": False,
        "license": None,
        "forks": 0,
        "open_issues": 0,
        "watchers": 0,
    }
    if admin:  # GitHub shows it to admins only, always: a repository declaring none has every feature off
        features = repo.security_and_analysis if repo.security_and_analysis is not None else _FEATURES_OFF
        payload["security_and_analysis"] = {feature: {"status": status} for feature, status in features.items()}
    return payload


_FEATURES_OFF = {
    "secret_scanning": "disabled",
    "secret_scanning_push_protection": "disabled",
    "dependabot_security_updates": "disabled",
}


def full_repository(
    links: Links,
    owner: Owner,
    repo: Repository,
    *,
    admin: bool,
    org: Organization | None,
    template: tuple[Owner, Repository] | None,
) -> dict[str, Any]:
    """The shape of `GET /repos/{owner}/{repo}`."""
    payload = {
        **repository(links, owner, repo, admin=admin),
        "allow_rebase_merge": True,
        "allow_squash_merge": True,
        "allow_auto_merge": False,
        "allow_merge_commit": True,
        "allow_update_branch": False,
        "delete_branch_on_merge": False,
        "use_squash_pr_title_as_default": False,
        "squash_merge_commit_title": "COMMIT_OR_PR_TITLE",
        "squash_merge_commit_message": "COMMIT_MESSAGES",
        "merge_commit_title": "MERGE_MESSAGE",
        "merge_commit_message": "PR_TITLE",
        "temp_clone_token": "",
        "subscribers_count": 0,
        "network_count": 0,
        "custom_properties": {},
    }
    if org is not None:
        payload["organization"] = simple_user(links, org.login, org.id, "Organization")
    if template is not None:
        template_owner, template_repo = template
        payload["template_repository"] = repository(links, template_owner, template_repo, admin=False)
    return payload
