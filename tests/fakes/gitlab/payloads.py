"""Answers in the shapes of GitLab's REST API v4 (docs.gitlab.com/api: projects, groups,
protected_branches, repositories, deployments), with the fields the collector and
python-gitlab read plus enough of the rest that a client reading more finds it."""

from __future__ import annotations

from typing import Any

from .model import (
    DEVELOPER,
    MAINTAINER,
    NO_ACCESS,
    OWNER,
    ApprovalRule,
    Commit,
    Deployment,
    Group,
    Instance,
    MergeRequest,
    Project,
    ProtectedBranch,
)

_LEVEL_NAMES = {NO_ACCESS: "No one", DEVELOPER: "Developers + Maintainers", MAINTAINER: "Maintainers", OWNER: "Owners"}
_CREATED = "2024-01-15T09:00:00.000Z"


def namespace(base: str, group: Group) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.path,
        "path": group.path,
        "kind": "group",
        "full_path": group.full_path,
        "parent_id": group.parent_id,
        "avatar_url": None,
        "web_url": f"{base}/groups/{group.full_path}",
    }


def group(base: str, group: Group) -> dict[str, Any]:
    return {
        "id": group.id,
        "web_url": f"{base}/groups/{group.full_path}",
        "name": group.path,
        "path": group.path,
        "description": "",
        "visibility": "private",
        "share_with_group_lock": False,
        "require_two_factor_authentication": group.require_two_factor_authentication,
        "two_factor_grace_period": 48,
        "project_creation_level": "developer",
        "auto_devops_enabled": None,
        "subgroup_creation_level": "maintainer",
        "emails_disabled": False,
        "mentions_disabled": None,
        "lfs_enabled": True,
        "default_branch": None,
        "avatar_url": None,
        "request_access_enabled": False,
        "full_name": group.full_path.replace("/", " / "),
        "full_path": group.full_path,
        "created_at": _CREATED,
        "parent_id": group.parent_id,
    }


def project(base: str, instance: Instance, item: Project, statistics: bool = False) -> dict[str, Any]:
    """A project as the group's list shows it; `statistics` (asked with statistics=true, shown to
    Reporters and above) holds the repository's size, here the sum of its files' sizes."""
    web_url = f"{base}/{item.path_with_namespace}"
    data: dict[str, Any] = {
        "id": item.id,
        "description": None,
        "name": item.path,
        "name_with_namespace": f"{item.namespace.full_path.replace('/', ' / ')} / {item.path}",
        "path": item.path,
        "path_with_namespace": item.path_with_namespace,
        "created_at": _CREATED,
        "default_branch": item.default_branch,
        "tag_list": list(item.topics),
        "topics": list(item.topics),
        "ssh_url_to_repo": f"git@127.0.0.1:{item.path_with_namespace}.git",
        "http_url_to_repo": f"{web_url}.git",
        "web_url": web_url,
        "readme_url": None,
        "forks_count": 0,
        "avatar_url": None,
        "star_count": 0,
        "last_activity_at": item.last_activity_at,
        "namespace": namespace(base, item.namespace),
        "empty_repo": item.default_branch is None,
        "archived": item.archived,
        "visibility": "private",
        "issues_enabled": item.issues_enabled,
        "merge_requests_enabled": True,
        "wiki_enabled": True,
        "jobs_enabled": True,
        "snippets_enabled": True,
        "only_allow_merge_if_pipeline_succeeds": item.only_allow_merge_if_pipeline_succeeds,
        "only_allow_merge_if_all_discussions_are_resolved": False,
        "remove_source_branch_after_merge": True,
        "merge_method": "merge",
        "squash_option": "default_off",
    }
    if item.forked_from is not None:
        parent = instance.project(item.forked_from)
        data["forked_from_project"] = (
            {"id": parent.id, "path_with_namespace": parent.path_with_namespace, "web_url": f"{base}/{parent.path_with_namespace}"}
            if parent is not None
            else {"id": 999999, "path_with_namespace": item.forked_from, "web_url": f"{base}/{item.forked_from}"}
        )
    if instance.tier != "free":
        data["approvals_before_merge"] = item.approvals_before_merge
    if statistics:
        size = sum(len(content) for content in item.files.values())
        data["statistics"] = {"commit_count": len(item.commits), "storage_size": size, "repository_size": size,
                              "wiki_size": 0, "lfs_objects_size": 0, "job_artifacts_size": 0,
                              "pipeline_artifacts_size": 0, "packages_size": 0, "snippets_size": 0, "uploads_size": 0,
                              "container_registry_size": 0}
    data["shared_with_groups"] = [shared_group(instance, *share) for share in item.shared_with]
    return data


