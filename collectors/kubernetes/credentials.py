"""Which clusters to scan, and an API client of its own for each (never the process-wide default).

A kubeconfig that cannot be read, or a context it does not define, is the user's to fix: one
line, exit 2, before any cluster is contacted. A cluster whose credentials cannot be loaded (a
missing certificate file, an in-cluster token outside a pod) is only that cluster unavailable.
Exception texts of the kubeconfig loader are never shown: they can quote the file's contents.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from kubernetes.client import ApiClient, Configuration
from kubernetes.config import ConfigException
from kubernetes.config.kube_config import KubeConfigLoader

from collectors.kubernetes.config import InClusterConfig, KubernetesConfig
from collectors.kubernetes.tls import share_tls_context
from scanner.errors import SourceUnavailable, UserError
from scanner.user_yaml import read_user_yaml

RENEW_HINT = "renew the token or certificate of this context"


@dataclass(frozen=True)
class Cluster:
    name: str
    connect: Callable[[], ApiClient]  # SourceUnavailable when the credentials cannot be loaded
    refused_hint: str = RENEW_HINT  # what to do when the cluster refuses the credentials (401)


def clusters(config: KubernetesConfig, base_dir: Path) -> list[Cluster]:
    found: list[Cluster] = []
    if config.kubeconfig is not None:
        path = base_dir / config.kubeconfig.expanduser()
        document, contexts = kubeconfig_contexts(path, config.contexts)
        for context in contexts:
            found.append(_kubeconfig_cluster(document, path, context))
    if config.in_cluster is not None:
        in_cluster = config.in_cluster
        if any(cluster.name == in_cluster.name for cluster in found):
            raise UserError(f"kubernetes: in_cluster.name {in_cluster.name!r} is also a kubeconfig context; rename it")
        found.append(Cluster(in_cluster.name, lambda: _in_cluster_client(in_cluster, base_dir)))
    return found


def kubeconfig_contexts(path: Path, wanted: list[str]) -> tuple[dict[str, Any], list[str]]:
    """The kubeconfig, and the contexts to scan: those named, else the current one; UserError
    naming what is wrong."""
    label = f"kubernetes: kubeconfig {path}"
    document = read_user_yaml(path, label)
    if not isinstance(document, dict):
        raise UserError(f"{label}: not a kubeconfig (expected a mapping with contexts)")
    defined = [
        str(entry["name"]) for entry in document.get("contexts") or [] if isinstance(entry, dict) and entry.get("name")
    ]
    if not wanted:
        current = document.get("current-context")
        if not current:
            raise UserError(f"{label}: no current-context; list the contexts to scan under kubernetes.contexts")
        wanted = [str(current)]
    unknown = [context for context in wanted if context not in defined]
    if unknown:
        known = ", ".join(defined) or "none"
        raise UserError(f"{label}: no context named {', '.join(map(repr, unknown))} (defined: {known})")
    return document, wanted


def _entry(document: dict[str, Any], section: str, name: Any) -> dict[str, Any] | None:
    """The mapping under `name` in one of the kubeconfig's named lists (contexts, clusters, users)."""
    for entry in document.get(section) or []:
        if isinstance(entry, dict) and entry.get("name") == name:
            found = entry.get(section[:-1])
            return found if isinstance(found, dict) else {}
    return None


def _kubeconfig_cluster(document: dict[str, Any], path: Path, context: str) -> Cluster:
    """A context's cluster; one whose entries are missing is unavailable, saying which entry."""
    entry = _entry(document, "contexts", context) or {}
    cluster, user = _entry(document, "clusters", entry.get("cluster")), _entry(document, "users", entry.get("user"))
    defect = (
        f"names cluster {entry.get('cluster')!r}, which the kubeconfig does not define" if cluster is None
        else "its cluster has no server address" if not cluster.get("server")
        else f"names user {entry.get('user')!r}, which the kubeconfig does not define" if user is None
        else None
    )
    if defect is not None:
        message = f"kubernetes: context {context!r} {defect}"
        return Cluster(context, partial(_refuse, message, f"fix the context's entry in {path}"))
    plugin = (user or {}).get("exec")
    command = plugin.get("command") if isinstance(plugin, dict) else None
    # An exec plugin that fails leaves the request without a token: the 401 is the plugin's, not an expiry.
    hint = (
        f"the context's credential plugin ({command}) gave no valid token: check it is installed and logged in"
        if command else RENEW_HINT
    )
    return Cluster(context, partial(_kubeconfig_client, document, path, context), hint)


def _refuse(message: str, hint: str) -> ApiClient:
    raise SourceUnavailable(message, hint=hint)


def _kubeconfig_client(document: dict[str, Any], path: Path, context: str) -> ApiClient:
    """The context's client from the kubeconfig as read once (`kubeconfig_contexts`): the client's
    own loader would parse the file again, with the pure-Python YAML parser (the most of its set-up,
    before the cluster's first request). Relative file names in it are the kubeconfig folder's."""
    configuration = _no_retries()
    try:
        # A copy each: the loader may write refreshed credentials into it, and contexts connect at once.
        loader = KubeConfigLoader(
            config_dict=copy.deepcopy(document), active_context=context, config_base_path=os.path.abspath(path.parent)
        )
        loader.load_and_set(configuration)
        client = ApiClient(configuration)
    except (ConfigException, OSError, ValueError) as exc:
        raise SourceUnavailable(
            f"kubernetes: context {context!r}: its credentials could not be loaded ({type(exc).__name__})",
            hint="check the context's user and cluster entries with `kubectl --context " + context + " version`",
        ) from None
    # The loader's hook renews the token before each request and sets the host again, whose
    # setter reads the environment's proxy variables again (no request uses them: the connection
    # pool is made); setting the proxy it was made with stops that.
    configuration.proxy = configuration.proxy
    share_tls_context(client)
    return client


def _in_cluster_client(config: InClusterConfig, base_dir: Path) -> ApiClient:
    token_file, ca_file = base_dir / config.token_file, base_dir / config.ca_file
    try:
        # Read whole, stripped: a token file ending in a newline would make an invalid header.
        token = token_file.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        raise SourceUnavailable(
            f"kubernetes: {config.name}: no service-account token at {token_file}",
            hint="in_cluster works inside a pod with a mounted service-account token",
        ) from None
    if not ca_file.is_file():
        raise SourceUnavailable(f"kubernetes: {config.name}: no CA certificate at {ca_file}", hint="set in_cluster.ca_file")
    configuration = _no_retries()
    configuration.host = config.server
    configuration.ssl_ca_cert = str(ca_file)
    configuration.api_key = {"BearerToken": token}
    configuration.api_key_prefix = {"BearerToken": "Bearer"}
    client = ApiClient(configuration)
    share_tls_context(client)
    return client


def _no_retries() -> Configuration:
    """Retries are ours (collectors.kubernetes.client), counted and in the context's time."""
    configuration = Configuration()
    configuration.retries = False
    configuration.client_go_retries = False
    return configuration
