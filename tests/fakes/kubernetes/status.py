"""The API server's `Status` answers: 401, 403 as the RBAC authorizer words it, 404, and faults."""

from __future__ import annotations

from typing import Any

from tests.fakes.http.exchange import Request, Response, json_response


def status(code: int, reason: str, message: str, headers: dict[str, str] | None = None, details: dict[str, Any] | None = None) -> Response:
    body: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                            "message": message, "reason": reason, "code": code}
    if details:
        body["details"] = details
    return json_response(body, code, headers)


def not_found() -> Response:
    return status(404, "NotFound", "the server could not find the requested resource")


def forbidden(user: str, group: str, plural: str) -> Response:
    message = (f'{plural} is forbidden: User "{user}" cannot list resource "{plural}" '
               f'in API group "{group}" at the cluster scope')
    details = {"group": group, "kind": plural} if group else {"kind": plural}
    return status(403, "Forbidden", message, details=details)


_REASONS = {401: ("Unauthorized", "Unauthorized"), 403: ("Forbidden", "forbidden"), 404: ("NotFound", "the server could not find the requested resource"),
            429: ("TooManyRequests", "the server is busy")}


class KubernetesErrors:
    def error(self, request: Request, code: int, reason: str | None, html: bool) -> Response:
        if html:
            return Response(code, b"<html><body><h1>502 Bad Gateway</h1></body></html>", {"Content-Type": "text/html"})
        name, message = _REASONS.get(code, ("InternalError", "an error on the server"))
        return status(code, reason or name, message)

    def rate_limited(self, request: Request, code: int) -> Response:
        return status(code, "TooManyRequests", "the server is busy")
