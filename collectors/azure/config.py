"""Configuration of the Azure collector: which subscriptions, how to authenticate, how hard to try.

Secrets never live here: a client secret is named by the environment variable holding it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator

from collectors.http_limits import HttpLimits

DEFAULT_ARM_URL = "https://management.azure.com"
DEFAULT_AUTHORITY = "https://login.microsoftonline.com"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_BILLING_ACCOUNT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_:.-]{0,199}$")

Authentication = Literal["default", "client_secret", "certificate", "workload_identity", "managed_identity"]


class AzureConfig(HttpLimits):
    """Azure subscriptions to scan through Azure Resource Manager, with a read-only identity; limits as `HttpLimits`."""

    management_group: str | None = Field(
        default=None,
        description="Root management group: it and the groups below it are subjects, and their subscriptions, at any "
        "depth, are scanned (with `subscriptions`, both).",
    )
    subscriptions: list[str] = Field(
        default_factory=list,
        description="Subscription ids to scan; with no management_group either: every subscription the identity can read.",
    )
    include: list[str] = Field(
        default_factory=list, description="Glob patterns on subscription names (or ids) to scan; empty: all."
    )
    exclude: list[str] = Field(default_factory=list, description="Glob patterns on subscription names (or ids) to leave out.")
    include_groups: list[str] = Field(
        default_factory=list,
        description="Glob patterns on the names (or ids) of the management groups below management_group that are "
        "subjects themselves; empty: all. Their subscriptions are chosen by include / exclude.",
    )
    exclude_groups: list[str] = Field(
        default_factory=list,
        description="Glob patterns on management group names (or ids): the group and everything below it, "
        "subscriptions included, are left out.",
    )
    window_days: int = Field(default=90, gt=0, description="Days of deployment history counted as recent.")
    resource_group_scope: bool = Field(
        default=True,
        description="Read deployments and deployment stacks at each resource group's scope as well as the subscription's "
        "(ARM lists them per resource group only: two requests per resource group); off: subscription scope only.",
    )
    iac_tags: list[str] = Field(
        default_factory=lambda: ["managed-by", "managedBy", "iac", "provisioner", "azd-env-name"],
        description="Tag names (exact case) whose presence on a resource says an IaC tool made it.",
    )
    owner_tags: list[str] = Field(
        default_factory=lambda: ["owner", "Owner", "owners", "team", "Team"],
        description="Tag names (exact case) that say who owns a resource.",
    )
    cost_center_tags: list[str] = Field(
        default_factory=lambda: ["cost-center", "costCenter", "CostCenter", "cost_center", "costcenter", "CostCentre"],
        description="Tag names (exact case) that say which cost centre pays for a resource.",
    )
    billing_accounts: list[str] = Field(
        default_factory=list,
        description="Billing account ids (an EA enrollment number, an MCA account's `<guid>:<guid>_<date>`) whose cost "
        "allocation rules are read; each is a subject. They sit beyond Reader: the identity needs a billing role "
        "(Billing account reader; on an EA enrollment, Enrollment reader). Empty: not read.",
    )
    authentication: Authentication = Field(
        default="default",
        description="default (DefaultAzureCredential: environment, workload identity, managed identity, Azure CLI), "
        "client_secret, certificate, workload_identity or managed_identity.",
    )
    tenant_id: str | None = Field(default=None, description="Entra ID tenant; needed by client_secret and certificate.")
    client_id: str | None = Field(default=None, description="Application (client) id of the identity.")
    client_secret_env: str = Field(
        default="AZURE_CLIENT_SECRET", description="Environment variable holding the client secret (client_secret)."
    )
    certificate_file: Path | None = Field(
        default=None, description="PEM certificate with its private key (certificate); relative to the config file."
    )
    arm_url: str = Field(default=DEFAULT_ARM_URL, description="Azure Resource Manager endpoint (sovereign clouds differ).")
    authority: str = Field(default=DEFAULT_AUTHORITY, description="Entra ID authority host.")
    ca_bundle: Path | None = Field(
        default=None, description="PEM bundle of CAs to trust instead of the system's (a TLS-inspecting proxy)."
    )

    @field_validator("subscriptions")
    @classmethod
    def _subscription_ids(cls, value: list[str]) -> list[str]:
        for subscription in value:
            if not _GUID.match(subscription):
                raise ValueError(f"{subscription!r} is not a subscription id (a GUID)")
        return list(dict.fromkeys(s.lower() for s in value))

    @field_validator("billing_accounts")
    @classmethod
    def _billing_account_ids(cls, value: list[str]) -> list[str]:
        for account in value:
            # Written into a request path: the characters billing account ids use, nothing that ends a segment.
            if not _BILLING_ACCOUNT.match(account):
                raise ValueError(f"{account[:60]!r} is not a billing account id (letters, digits, - _ : .)")
        return list(dict.fromkeys(value))

    @field_validator("iac_tags", "owner_tags", "cost_center_tags")
    @classmethod
    def _tag_names(cls, value: list[str]) -> list[str]:
        for name in value:
            # Written into a Resource Graph query: tag names only, nothing that could end the string.
            if not re.fullmatch(r"[A-Za-z0-9_.:/ -]{1,128}", name):
                raise ValueError(f"{name[:40]!r} is not a tag name pecm can query (letters, digits, _ . : / - and spaces)")
        return value

    @field_validator("arm_url", "authority")
    @classmethod
    def _https(cls, value: str) -> str:
        parts = urlsplit(value)
        # azure-core sends bearer tokens over https only.
        if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
            raise ValueError("must be an https:// URL without query, such as https://management.azure.com")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _credential_settings(self) -> AzureConfig:
        needs = {
            "client_secret": ("tenant_id", "client_id"),
            "certificate": ("tenant_id", "client_id", "certificate_file"),
        }.get(self.authentication, ())
        missing = [name for name in needs if getattr(self, name) is None]
        if missing:
            raise ValueError(f"authentication {self.authentication} needs {', '.join(missing)}")
        return self
