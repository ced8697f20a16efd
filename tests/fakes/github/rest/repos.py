"""Repositories, branches, classic branch protection, rulesets and the rules that apply to a branch."""

from __future__ import annotations

from .. import rulesets
from ..context import Call
from ..exchange import ApiError, Response, json_response, not_found
from ..gitobjects import build_objects
from ..model import Branch, Repository, Ruleset
from ..payloads import branches, repos
from ..payloads.repos import Owner
from .git import commit_payload

_PROTECTION_DOCS = "https://docs.github.com/rest/branches/branch-protection#get-branch-protection"


def get_repo(call: Call) -> Response:
    owner, repo = call.repo()
    template = None
    if repo.template_repository:
        template_owner_login, _, template_name = repo.template_repository.partition("/")
        template_owner = call.world.org(template_owner_login) or call.world.user(template_owner_login)
        template_repo = call.world.repo(template_owner_login, template_name)
        if template_owner is not None and template_repo is not None:
            template = (Owner.of(template_owner), template_repo)
        else:  # the template lives outside the declared state: describe it from its name alone
            template = (Owner(template_owner_login, 0, "Organization"), Repository(template_name, is_template=True))
    payload = repos.full_repository(
        call.links, owner, repo, admin=call.is_repo_admin(), org=call.owner_org(owner), template=template
    )
    return json_response(payload)


def get_topics(call: Call) -> Response:
    _, repo = call.repo()
    return json_response({"names": list(repo.topics)})


def _branch(call: Call, repo: Repository) -> Branch:
    branch = repo.branch(call.params["branch"])
    if branch is None:
        raise ApiError(404, "Branch not found", "https://docs.github.com/rest/branches/branches#get-a-branch")
    return branch


def list_branches(call: Call) -> Response:
    owner, repo = call.repo()
    chosen = repo.all_branches()
    protected = call.request.query.get("protected")
    if protected is not None:
        chosen = [branch for branch in chosen if (branch.protection is not None) == (protected == "true")]
    return call.page(
        [branches.short_branch(call.links, owner, repo.name, branch, repo.branch_sha(branch)) for branch in chosen]
    )


def get_branch(call: Call) -> Response:
    owner, repo = call.repo()
    branch = _branch(call, repo)
    commit = commit_payload(call, owner, repo, repo.branch_sha(branch), build_objects(repo.files))
    return json_response(branches.branch(call.links, owner, repo.name, branch, commit))


def _protection(call: Call) -> tuple[Owner, Repository, Branch]:
    owner, repo = call.repo()
    if not call.is_repo_admin():
        raise ApiError(403, "Must have admin rights to Repository.", _PROTECTION_DOCS)
    branch = _branch(call, repo)
    if branch.protection is None:
        raise ApiError(404, "Branch not protected", _PROTECTION_DOCS)
    return owner, repo, branch


def get_protection(call: Call) -> Response:
    owner, repo, branch = _protection(call)
    assert branch.protection is not None
    return json_response(branches.protection(call.links, owner, repo.name, branch.name, branch.protection))


def get_required_status_checks(call: Call) -> Response:
    owner, repo, branch = _protection(call)
    assert branch.protection is not None
    if branch.protection.required_status_checks is None:
        raise ApiError(404, "Required status checks not enabled", _PROTECTION_DOCS)
    url = call.links.repo_api(owner.login, repo.name, f"/branches/{branch.name}/protection/required_status_checks")
    return json_response(branches.status_checks(url, branch.protection))


def applicable_rulesets(call: Call, owner: Owner, repo: Repository) -> list[tuple[Ruleset, str, str]]:
    """(ruleset, source type, source) for the repository's own rulesets and its organization's that cover it."""
    return [
        (ruleset, "Organization", org.login) if org else (ruleset, "Repository", f"{owner.login}/{repo.name}")
        for ruleset, org in rulesets.covering(repo, call.owner_org(owner))
    ]


def list_repo_rulesets(call: Call) -> Response:
    owner, repo = call.repo()
    found = applicable_rulesets(call, owner, repo)
    if call.request.query.get("includes_parents", "true") == "false":
        found = [item for item in found if item[1] == "Repository"]
    return call.page(
        [branches.ruleset(call.links, ruleset, kind, source, detailed=False) for ruleset, kind, source in found]
    )


def get_repo_ruleset(call: Call) -> Response:
    owner, repo = call.repo()
    for ruleset, kind, source in applicable_rulesets(call, owner, repo):
        if str(ruleset.id) == call.params["id"]:
            return json_response(branches.ruleset(call.links, ruleset, kind, source, detailed=True))
    raise not_found()


def list_org_rulesets(call: Call) -> Response:
    org = call.org()
    call.require_org_admin()
    return call.page(
        [branches.ruleset(call.links, ruleset, "Organization", org.login, detailed=False) for ruleset in org.rulesets]
    )


def get_org_ruleset(call: Call) -> Response:
    org = call.org()
    call.require_org_admin()
    for ruleset in org.rulesets:
        if str(ruleset.id) == call.params["id"]:
            return json_response(branches.ruleset(call.links, ruleset, "Organization", org.login, detailed=True))
    raise not_found()


def get_branch_rules(call: Call) -> Response:
    """Every active rule that applies to a branch, from all rulesets (GitHub lists it even for missing branches)."""
    owner, repo = call.repo()
    found = rulesets.active_for_branch(repo, call.owner_org(owner), call.params["branch"])
    return call.page(
        [
            branches.effective_rule(
                rule,
                ruleset,
                "Organization" if org else "Repository",
                org.login if org else f"{owner.login}/{repo.name}",
            )
            for ruleset, org in found
            for rule in ruleset.rules
        ]
    )
