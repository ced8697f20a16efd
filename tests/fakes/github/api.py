"""One request through the fake: authenticate, inject faults, enforce rate limits, answer, count.

Charging rule (see stats.py): a request is charged when a known token made it and the fake
answered it; 304s, `/rate_limit`, downloads, App-JWT calls, rate-limit rejections and injected
faults are not. GraphQL requests charge their point cost to the token's `graphql` budget.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
from dataclasses import dataclass

from tests.fakes.http.clock import FakeClock
from tests.fakes.http.exchange import Request, Response, json_response

from .context import Call, Settings
from .exchange import ApiError, not_found
from .faults import GitHubFaults
from .model import Token, World
from .payloads.links import Links
from .ratelimit import Budget, RateLimiter
from .routes import Route, match
from .stats import RequestRecord, Stats

logger = logging.getLogger(__name__)

_ANONYMOUS_LIMIT = 60
_RATE_DOCS = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"
_VERSION_DOCS = "https://docs.github.com/rest/about-the-rest-api/api-versions"
SUPPORTED_API_VERSIONS = ("2022-11-28",)  # a version api.github.com does not know gets 400
_request_ids = itertools.count(1)


@dataclass
class _Outcome:
    response: Response | None  # None: drop the connection without answering
    token: Token | None = None
    charged: bool = False


class Api:
    def __init__(
        self,
        world: World,
        links: Links,
        settings: Settings,
        clock: FakeClock,
        stats: Stats,
        faults: GitHubFaults,
        limiter: RateLimiter,
    ) -> None:
        self.world = world
        self.links = links
        self.settings = settings
        self.clock = clock
        self.stats = stats
        self.faults = faults
        self.limiter = limiter

    def handle(self, request: Request) -> Response | None:
        arrived = self.clock.time()
        found = match(request.method, request.path)
        route, params = found if found else (None, {})
        outcome = self._answer(request, route, params)
        response = outcome.response
        if response is not None:
            response.headers.setdefault("X-GitHub-Request-Id", f"FAKE:{next(_request_ids):08X}")
        token = outcome.token
        self.stats.record(
            RequestRecord(
                request=request,
                route=route.family if route else "unknown",
                status=response.status if response else 0,
                at=arrived,
                charged=outcome.charged,
                cost=response.cost if response and outcome.charged else 0,
                token=token.value if token else None,
            )
        )
        return response

    def _answer(self, request: Request, route: Route | None, params: dict[str, str]) -> _Outcome:
        token = None
        if route is None or route.auth == "token":
            try:
                token = self._authenticate(request)
            except ApiError as error:
                response = error.response()
                response.headers.update(self._anonymous_budget().headers())
                return _Outcome(response)
        resource = route.resource if route else "core"
        version = request.headers.get("x-github-api-version")
        if version is not None and version not in SUPPORTED_API_VERSIONS:
            return _Outcome(json_response({"message": f"Unsupported 'X-GitHub-Api-Version': {version}",
                                           "documentation_url": _VERSION_DOCS, "status": "400"}, 400), token)
        refused = self._saml_refusal(request, token)
        if refused is not None:
            return _Outcome(self._with_budget(refused, token, resource or "core"), token)
        intercepted = self.faults.intercept(request)
        if intercepted.dropped:
            return _Outcome(None, token)
        if intercepted.response is not None:
            return _Outcome(self._with_budget(intercepted.response, token, resource or "core"), token)
        looping = any(fault.kind == "link_loop" for fault in intercepted.marks)
        if token is not None and resource is not None and not self._admit(token, resource):
            return _Outcome(self._rate_limited(token, resource), token)
        call = Call(
            request,
            params,
            self.world,
            self.links,
            self.settings,
            self.clock,
            token,
            budgets=self._budgets(token),
            charge_graphql=lambda points: self._charge_graphql(token, points),
        )
        try:
            response = route.handler(call) if route else not_found().response()
        except ApiError as error:
            response = error.response()
        except Exception as error:  # a bug in the fake: answer 500 so the client sees it instead of a dropped socket
            logger.exception("fake GitHub failed on %s %s", request.method, request.path)
            response = json_response({"message": f"fake GitHub bug: {error!r}"}, 500)
        if looping:
            query = f"?{request.query_string}" if request.query_string else ""
            response.headers["Link"] = f'<{self.links.base}{request.path}{query}>; rel="next"'
        response = self._conditional(request, response)
        charged = False
        if token is not None and resource == "core":
            charged = response.status != 304
            if not charged:  # GitHub does not charge a 304: give back what _admit took
                self.limiter.refund(token.value, "core", 1)
        elif token is not None and resource == "graphql":
            charged = response.cost > 0  # the endpoint charged its points itself
        if route is None or route.auth != "none":
            self._with_budget(response, token, resource or "core")
        return _Outcome(response, token, charged)

    def _authenticate(self, request: Request) -> Token:
        header = request.headers.get("authorization", "")
        scheme, _, value = header.partition(" ")
        if not value:
            raise ApiError(401, "Requires authentication", "https://docs.github.com/rest")
        token = self.world.token(value.strip()) if scheme.lower() in ("token", "bearer") else None
        if token is None or (token.expires_at is not None and token.expires_at <= self.clock.now()):
            raise ApiError(401, "Bad credentials", "https://docs.github.com/rest")
        return token

    def _saml_refusal(self, request: Request, token: Token | None) -> Response | None:
        """GitHub's answer to a token not authorized for an organization's SAML single sign-on."""
        parts = request.path.split("/")
        org = self.world.org(parts[2]) if len(parts) > 2 and parts[1] in ("orgs", "repos") else None
        if org is None or not org.saml_enforced or token is None or token.sso_authorized:
            return None
        body = {
            "message": "Resource protected by organization SAML enforcement. You must grant your Personal Access "
            "token access to this organization.",
            "documentation_url": "https://docs.github.com/articles/authenticating-to-a-github-organization-with-saml-single-sign-on/",
            "status": "403",
        }
        sso = f"required; url=https://github.com/orgs/{org.login}/sso?authorization_request=FAKEREQUEST0000"
        return json_response(body, 403, {"X-GitHub-SSO": sso})

    def _admit(self, token: Token, resource: str) -> bool:
        """REST: take this request's unit from the budget (check and take in one step, so concurrent
        requests cannot overdraw it). GraphQL: let it in while any point is left; it charges its cost."""
        if resource == "graphql":
            return self.limiter.peek(token.value, resource, token.graphql_limit).remaining > 0
        return self.limiter.try_charge(token.value, resource, self._limit(token, resource), 1) is not None

    def _charge_graphql(self, token: Token | None, points: int) -> Budget | None:
        return self.limiter.try_charge(token.value, "graphql", token.graphql_limit, points) if token else None

    def _rate_limited(self, token: Token, resource: str) -> Response:
        budget = self.limiter.peek(token.value, resource, self._limit(token, resource))
        if resource == "graphql":  # GitHub's GraphQL answers 200 with a RATE_LIMITED error
            response = json_response({"errors": [{"type": "RATE_LIMITED", "message": self._limited_message(token)}]})
        else:
            body = {
                "message": f"{self._limited_message(token)} If you reach out to GitHub Support for help, please "
                "include the request ID FAKE:0000.",
                "documentation_url": f"{_RATE_DOCS}#about-primary-rate-limits",
                "status": str(self.settings.rate_limit_status),
            }
            response = json_response(body, self.settings.rate_limit_status)
        response.headers.update(budget.headers())
        return response

    def _limited_message(self, token: Token) -> str:
        user = self.world.user(token.login)
        return f"API rate limit exceeded for user ID {user.id if user else 1}."

    def _conditional(self, request: Request, response: Response) -> Response:
        """Strong ETags on successful GETs; a matching If-None-Match gets 304 with no body."""
        if request.method != "GET" or response.status != 200:
            return response
        etag = f'"{hashlib.sha256(response.body).hexdigest()}"'
        response.headers["ETag"] = etag
        wanted = [tag.strip().removeprefix("W/") for tag in request.headers.get("if-none-match", "").split(",")]
        if etag in wanted or "*" in wanted:
            return Response(304, b"", {"ETag": etag})
        return response

    def _limit(self, token: Token, resource: str) -> int:
        return token.graphql_limit if resource == "graphql" else token.rate_limit

    def _budgets(self, token: Token | None) -> dict[str, Budget]:
        if token is None:
            anonymous = self._anonymous_budget()
            return {"core": anonymous, "graphql": Budget("graphql", 0, 0, anonymous.reset)}
        return {
            resource: self.limiter.peek(token.value, resource, self._limit(token, resource))
            for resource in ("core", "graphql")
        }

    def _anonymous_budget(self) -> Budget:
        return self.limiter.peek("", "core", _ANONYMOUS_LIMIT)

    def _with_budget(self, response: Response, token: Token | None, resource: str) -> Response:
        budget = (
            self.limiter.peek(token.value, resource, self._limit(token, resource))
            if token
            else self._anonymous_budget()
        )
        response.headers.update(budget.headers())
        return response
