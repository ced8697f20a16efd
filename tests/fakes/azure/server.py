"""`FakeAzure`: Resource Manager and an Entra ID token endpoint on 127.0.0.1, over HTTPS.

HTTPS because azure-core's bearer-token policy refuses plain http; the certificate comes from
the kit's throwaway CA, which the collector is told to trust through its `ca_bundle`.
Like ARM, routes match paths in any case and with a trailing slash, lists are paged with a
`nextLink` that points back here, refusals carry ARM's error body (`AuthorizationFailed`,
`SubscriptionNotFound`, `InvalidAuthenticationToken`), and faults inject 403 / 429 with
`Retry-After` / 5xx for one path. Transport, faults, exchange log and clock are the kit's.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography import x509

from tests.fakes.azure import payloads
from tests.fakes.http.clock import FakeClock
from tests.fakes.http.exchange import Request, Response, json_response
from tests.fakes.http.exchanges import Exchange, Exchanges
from tests.fakes.http.faults import Faults
from tests.fakes.http.routes import Route, RouteTable
from tests.fakes.http.transport import HttpServer

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
    "exemptions": "providers/microsoft.authorization/policyexemptions",
    "remediations": "providers/microsoft.policyinsights/remediations",
    "diagnostics": "providers/microsoft.insights/diagnosticsettings",
    "deployments": "providers/microsoft.resources/deployments",
    "stacks": "providers/microsoft.resources/deploymentstacks",
    "templatespecs": "providers/microsoft.resources/templatespecs",
    "autoscale": "providers/microsoft.insights/autoscalesettings",
}
_RESOURCE_GROUP = re.compile(r"/resourcegroups/([^/]+)", re.IGNORECASE)
_GROUP_LIST = re.compile(r"resourcegroups/([^/]+)/providers/microsoft\.resources/(deployments|deploymentstacks)")
_TAG_IN_QUERY = re.compile(r"tags\['([^']+)'\]")
_TAG_COLUMN = re.compile(r"(\w+) = ((?:isnotempty\(tags\['[^']+'\]\)(?: or )?)+|false)")
_TYPE_IN_QUERY = re.compile(r"'(microsoft\.[a-z]+/[a-z]+)'")


@dataclass
class FakeSubscription:
    subscription_id: str
    name: str
    policy_assignments: list[dict[str, Any]] = field(default_factory=list)
    role_assignments: list[dict[str, Any]] = field(default_factory=list)
    budgets: list[dict[str, Any]] = field(default_factory=list)
    role_eligibility: list[dict[str, Any]] = field(default_factory=list)
    locks: list[dict[str, Any]] = field(default_factory=list)
    compliance: dict[str, Any] | None = None  # the summary; None: nothing evaluated yet
    exemptions: list[dict[str, Any]] = field(default_factory=list)
    remediations: list[dict[str, Any]] = field(default_factory=list)
    activity_log_settings: list[dict[str, Any]] = field(default_factory=list)
    resources: list[dict[str, Any]] = field(default_factory=list)  # what Resource Graph finds
    deployments: list[dict[str, Any]] = field(default_factory=list)
    deployment_stacks: list[dict[str, Any]] = field(default_factory=list)
    template_specs: list[dict[str, Any]] = field(default_factory=list)
    autoscale_settings: list[dict[str, Any]] = field(default_factory=list)
    group_deployments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # resource group -> its deployments
    group_stacks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # resource group -> its deployment stacks

    def resource_groups(self) -> list[str]:
        """Its resource groups: those holding resources, deployments or stacks."""
        named = [_RESOURCE_GROUP.search(r["id"]).group(1) for r in self.resources]  # type: ignore[union-attr]
        return sorted({name.lower(): name for name in [*named, *self.group_deployments, *self.group_stacks]}.values(), key=str.lower)


@dataclass
class FakeGroup:
    """A management group's own data (its place in the tree is in `management_groups`)."""

    group_id: str
    name: str
    policy_assignments: list[dict[str, Any]] = field(default_factory=list)
    role_assignments: list[dict[str, Any]] = field(default_factory=list)
    exemptions: list[dict[str, Any]] = field(default_factory=list)  # listed with every subscription below it too
    remediations: list[dict[str, Any]] = field(default_factory=list)


