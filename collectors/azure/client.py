"""The only module of the Azure collector that talks to Azure: one call per list it needs.

Each call returns plain dicts in the service's own shape, so mapping never sees the SDK.
The pipeline is pecm's own: no automatic resource-provider registration (a write a read-only
scanner must never attempt), pecm's retry policy in place of azure-core's, and no request
logging (headers carry the token).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from azure.core.credentials import TokenCredential
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceExistsError,
    ResourceNotFoundError,
    ResourceNotModifiedError,
    ServiceRequestError,
    ServiceResponseError,
    map_error,
)
from azure.core.pipeline import policies
from azure.core.pipeline.transport import RequestsTransport

from collectors.azure.config import AzureConfig
from collectors.azure.policy import GatedRetryPolicy, Throttled
from collectors.http_policy import RateGate
from scanner.contract import CollectContext

if TYPE_CHECKING:
    from azure.core import PipelineClient
    from azure.core.rest import HttpRequest, HttpResponse

A = TypeVar("A")
MAX_MESSAGE = 300
RESOURCE_GRAPH_PAGE = 1000  # the most rows Resource Graph returns in one answer
_RESOURCE_GRAPH_API = "2021-03-01"  # the version azure-mgmt-resourcegraph 8's `resources` operation sends
# The error classes the SDK's generated operations raise by status (the rest: HttpResponseError).
_SDK_ERRORS: dict[int, type[HttpResponseError]] = {
    401: ClientAuthenticationError, 404: ResourceNotFoundError, 409: ResourceExistsError, 304: ResourceNotModifiedError,
}
COST_ALLOCATION_API = "2025-03-01"  # CostAllocationRules_List, stable
_NO_SUBSCRIPTION = ""  # clients ask for one; management-group and tenant-level requests do not use it
_DEFINITION_ID = re.compile(
    r"^(?:/subscriptions/(?P<subscription>[^/]+)|/providers/Microsoft\.Management/managementGroups/(?P<group>[^/]+))?"
    r"/providers/Microsoft\.Authorization/(?P<kind>policyDefinitions|policySetDefinitions)/(?P<name>[^/]+)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Refused(Exception):
    """Azure answered a request with an error: `status` and ARM's error `code`."""

    status: int | None
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.status or 'no answer'} {self.code}: {self.message}"


class CredentialRefused(Exception):
    """No token could be had: no credential available, or the identity was refused."""


