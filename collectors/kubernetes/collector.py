"""The Kubernetes collector: one subject per cluster, and one per tenant namespace, from what its API serves.

Per cluster: discovery (`/api`, `/apis`) and a SelfSubjectRulesReview, then one paged list per
resource in `resources.READ` whose API group the cluster serves and the role may list (Gatekeeper:
one per constraint kind its templates define). Nothing else is requested.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel

from collectors.base import Collector
from collectors.kubernetes.config import KubernetesConfig
from collectors.kubernetes.provides import CLUSTER_KINDS, NAMESPACE_KINDS
from scanner.contract import CollectContext
from scanner.errors import UserError
from scanner.model import Evidence, Subject


class KubernetesCollector(Collector):
    name: ClassVar[str] = "kubernetes"
    version: ClassVar[str] = "1"
    config_model: ClassVar[type[KubernetesConfig]] = KubernetesConfig
    provides: ClassVar[frozenset[str]] = frozenset(CLUSTER_KINDS + NAMESPACE_KINDS)

    @classmethod
    def scope(cls, config: BaseModel, base_dir: Path) -> tuple[str, ...]:
        if not isinstance(config, KubernetesConfig):
            raise TypeError(f"the kubernetes collector needs a KubernetesConfig, got {type(config).__name__}")
        contexts = config.contexts or ([f"current-context of {config.kubeconfig}"] if config.kubeconfig else [])
        in_cluster = [config.in_cluster.name] if config.in_cluster else []
        return tuple(f"{cls.name}:{name}" for name in [*contexts, *in_cluster])

    def collect(self, ctx: CollectContext) -> Iterator[Subject | Evidence]:
        config = ctx.config
        if not isinstance(config, KubernetesConfig):
            raise TypeError(f"the kubernetes collector needs a KubernetesConfig, got {type(config).__name__}")
        # The kubernetes client loads here, not when plugins are discovered: importing it takes
        # 0.6-0.7 s that every other pecm command would pay (measured in the design notes).
        try:
            from collectors.kubernetes.scan import scan_clusters
        except ModuleNotFoundError as exc:
            if exc.name is None or not exc.name.startswith(("kubernetes", "urllib3", "orjson")):
                raise
            raise UserError(
                f"kubernetes: the Kubernetes collector's {exc.name.split('.')[0]} library is not installed",
                hint="install pecm with the extra: pip install 'pecm[kubernetes]'",
            ) from None

        yield from scan_clusters(ctx, config)