def protected_branch(index: int, branch: ProtectedBranch, tier: str) -> dict[str, Any]:
    def levels(level: int) -> list[dict[str, Any]]:
        return [{"id": index * 10 + level, "access_level": level, "access_level_description": _LEVEL_NAMES[level],
                 "user_id": None, "group_id": None}]

    data: dict[str, Any] = {
        "id": index,
        "name": branch.name,
        "push_access_levels": levels(branch.push_access_level),
        "merge_access_levels": levels(branch.merge_access_level),
        "allow_force_push": branch.allow_force_push,
    }
    if tier != "free":  # the field only exists where code-owner approval does
        data["unprotect_access_levels"] = []
        data["code_owner_approval_required"] = branch.code_owner_approval_required
    return data


def member(index: int, username: str, level: int) -> dict[str, Any]:
    return {
        "id": 1000 + index,
        "username": username,
        "name": username.title(),
        "state": "active",
        "avatar_url": None,
        "web_url": f"https://gitlab.example/{username}",
        "access_level": level,
        "created_at": _CREATED,
        "expires_at": None,
        "membership_state": "active",
    }


def tree_entry(path: str) -> dict[str, Any]:
    return {"id": "a" * 40, "name": path.rsplit("/", 1)[-1], "type": "blob", "path": path, "mode": "100644"}


def tree_folder(path: str) -> dict[str, Any]:
    return {"id": "b" * 40, "name": path.rsplit("/", 1)[-1], "type": "tree", "path": path, "mode": "040000"}


def _user(base: str) -> dict[str, Any]:
    return {"id": 1001, "username": "bob", "name": "Bob", "state": "active",
            "avatar_url": f"{base}/uploads/-/system/user/avatar/1001/avatar.png", "web_url": f"{base}/bob"}


def deployment(base: str, item: Project, index: int, deploy: Deployment) -> dict[str, Any]:
    """A deployment as `/projects/:id/deployments` lists it: the deployable is the deploy job,
    with every field GitLab's job entity has (its schema forbids others), and its commit."""
    finished = deploy.created_at if deploy.status in ("success", "failed", "canceled") else None
    ref = item.default_branch or "main"
    web_url = f"{base}/{item.path_with_namespace}"
    commit_date = deploy.committed_at or deploy.created_at
    return {
        "id": item.id * 1000 + index,
        "iid": index + 1,
        "ref": ref,
        "sha": deploy.sha,
        "created_at": deploy.created_at,
        "updated_at": deploy.created_at,
        "finished_at": finished,
        "status": deploy.status,
        "user": _user(base),
        "environment": {"id": index + 1, "name": deploy.environment, "slug": deploy.environment.lower().replace("/", "-"),
                        "external_url": None, "created_at": deploy.created_at, "updated_at": deploy.created_at,
                        "tier": deploy.tier, "state": "available"},
        "deployable": {
            "id": 5000 + index, "status": deploy.status, "stage": "deploy", "name": "deploy", "ref": ref,
            "tag": False, "coverage": None, "allow_failure": False, "created_at": deploy.created_at,
            "started_at": deploy.created_at, "finished_at": finished, "erased_at": None, "duration": 60.0,
            "queued_duration": 1.0, "user": _user(base),
            "commit": {"id": deploy.sha, "short_id": deploy.sha[:8], "title": "Change", "created_at": commit_date,
                       "parent_ids": ["e" * 40], "message": "Change", "author_name": "Bob",
                       "author_email": "bob@example.com", "authored_date": commit_date, "committer_name": "Bob",
                       "committer_email": "bob@example.com", "committed_date": commit_date,
                       "web_url": f"{web_url}/-/commit/{deploy.sha}"},
            "pipeline": {"id": 7000 + index, "sha": deploy.sha, "ref": ref, "status": deploy.status},
            "web_url": f"{web_url}/-/jobs/{5000 + index}", "artifacts": [], "artifacts_expire_at": None,
            "tag_list": [], "runner": None, "project": {"ci_job_token_scope_enabled": False}, "archived": False,
        },
    }


