"""GraphQL on the fake GitHub through PyGithub's requester: aliases, cost, errors, connections."""

from __future__ import annotations

from typing import Any

import pytest
from github import Github, GithubException, UnknownObjectException

from tests.fakes.github import FakeGitHub, Token, generate_org


def post(gh: Github, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """The raw GraphQL answer, errors included (graphql_query raises on any error)."""
    _, data = gh.requester.requestJsonAndCheck("POST", "/graphql", input={"query": query, "variables": variables or {}})
    return data


BATCH = """
query($owner: String!) {
  payments: repository(owner: $owner, name: "svc-payments") { ...repo }
  orders: repository(owner: $owner, name: "svc-orders") { ...repo }
  legacy: repository(owner: $owner, name: "legacy-tool") { ...repo }
  rateLimit { cost remaining limit used nodeCount }
}
fragment repo on Repository {
  nameWithOwner isArchived isFork isTemplate pushedAt hasIssuesEnabled hasDiscussionsEnabled
  hasVulnerabilityAlertsEnabled visibility templateRepository { nameWithOwner }
  repositoryTopics(first: 10) { nodes { topic { name } } }
  defaultBranchRef { name target { ... on Commit { oid history(first: 5) { totalCount } } } }
}
"""


def test_aliases_batch_repository_lookups(fake_github: FakeGitHub, gh: Github) -> None:
    _, data = gh.requester.graphql_query(BATCH, {"owner": "acme"})
    payments, orders, legacy = (data["data"][alias] for alias in ("payments", "orders", "legacy"))
    assert payments["nameWithOwner"] == "acme/svc-payments"
    assert payments["templateRepository"] == {"nameWithOwner": "acme/platform-templates"}
    assert [node["topic"]["name"] for node in payments["repositoryTopics"]["nodes"]] == ["service", "payments"]
    assert payments["defaultBranchRef"]["target"]["history"]["totalCount"] == 12
    assert payments["hasVulnerabilityAlertsEnabled"] is True and orders["visibility"] == "INTERNAL"
    assert legacy["isArchived"] is True and legacy["hasIssuesEnabled"] is False
    assert payments["defaultBranchRef"]["target"]["oid"] == fake_github.org.repo("svc-payments").head_sha
    # 3 topic connections + 3 history connections = 6 requests -> 0.06 points, rounded up to the minimum 1
    assert data["data"]["rateLimit"] == {"cost": 1, "remaining": 4999, "limit": 5000, "used": 1, "nodeCount": 45}
    assert fake_github.stats.graphql_cost == 1 and fake_github.stats.charged == 0


def test_cost_multiplies_nested_connections(fake_github: FakeGitHub, gh: Github) -> None:
    query = """{ organization(login: "acme") {
      repositories(first: 100) { nodes { deployments(first: 50) { nodes { statuses(first: 10) { totalCount } } } } }
    } rateLimit { cost } }"""
    data = post(gh, query)
    # 1 (repositories) + 100 (deployments per repository) + 5000 (statuses per deployment) = 5101 -> 51
    assert data["data"]["rateLimit"]["cost"] == 51
    assert fake_github.stats.graphql_cost == 51
    assert fake_github.stats.log[-1].cost == 51
    assert gh.rate_limiting == (4949, 5000)
    halves = """{ organization(login: "acme") { repositories(first: 83) { nodes {
      deployments(first: 1) { totalCount } environments(first: 1) { totalCount }
      repositoryTopics(first: 1) { totalCount }
    } } } rateLimit { cost } }"""
    assert post(gh, halves)["data"]["rateLimit"]["cost"] == 3  # 1 + 3 * 83 = 250 requests -> 2.5, rounded up


def test_unknown_field_is_an_error_in_githubs_shape(fake_github: FakeGitHub, gh: Github) -> None:
    with pytest.raises(GithubException) as raised:
        gh.requester.graphql_query('{ repository(owner: "acme", name: "svc-orders") { nameWithOwner stars } }', {})
    error = raised.value.data["errors"][0]
    assert error["message"] == "Field 'stars' doesn't exist on type 'Repository'"
    assert error["locations"] == [{"line": 1, "column": 65}]
    assert error["extensions"] == {"code": "undefinedField", "typeName": "Repository", "fieldName": "stars"}
    assert error["path"] == ["query", "repository", "stars"]
    assert "data" not in raised.value.data
    assert fake_github.stats.log[-1].status == 200


def test_unknown_field_path_follows_fragments(gh: Github) -> None:
    query = """query Batch { r: repository(owner: "acme", name: "svc-orders") {
      defaultBranchRef { target { ... on Commit { history(first: 1) { nodes { sha } } } } } } }"""
    error = post(gh, query)["errors"][0]
    assert error["path"] == [
        "query Batch",
        "repository",
        "defaultBranchRef",
        "target",
        "... on Commit",
        "history",
        "nodes",
        "sha",
    ]
    assert error["message"] == "Field 'sha' doesn't exist on type 'Commit'"


def test_missing_repository_is_null_with_not_found(gh: Github) -> None:
    data = post(
        gh,
        '{ a: repository(owner: "acme", name: "svc-orders") { name } '
        'b: repository(owner: "acme", name: "gone") { name } }',
    )
    assert data["data"] == {"a": {"name": "svc-orders"}, "b": None}
    assert data["errors"] == [
        {
            "type": "NOT_FOUND",
            "path": ["b"],
            "locations": [{"line": 1, "column": 61}],
            "message": "Could not resolve to a Repository with the name 'acme/gone'.",
        }
    ]
    with pytest.raises(UnknownObjectException):
        gh.requester.graphql_query('{ repository(owner: "acme", name: "gone") { name } }', {})


def test_connections_need_bounded_first(gh: Github) -> None:
    missing = post(gh, '{ organization(login: "acme") { repositories { totalCount } } }')
    assert missing["errors"][0]["type"] == "MISSING_PAGINATION_BOUNDARIES"
    too_many = post(gh, '{ organization(login: "acme") { repositories(first: 101) { totalCount } } }')
    assert too_many["errors"][0]["message"] == (
        "Requesting 101 records on the `repositories` connection exceeds the `first` limit of 100 records."
    )


def test_org_repositories_filter_and_cursor_pagination(gh: Github) -> None:
    query = """query($after: String) { organization(login: "acme") {
      requiresTwoFactorAuthentication
      repositories(first: 2, after: $after, isArchived: false, orderBy: {field: NAME, direction: ASC}) {
        totalCount pageInfo { hasNextPage endCursor } nodes { name }
      } } }"""
    names: list[str] = []
    after = None
    while True:
        org = post(gh, query, {"after": after})["data"]["organization"]
        page = org["repositories"]
        names += [node["name"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert org["requiresTwoFactorAuthentication"] is True and page["totalCount"] == 4
    assert names == ["docs-fork", "platform-templates", "svc-orders", "svc-payments"]


def test_commit_history_window(gh: Github) -> None:
    query = """{ repository(owner: "acme", name: "svc-payments") { defaultBranchRef { target { ... on Commit {
      history(since: "2026-05-25T00:00:00Z", until: "2026-05-28T12:00:00Z", first: 2) {
        totalCount pageInfo { hasNextPage } nodes { committedDate author { email user { login } } }
      } } } } } }"""
    history = post(gh, query)["data"]["repository"]["defaultBranchRef"]["target"]["history"]
    assert history["totalCount"] == 4 and history["pageInfo"]["hasNextPage"] is True
    assert history["nodes"][0] == {
        "committedDate": "2026-05-28T12:00:00Z",
        "author": {"email": "contractor@example.com", "user": None},
    }
    assert history["nodes"][1]["author"]["user"] == {"login": "alice"}


def test_blob_text_and_tree_entries(gh: Github) -> None:
    query = """{ repository(owner: "acme", name: "svc-payments") {
      file: object(expression: "HEAD:.github/CODEOWNERS") { ... on Blob { text byteSize isBinary } }
      dir: object(expression: "main:.github") { ... on Tree { entries { name type path } } }
      none: object(expression: "main:nope.txt") { oid } } }"""
    repo = post(gh, query)["data"]["repository"]
    assert repo["file"] == {"text": "* @acme/platform\n", "byteSize": 17, "isBinary": False}
    assert {entry["path"]: entry["type"] for entry in repo["dir"]["entries"]} == {
        ".github/CODEOWNERS": "blob",
        ".github/dependabot.yml": "blob",
        ".github/workflows": "tree",
    }
    assert repo["none"] is None


def test_deployments_with_latest_status(gh: Github) -> None:
    query = """{ repository(owner: "acme", name: "svc-payments") {
      deployments(first: 3, environments: ["production"], orderBy: {field: CREATED_AT, direction: DESC}) {
        totalCount
        nodes { createdAt environment state commitOid commit { committedDate } latestStatus { state createdAt } }
      } } }"""
    deployments = post(gh, query)["data"]["repository"]["deployments"]
    assert deployments["totalCount"] == 6
    newest = deployments["nodes"][0]
    assert (newest["environment"], newest["state"], newest["latestStatus"]["state"]) == (
        "production",
        "ACTIVE",
        "SUCCESS",
    )
    assert deployments["nodes"][1]["state"] == "INACTIVE"  # superseded by a newer successful deployment
    assert deployments["nodes"][2]["latestStatus"]["state"] == "FAILURE"


def test_protection_rules_rulesets_teams_and_members(gh: Github) -> None:
    query = """{ organization(login: "acme") {
      membersWithRole(first: 10) { edges { role node { login } } }
      teams(first: 10) { nodes { slug repositories(first: 10) { edges { permission node { name } } } } }
      repository(name: "svc-payments") {
        branchProtectionRules(first: 5) { nodes { pattern requiredApprovingReviewCount requiresCodeOwnerReviews
                                                  requiredStatusCheckContexts isAdminEnforced } }
        rulesets(first: 5) { nodes { name enforcement source { __typename ... on Organization { login } }
          rules(first: 5) {
            nodes { type parameters { ... on PullRequestParameters { requiredApprovingReviewCount } } } } } }
      } } }"""
    org = post(gh, query)["data"]["organization"]
    assert {(e["node"]["login"], e["role"]) for e in org["membersWithRole"]["edges"]} == {
        ("alice", "ADMIN"),
        ("bob", "MEMBER"),
        ("carol", "MEMBER"),
    }
    platform = org["teams"]["nodes"][0]
    assert {e["node"]["name"]: e["permission"] for e in platform["repositories"]["edges"]} == {
        "platform-templates": "ADMIN",
        "svc-payments": "MAINTAIN",
    }
    rule = org["repository"]["branchProtectionRules"]["nodes"][0]
    assert rule == {
        "pattern": "main",
        "requiredApprovingReviewCount": 2,
        "requiresCodeOwnerReviews": True,
        "requiredStatusCheckContexts": ["test"],
        "isAdminEnforced": True,
    }
    own, inherited = org["repository"]["rulesets"]["nodes"]
    assert own["source"] == {"__typename": "Repository"}
    assert inherited["source"] == {"__typename": "Organization", "login": "acme"}
    assert inherited["rules"]["nodes"][0] == {"type": "PULL_REQUEST", "parameters": {"requiredApprovingReviewCount": 1}}


def test_organization_rulesets_and_lookup_by_database_id(fake_github: FakeGitHub, gh: Github) -> None:
    ruleset_id = fake_github.org.rulesets[0].id
    query = """query($id: Int!) { organization(login: "acme") {
      rulesets(first: 5) { totalCount nodes { name target conditions { repositoryName { include } } } }
      ruleset(databaseId: $id) { name enforcement } } }"""
    org = post(gh, query, {"id": ruleset_id})["data"]["organization"]
    assert org["rulesets"] == {
        "totalCount": 1,
        "nodes": [
            {"name": "org-default-branch", "target": "BRANCH", "conditions": {"repositoryName": {"include": ["svc-*"]}}}
        ],
    }
    assert org["ruleset"] == {"name": "org-default-branch", "enforcement": "ACTIVE"}


def test_nodes_by_global_id(gh: Github) -> None:
    repo_id = post(gh, '{ repository(owner: "acme", name: "svc-orders") { id } }')["data"]["repository"]["id"]
    _, rest = gh.requester.requestJsonAndCheck("GET", "/repos/acme/svc-orders")
    assert rest["node_id"] == repo_id
    data = post(
        gh, "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Repository { name } } }", {"ids": [repo_id, "bm9wZQ=="]}
    )
    assert data["data"]["nodes"] == [{"id": repo_id, "name": "svc-orders"}, None]
    assert data["errors"][0]["type"] == "NOT_FOUND" and data["errors"][0]["path"] == ["nodes", 1]


def test_graphql_budget_runs_out(fake_github: FakeGitHub, client) -> None:
    fake_github.world.tokens.append(Token("ghp_points", graphql_limit=2))
    gh = client(token="ghp_points")
    for _ in range(2):
        post(gh, "{ rateLimit { remaining } }")
    data = post(gh, "{ rateLimit { remaining } }")
    assert data["errors"][0]["type"] == "RATE_LIMITED"
    assert fake_github.stats.log[-1].status == 200 and fake_github.stats.graphql_cost == 2
    assert gh.rate_limiting[0] == 0


def test_large_generated_org_pages_through_graphql(fake_github: FakeGitHub, gh: Github) -> None:
    fake_github.world.orgs.append(generate_org(250, seed=3))
    query = """query($after: String) { organization(login: "bench") {
      repositories(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { name } } } }"""
    seen, after = 0, None
    while True:
        page = post(gh, query, {"after": after})["data"]["organization"]["repositories"]
        seen += len(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == 250 and fake_github.stats.by_family["graphql"] == 3


_REQUIRED_ARGUMENTS = {"qualifiedName": '"main"', "name": '"svc-payments"', "slug": '"platform"', "databaseId": "0"}


def _selection(type_: Any, depth: int, alias: str = "") -> str:
    """Every field of a type, objects expanded `depth` levels deep, connections with first: 2;
    fields under `... on Type` get aliases, since sibling types may type a field differently."""
    from graphql import GraphQLObjectType, get_named_type, is_abstract_type, is_leaf_type, is_non_null_type

    from tests.fakes.github.graphql.endpoint import schema

    if is_abstract_type(type_):
        parts = ["__typename"]
        if depth > 0:
            parts += [
                f"... on {possible.name} {{ {_selection(possible, depth - 1, f'{possible.name}_')} }}"
                for possible in schema().get_possible_types(type_)
            ]
        return " ".join(parts)
    assert isinstance(type_, GraphQLObjectType)
    parts = []
    for name, field in type_.fields.items():
        arguments = [
            f"{arg}: {_REQUIRED_ARGUMENTS[arg]}" for arg, spec in field.args.items() if is_non_null_type(spec.type)
        ]
        if "first" in field.args:
            arguments.append("first: 2")
        call = (f"{alias}{name}: " if alias else "") + (f"{name}({', '.join(arguments)})" if arguments else name)
        returns = get_named_type(field.type)
        if is_leaf_type(returns):
            parts.append(call)
        elif depth > 0:
            parts.append(f"{call} {{ {_selection(returns, depth - 1)} }}")
    return " ".join(parts) or "__typename"


def test_every_schema_field_resolves(gh: Github) -> None:
    from tests.fakes.github.graphql.endpoint import schema

    types = schema().type_map
    query = (
        f'{{ repository(owner: "acme", name: "svc-payments") {{ {_selection(types["Repository"], 3)} }} '
        f'organization(login: "acme") {{ {_selection(types["Organization"], 3)} }} '
        f"viewer {{ login }} rateLimit {{ cost limit nodeCount remaining resetAt used }} }}"
    )
    data = post(gh, query)
    assert "errors" not in data, data.get("errors")
    assert data["data"]["repository"]["nameWithOwner"] == "acme/svc-payments"
    assert data["data"]["organization"]["team"]["slug"] == "platform"
