"""The azure-identity credential the configuration asks for.

The client secret is read through `ctx.secret` only (the pipeline redacts what it hands out).
DefaultAzureCredential, workload and managed identity read their own environment variables
(AZURE_*, IDENTITY_ENDPOINT …): that is how those identities are handed to a process.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from azure.core.credentials import AccessToken, TokenCredential

from collectors.azure.config import DEFAULT_AUTHORITY, AzureConfig
from scanner.contract import CollectContext
from scanner.errors import SourceUnavailable

REFRESH_MARGIN_SECONDS = 300  # a token this close to expiry is renewed before it is handed out


def credential_for(ctx: CollectContext, config: AzureConfig) -> TokenCredential:
    try:
        return SharedToken(_credential(ctx, config))
    except ValueError as exc:  # azure-identity's way of saying its settings or variables are missing
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SourceUnavailable(
            f"azure: no {config.authentication} credential available ({message})",
            hint="set the identity's variables (AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_FEDERATED_TOKEN_FILE …) "
            "or choose another authentication",
        ) from None


def _credential(ctx: CollectContext, config: AzureConfig) -> TokenCredential:
    from azure import identity

    common: dict[str, Any] = {"retry_total": 0}  # a refused token is not worth retrying: say so at once
    if config.ca_bundle is not None:
        common["connection_verify"] = str(_resolved(ctx, config.ca_bundle))
    if config.authority != DEFAULT_AUTHORITY:
        # A private authority has no instance metadata at login.microsoftonline.com to discover.
        common.update(authority=config.authority, disable_instance_discovery=True)
    if config.authentication == "client_secret":
        assert config.tenant_id is not None and config.client_id is not None
        secret = ctx.secret(config.client_secret_env)
        if not secret:
            raise SourceUnavailable(
                f"azure: environment variable {config.client_secret_env} is not set",
                hint="export the client secret of the app registration in it, or use another authentication",
            )
        return identity.ClientSecretCredential(config.tenant_id, config.client_id, secret, **common)
    if config.authentication == "certificate":
        assert config.tenant_id is not None and config.client_id is not None and config.certificate_file is not None
        path = _resolved(ctx, config.certificate_file)
        return identity.CertificateCredential(config.tenant_id, config.client_id, certificate_path=str(path), **common)
    if config.authentication == "workload_identity":
        return identity.WorkloadIdentityCredential(tenant_id=config.tenant_id, client_id=config.client_id, **common)
    if config.authentication == "managed_identity":
        common.pop("authority", None)
        common.pop("disable_instance_discovery", None)
        return identity.ManagedIdentityCredential(client_id=config.client_id, **common)
    managed = {"managed_identity_client_id": config.client_id} if config.client_id else {}
    return identity.DefaultAzureCredential(**common, **managed)


def _resolved(ctx: CollectContext, path: Path) -> Path:
    return path if path.is_absolute() else Path(ctx.base_dir) / path


class SharedToken:
    """One token for every client of the scan. azure-core's bearer policy keeps the token of its own
    client, and pecm builds a client per list, so every list asked azure-identity again (a cache
    lookup and a log line each: 1.7 calls per request, about 11 ms each at load 11, measured).
    A token asked with claims (a challenge) is not shared."""

    def __init__(self, credential: TokenCredential) -> None:
        self._credential = credential
        self._tokens: dict[tuple[str, ...], AccessToken] = {}
        self._lock = threading.Lock()  # workers wait for the one request of a new token

    def get_token(self, *scopes: str, claims: str | None = None, tenant_id: str | None = None, **kwargs: Any) -> AccessToken:
        if claims is not None or tenant_id is not None:
            return self._credential.get_token(*scopes, claims=claims, tenant_id=tenant_id, **kwargs)
        with self._lock:
            token = self._tokens.get(scopes)
            if token is None or token.expires_on - REFRESH_MARGIN_SECONDS <= time.time():
                token = self._tokens[scopes] = self._credential.get_token(*scopes, **kwargs)
            return token