def commit(base: str, item: Project, entry: Commit) -> dict[str, Any]:
    """A commit as `/repository/commits` lists it."""
    name = entry.author_email.split("@", 1)[0].title()
    return {
        "id": entry.id, "short_id": entry.id[:8], "created_at": entry.committed_date, "parent_ids": [],
        "title": "Change", "message": "Change", "author_name": name, "author_email": entry.author_email,
        "authored_date": entry.committed_date, "committer_name": name, "committer_email": entry.author_email,
        "committed_date": entry.committed_date, "trailers": {}, "extended_trailers": {},
        "web_url": f"{base}/{item.path_with_namespace}/-/commit/{entry.id}",
    }


def merge_request(base: str, item: Project, index: int, entry: MergeRequest) -> dict[str, Any]:
    """A merge request as the project's list shows it (the fields a list carries)."""
    author = {"id": 2000 + index, "username": entry.author, "name": entry.author.title(), "state": "active",
              "avatar_url": f"{base}/uploads/-/system/user/avatar/{2000 + index}/avatar.png", "web_url": f"{base}/{entry.author}"}
    merged = entry.state == "merged"
    return {
        "id": item.id * 1000 + index, "iid": index + 1, "project_id": item.id, "title": "Change", "description": "",
        "state": entry.state, "created_at": entry.merged_at, "updated_at": entry.merged_at,
        "merged_at": entry.merged_at if merged else None, "closed_at": None,
        "merged_by": author if merged else None, "merge_user": author if merged else None,
        "target_branch": item.default_branch or "main", "source_branch": f"change-{index}", "author": author,
        "assignees": [], "reviewers": [], "labels": [], "draft": False, "work_in_progress": False,
        "merge_status": "can_be_merged", "detailed_merge_status": "mergeable", "sha": "f" * 40,
        "merge_commit_sha": "e" * 40 if merged else None, "squash_commit_sha": None, "squash": False,
        "user_notes_count": 0, "upvotes": 0, "downvotes": 0, "source_project_id": item.id, "target_project_id": item.id,
        "references": {"short": f"!{index + 1}", "relative": f"!{index + 1}", "full": f"{item.path_with_namespace}!{index + 1}"},
        "web_url": f"{base}/{item.path_with_namespace}/-/merge_requests/{index + 1}",
    }


def approval_rule(index: int, rule: ApprovalRule, project: Project) -> dict[str, Any]:
    """A rule as `/projects/:id/approval_rules` lists it (docs.gitlab.com/api/merge_request_approvals):
    its protected branches are the project's protected-branch entities it is scoped to."""
    branches = [
        {"id": position + 1, "name": branch.name, "push_access_levels": [], "merge_access_levels": [],
         "unprotect_access_levels": [], "allow_force_push": branch.allow_force_push,
         "code_owner_approval_required": branch.code_owner_approval_required}
        for position, branch in enumerate(project.protected_branches)
        if branch.name in rule.branches
    ]
    return {
        "id": index, "name": rule.name, "rule_type": rule.rule_type, "report_type": None,
        "eligible_approvers": [], "approvals_required": rule.approvals_required, "users": [], "groups": [],
        "contains_hidden_groups": False, "protected_branches": branches,
        "applies_to_all_protected_branches": rule.applies_to_all_protected_branches,
    }