class AzureErrors:
    def error(self, request: Request, status: int, reason: str | None, html: bool) -> Response:
        code = reason or "InternalServerError"
        path = request.path.rstrip("/").lower()
        message = (
            f"The client '{CLIENT_ID}' with object id '{CLIENT_ID}' does not have authorization to perform "
            f"action 'read' over scope '{path}' or the scope is invalid."
            if code == "AuthorizationFailed"
            else f"{code} for {path}"
        )
        return json_response(payloads.error(code, message), status)

    def rate_limited(self, request: Request, status: int) -> Response:
        return self.error(request, status, "TooManyRequests", False)


Answer = tuple[int, Any, dict[str, str]]


class FakeAzure:
    def __init__(
        self,
        subscriptions: list[FakeSubscription],
        tmp: Path,
        *,
        definitions: Sequence[dict[str, Any]] = (),
        management_groups: dict[str, list[str]] | None = None,
        groups: Sequence[FakeGroup] = (),
        billing_accounts: dict[str, list[dict[str, Any]]] | None = None,
        page_size: int = 2,
        graph_page_size: int = 1000,
    ) -> None:
        self.subscriptions = {s.subscription_id.lower(): s for s in subscriptions}
        self.definitions = {d["id"].lower(): d for d in definitions}  # policy (set) definitions by id
        self.management_groups = management_groups or {}  # group id -> its children (group or subscription ids)
        self.groups = {g.group_id.lower(): g for g in groups}  # their names and data; a group without one is bare
        # billing account id -> its cost allocation rules
        self.billing_accounts = {k.lower(): v for k, v in (billing_accounts or {}).items()}
        self.page_size = page_size
        self.graph_page_size = graph_page_size  # Resource Graph answers at most $top rows, 1000 at most
        self.latency = 0.0  # seconds added to every answer
        self.client_certificate: bytes | None = None  # PEM of the app registration's certificate, when a test registers one
        self.clock = FakeClock(start=1_796_000_000.0)  # a VirtualTimer advances it when the collector sleeps
        self.exchanges = Exchanges()
        self.faults = Faults(AzureErrors())
        self._issued: set[str] = set()
        self._graph_answers: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = {}
        self._graph_lock = threading.Lock()
        self._server = HttpServer(self._handle, name="fake-azure", tls=True)
        self.url = self._server.url
        self.ca_bundle = self._server.write_ca(tmp / "fake-azure-ca.pem")

    # --- handles for tests -------------------------------------------------------------------

    @property
    def requests(self) -> list[tuple[str, str]]:
        """(method, path) of every request."""
        return [(exchange.request.method, exchange.request.path) for exchange in self.exchanges.all()]

    def fail(self, fragment: str, status: int, code: str, *, times: int | None = None, retry_after: float | None = None) -> None:
        """Answer requests whose path contains `fragment` (any case) with an error."""
        headers = {} if retry_after is None else {"Retry-After": f"{retry_after:g}"}
        self.faults.error(lambda path: fragment.lower() in path.lower(), status, reason=code, times=times, headers=headers)

    def count(self, fragment: str) -> int:
        return sum(1 for _method, path in self.requests if fragment.lower() in path.lower())

    @contextmanager
    def running(self) -> Iterator[FakeAzure]:
        with self._server.running():
            try:
                yield self
            finally:
                self.faults.clear()

    # --- serving -----------------------------------------------------------------------------

    def _handle(self, request: Request) -> Response | None:
        arrived = self.clock.time()
        if self.latency:
            time.sleep(self.latency)  # as a remote service would take (benchmarks only; tests keep 0)
        found = _ROUTES.match(request.method, _collapsed(request.path))  # scopes given with their leading slash double it
        route, params = found if found else (None, {})
        response = self._answer(request, route, params)
        if response is not None:
            response.headers.setdefault("x-ms-request-id", "00000000-0000-4000-8000-000000000000")
        name = route.name if route else "unrouted"
        self.exchanges.record(Exchange(request, name, response.status if response else 0, arrived))
        return response

    def _answer(self, request: Request, route: Route[_Handler] | None, params: dict[str, str]) -> Response | None:
        if route is not None and route.name in _IDENTITY:  # Entra ID and the identity endpoint: no faults, no token
            return _as_response(route.handler(self, request, params))
        intercepted = self.faults.intercept(request)
        if intercepted.dropped or intercepted.response is not None:
            return intercepted.response
        authorization = request.headers.get("authorization", "")
        if not authorization.startswith("Bearer ") or authorization.removeprefix("Bearer ") not in self._issued:
            return _as_response((401, payloads.error("InvalidAuthenticationToken", "The access token is invalid."), {}))
        if route is None:
            return _as_response(_no_such_type(request.path))
        return _as_response(route.handler(self, request, params))

    def _subscriptions(self, request: Request, params: dict[str, str]) -> Answer:
        listed = [payloads.subscription(s.subscription_id, s.name, TENANT_ID) for s in self.subscriptions.values()]
        return self._page(_path(request), request.query, listed)

    def _subscription_list(self, request: Request, params: dict[str, str]) -> Answer:
        subscription = self.subscriptions.get(params["subscription"].lower())
        if subscription is None:
            return 404, payloads.error("SubscriptionNotFound", f"The subscription '{params['subscription'].lower()}' could not be found."), {}
        at_group = _GROUP_LIST.fullmatch(params["rest"].lower().rstrip("/"))
        if at_group is not None:
            return self._group_scope_list(request, subscription, *at_group.groups())
        items = {
            _PATHS["policyassignments"]: subscription.policy_assignments,
            _PATHS["roleassignments"]: subscription.role_assignments,
            _PATHS["budgets"]: subscription.budgets,
            _PATHS["eligibility"]: subscription.role_eligibility,
            _PATHS["locks"]: subscription.locks,
            # Unfiltered, ARM lists the exemptions made at the management groups above the subscription too.
            _PATHS["exemptions"]: [*subscription.exemptions, *self._inherited_exemptions(subscription.subscription_id)],
            _PATHS["remediations"]: subscription.remediations,
            _PATHS["diagnostics"]: subscription.activity_log_settings,
            _PATHS["deployments"]: subscription.deployments,
            _PATHS["stacks"]: subscription.deployment_stacks,
            _PATHS["templatespecs"]: subscription.template_specs,
            _PATHS["autoscale"]: subscription.autoscale_settings,
        }.get(params["rest"].lower().rstrip("/"))
        if items is None:
            return _no_such_type(request.path)
        return self._page(_path(request), request.query, items)

    def _group_scope_list(self, request: Request, subscription: FakeSubscription, group: str, kind: str) -> Answer:
        """Deployments_ListByResourceGroup, DeploymentStacks_ListAtResourceGroup."""
        # Found without listing every group (resource_groups): the benchmark's fake answers 2,200 of these.
        lists = subscription.group_deployments if kind == "deployments" else subscription.group_stacks
        spelled = {name.lower(): name for name in [*subscription.group_deployments, *subscription.group_stacks]}
        inside = f"/resourcegroups/{group}/"
        if group not in spelled and not any(inside in resource["id"].lower() for resource in subscription.resources):
            return 404, payloads.error("ResourceGroupNotFound", f"Resource group '{group}' could not be found."), {}
        return self._page(_path(request), request.query, lists.get(spelled.get(group, ""), []))

    def _definition(self, request: Request, params: dict[str, str]) -> Answer:
        found = self.definitions.get(_path(request))
        if found is None:
            return 404, payloads.error("PolicyDefinitionNotFound", f"The policy definition '{params['name']}' could not be found."), {}
        return 200, found, {}

    def _compliance_summary(self, request: Request, params: dict[str, str]) -> Answer:
        subscription = self.subscriptions.get(params["subscription"].lower())
        if subscription is None:
            return 404, payloads.error("SubscriptionNotFound", f"The subscription '{params['subscription'].lower()}' could not be found."), {}
        return 200, subscription.compliance or {"@odata.context": "", "@odata.count": 0, "value": []}, {}

    def _group_get(self, request: Request, params: dict[str, str]) -> Answer:
        found = self._known_group(params["group"], "")
        if isinstance(found, tuple):
            return found
        return 200, payloads.management_group(found.group_id, found.name, TENANT_ID), {}

    def _group_descendants(self, request: Request, params: dict[str, str]) -> Answer:
        found = self._known_group(params["group"], "descendants")
        if isinstance(found, tuple):
            return found
        return self._descendants(found.group_id, request.query)

    def _group_list(self, request: Request, params: dict[str, str]) -> Answer:
        rest = params["rest"].lower().rstrip("/")
        found = self._known_group(params["group"], rest)
        if isinstance(found, tuple):
            return found
        items = {_PATHS["policyassignments"]: found.policy_assignments, _PATHS["roleassignments"]: found.role_assignments,
                 _PATHS["remediations"]: found.remediations}.get(rest)
        if items is None:
            return _no_such_type(request.path)
        return self._page(_path(request), request.query, items)

    def _allocation_rules(self, request: Request, params: dict[str, str]) -> Answer:
        """CostAllocationRules_List. An account the identity has no billing role on answers 403 in the
        service; tests inject that (and an agreement without the feature) as faults. An account the
        fake does not hold answers 404, as ARM answers an unknown scope."""
        rules = self.billing_accounts.get(params["account"].lower())
        if rules is None:
            return 404, payloads.error("NotFound", f"The billing account '{params['account']}' could not be found."), {}
        return self._page(_path(request), request.query, rules)

    def _inherited_exemptions(self, subscription_id: str) -> list[dict[str, Any]]:
        parents = {child.lower(): group for group, children in self.management_groups.items() for child in children}
        found: list[dict[str, Any]] = []
        node = subscription_id.lower()
        while (group := parents.get(node)) is not None:
            found += self.groups[group.lower()].exemptions if group.lower() in self.groups else []
            node = group.lower()
        return found

    def _resource_graph_route(self, request: Request, params: dict[str, str]) -> Answer:
        return self._resource_graph(json.loads(request.body or b"{}"))

    def _resource_graph(self, asked: dict[str, Any]) -> Answer:
        """Resources_Resources for the two query shapes pecm sends: each resource's id, subscription and
        whether it carries any of the tags the query names; or counts of the types it names, by subscription."""
        query = str(asked.get("query") or "")
        key = (query, tuple(str(s).lower() for s in asked.get("subscriptions") or ()))
        with self._graph_lock:
            rows = self._graph_answers.get(key)
        if rows is None:  # the pages of one query come from one answer, as from a snapshot
            rows = self._graph_rows(*key)
            with self._graph_lock:
                self._graph_answers[key] = rows
        options = asked.get("options") or {}
        start = int(options.get("$skip") or options.get("$skipToken") or 0)  # $skip, when given, wins
        size = min(int(options.get("$top") or 1000), self.graph_page_size)
        page: dict[str, Any] = {"totalRecords": len(rows), "count": len(rows[start : start + size]),
                                "data": rows[start : start + size], "facets": [], "resultTruncated": "false"}
        if start + size < len(rows):
            page["$skipToken"] = str(start + size)  # opaque to the client; an offset here
        return 200, page, {}

    def _graph_rows(self, query: str, subscription_ids: tuple[str, ...]) -> list[dict[str, Any]]:
        scoped = [
            (subscription_id, subscription.resources)
            for subscription_id in subscription_ids
            if (subscription := self.subscriptions.get(subscription_id)) is not None
        ]
        rows: list[dict[str, Any]]
        if query.startswith("resourcecontainers"):  # the resource groups, as named in their resource ids
            rows = [
                {"name": group, "subscriptionId": subscription_id}
                for subscription_id in subscription_ids
                if (subscription := self.subscriptions.get(subscription_id)) is not None
                for group in subscription.resource_groups()
            ]
        elif "summarize" in query:
            types = set(_TYPE_IN_QUERY.findall(query))
            counted: dict[tuple[str, str], dict[str, Any]] = {}
            for subscription_id, resources in scoped:
                for resource in resources:
                    kind = resource["type"].lower()
                    if kind in types:
                        row = counted.setdefault((subscription_id, kind),
                                                 {"subscriptionId": subscription_id, "type": kind, "count": 0, "dynamic": 0})
                        row["count"] += 1
                        row["dynamic"] += int(kind == "microsoft.insights/metricalerts"
                                              and "DynamicThresholdCriterion" in json.dumps(resource.get("properties")))
            rows = list(counted.values())
        else:
            # `column = isnotempty(tags['a']) or isnotempty(tags['b'])` (or `false`): tag names, exact case.
            columns = {name: _TAG_IN_QUERY.findall(condition) for name, condition in _TAG_COLUMN.findall(query)}
            rows = [
                {"id": resource["id"].lower(), "subscriptionId": subscription_id,
                 **{name: any((resource.get("tags") or {}).get(tag) for tag in tags) for name, tags in columns.items()}}
                for subscription_id, resources in scoped for resource in resources
            ]
            if "order by id asc" in query:
                rows.sort(key=lambda row: str(row["id"]))
        return rows

    def _known_group(self, group: str, rest: str) -> FakeGroup | Answer:
        """The group's data (bare when the fake has none), or ARM's 403 for a group the caller cannot see."""
        known = {name.lower(): name for name in self.management_groups}
        if group.lower() not in known:
            # ARM answers 403, not 404, for a group the caller cannot see (it may exist).
            action = f"Microsoft.Management/managementGroups/{rest or 'read'}{'/read' if rest else ''}"
            return 403, payloads.error("AuthorizationFailed", f"The client '{CLIENT_ID}' does not have authorization "
                                       f"to perform action '{action}' over scope "
                                       f"'/providers/Microsoft.Management/managementGroups/{group}'."), {}
        name = known[group.lower()]
        return self.groups.get(group.lower()) or FakeGroup(name, name)

    def _openid_route(self, request: Request, params: dict[str, str]) -> Answer:
        return self._openid(params["tenant"])

    def _token_route(self, request: Request, params: dict[str, str]) -> Answer:
        form = {key: values[0] for key, values in parse_qs(request.body.decode()).items()}
        return self._token(params["tenant"], form)

    def _msi_route(self, request: Request, params: dict[str, str]) -> Answer:
        return self._managed_identity(request.query, request.headers.get("x-identity-header", ""))

    def _descendants(self, group: str, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        found: list[dict[str, Any]] = []
        parents = [group]
        while parents:
            parent = parents.pop(0)
            for child in self.management_groups.get(parent, []):
                is_group = child in self.management_groups
                subscription = self.subscriptions.get(child.lower())
                named = self.groups.get(child.lower())
                name = (named.name if named else child) if is_group or subscription is None else subscription.name
                found.append(payloads.descendant(child, parent, group=is_group, name=name))
                if is_group:
                    parents.append(child)
        return self._page(f"/providers/microsoft.management/managementgroups/{group.lower()}/descendants", query, found)

    def _page(self, path: str, query: dict[str, str], items: list[dict[str, Any]]) -> tuple[int, Any, dict[str, str]]:
        start = int(query.get("$skiptoken", "0"))
        page: dict[str, Any] = {"value": items[start : start + self.page_size]}
        if start + self.page_size < len(items):
            # ARM's next links are absolute, repeat the api-version and often change the casing.
            page["nextLink"] = f"{self.url}{path}?api-version={query.get('api-version', '')}&%24skiptoken={start + self.page_size}"
        return 200, page, {}

    def _signed_by_client_certificate(self, assertion: str) -> bool:
        """Whether a client assertion is a JWT for this client signed by the registered certificate's key."""
        if self.client_certificate is None or assertion.count(".") != 2:
            return False
        certificate = x509.load_pem_x509_certificate(self.client_certificate)
        try:
            claims = jwt.decode(assertion, certificate.public_key(), algorithms=["RS256", "PS256"],  # type: ignore[arg-type]
                                options={"verify_aud": False})
        except jwt.PyJWTError:
            return False
        return bool(claims.get("iss") == claims.get("sub") == CLIENT_ID)

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
        token = f"{ACCESS_TOKEN_PREFIX}{len(self._issued)}"  # set.add is atomic; a shared number is harmless
        self._issued.add(token)
        return token

    def _managed_identity(self, query: dict[str, str], identity_header: str) -> tuple[int, Any, dict[str, str]]:
        """App Service's identity endpoint (api-version 2019-08-01), as IDENTITY_ENDPOINT names it."""
        if identity_header != IDENTITY_HEADER:
            return 401, {"statusCode": 401, "message": "Unauthorized: the identity header is missing or wrong"}, {}
        expires_on = int(self.clock.time()) + 3600
        return 200, {
            "access_token": self._issue(), "expires_on": str(expires_on), "resource": query.get("resource", ""),
            "token_type": "Bearer", "client_id": CLIENT_ID,
        }, {}

    def _token(self, tenant: str, form: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        federated = form.get("client_assertion") == FEDERATED_TOKEN and form.get("client_assertion_type", "").endswith("jwt-bearer")
        certified = self._signed_by_client_certificate(form.get("client_assertion") or "")
        if form.get("client_id") != CLIENT_ID or not (form.get("client_secret") == CLIENT_SECRET or federated or certified):
            return 401, {
                "error": "invalid_client",
                "error_description": f"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{CLIENT_ID}'.",
                "error_codes": [7000215],
            }, {}
        return 200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": self._issue()}, {}


_Handler = Callable[[FakeAzure, Request, dict[str, str]], Answer]
_IDENTITY = ("openid", "token", "msi")
_SUMMARIZE = "providers/microsoft.policyinsights/policystates/latest/summarize"
_DEFINITIONS = "providers/microsoft.authorization/{kind}/{{name}}"
_ROUTES: RouteTable[Route[_Handler]] = RouteTable(
    [
        Route("GET", "/{tenant}/v2.0/.well-known/openid-configuration", "openid", FakeAzure._openid_route),
        Route("POST", "/{tenant}/oauth2/v2.0/token", "token", FakeAzure._token_route),
        Route("GET", "/msi/token", "msi", FakeAzure._msi_route),
        Route("POST", "/providers/microsoft.resourcegraph/resources", "resource graph", FakeAzure._resource_graph_route),
        Route("GET", "/providers/microsoft.management/managementgroups/{group}", "management group", FakeAzure._group_get),
        Route("GET", "/providers/microsoft.management/managementgroups/{group}/descendants", "descendants",
              FakeAzure._group_descendants),
        *(
            Route("GET", f"{scope}/{_DEFINITIONS.format(kind=kind)}", kind, FakeAzure._definition)
            for kind in ("policydefinitions", "policysetdefinitions")
            for scope in ("", "/{scope+}")
        ),
        Route("GET", "/providers/microsoft.management/managementgroups/{group}/{rest+}", "management group lists",
              FakeAzure._group_list),
        Route("GET", "/providers/microsoft.billing/billingaccounts/{account}/providers/microsoft.costmanagement/costallocationrules",
              "cost allocation rules", FakeAzure._allocation_rules),
        Route("GET", "/subscriptions", "subscriptions", FakeAzure._subscriptions),
        Route("POST", f"/subscriptions/{{subscription}}/{_SUMMARIZE}", "compliance summary", FakeAzure._compliance_summary),
        Route("GET", "/subscriptions/{subscription}/{rest+}", "subscription lists", FakeAzure._subscription_list),
    ],
    ignore_case=True,
)


def _collapsed(path: str) -> str:
    return re.sub("/+", "/", path)


def _path(request: Request) -> str:
    return _collapsed(request.path).rstrip("/").lower()


def _no_such_type(path: str) -> Answer:
    return 404, payloads.error("InvalidResourceType", f"The resource type could not be found for {path.rstrip('/').lower()}."), {}


def _as_response(answer: Answer) -> Response:
    """Compact JSON, as ARM sends it (the kit's indented JSON is encoded in pure Python: a benchmark's
    Resource Graph pages of 1,000 rows cost the fake more CPU than the collector reading them)."""
    status, payload, headers = answer
    body = json.dumps(payload, separators=(",", ":")).encode()
    return Response(status, body, {"Content-Type": "application/json; charset=utf-8", **headers})
