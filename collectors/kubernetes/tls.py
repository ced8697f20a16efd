"""One TLS context per API client, shared by the connections of its pool.

urllib3 makes a context and loads the CA (and a client certificate) for each connection it
opens; the pool opens its connections at once, on the scan's first requests, so that work holds
the GIL while the longest list's first request waits for its own connection. Loaded once here,
as urllib3 would load it: the same checks (the certificate chain to the context's CA, the
hostname or the context's tls-server-name), only not repeated.
"""

from __future__ import annotations

import ssl

from kubernetes.client import ApiClient
from urllib3.util.ssl_ import create_urllib3_context

# What urllib3 loads into each connection's context when it is not handed one.
_LOADED_PER_CONNECTION = ("ca_certs", "ca_cert_data", "cert_file", "key_file")


def share_tls_context(api: ApiClient) -> None:
    """Hand the client's connection pools one context with its CA (and client certificate)
    loaded. A client that does not verify, or trusts the system's CAs, is left as it is; so is
    one whose files cannot be loaded: its first request then fails as it always did."""
    pool = api.rest_client.pool_manager.connection_pool_kw
    ca_file, ca_data = pool.get("ca_certs"), pool.get("ca_cert_data")
    if pool.get("cert_reqs") != ssl.CERT_REQUIRED or not (ca_file or ca_data):
        return
    context = create_urllib3_context(cert_reqs=ssl.CERT_REQUIRED)
    try:
        context.load_verify_locations(cafile=ca_file, cadata=ca_data)
        if pool.get("cert_file"):
            context.load_cert_chain(pool["cert_file"], pool.get("key_file"))
    except (OSError, ValueError):  # ssl.SSLError is an OSError
        return
    for key in _LOADED_PER_CONNECTION:
        pool.pop(key, None)
    pool["ssl_context"] = context
