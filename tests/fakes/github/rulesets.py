"""Which rulesets cover a repository and a branch: shared by the REST and GraphQL views."""

from __future__ import annotations

from fnmatch import fnmatchcase

from .model import Organization, Repository, Ruleset


def ref_matches(ruleset: Ruleset, branch: str, default_branch: str) -> bool:
    ref = f"refs/heads/{branch}"

    def matches(pattern: str) -> bool:
        if pattern == "~ALL":
            return True
        if pattern == "~DEFAULT_BRANCH":
            return branch == default_branch
        return fnmatchcase(ref, pattern)

    return any(map(matches, ruleset.include_refs)) and not any(map(matches, ruleset.exclude_refs))


def repo_matches(ruleset: Ruleset, name: str) -> bool:
    def matches(pattern: str) -> bool:
        return pattern == "~ALL" or fnmatchcase(name.lower(), pattern.lower())

    return any(map(matches, ruleset.include_repositories)) and not any(map(matches, ruleset.exclude_repositories))


def covering(repo: Repository, org: Organization | None) -> list[tuple[Ruleset, Organization | None]]:
    """The repository's own rulesets (paired with None) then its organization's that cover it (paired with the org)."""
    found: list[tuple[Ruleset, Organization | None]] = [(ruleset, None) for ruleset in repo.rulesets]
    if org is not None:
        found += [(ruleset, org) for ruleset in org.rulesets if repo_matches(ruleset, repo.name)]
    return found


def active_for_branch(
    repo: Repository, org: Organization | None, branch: str
) -> list[tuple[Ruleset, Organization | None]]:
    return [
        (ruleset, source)
        for ruleset, source in covering(repo, org)
        if ruleset.enforcement == "active"
        and ruleset.target == "branch"
        and ref_matches(ruleset, branch, repo.default_branch)
    ]
