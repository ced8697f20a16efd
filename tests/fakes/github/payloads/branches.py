"""Branches, classic branch protection, rulesets and the effective rules of a branch."""

from __future__ import annotations

from typing import Any

from ..model import Branch, BranchProtection, Ruleset
from .links import Links, iso, node_id
from .repos import Owner


def _flag(enabled: bool, url: str | None = None) -> dict[str, Any]:
    return {"url": url, "enabled": enabled} if url else {"enabled": enabled}


def status_checks(url: str, protection: BranchProtection) -> dict[str, Any]:
    contexts = protection.required_status_checks or []
    return {
        "url": url,
        "strict": protection.strict_status_checks,
        "contexts": list(contexts),
        "contexts_url": f"{url}/contexts",
        "checks": [{"context": context, "app_id": None} for context in contexts],
    }


def protection(links: Links, owner: Owner, repo_name: str, branch: str, rules: BranchProtection) -> dict[str, Any]:
    """The shape of `GET .../branches/{branch}/protection`."""
    url = links.repo_api(owner.login, repo_name, f"/branches/{branch}/protection")
    payload: dict[str, Any] = {
        "url": url,
        "required_signatures": _flag(rules.required_signatures, f"{url}/required_signatures"),
        "enforce_admins": _flag(rules.enforce_admins, f"{url}/enforce_admins"),
        "required_linear_history": _flag(rules.required_linear_history),
        "allow_force_pushes": _flag(rules.allow_force_pushes),
        "allow_deletions": _flag(rules.allow_deletions),
        "block_creations": _flag(False),
        "required_conversation_resolution": _flag(rules.required_conversation_resolution),
        "lock_branch": _flag(rules.lock_branch),
        "allow_fork_syncing": _flag(False),
    }
    if rules.required_status_checks is not None:
        payload["required_status_checks"] = status_checks(f"{url}/required_status_checks", rules)
    if rules.required_approving_review_count is not None:
        payload["required_pull_request_reviews"] = {
            "url": f"{url}/required_pull_request_reviews",
            "dismiss_stale_reviews": rules.dismiss_stale_reviews,
            "require_code_owner_reviews": rules.require_code_owner_reviews,
            "required_approving_review_count": rules.required_approving_review_count,
            "require_last_push_approval": False,
        }
    return payload


def branch(links: Links, owner: Owner, repo_name: str, entry: Branch, commit: dict[str, Any]) -> dict[str, Any]:
    """The shape of `GET .../branches/{branch}` (BranchWithProtection)."""
    url = links.repo_api(owner.login, repo_name, f"/branches/{entry.name}")
    rules = entry.protection
    checks = rules.required_status_checks if rules and rules.required_status_checks is not None else []
    return {
        "name": entry.name,
        "commit": commit,
        "_links": {"self": url, "html": links.html(f"/{owner.login}/{repo_name}/tree/{entry.name}")},
        "protected": rules is not None,
        "protection": {
            "enabled": rules is not None,
            "required_status_checks": {
                "enforcement_level": "non_admins" if checks else "off",
                "contexts": list(checks),
                "checks": [{"context": context, "app_id": None} for context in checks],
            },
        },
        "protection_url": f"{url}/protection",
    }


def short_branch(links: Links, owner: Owner, repo_name: str, entry: Branch, sha: str) -> dict[str, Any]:
    """The shape of `GET .../branches` items."""
    return {
        "name": entry.name,
        "commit": {"sha": sha, "url": links.repo_api(owner.login, repo_name, f"/commits/{sha}")},
        "protected": entry.protection is not None,
        "protection_url": links.repo_api(owner.login, repo_name, f"/branches/{entry.name}/protection"),
    }


def ruleset(links: Links, entry: Ruleset, source_type: str, source: str, *, detailed: bool) -> dict[str, Any]:
    """A repository or organization ruleset; lists carry the summary, single GETs the conditions and rules."""
    if source_type == "Organization":
        self_url = links.api(f"/orgs/{source}/rulesets/{entry.id}")
        html_url = links.html(f"/organizations/{source}/settings/rules/{entry.id}")
    else:
        self_url = links.api(f"/repos/{source}/rulesets/{entry.id}")
        html_url = links.html(f"/{source}/rules/{entry.id}")
    payload: dict[str, Any] = {
        "id": entry.id,
        "name": entry.name,
        "target": entry.target,
        "source_type": source_type,
        "source": source,
        "enforcement": entry.enforcement,
        "node_id": node_id("RepositoryRuleset", entry.id),
        "_links": {"self": {"href": self_url}, "html": {"href": html_url}},
        "created_at": iso(entry.created_at),
        "updated_at": iso(entry.created_at),
    }
    if detailed:
        conditions: dict[str, Any] = {
            "ref_name": {"include": list(entry.include_refs), "exclude": list(entry.exclude_refs)}
        }
        if source_type == "Organization":
            conditions["repository_name"] = {
                "include": list(entry.include_repositories),
                "exclude": list(entry.exclude_repositories),
                "protected": False,
            }
        payload.update(
            {
                "bypass_actors": [dict(actor) for actor in entry.bypass_actors],
                "current_user_can_bypass": "never",
                "conditions": conditions,
                "rules": [dict(rule) for rule in entry.rules],
            }
        )
    return payload


def effective_rule(rule: dict[str, Any], entry: Ruleset, source_type: str, source: str) -> dict[str, Any]:
    """One item of `GET /repos/{o}/{r}/rules/branches/{branch}`."""
    return {**rule, "ruleset_source_type": source_type, "ruleset_source": source, "ruleset_id": entry.id}
