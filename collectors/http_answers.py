"""What every HTTP collector's client makes of an answer: its error, its JSON body, its URL parts."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import urlencode, urlsplit


class ApiError(Exception):
    """A request the service refused or that kept failing. `status` is None for network errors.

    `sso_url`: the organization's single sign-on page, when the refusal is that the token is not
    authorized for it there (no permission would help)."""

    def __init__(self, status: int | None, message: str, path: str, sso_url: str | None = None) -> None:
        super().__init__(f"{path}: HTTP {status}: {message}" if status else f"{path}: {message}")
        self.status = status
        self.message = message
        self.path = path
        self.sso_url = sso_url

    def reason(self) -> str:
        if self.sso_url is not None:
            return f"HTTP 403: the token is not authorized for the organization's SAML single sign-on (authorize it at {self.sso_url})"
        return f"HTTP {self.status}: {self.message}" if self.status else self.message

    def reason_with(self, permission: str) -> str:
        """The reason, naming `permission` where it could be the cause: a 403 (unless single sign-on
        refused the token), or a 404, which services also answer for what the token may not see; and
        saying that a server error or a broken connection, which kept failing, may pass."""
        if self.status == 403 and self.sso_url is None:
            return f"{self.reason()} — {permission}"
        if self.status == 404:
            return f"{self.reason()} — it does not exist, or {permission}"
        if self.status is None or self.status >= 500:
            return f"{self.reason()} — scan again later"
        return self.reason()


@dataclass(frozen=True)
class RawAnswer:
    status: int
    headers: Mapping[str, str]  # names in lower case
    body: bytes


def json_body(raw: RawAnswer, url: str) -> Any:
    """The answer's JSON; None when it has no body, or an error answer's body is not JSON (an HTML page)."""
    if not raw.body:
        return None
    try:
        return json.loads(raw.body)
    except ValueError:
        if raw.status < 400:
            raise ApiError(raw.status, "the answer is not JSON", path_only(url)) from None
        return None


def status_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "no message"


def with_query(path: str, params: Mapping[str, Any] | None) -> str:
    if not params:
        return path
    separator = "&" if "?" in path else "?"
    return path + separator + urlencode({key: _param(value) for key, value in params.items()})


def path_only(url: str) -> str:
    """The URL without scheme, host or query: what error messages show."""
    return urlsplit(url).path or url


def _param(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)
