"""What the Kubernetes collector provides, per cluster and per namespace. Apart from
collector.py, which declares them, so that scan.py, which emits them, need not import the
collector that imports it.
"""

CLUSTER_KINDS = (
    "access.admin_grants",
    "policy.admission",
    "tenancy.guardrails",
    "workloads.coverage",
    "gitops.reconciliation",
    "observability.coverage",
    "platform.apis",
    "cost.allocation",
)
# One record of each per tenant namespace (a subject of kind namespace, parent the cluster).
NAMESPACE_KINDS = ("tenancy.namespace", "observability.namespace", "workloads.namespace", "policy.namespace", "platform.claims")
