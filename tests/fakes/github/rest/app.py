"""GitHub App endpoints, authenticated by an RS256 JWT whose `iss` is the App id."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

import jwt

from ..context import Call
from ..exchange import ApiError, Response, json_response, not_found
from ..model import GitHubApp, Token
from ..payloads import accounts
from ..payloads.links import iso

_JWT_DOCS = "https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app"
_TOKEN_LIFETIME = timedelta(hours=1)


def authenticate_app(call: Call) -> GitHubApp:
    """The App whose JWT signs this request; 401 in GitHub's words otherwise."""
    app = call.world.app
    header = call.request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if app is None or scheme.lower() != "bearer" or not value:
        raise ApiError(401, "A JSON web token could not be decoded", _JWT_DOCS)
    try:
        claims = jwt.decode(
            value, app.public_key_pem, algorithms=["RS256"], leeway=60, options={"require": ["iat", "exp", "iss"]}
        )
    except jwt.ExpiredSignatureError:
        raise ApiError(
            401,
            "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the "
            "assertion expires",
            _JWT_DOCS,
        ) from None
    except jwt.PyJWTError:
        raise ApiError(401, "A JSON web token could not be decoded", _JWT_DOCS) from None
    if str(claims["iss"]) != str(app.app_id):
        raise ApiError(401, "'Issuer' claim ('iss') must be an Integer", _JWT_DOCS)
    return app


def get_org_installation(call: Call) -> Response:
    app = authenticate_app(call)
    org = call.org()
    return json_response(accounts.installation(call.links, org, app))


def create_installation_token(call: Call) -> Response:
    app = authenticate_app(call)
    org = next((org for org in call.world.orgs if str(org.installation_id) == call.params["id"]), None)
    if org is None:
        raise not_found()
    try:
        requested = json.loads(call.request.body or b"{}").get("permissions") or {}
    except (ValueError, AttributeError):
        raise ApiError(400, "Problems parsing JSON") from None
    permissions = {name: level for name, level in app.permissions.items() if not requested or name in requested}
    expires_at = call.clock.now() + _TOKEN_LIFETIME
    token = Token(
        value=f"ghs_{secrets.token_hex(18)}",
        login=f"{app.slug}[bot]",
        repo_admin=permissions.get("administration") in ("read", "write"),
        org_admin=permissions.get("organization_administration") in ("read", "write"),
        expires_at=expires_at,
    )
    call.world.tokens.append(token)
    return json_response(
        {
            "token": token.value,
            "expires_at": iso(expires_at),
            "permissions": permissions,
            "repository_selection": "all",
        },
        status=201,
    )
