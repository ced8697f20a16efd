"""Configuration of the Kubernetes collector: which clusters, and how to reach them."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from collectors.http_limits import RequestLimits

SERVICE_ACCOUNT_DIR = Path("/var/run/secrets/kubernetes.io/serviceaccount")


class InClusterConfig(BaseModel):
    """Authenticate as the pod's service account (the CronJob recipe under deploy/kubernetes/)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="in-cluster", min_length=1, description="The cluster's name in reports.")
    server: str = Field(
        default="https://kubernetes.default.svc", description="The API server as the pod sees it."
    )
    token_file: Path = Field(default=SERVICE_ACCOUNT_DIR / "token", description="The service-account token.")
    ca_file: Path = Field(default=SERVICE_ACCOUNT_DIR / "ca.crt", description="The cluster's CA certificate.")


class KubernetesConfig(RequestLimits):
    """Clusters to read: kubeconfig contexts, the cluster pecm runs in, or both; request limits as `RequestLimits`."""

    kubeconfig: Path | None = Field(
        default=None, description="A kubeconfig file; relative to the config file. Needed when `contexts` is set."
    )
    contexts: list[str] = Field(
        default_factory=list, description="kubeconfig contexts to scan, one cluster each; empty: the current context."
    )
    in_cluster: InClusterConfig | None = Field(default=None, description="Also scan the cluster pecm runs in.")
    page_size: int = Field(default=500, ge=1, le=5000, description="Objects per list page (limit / continue).")
    concurrent_requests: int = Field(
        default=4, ge=1, le=8, description="Lists of one cluster read at the same time (each list's pages in turn)."
    )
    # Per cluster, not per source as `HttpLimits`' budget is: its own key's default and wording.
    rate_limit_wait_budget_seconds: float = Field(
        default=300.0, ge=0, description="Longest a cluster's scan waits on 429 answers in all; past it, it stops cleanly."
    )

    @model_validator(mode="after")
    def _some_cluster(self) -> KubernetesConfig:
        if self.kubeconfig is None and self.in_cluster is None:
            raise ValueError("name a kubeconfig (with contexts) or set in_cluster")
        if self.contexts and self.kubeconfig is None:
            raise ValueError("contexts need a kubeconfig")
        if len(set(self.contexts)) != len(self.contexts):
            raise ValueError("a context is listed twice")
        return self
