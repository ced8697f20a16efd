"""A fake kube-apiserver over HTTPS on 127.0.0.1, answering in the API's own shapes.

What it does as the real one does: discovery (`/api`, `/apis`), lists across namespaces with
`limit` / `continue` (an opaque token; `remainingItemCount`), `Status` objects for 401, 403
(with the user, resource and group, as the RBAC authorizer words it) and 404 (a group or
resource the cluster does not serve), built-in list items without kind / apiVersion and custom
resources with them, a bearer scheme compared case-insensitively (the client sends "bearer"
in-cluster). Faults are the kit's, queued per path (429 with Retry-After, 5xx, dropped
connections); transport (TLS with a throwaway CA), exchange log and clock are the kit's too.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fakes.http.clock import FakeClock
from tests.fakes.http.exchange import Request, Response, json_response
from tests.fakes.http.exchanges import Exchange, Exchanges
from tests.fakes.http.faults import Faults
from tests.fakes.http.transport import HttpServer

from .cluster import CUSTOM_GROUPS, KINDS, Account, ClusterState
from .samples import sample_cluster
from .status import forbidden, not_found, status

NOW = 1_796_558_400.0  # 2026-12-06 12:00 UTC: the fake's clock stands still until a collector waits

_METADATA_ONLY = "as=PartialObjectMetadataList"
_RULES_REVIEW = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"
_JSON = {"Content-Type": "application/json"}
_LIST = re.compile(r"^/(?:api/(?P<core>v1)|apis/(?P<group>[^/]+)/(?P<version>[^/]+))/(?P<plural>[a-z0-9]+)$")


@dataclass(frozen=True)
class Seen:
    """One request as the fake received it (the token itself is not kept)."""

    path: str
    query: dict[str, str]
    user: str | None
    accept: str


class FakeKubernetes:
    def __init__(self, state: Callable[[], ClusterState] = sample_cluster) -> None:
        self._state = state
        self.state = state()
        self.requests: list[Seen] = []
        self.in_flight = 0
        self.most_in_flight = 0  # the most requests answered at the same time since the reset
        self._lock = threading.Lock()
        self._rendezvous: threading.Barrier | None = None
        self._lists_met = 0
        self._pages: dict[tuple[str, str, str, int, int, bool], bytes] = {}  # encoded list pages of an unchanging state
        self.clock = FakeClock(start=NOW)
        self.exchanges = Exchanges()
        self._server = HttpServer(self._handle, name="fake-kubernetes", tls=True)
        self.url = self._server.url
        self.write_ca = self._server.write_ca
        self.ca_data = self._server.ca_data

    @property
    def faults(self) -> Faults:
        return self.state.faults

    def start(self) -> FakeKubernetes:
        self._server.start()
        return self

    def stop(self) -> None:
        self.state.faults.clear()
        self._server.stop()

    def reset(self, state: ClusterState | None = None) -> None:
        """Serve `state` (fresh from the factory when None) with empty logs; held answers are let go."""
        self.state.faults.clear()
        self._server.wait_idle()
        state = state if state is not None else self._state()
        with self._lock:
            self.state = state
            self.requests = []
            self.most_in_flight = 0
            self._lists_met = 0
            self._pages = {}
            self._rendezvous = threading.Barrier(state.rendezvous) if state.rendezvous else None
        self.exchanges.clear()
        self.clock.reset()

    # --- answering -----------------------------------------------------------------------

    def _handle(self, request: Request) -> Response | None:
        arrived = self.clock.time()
        # A remote server's latency covers its own work: the answer goes `latency` after the
        # request was read, the fake's parsing and encoding inside that time, never before it.
        due = time.monotonic() + self.state.latency
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            response = self._answer(request)
            if (wait := due - time.monotonic()) > 0:
                time.sleep(wait)
        finally:
            with self._lock:
                self.in_flight -= 1
        route = "list" if _LIST.match(request.path) else request.path
        self.exchanges.record(Exchange(request, route, response.status if response else 0, arrived))
        return response

    def _answer(self, request: Request) -> Response | None:
        account = self._account(request)
        with self._lock:
            user = account.user if account else None
            self.requests.append(Seen(request.path, dict(request.query), user, request.headers.get("accept", "")))
        intercepted = self.state.faults.intercept(request)
        if intercepted.dropped or intercepted.response is not None:
            return intercepted.response
        if account is None:
            return status(401, "Unauthorized", "Unauthorized")
        if request.method == "POST" and request.path == _RULES_REVIEW:
            return self._rules_review(request, account)
        if request.method != "GET":
            return status(405, "MethodNotAllowed", "the server does not allow this method on the requested resource")
        if request.path == "/api":
            return json_response({"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}]})
        if request.path == "/apis":
            return json_response(self._group_list())
        match = _LIST.match(request.path)
        if match is None:
            return not_found()
        group = match["group"] or ""
        version = match["core"] or match["version"]
        plural = match["plural"]
        if (group, plural) not in KINDS or (group, plural) in self.state.unserved or version not in self.state.groups.get(group, ["v1"] if not group else []):
            return not_found()
        if (account.may_list is not None and (group, plural) not in account.may_list) or account.review == "namespaced":
            return forbidden(account.user, group, plural)
        with self._lock:
            meets = self._rendezvous is not None and self._lists_met < self.state.rendezvous
            self._lists_met += meets
        if meets and self._rendezvous is not None:
            try:
                self._rendezvous.wait(timeout=5)
            except threading.BrokenBarrierError:
                return status(500, "InternalError", "fewer lists than the rendezvous asked for came at once")
        return self._list(request, group, version, plural)

    def _rules_review(self, request: Request, account: Account) -> Response:
        """A SelfSubjectRulesReview answered from the account's rules, as the RBAC authorizer does."""
        try:
            review = json.loads(request.body)
            namespace = review["spec"]["namespace"]
        except (ValueError, KeyError, TypeError):
            return status(400, "BadRequest", "the request body is not a SelfSubjectRulesReview")
        if account.review == "forbidden":
            return status(403, "Forbidden", f'selfsubjectrulesreviews.authorization.k8s.io is forbidden: User "{account.user}" '
                           'cannot create resource "selfsubjectrulesreviews" in API group "authorization.k8s.io" at the cluster scope')
        if account.may_list is None:
            rules = [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}]
        else:
            by_group: dict[str, list[str]] = {}
            for group, plural in sorted(account.may_list):
                by_group.setdefault(group, []).append(plural)
            rules = [{"verbs": ["get", "list"], "apiGroups": [group], "resources": plurals} for group, plurals in by_group.items()]
        rules.append({"verbs": ["create"], "apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectrulesreviews"]})
        review_status: dict[str, Any] = {"resourceRules": rules, "nonResourceRules": [
            {"verbs": ["get"], "nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*", "/version"]}], "incomplete": False}
        if account.review == "incomplete":
            review_status["incomplete"] = True
            review_status["evaluationError"] = "webhook authorizer does not support user rule resolution"
        return json_response({"kind": "SelfSubjectRulesReview", "apiVersion": "authorization.k8s.io/v1",
                              "metadata": {"creationTimestamp": None}, "spec": {"namespace": namespace}, "status": review_status}, 201)

    def _account(self, request: Request) -> Account | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.state.accounts.get(token.strip())

    def _group_list(self) -> dict[str, Any]:
        groups = []
        for name, versions in sorted(self.state.groups.items()):
            entries = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
            groups.append({"name": name, "versions": entries, "preferredVersion": entries[0]})
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}

    def _list(self, request: Request, group: str, version: str, plural: str) -> Response:
        kind, _ = KINDS[(group, plural)]
        api_version = f"{group}/{version}" if group else version
        objects = self.state.objects.get((group, plural), [])
        try:
            limit = int(request.query.get("limit") or 0)
            offset = _offset(request.query.get("continue", ""))
        except ValueError:
            return status(400, "BadRequest", "continue key is not valid: the token could not be decoded")
        end = len(objects) if limit <= 0 else min(len(objects), offset + limit)
        metadata: dict[str, Any] = {"resourceVersion": str(self.state.resource_version)}
        if end < len(objects):
            metadata["continue"] = _token(end, self.state.resource_version)
            metadata["remainingItemCount"] = len(objects) - end
        metadata_only = _METADATA_ONLY in request.headers.get("accept", "")
        key = (group, version, plural, offset, end, metadata_only)
        if self.state.unchanging and key in self._pages:
            return Response(200, self._pages[key], _JSON)
        if metadata_only:
            items = [{"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj["metadata"]}
                     for obj in objects[offset:end]]
            page = {"kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": metadata, "items": items}
        else:
            page = {"kind": f"{kind}List", "apiVersion": api_version, "metadata": metadata,
                    "items": [_as_listed(obj, group) for obj in objects[offset:end]]}
        # Compact, as kube-apiserver writes it: pretty-printed, 5,000 workloads are twice the bytes to send and parse.
        body = json.dumps(page, separators=(",", ":")).encode()
        if self.state.unchanging:
            self._pages[key] = body
        return Response(200, body, _JSON)


def _as_listed(obj: dict[str, Any], group: str) -> dict[str, Any]:
    """Built-in list items come without kind and apiVersion; custom resources keep theirs."""
    if group not in CUSTOM_GROUPS:
        return {key: value for key, value in obj.items() if key not in ("kind", "apiVersion")}
    return obj


def _token(offset: int, resource_version: int) -> str:
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": resource_version, "start": offset})
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _offset(token: str) -> int:
    if not token:
        return 0
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        return int(decoded["start"])
    except (ValueError, KeyError, TypeError):
        raise ValueError(token) from None
