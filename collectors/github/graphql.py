"""The GraphQL queries the collector sends, built for batches of repositories through aliases.

Cost (GitHub's rules: one request per connection, multiplied by its parents' `first`, summed,
÷100, rounded half up; at least 1): a batch asks, per repository, five unnested connections and
its first production environment with its protection rules (1 + 1), so 21 repositories cost one
point (147 requests) and 22 would cost two. `rateLimit { cost }` reports the real figure.

Owners and names travel as variables, never spliced into the query text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

PAGE = 100

_HISTORY_FIELDS = """
          totalCount
          pageInfo { hasNextPage endCursor }
          nodes { oid committedDate author { email name user { login } } }"""

_DEPLOYMENT_FIELDS = """
      pageInfo { hasNextPage endCursor }
      nodes { createdAt environment commit { oid committedDate } latestStatus { state createdAt } }"""

#: Parts of a repository's metadata that need more than read access. GitHub answers a token
#: without it with an error for that field, so a batch can be asked again without them.
OPTIONAL_PARTS: dict[str, str] = {
    "hasVulnerabilityAlertsEnabled": "  hasVulnerabilityAlertsEnabled",
    "deployments": f"""
  deployments(first: {PAGE}, orderBy: {{field: CREATED_AT, direction: DESC}}) {{{_DEPLOYMENT_FIELDS}
  }}""",
    "branchProtectionRules": """
  branchProtectionRules(first: 100) {
    nodes {
      pattern requiresApprovingReviews requiredApprovingReviewCount requiresCodeOwnerReviews
      requiresStatusChecks requiredStatusCheckContexts
    }
  }""",
    # Only whether any branch ruleset applies: when none does, no REST request for its rules.
    "rulesets": "  rulesets(first: 1, includeParents: true, targets: [BRANCH]) { totalCount }",
    # The production environments (by the literal names among production_environments) and their
    # protection rules: 1 + 1 requests per repository in the cost. Others are read over REST
    # where a reason says so (settings.py).
    "environments": """
  environments(first: 1, names: $environments) {
    totalCount
    nodes { name protectionRules(first: 10) { nodes { type } } }
  }""",
    # Not a connection: free. Null when GitHub finds no CODEOWNERS file.
    "codeowners": "  codeowners { errors { kind line path } }",
}


@dataclass(frozen=True)
class RepoRef:
    owner: str
    name: str


def repositories_query(
    repos: Sequence[RepoRef], without: frozenset[str] = frozenset(), environments: Sequence[str] = ()
) -> tuple[str, dict[str, Any]]:
    """Metadata of each repository under alias r<i>; `without` drops OPTIONAL_PARTS the token cannot
    read; `environments`: the environment names asked for (none: that part is left out)."""
    if not environments:
        without = without | {"environments"}
    optional = "\n".join(text for part, text in OPTIONAL_PARTS.items() if part not in without)
    fragment = f"""
fragment repo on Repository {{
  nameWithOwner
  viewerCanAdminister
  isTemplate
  templateRepository {{ nameWithOwner owner {{ login }} }}
  hasIssuesEnabled
  hasDiscussionsEnabled
  collaborators(first: 1, affiliation: DIRECT) {{ totalCount }}
  defaultBranchRef {{
    name
    target {{
      ... on Commit {{
        oid
        committedDate
        history(since: $since, until: $until, first: {PAGE}) {{{_HISTORY_FIELDS}
        }}
      }}
    }}
  }}
{optional}
}}"""
    declarations, selections, names = _aliased(repos, "...repo")
    variables: dict[str, Any] = dict(names)
    if "environments" not in without:
        declarations += ", $environments: [String!]"
        variables["environments"] = list(environments)
    query = (
        f"query({declarations}, $since: GitTimestamp!, $until: GitTimestamp!) {{\n"
        f"  rateLimit {{ cost remaining resetAt }}\n{selections}}}\n{fragment}"
    )
    return query, variables


def history_pages_query(pages: Sequence[tuple[RepoRef, str, str]]) -> tuple[str, dict[str, str]]:
    """The next history page of each (repository, head oid, cursor), under alias r<i>."""
    selections, declarations, variables = [], ["$since: GitTimestamp!", "$until: GitTimestamp!"], {}
    for index, (repo, head, cursor) in enumerate(pages):
        declarations += [f"$o{index}: String!", f"$n{index}: String!", f"$h{index}: GitObjectID!", f"$c{index}: String!"]
        variables.update({f"o{index}": repo.owner, f"n{index}": repo.name, f"h{index}": head, f"c{index}": cursor})
        selections.append(
            f"  r{index}: repository(owner: $o{index}, name: $n{index}) {{\n"
            f"    object(oid: $h{index}) {{ ... on Commit {{\n"
            f"        history(since: $since, until: $until, first: {PAGE}, after: $c{index}) {{{_HISTORY_FIELDS}\n"
            f"        }}\n    }} }}\n  }}\n"
        )
    query = f"query({', '.join(declarations)}) {{\n  rateLimit {{ cost remaining resetAt }}\n{''.join(selections)}}}\n"
    return query, variables


def deployment_pages_query(pages: Sequence[tuple[RepoRef, str]]) -> tuple[str, dict[str, str]]:
    """The next deployments page of each (repository, cursor), under alias r<i>."""
    selections, declarations, variables = [], [], {}
    for index, (repo, cursor) in enumerate(pages):
        declarations += [f"$o{index}: String!", f"$n{index}: String!", f"$c{index}: String!"]
        variables.update({f"o{index}": repo.owner, f"n{index}": repo.name, f"c{index}": cursor})
        selections.append(
            f"  r{index}: repository(owner: $o{index}, name: $n{index}) {{\n"
            f"    deployments(first: {PAGE}, after: $c{index}, orderBy: {{field: CREATED_AT, direction: DESC}}) {{"
            f"{_DEPLOYMENT_FIELDS}\n    }}\n  }}\n"
        )
    query = f"query({', '.join(declarations)}) {{\n  rateLimit {{ cost remaining resetAt }}\n{''.join(selections)}}}\n"
    return query, variables


OWNER_QUERY = """
query($login: String!) {
  rateLimit { cost remaining resetAt }
  repositoryOwner(login: $login) {
    __typename
    login
    url
    ... on Organization {
      viewerCanAdminister
      requiresTwoFactorAuthentication
      membersWithRole(first: 1) { totalCount }
    }
  }
}
"""


def _aliased(repos: Sequence[RepoRef], selection: str) -> tuple[str, str, dict[str, str]]:
    declarations, selections, variables = [], [], {}
    for index, repo in enumerate(repos):
        declarations += [f"$o{index}: String!", f"$n{index}: String!"]
        variables.update({f"o{index}": repo.owner, f"n{index}": repo.name})
        selections.append(f"  r{index}: repository(owner: $o{index}, name: $n{index}) {{ {selection} }}\n")
    return ", ".join(declarations), "".join(selections), variables
