"""Users, organizations, teams and GitHub App installations."""

from __future__ import annotations

from typing import Any

from ..model import GitHubApp, Organization, Team, User
from .links import Links, iso, node_id


def simple_user(links: Links, login: str, account_id: int, account_type: str = "User") -> dict[str, Any]:
    user = links.api(f"/users/{login}")
    return {
        "login": login,
        "id": account_id,
        "node_id": node_id(account_type, account_id),
        "avatar_url": links.avatar(account_id),
        "gravatar_id": "",
        "url": user,
        "html_url": links.html(f"/{login}"),
        "followers_url": f"{user}/followers",
        "following_url": f"{user}/following{{/other_user}}",
        "gists_url": f"{user}/gists{{/gist_id}}",
        "starred_url": f"{user}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{user}/subscriptions",
        "organizations_url": f"{user}/orgs",
        "repos_url": f"{user}/repos",
        "events_url": f"{user}/events{{/privacy}}",
        "received_events_url": f"{user}/received_events",
        "type": account_type,
        "user_view_type": "public",
        "site_admin": False,
    }


def user_summary(links: Links, user: User) -> dict[str, Any]:
    return {**simple_user(links, user.login, user.id), "site_admin": user.site_admin}


def public_user(links: Links, user: User) -> dict[str, Any]:
    return {
        **user_summary(links, user),
        "name": user.name,
        "company": None,
        "blog": "",
        "location": None,
        "email": user.email,
        "hireable": None,
        "bio": None,
        "twitter_username": None,
        "public_repos": sum(1 for repo in user.repos if repo.visibility == "public"),
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "created_at": iso(user.created_at),
        "updated_at": iso(user.created_at),
    }


def organization_summary(links: Links, org: Organization) -> dict[str, Any]:
    api = links.api(f"/orgs/{org.login}")
    return {
        "login": org.login,
        "id": org.id,
        "node_id": node_id("Organization", org.id),
        "url": api,
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events",
        "hooks_url": f"{api}/hooks",
        "issues_url": f"{api}/issues",
        "members_url": f"{api}/members{{/member}}",
        "public_members_url": f"{api}/public_members{{/member}}",
        "avatar_url": links.avatar(org.id),
        "description": org.description,
    }


def organization_full(links: Links, org: Organization) -> dict[str, Any]:
    private = sum(1 for repo in org.repos if repo.visibility != "public")
    return {
        **organization_summary(links, org),
        "name": org.name or org.login,
        "company": None,
        "blog": "",
        "location": None,
        "email": None,
        "twitter_username": None,
        "is_verified": False,
        "has_organization_projects": True,
        "has_repository_projects": True,
        "public_repos": len(org.repos) - private,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "html_url": links.html(f"/{org.login}"),
        "type": "Organization",
        "total_private_repos": private,
        "owned_private_repos": private,
        "private_gists": 0,
        "disk_usage": 0,
        "collaborators": 0,
        "billing_email": None,
        "plan": {
            "name": org.plan,
            "space": 976562499,
            "private_repos": 999999,
            "filled_seats": len(org.members),
            "seats": len(org.members),
        },
        "default_repository_permission": "read",
        "members_can_create_repositories": True,
        "two_factor_requirement_enabled": org.two_factor_requirement_enabled,
        "members_allowed_repository_creation_type": "all",
        "members_can_create_public_repositories": True,
        "members_can_create_private_repositories": True,
        "members_can_create_internal_repositories": True,
        "members_can_create_pages": True,
        "members_can_fork_private_repositories": False,
        "web_commit_signoff_required": False,
        "created_at": iso(org.created_at),
        "updated_at": iso(org.created_at),
        "archived_at": None,
    }


def team(links: Links, org: Organization, entry: Team) -> dict[str, Any]:
    api = links.api(f"/organizations/{org.id}/team/{entry.id}")
    return {
        "id": entry.id,
        "node_id": node_id("Team", entry.id),
        "url": api,
        "html_url": links.html(f"/orgs/{org.login}/teams/{entry.slug}"),
        "name": entry.name or entry.slug,
        "slug": entry.slug,
        "description": entry.description,
        "privacy": entry.privacy,
        "notification_setting": "notifications_enabled",
        "permission": "pull",
        "members_url": f"{api}/members{{/member}}",
        "repositories_url": f"{api}/repos",
        "type": "organization",
        "organization_id": org.id,
        "parent": None,
    }


def installation(links: Links, org: Organization, app: GitHubApp) -> dict[str, Any]:
    return {
        "id": org.installation_id,
        "account": simple_user(links, org.login, org.id, "Organization"),
        "repository_selection": "all",
        "access_tokens_url": links.api(f"/app/installations/{org.installation_id}/access_tokens"),
        "repositories_url": links.api("/installation/repositories"),
        "html_url": links.html(f"/organizations/{org.login}/settings/installations/{org.installation_id}"),
        "app_id": app.app_id,
        "client_id": f"Iv1.{app.app_id:016x}",
        "target_id": org.id,
        "target_type": "Organization",
        "permissions": dict(app.permissions),
        "events": [],
        "created_at": iso(org.created_at),
        "updated_at": iso(org.created_at),
        "single_file_name": None,
        "has_multiple_single_files": False,
        "single_file_paths": [],
        "app_slug": app.slug,
        "suspended_by": None,
        "suspended_at": None,
    }