def project_approvals(project: Project) -> dict[str, Any]:
    """`/projects/:id/approvals` (docs.gitlab.com/api/merge_request_approvals, project-level configuration);
    `approvers` and `approver_groups` are deprecated and always empty."""
    return {
        "approvers": [], "approver_groups": [], "approvals_before_merge": project.approvals_before_merge,
        "reset_approvals_on_push": True, "selective_code_owner_removals": False,
        "disable_overriding_approvers_per_merge_request": False, "merge_requests_author_approval": False,
        "merge_requests_disable_committers_approval": False, "require_password_to_approve": False,
        "require_reauthentication_to_approve": False, **project.approvals,
    }


_GROUP_APPROVAL_DEFAULTS = {
    "allow_author_approval": False, "allow_committer_approval": True,
    "allow_overrides_to_approver_list_per_merge_request": True, "retain_approvals_on_push": False,
    "selective_code_owner_removals": False, "require_password_to_approve": False,
    "require_reauthentication_to_approve": False,
}


def group_approval_setting(group: Group) -> dict[str, Any]:
    """`/groups/:id/merge_request_approval_setting` (docs.gitlab.com/api/merge_request_approval_settings):
    each setting as its value, whether it is locked and where it is inherited from."""
    settings = {name: (value, False) for name, value in _GROUP_APPROVAL_DEFAULTS.items()} | group.approval_setting
    return {name: {"value": value, "locked": locked, "inherited_from": None} for name, (value, locked) in settings.items()}


def project_member(index: int, username: str, level: int, expires_at: str | None) -> dict[str, Any]:
    return {**member(index, username, level), "expires_at": expires_at}


def shared_group(instance: Instance, full_path: str, level: int, expires_at: str | None) -> dict[str, Any]:
    """An entry of a project's `shared_with_groups`."""
    shared = instance.group(full_path)
    return {"group_id": shared.id if shared is not None else 0, "group_name": full_path.rsplit("/", 1)[-1],
            "group_full_path": full_path, "group_access_level": level, "expires_at": expires_at}


def push_rule(project: Project, settings: dict[str, Any]) -> dict[str, Any]:
    """A project's push rule as `/projects/:id/push_rule` returns it (docs.gitlab.com/api/project_push_rules)."""
    return {
        "id": project.id, "project_id": project.id, "created_at": _CREATED,
        "commit_message_regex": "", "commit_message_negative_regex": "", "branch_name_regex": "",
        "deny_delete_tag": False, "member_check": False, "prevent_secrets": False, "author_email_regex": "",
        "file_name_regex": "", "max_file_size": 0, "commit_committer_check": False,
        "commit_committer_name_check": False, "reject_unsigned_commits": False, "reject_non_dco_commits": False,
        **settings,
    }


def release(base: str, item: Project, tag: str) -> dict[str, Any]:
    """A release as `/projects/:id/releases/permalink/latest` gives it (the fields the collector
    reads, and those beside them in GitLab's release entity)."""
    return {
        "name": tag,
        "tag_name": tag,
        "description": "",
        "created_at": _CREATED,
        "released_at": _CREATED,
        "upcoming_release": False,
        "author": None,
        "commit": {"id": item.head_commit},
        "_links": {"self": f"{base}/{item.path_with_namespace}/-/releases/{tag}"},
    }


def saml_group_link(name: str, access_level: int) -> dict[str, Any]:
    """EE::API::Entities::SamlGroupLink (doc/api/saml.md)."""
    return {"name": name, "access_level": access_level, "member_role_id": None, "provider": None}


def ldap_group_link(cn: str, group_access: int) -> dict[str, Any]:
    """EE::API::Entities::LdapGroupLink (doc/api/group_ldap_links.md)."""
    return {"cn": cn, "group_access": group_access, "provider": "ldapmain", "filter": None, "member_role_id": None}
