"""`FakeAzure`: Resource Manager and an Entra ID token endpoint on 127.0.0.1, over HTTPS.

HTTPS because azure-core's bearer-token policy refuses plain http; the certificate comes from a
CA made per fake (trustme), which the collector is told to trust through its `ca_bundle`.
Like ARM, routes match paths in any case and with a trailing slash, lists are paged with a
`nextLink` that points back here, refusals carry ARM's error body (`AuthorizationFailed`,
`SubscriptionNotFound`, `InvalidAuthenticationToken`), and faults inject 403 / 429 with
`Retry-After` / 5xx for one path.
"""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import trustme

from tests.fakes.azure import payloads

TENANT_ID = "72f988bf-0000-4000-8000-0000000000aa"
CLIENT_ID = "0d5c1b6a-0000-4000-8000-0000000000c1"
CLIENT_SECRET = "fake-client-secret-Q8~canary-never-print"  # canary: must never appear in any output
ACCESS_TOKEN_PREFIX = "eyJ0eXAiOiJKV1QifQ.fake-arm-token-canary-"  # likewise every token issued
FEDERATED_TOKEN = "eyJhbGciOiJSUzI1NiJ9.fake-federated-canary.sig"  # a Kubernetes service-account token
IDENTITY_HEADER = "fake-identity-header-canary"  # App Service's managed-identity secret

_PATHS = {
    "policyassignments": "providers/microsoft.authorization/policyassignments",
    "roleassignments": "providers/microsoft.authorization/roleassignments",
    "budgets": "providers/microsoft.consumption/budgets",
    "eligibility": "providers/microsoft.authorization/roleeligibilityscheduleinstances",
    "locks": "providers/microsoft.authorization/locks",
}


@dataclass
class FakeSubscription:
    subscription_id: str
    name: str
    policy_assignments: list[dict[str, Any]] = field(default_factory=list)
    role_assignments: list[dict[str, Any]] = field(default_factory=list)
    budgets: list[dict[str, Any]] = field(default_factory=list)
    role_eligibility: list[dict[str, Any]] = field(default_factory=list)
    locks: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Fault:
    status: int
    code: str
    times: int | None  # None: every time
    retry_after: float | None = None


class FakeClock:
    """The fake's time (epoch seconds); a VirtualTimer advances it when the collector sleeps."""

    def __init__(self, start: float = 1_796_000_000.0) -> None:
        self._now = start
        self._lock = threading.Lock()

    def now(self) -> float:
        with self._lock:
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds


