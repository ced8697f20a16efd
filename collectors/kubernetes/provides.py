"""What the Kubernetes collector provides, one record of each per cluster. Apart from
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
)
