"""The evidence vocabulary: every kind an evidence record may have, and the shape of its data.

Kinds are source-neutral, so one rule covers GitHub, GitLab and local checkouts alike. One
module per family: `file_signals` (found in files by collectors/detect), `git_host` (vcs.*,
repo.*, org.*), `host_settings` (settings a Git host keeps: properties, environments, code
scanning, CODEOWNERS checks, pages, CI policy and templates), `delivery`, `cluster`, `cloud`; `spec` holds what they are made of and
`registry` the kinds known in a process. Collectors of other sources add their own
vocabularies through the `pecm.kinds` entry-point group (a module-level `KINDS:
list[KindSpec]`), without touching this package; a kind defined twice is refused by name.

Everything is re-exported here, so `from scanner.kinds import X` names any of it.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from scanner.kinds.deferred import CLOUD, CLUSTER, DELIVERY, HOST_SETTINGS
from scanner.kinds.file_signals import (
    FILE_SIGNAL_KINDS,
    FILE_SIGNALS,
    Alerting,
    CatalogEntities,
    CiPipelines,
    Codeowners,
    Dashboards,
    DependencyAutomation,
    DevContainer,
    DocsSite,
    GitOps,
    GoldenPathTemplates,
    IacRemoteRunner,
    IacUsage,
    PolicyAsCode,
    PolicyScanners,
    ProductArtifacts,
    RbacManifests,
    ReferenceOrigins,
    ReusableCiProvided,
    ReusableCiUsed,
    SloDefinitions,
    TemplateOrigin,
)
from scanner.kinds.git_host import (
    GIT_HOST,
    REPOSITORY,
    BranchProtection,
    Contributions,
    CrossReferences,
    FeedbackChannels,
    OrganizationAccess,
    OrganizationRulesets,
    ProtectionLayer,
    RepositoryAccess,
    RepositoryInventory,
    ReusableCiConsumers,
    SecuritySettings,
    TeamStructure,
    TemplateLink,
    VcsActivity,
)
from scanner.kinds.registry import DuplicateKind, KindRegistry
from scanner.kinds.spec import MAX_PATHS, KindData, KindSpec, Signal, ToolSignal

# The models of the deferred families, by the names their specs give ("module:Class"), imported
# when first asked for, so that `from scanner.kinds import Budgets` still works; type checkers see
# the imports below.
_DEFERRED_MODELS = {
    spec.model.rpartition(":")[2]: spec.model.partition(":")[0]
    for spec in (*CLOUD, *CLUSTER, *DELIVERY, *HOST_SETTINGS)
    if isinstance(spec.model, str)
}

if TYPE_CHECKING:
    from scanner.kinds.cloud import Budgets, PolicyAssignments, ResourceLocks, RoleAssignments
    from scanner.kinds.cluster import (
        AdminGrants,
        AdmissionControl,
        CostAllocation,
        NamespaceGuardrails,
        NamespaceObservability,
        ObservabilityCoverage,
        PlatformApis,
        Reconciliation,
        TenancyGuardrails,
        WorkloadCoverage,
    )
    from scanner.kinds.delivery import Deployments, DoraSeries
    from scanner.kinds.host_settings import (
        CiPolicy,
        CiTemplates,
        CodeownersCheck,
        CodeScanning,
        EnvironmentProtection,
        HostedPages,
        PropertySchema,
        RepositoryProperties,
    )


def __getattr__(name: str) -> Any:
    module = _DEFERRED_MODELS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(module), name)


#: The core vocabulary, the `core` entry point of `pecm.kinds`.
KINDS: list[KindSpec] = FILE_SIGNALS + REPOSITORY + GIT_HOST + HOST_SETTINGS + DELIVERY + CLOUD + CLUSTER

__all__ = [
    "CLOUD", "CLUSTER", "DELIVERY", "FILE_SIGNALS", "FILE_SIGNAL_KINDS", "GIT_HOST", "HOST_SETTINGS", "KINDS", "MAX_PATHS",
    "REPOSITORY", "CiPolicy", "CiTemplates", "CodeownersCheck", "CodeScanning", "EnvironmentProtection", "HostedPages",
    "PropertySchema", "RepositoryProperties",
    "AdminGrants", "AdmissionControl", "Alerting", "CostAllocation", "NamespaceGuardrails", "NamespaceObservability",
    "PlatformApis", "BranchProtection", "Budgets", "CatalogEntities", "CiPipelines",
    "Codeowners", "Contributions", "CrossReferences", "Dashboards", "DependencyAutomation", "Deployments",
    "DevContainer", "DocsSite", "DoraSeries", "DuplicateKind", "FeedbackChannels", "GitOps", "GoldenPathTemplates",
    "IacRemoteRunner", "IacUsage", "KindData", "KindRegistry", "KindSpec", "ObservabilityCoverage",
    "OrganizationAccess", "OrganizationRulesets", "PolicyAsCode", "PolicyAssignments", "PolicyScanners",
    "ProductArtifacts", "ProtectionLayer", "RbacManifests", "Reconciliation", "ReferenceOrigins",
    "RepositoryAccess", "RepositoryInventory", "ResourceLocks", "ReusableCiConsumers", "ReusableCiProvided", "ReusableCiUsed",
    "RoleAssignments", "SecuritySettings", "Signal", "SloDefinitions", "TeamStructure", "TemplateLink",
    "TemplateOrigin", "TenancyGuardrails", "ToolSignal", "VcsActivity", "WorkloadCoverage",
]