class FakeAzure:
    def __init__(
        self,
        subscriptions: list[FakeSubscription],
        tmp: Path,
        *,
        definitions: Sequence[dict[str, Any]] = (),
        management_groups: dict[str, list[str]] | None = None,
        page_size: int = 2,
    ) -> None:
        self.subscriptions = {s.subscription_id.lower(): s for s in subscriptions}
        self.definitions = {d["id"].lower(): d for d in definitions}  # policy (set) definitions by id
        self.management_groups = management_groups or {}  # group id -> its children (group or subscription ids)
        self.page_size = page_size
        self.clock = FakeClock()
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request, tokens included
        self._faults: dict[str, Fault] = {}
        self._issued: set[str] = set()
        self._lock = threading.Lock()
        ca = trustme.CA()
        self.ca_bundle = tmp / "fake-azure-ca.pem"
        ca.cert_pem.write_to_path(str(self.ca_bundle))
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(context)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                fake._serve(self, "GET")

            def do_POST(self) -> None:  # noqa: N802
                fake._serve(self, "POST")

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self._server.server_port}"
        self._thread: threading.Thread | None = None

    # --- handles for tests -------------------------------------------------------------------

    def fail(self, fragment: str, status: int, code: str, *, times: int | None = None, retry_after: float | None = None) -> None:
        """Answer requests whose path contains `fragment` (any case) with an error."""
        self._faults[fragment.lower()] = Fault(status, code, times, retry_after)

    def count(self, fragment: str) -> int:
        return sum(1 for _method, path in self.requests if fragment.lower() in path.lower())

    @contextmanager
    def running(self) -> Iterator[FakeAzure]:
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-azure", daemon=True)
        self._thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()

    # --- serving -----------------------------------------------------------------------------

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        path = parts.path.rstrip("/").lower()
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length).decode() if length else ""
        with self._lock:
            self.requests.append((method, parts.path))
        status, payload, headers = self._route(
            method, path, query, body, handler.headers.get("Authorization", ""), handler.headers.get("X-IDENTITY-HEADER", "")
        )
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        handler.send_header("x-ms-request-id", "00000000-0000-4000-8000-000000000000")
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _route(
        self, method: str, path: str, query: dict[str, str], body: str, authorization: str, identity_header: str
    ) -> tuple[int, Any, dict[str, str]]:
        segments = path.strip("/").split("/")
        if path.endswith("/v2.0/.well-known/openid-configuration"):
            return self._openid(segments[0])
        if path.endswith("/oauth2/v2.0/token") and method == "POST":
            return self._token(segments[0], {k: v[0] for k, v in parse_qs(body).items()})
        if path == "/msi/token":
            return self._managed_identity(query, identity_header)
        fault = self._fault(path)
        if fault is not None:
            return fault
        if not authorization.startswith("Bearer ") or authorization.removeprefix("Bearer ") not in self._issued:
            return 401, payloads.error("InvalidAuthenticationToken", "The access token is invalid."), {}
        if path.startswith("/providers/microsoft.management/managementgroups/") and path.endswith("/descendants"):
            return self._descendants(segments[3], query)
        if "/providers/microsoft.authorization/policydefinitions/" in path or "/providers/microsoft.authorization/policysetdefinitions/" in path:
            found = self.definitions.get(path)
            if found is None:
                return 404, payloads.error("PolicyDefinitionNotFound", f"The policy definition '{segments[-1]}' could not be found."), {}
            return 200, found, {}
        if segments[0] != "subscriptions" or method != "GET":
            return 404, payloads.error("InvalidResourceType", f"The resource type could not be found for {path}."), {}
        if len(segments) == 1:
            return self._page(path, query, [payloads.subscription(s.subscription_id, s.name, TENANT_ID) for s in self.subscriptions.values()])
        subscription = self.subscriptions.get(segments[1])
        if subscription is None:
            return 404, payloads.error("SubscriptionNotFound", f"The subscription '{segments[1]}' could not be found."), {}
        rest = "/".join(segments[2:])
        items = {
            _PATHS["policyassignments"]: subscription.policy_assignments,
            _PATHS["roleassignments"]: subscription.role_assignments,
            _PATHS["budgets"]: subscription.budgets,
            _PATHS["eligibility"]: subscription.role_eligibility,
            _PATHS["locks"]: subscription.locks,
        }.get(rest)
        if items is None:
            return 404, payloads.error("InvalidResourceType", f"The resource type could not be found for {path}."), {}
        return self._page(path, query, items)

    def _descendants(self, group: str, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        known = {name.lower(): name for name in self.management_groups}
        if group not in known:
            # ARM answers 403, not 404, for a group the caller cannot see (it may exist).
            return 403, payloads.error("AuthorizationFailed", f"The client '{CLIENT_ID}' does not have authorization "
                                       f"to perform action 'Microsoft.Management/managementGroups/descendants/read' over scope "
                                       f"'/providers/Microsoft.Management/managementGroups/{group}'."), {}
        found: list[dict[str, Any]] = []
        parents = [known[group]]
        while parents:
            parent = parents.pop(0)
            for child in self.management_groups.get(parent, []):
                is_group = child in self.management_groups
                subscription = self.subscriptions.get(child.lower())
                name = child if is_group or subscription is None else subscription.name
                found.append(payloads.descendant(child, parent, group=is_group, name=name))
                if is_group:
                    parents.append(child)
        return self._page(f"/providers/microsoft.management/managementgroups/{group}/descendants", query, found)

    def _page(self, path: str, query: dict[str, str], items: list[dict[str, Any]]) -> tuple[int, Any, dict[str, str]]:
        start = int(query.get("$skiptoken", "0"))
        page: dict[str, Any] = {"value": items[start : start + self.page_size]}
        if start + self.page_size < len(items):
            # ARM's next links are absolute, repeat the api-version and often change the casing.
            page["nextLink"] = f"{self.url}{path}?api-version={query.get('api-version', '')}&%24skiptoken={start + self.page_size}"
        return 200, page, {}

    def _fault(self, path: str) -> tuple[int, Any, dict[str, str]] | None:
        with self._lock:
            for fragment, fault in self._faults.items():
                if fragment in path and fault.times != 0:
                    if fault.times is not None:
                        fault.times -= 1
                    headers = {} if fault.retry_after is None else {"Retry-After": f"{fault.retry_after:g}"}
                    message = (
                        f"The client '{CLIENT_ID}' with object id '{CLIENT_ID}' does not have authorization to perform "
                        f"action 'read' over scope '{path}' or the scope is invalid."
                        if fault.code == "AuthorizationFailed"
                        else f"{fault.code} for {path}"
                    )
                    return fault.status, payloads.error(fault.code, message), headers
        return None

    def _openid(self, tenant: str) -> tuple[int, Any, dict[str, str]]:
        if tenant != TENANT_ID:
            return 400, {"error": "invalid_tenant", "error_description": f"AADSTS90002: Tenant '{tenant}' not found."}, {}
        base = f"{self.url}/{tenant}"
        return 200, {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "issuer": f"{base}/v2.0",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "tenant_region_scope": "EU",
        }, {}

    def _issue(self) -> str:
        with self._lock:
            token = f"{ACCESS_TOKEN_PREFIX}{len(self._issued)}"
            self._issued.add(token)
        return token

    def _managed_identity(self, query: dict[str, str], identity_header: str) -> tuple[int, Any, dict[str, str]]:
        """App Service's identity endpoint (api-version 2019-08-01), as IDENTITY_ENDPOINT names it."""
        if identity_header != IDENTITY_HEADER:
            return 401, {"statusCode": 401, "message": "Unauthorized: the identity header is missing or wrong"}, {}
        expires_on = int(self.clock.now()) + 3600
        return 200, {
            "access_token": self._issue(), "expires_on": str(expires_on), "resource": query.get("resource", ""),
            "token_type": "Bearer", "client_id": CLIENT_ID,
        }, {}

    def _token(self, tenant: str, form: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        federated = form.get("client_assertion") == FEDERATED_TOKEN and form.get("client_assertion_type", "").endswith("jwt-bearer")
        if form.get("client_id") != CLIENT_ID or not (form.get("client_secret") == CLIENT_SECRET or federated):
            return 401, {
                "error": "invalid_client",
                "error_description": f"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{CLIENT_ID}'.",
                "error_codes": [7000215],
            }, {}
        return 200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": self._issue()}, {}
