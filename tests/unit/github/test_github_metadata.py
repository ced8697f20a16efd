"""GraphQL batches when the token may not see every field: a tiny GraphQL server answering
the way GitHub does for a denied non-null field (the error, and the repository blanked)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from github import Auth

from collectors.github.client import GitHubClient
from collectors.github.graphql import RepoRef
from collectors.github.metadata import DeniedParts, RepoMetadata, fetch_batch
from scanner.contract import RealTimer, RequestCounter

DENIED = "Resource not accessible by personal access token"


class _DeniesBranchProtection(BaseHTTPRequestHandler):
    queries: list[str] = []

    def do_POST(self) -> None:  # noqa: N802  (http.server's name)
        query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["query"]
        self.queries.append(query)
        if "branchProtectionRules" in query:
            body: dict[str, Any] = {
                "data": {"rateLimit": {"cost": 1}, "r0": None},
                "errors": [{"type": "FORBIDDEN", "path": ["r0", "branchProtectionRules"], "message": DENIED}],
            }
        else:
            head = {"oid": "a" * 40, "committedDate": "2026-05-01T00:00:00Z",
                    "history": {"totalCount": 0, "pageInfo": {"hasNextPage": False}, "nodes": []}}
            body = {"data": {"rateLimit": {"cost": 1}, "r0": {"isTemplate": False, "defaultBranchRef": {"name": "main", "target": head}}}}
        payload = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _DeniesBranchProtection.queries = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _DeniesBranchProtection)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def test_a_denied_field_is_dropped_and_the_batch_asked_again(server: str) -> None:
    counter = RequestCounter()
    client = GitHubClient(
        server, Auth.Token("t"), counter=counter, timeout=5, max_retries=0, max_rate_limit_wait=0,
        rate_limit_wait_budget=0, timer=RealTimer(),
    )
    denied = DeniedParts()
    window = datetime(2026, 3, 1, tzinfo=timezone.utc), datetime(2026, 6, 1, tzinfo=timezone.utc)
    [meta] = fetch_batch(client, [RepoRef("acme", "svc")], *window, denied).values()
    assert isinstance(meta, RepoMetadata) and meta.data["defaultBranchRef"]["name"] == "main"
    assert meta.denied == {"branchProtectionRules": f"GitHub GraphQL FORBIDDEN: {DENIED}"}
    assert len(_DeniesBranchProtection.queries) == 2
    # Later batches do not ask for it again.
    fetch_batch(client, [RepoRef("acme", "other")], *window, denied)
    assert len(_DeniesBranchProtection.queries) == 3 and "branchProtectionRules" not in _DeniesBranchProtection.queries[2]
    assert counter.snapshot()["graphql"].sent == 3
    client.close()