class ArmClient:
    def __init__(self, ctx: CollectContext, config: AzureConfig, credential: TokenCredential) -> None:
        self._gate = RateGate(ctx.timer, max_wait=config.max_rate_limit_wait_seconds, wait_budget=config.rate_limit_wait_budget_seconds)
        self._ctx = ctx
        self._config = config
        verify: bool | str = True
        if config.ca_bundle is not None:
            verify = str(config.ca_bundle if config.ca_bundle.is_absolute() else ctx.base_dir / config.ca_bundle)
        self._proxies, verify = _environment(config.arm_url, verify)
        # One connection pool for every client of the scan: a transport per client would cost a new TLS
        # connection for each list. Opened here, before the workers share it. The environment's settings
        # were settled above, once: left to requests, they are looked up again on every request.
        self._transport = RequestsTransport(
            connection_timeout=config.request_timeout_seconds, read_timeout=config.request_timeout_seconds,
            connection_verify=verify, use_env_settings=False,
        )
        self._transport.open()
        self._credential = credential
        self._secrets: tuple[str, ...] = tuple(filter(None, (ctx.secret(config.client_secret_env),)))

    def _options(self, *, raw: bool = False) -> dict[str, Any]:
        """Client options with policies of its own: a pipeline links the policies it is given to each
        other, so policies shared by clients built in several workers got crossed (an AttributeError
        inside azure-core when two were built at once). What must be shared is: the transport (one
        connection pool), the gate and counters (in the retry policy), the credential's token cache.
        `raw`: for requests whose answer pecm reads itself (`send_request`), without the policy that
        decodes each answer for the SDK's models (it would parse the JSON a second time)."""
        from azure.mgmt.core.policies import ARMChallengeAuthenticationPolicy

        config = self._config
        return {
            "base_url": config.arm_url,
            "transport": self._transport,
            "policies": [
                policies.RequestIdPolicy(),
                policies.HeadersPolicy(),
                policies.UserAgentPolicy(base_user_agent=f"pecm-{self._ctx.collector}/{self._ctx.collector_version}"),
                policies.ProxyPolicy(self._proxies or None),
                *(() if raw else (policies.ContentDecodePolicy(),)),
                policies.RedirectPolicy(),
                GatedRetryPolicy(self._gate, self._ctx.timer, self._ctx.requests, config.max_retries),
                ARMChallengeAuthenticationPolicy(self._credential, f"{config.arm_url}/.default"),
                policies.SensitiveHeaderCleanupPolicy(),
            ],
        }

    def close(self) -> None:
        self._transport.close()

    def subscriptions(self) -> list[dict[str, Any]]:
        from azure.mgmt.resource.subscriptions import SubscriptionClient

        return self._listed(lambda: SubscriptionClient(self._credential, **self._options()).subscriptions.list())

    def management_group_descendants(self, group_id: str) -> list[dict[str, Any]]:
        """Every management group and subscription below `group_id`, at any depth."""
        from azure.mgmt.managementgroups import ManagementGroupsMgmtClient

        client = ManagementGroupsMgmtClient(self._credential, **self._options())
        return self._listed(lambda: client.management_groups.get_descendants(group_id))

    def management_group(self, group_id: str) -> dict[str, Any]:
        from azure.mgmt.managementgroups import ManagementGroupsMgmtClient

        client = ManagementGroupsMgmtClient(self._credential, **self._options())
        return self._read(lambda: client.management_groups.get(group_id))

    def group_policy_assignments(self, group_id: str) -> list[dict[str, Any]]:
        """Assignments at the management group and above it (atScope())."""
        from azure.mgmt.resource.policy import PolicyClient

        client = PolicyClient(self._credential, _NO_SUBSCRIPTION, **self._options())
        return self._listed(lambda: client.policy_assignments.list_for_management_group(group_id, filter="atScope()"))

    def group_role_assignments(self, group_id: str) -> list[dict[str, Any]]:
        """Role assignments at the management group and above it (atScope())."""
        from azure.mgmt.authorization import AuthorizationManagementClient

        client = AuthorizationManagementClient(self._credential, _NO_SUBSCRIPTION, api_version="2022-04-01", **self._options())
        return self._listed(lambda: client.role_assignments.list_for_scope(scope=group_scope(group_id), filter="atScope()"))

    def policy_assignments(self, subscription_id: str) -> list[dict[str, Any]]:
        from azure.mgmt.resource.policy import PolicyClient

        client = PolicyClient(self._credential, subscription_id, **self._options())
        return self._listed(client.policy_assignments.list)

    def policy_definition(self, definition_id: str, subscription_id: str) -> dict[str, Any]:
        """A policy definition or initiative by id: built in, or defined in a subscription or a
        management group (`subscription_id`, possibly empty, serves the client for the scopes that need none)."""
        from azure.mgmt.resource.policy import PolicyClient

        scope = _DEFINITION_ID.match(definition_id)
        if scope is None:
            raise Refused(None, "UnknownDefinitionId", f"not a policy definition id: {definition_id[:200]}")
        client = PolicyClient(self._credential, scope["subscription"] or subscription_id, **self._options())
        operations = client.policy_set_definitions if scope["kind"].lower() == "policysetdefinitions" else client.policy_definitions
        if scope["subscription"]:
            return self._read(lambda: operations.get(scope["name"]))
        if scope["group"]:
            return self._read(lambda: operations.get_at_management_group(scope["group"], scope["name"]))
        return self._read(lambda: operations.get_built_in(scope["name"]))

    def role_assignments(self, subscription_id: str) -> list[dict[str, Any]]:
        from azure.mgmt.authorization import AuthorizationManagementClient

        client = AuthorizationManagementClient(self._credential, subscription_id, api_version="2022-04-01", **self._options())
        return self._listed(client.role_assignments.list_for_subscription)

    def role_eligibility(self, subscription_id: str) -> list[dict[str, Any]]:
        from azure.mgmt.authorization import AuthorizationManagementClient

        client = AuthorizationManagementClient(self._credential, subscription_id, api_version="2020-10-01", **self._options())
        operations = client.role_eligibility_schedule_instances
        return self._listed(lambda: operations.list_for_scope(scope=f"/subscriptions/{subscription_id}"))

    def locks(self, subscription_id: str) -> list[dict[str, Any]]:
        from azure.mgmt.resource.locks import ManagementLockClient

        client = ManagementLockClient(self._credential, subscription_id, **self._options())
        return self._listed(client.management_locks.list_at_subscription_level)

    def budgets(self, subscription_id: str) -> list[dict[str, Any]]:
        from azure.mgmt.consumption import ConsumptionManagementClient

        client = ConsumptionManagementClient(self._credential, subscription_id, **self._options())
        return self._listed(lambda: client.budgets.list(scope=f"/subscriptions/{subscription_id}"))

    def policy_compliance(self, subscription_id: str) -> dict[str, Any]:
        """The latest compliance summary of the policies applying to the subscription (a POST that only reads)."""
        from azure.mgmt.policyinsights import PolicyInsightsClient

        client = PolicyInsightsClient(self._credential, subscription_id, **self._options())
        return self._read(lambda: client.policy_states.summarize_for_subscription("latest", subscription_id))

    def remediations(self, subscription_id: str) -> list[dict[str, Any]]:
        from azure.mgmt.policyinsights import PolicyInsightsClient

        client = PolicyInsightsClient(self._credential, subscription_id, **self._options())
        return self._listed(client.remediations.list_for_subscription)

    def group_remediations(self, group_id: str) -> list[dict[str, Any]]:
        """Remediation tasks made at the management group (those at its subscriptions are theirs)."""
        from azure.mgmt.policyinsights import PolicyInsightsClient

        client = PolicyInsightsClient(self._credential, _NO_SUBSCRIPTION, **self._options())
        return self._listed(lambda: client.remediations.list_for_management_group(group_id))

    def policy_exemptions(self, subscription_id: str) -> list[dict[str, Any]]:
        # Unfiltered, the list holds the exemptions made at the management groups above the subscription too.
        # azure-mgmt-resource-policy 1.0 has no exemptions operations: the same pipeline reads the list.
        return self._listed(lambda: self._raw_pages(
            f"/subscriptions/{subscription_id}/providers/Microsoft.Authorization/policyExemptions?api-version=2022-07-01-preview"
        ))

    def activity_log_settings(self, subscription_id: str) -> list[dict[str, Any]]:
        # azure-mgmt-monitor 7 dropped diagnostic settings: the same pipeline reads the list.
        return self._listed(lambda: self._raw_pages(
            f"/subscriptions/{subscription_id}/providers/Microsoft.Insights/diagnosticSettings?api-version=2021-05-01-preview"
        ))

    def cost_allocation_rules(self, billing_account_id: str) -> list[dict[str, Any]]:
        """A billing account's cost allocation rules (CostAllocationRules_List, 2025-03-01)."""
        from azure.mgmt.costmanagement import CostManagementClient

        client = CostManagementClient(self._credential, api_version=COST_ALLOCATION_API, **self._options())
        return self._listed(lambda: client.cost_allocation_rules.list(billing_account_id))

    def deployments(self, subscription_id: str) -> list[dict[str, Any]]:
        """Deployments at the subscription's scope (ARM keeps the last 800 per scope)."""
        from azure.mgmt.resource.deployments import DeploymentsMgmtClient

        client = DeploymentsMgmtClient(self._credential, subscription_id, **self._options())
        return self._listed(client.deployments.list_at_subscription_scope)

    def resource_group_deployments(self, subscription_id: str) -> Callable[[str], list[dict[str, Any]]]:
        """A reader of the deployments at each resource group's scope (ARM lists them per resource group
        only; it keeps the last 800), with one client for the subscription's groups (one thread's)."""
        from azure.mgmt.resource.deployments import DeploymentsMgmtClient

        client = DeploymentsMgmtClient(self._credential, subscription_id, **self._options())
        return lambda group: self._listed(lambda: client.deployments.list_by_resource_group(group))

    def resource_group_stacks(self, subscription_id: str) -> Callable[[str], list[dict[str, Any]]]:
        """A reader of the deployment stacks at each resource group's scope, as `resource_group_deployments`."""
        from azure.mgmt.resource.deploymentstacks import DeploymentStacksClient

        client = DeploymentStacksClient(self._credential, subscription_id, **self._options())
        return lambda group: self._listed(lambda: client.deployment_stacks.list_at_resource_group(group))

    def deployment_stacks(self, subscription_id: str) -> list[dict[str, Any]]:
        from azure.mgmt.resource.deploymentstacks import DeploymentStacksClient

        client = DeploymentStacksClient(self._credential, subscription_id, **self._options())
        return self._listed(client.deployment_stacks.list_at_subscription)

    def template_specs(self, subscription_id: str) -> list[dict[str, Any]]:
        from azure.mgmt.resource.templatespecs import TemplateSpecsClient

        client = TemplateSpecsClient(self._credential, subscription_id, **self._options())
        return self._listed(client.template_specs.list_by_subscription)

    def autoscale_settings(self, subscription_id: str) -> list[dict[str, Any]]:
        from azure.mgmt.monitor import MonitorManagementClient

        client = MonitorManagementClient(self._credential, subscription_id, **self._options())
        return self._listed(client.autoscale_settings.list_by_subscription)

    def resource_graph_page(self, query: str, subscription_ids: list[str], skip: int, size: int) -> tuple[list[dict[str, Any]], int]:
        """The rows of one Resource Graph query over the subscriptions from row `skip` on (at most
        `size`, RESOURCE_GRAPH_PAGE at most), and how many rows the query has in all. Pages are asked by offset
        (`$skip`), not by `$skipToken`, so that workers can read the pages of one query side by side.

        The client's own `resources` operation would copy each row, value by value, through its models
        (`data` is typed object): 3.7 ms of CPU a 1,000-row page, 3.6 times parsing its JSON. The same
        request through pecm's pipeline leaves the rows as parsed."""
        from azure.core.rest import HttpRequest

        options: dict[str, Any] = {"resultFormat": "objectArray", "$top": min(size, RESOURCE_GRAPH_PAGE)}
        if skip:
            options["$skip"] = skip
        request = HttpRequest("POST", f"{self._config.arm_url}/providers/Microsoft.ResourceGraph/resources",
                              params={"api-version": _RESOURCE_GRAPH_API},
                              json={"subscriptions": subscription_ids, "query": query, "options": options})
        page = self._answer(lambda: _arm_json(self._pipeline().send_request(request)))
        rows = page.get("data") if isinstance(page, dict) else None
        if not isinstance(rows, list):
            raise Refused(None, "UnexpectedAnswer", "Resource Graph answered without its rows (data)")
        return rows, int(page.get("totalRecords") or 0)

    def _pipeline(self) -> PipelineClient[HttpRequest, HttpResponse]:
        """A client of pecm's pipeline alone, for requests whose answers pecm reads without an SDK model."""
        from azure.core import PipelineClient

        options = self._options(raw=True)
        return PipelineClient(options.pop("base_url"), **options)  # not closed: the transport is the scan's

    def _raw_pages(self, path: str) -> Iterator[dict[str, Any]]:
        """The items of an ARM list no installed client offers, through pecm's pipeline, following `nextLink`."""
        from azure.core.rest import HttpRequest

        client = self._pipeline()
        url: str | None = f"{self._config.arm_url}{path}"
        seen: set[str] = set()
        while url:
            if url in seen:  # a next link that repeats a page would loop for ever
                raise Refused(None, "RepeatedNextLink", f"the list repeated a page: {url[:200]}")
            seen.add(url)
            body = _arm_json(client.send_request(HttpRequest("GET", url)))
            yield from body.get("value") or ()
            url = body.get("nextLink")

    def _read(self, get: Callable[[], Any]) -> dict[str, Any]:
        (item,) = self._listed(lambda: [get()])
        return item

    def _listed(self, pages: Callable[[], Iterable[Any]]) -> list[dict[str, Any]]:
        return self._answer(lambda: [_rest_shape(item) for item in pages()])

    def _answer(self, call: Callable[[], A]) -> A:
        """What `call` returns, Azure's errors as `Refused` or `CredentialRefused` (secrets scrubbed)."""
        try:
            return call()
        except ClientAuthenticationError as exc:  # no token (no status), or ARM's 401 for the token
            if exc.status_code not in (None, 401):
                raise self._refused(exc) from None
            raise CredentialRefused(self._scrubbed(_first_line(exc.message or type(exc).__name__))) from None
        except HttpResponseError as exc:
            raise self._refused(exc) from None
        except Throttled as exc:
            raise Refused(429, "Throttled", str(exc)) from None
        except (ServiceRequestError, ServiceResponseError) as exc:
            raise Refused(None, "NetworkError", self._scrubbed(_first_line(exc.message or type(exc).__name__))) from None

    def _refused(self, exc: HttpResponseError) -> Refused:
        error = exc.error
        code = (error.code if error is not None else None) or exc.reason or "Error"
        message = (error.message if error is not None else None) or exc.message or ""
        return Refused(exc.status_code, code, self._scrubbed(_first_line(message)))

    def _scrubbed(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text[:MAX_MESSAGE]


def _environment(url: str, verify: bool | str) -> tuple[dict[str, str], bool | str]:
    """The proxies (HTTPS_PROXY and NO_PROXY) and CA bundle (REQUESTS_CA_BUNDLE, when no ca_bundle is
    configured) that requests would take from the environment for requests to `url`: every request of a
    scan goes to that one host, so they are settled once. Left to requests, every request scanned the
    whole environment twice and looked for a ~/.netrc, whose password would have replaced the token."""
    import requests

    with requests.Session() as session:
        settings = session.merge_environment_settings(url, {}, None, verify, None)
    return dict(settings["proxies"]), settings["verify"]


def _arm_json(response: HttpResponse) -> Any:
    """The JSON of an answer read without the SDK's models; an error raised as the SDK's operations raise it
    (401 as ClientAuthenticationError, ARM's error code and message parsed)."""
    from azure.mgmt.core.exceptions import ARMErrorFormat

    if response.status_code != 200:
        map_error(status_code=response.status_code, response=response, error_map=_SDK_ERRORS)
        raise HttpResponseError(response=response, error_format=ARMErrorFormat)
    return response.json()


def group_scope(group_id: str) -> str:
    """A management group's resource id."""
    return f"/providers/Microsoft.Management/managementGroups/{group_id}"


def _rest_shape(item: Any) -> dict[str, Any]:
    """The resource as the service sent it (camelCase, `properties` nested), whichever generator made
    the SDK model: autorest models (authorization) flatten it in `as_dict`, TypeSpec ones do not."""
    if isinstance(item, dict):  # read without a model
        return item
    if hasattr(item, "serialize"):
        return item.serialize(keep_readonly=True)  # type: ignore[no-any-return]
    return item.as_dict()  # type: ignore[no-any-return]


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""
