"""What detection found so far, kind by kind, and its final shape as evidence data."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pydantic import BaseModel

from scanner.kinds import FILE_SIGNAL_KINDS, KINDS, MAX_PATHS
from scanner.kinds.spec import model_defaults
from scanner.scopes import is_live

#: Items kept per list other than `paths` (module refs, owners, workflows …): lists are for
#: showing and counting, and one repository must not bloat a 10k-repository bundle.
MAX_ITEMS = 100

# The kinds by the names detection code uses for them.
IAC = "iac.usage"
RUNNER = "iac.remote_runner"
CI = "ci.pipelines"
REUSE_PROVIDED = "ci.reusable_provided"
REUSE_USED = "ci.reusable_used"
POLICY = "policy.as_code"
SCANNERS = "policy.ci_scanners"
CODEOWNERS = "ownership.codeowners"
RBAC = "ownership.rbac_manifests"
DASHBOARDS = "observability.dashboards"
ALERTING = "observability.alerting"
SLO = "observability.slo"
CATALOG = "portal.catalog"
TEMPLATES = "golden_path.templates"
ORIGIN = "golden_path.origin"
DEVCONTAINER = "devenv.devcontainer"
DOCS = "docs.site"
GITOPS = "gitops.controllers"
DEPS = "deps.automation"
PRODUCT = "product.artifacts"
REFS = "references.origins"

def _absent_data(model: type[BaseModel]) -> dict[str, Any]:
    # model_defaults reads them from the fields where that is exact: an instance of each model
    # would build a validator per kind at import, which a local scan never uses.
    defaults = model_defaults(model)
    if defaults is None:
        raise TypeError(f"{model.__name__}: a file-signal kind's fields all need defaults")
    return defaults


# Most kinds are absent from most repositories: their data is the model's defaults, built once.
_ABSENT: dict[str, dict[str, Any]] = {
    spec.name: _absent_data(spec.data_model) for spec in KINDS if spec.name in FILE_SIGNAL_KINDS
}
_ABSENT_LISTS = {kind: tuple(field for field, value in data.items() if isinstance(value, list)) for kind, data in _ABSENT.items()}
_ABSENT_PARTS = tuple((kind, _ABSENT[kind], _ABSENT_LISTS[kind]) for kind in FILE_SIGNAL_KINDS)


def absent(kind: str) -> dict[str, Any]:
    """The data of a kind detection found nothing of: its model's defaults, with fresh lists."""
    data = _ABSENT[kind].copy()
    for field in _ABSENT_LISTS[kind]:  # fresh lists: callers may extend them
        data[field] = []
    return data


class Findings:
    """Accumulates signals; `hit` marks a kind present at a path, the rest adds detail."""

    def __init__(self) -> None:
        self._present: set[str] = set()
        self._live: set[str] = set()  # kinds hit in a live file (see scanner.scopes)
        self._paths: dict[str, set[str]] = defaultdict(set)
        # Paths by tool ("" for hits without one): each tool's paths are capped on their own,
        # so one tool's many files cannot hide another's.
        self._tool_paths: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._items: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        self._values: dict[str, dict[str, Any]] = defaultdict(dict)
        #: Catalog files naming TechDocs sources; they make an mkdocs site a TechDocs site.
        self.techdocs_refs: list[str] = []
        #: Reusable CI files this repository calls itself (`uses: ./…`, GitLab `include: local:`).
        self.called_here: set[str] = set()
        #: Templated files (x.yaml.j2, x.json.tpl …) queued to read with their blocks stripped.
        self.templated: set[str] = set()
        #: kind -> why detection cannot tell it (a file that decides it could not be used).
        self.unknown: dict[str, str] = {}

    def cannot_tell(self, kinds: tuple[str, ...], reason: str) -> None:
        """The kinds are unknown: a file that could decide them could not be used."""
        for kind in kinds:
            self.unknown.setdefault(kind, reason)

    def hit(self, kind: str, path: str, tool: str | None = None) -> None:
        self._present.add(kind)
        self._paths[kind].add(path)
        self._tool_paths[kind][tool or ""].add(path)
        live = is_live(path)
        if live:
            self._live.add(kind)
        if tool is not None:
            self._items[kind]["tools"].add(tool)
            if live:
                self._items[kind]["live_tools"].add(tool)

    def reference(self, via: str, ref: str, path: str) -> None:
        """A reference to an asset kept elsewhere, found in `path`; test fixtures, samples and
        documentation take nothing from anywhere, so only live files count."""
        if is_live(path):
            self.hit(REFS, path)
            self._items[REFS]["refs"].add(f"{via} {ref}")

    def add(self, kind: str, field: str, *items: str) -> None:
        self._items[kind][field].update(items)

    def set(self, kind: str, field: str, value: Any) -> None:
        self._values[kind][field] = value

    def value(self, kind: str, field: str) -> Any:
        """A value set with `set`, or None."""
        return self._values.get(kind, {}).get(field)

    def has(self, kind: str, field: str = "", item: str = "") -> bool:
        """Whether `kind` was hit, or, with field and item, whether that item was added."""
        if not field:
            return kind in self._present
        return item in self._items.get(kind, {}).get(field, ())

    @property
    def empty(self) -> bool:
        """Nothing found yet."""
        return not (self._present or self._paths or self._items or self._values)

    def data(self, kind: str) -> dict[str, Any]:
        """The kind's evidence data: its model's defaults, then sorted lists, capped. Collectors
        hand it to `CollectContext.observed`, which validates it against the kind's model (the
        detection tests check that validation leaves it unchanged)."""
        data = absent(kind)
        if kind not in self._paths and kind not in self._items and kind not in self._values:
            return data
        return self._found(kind, data)

    def found(self) -> dict[str, dict[str, Any]]:
        """`data` of the file-signal kinds detection found something of, in the kinds' order; the
        others are absent (`absent`), and are neither built nor compared (most kinds, in most
        repositories)."""
        touched = self._paths.keys() | self._items.keys() | self._values.keys()
        found = {}
        for kind, defaults, lists in _ABSENT_PARTS:
            if kind in touched:
                data = defaults.copy()
                for field in lists:
                    data[field] = []
                data = self._found(kind, data)
                if data != defaults:  # touched, yet nothing to say (a value set to its default)
                    found[kind] = data
        return found

    def _found(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        by_tool = self._tool_paths.get(kind, {})
        data["paths"] = sorted(set().union(*(sorted(paths)[:MAX_PATHS] for paths in by_tool.values())))
        if "templated" in data:
            data["templated"] = [path for path in data["paths"] if path in self.templated]
        if "present" in data:
            data["present"] = kind in self._present
            data["live"] = kind in self._live
            data["path_count"] = len(self._paths.get(kind, ()))
        for field, items in self._items.get(kind, {}).items():
            data[field] = sorted(items)[:MAX_ITEMS]
        data.update(self._values.get(kind, {}))
        return data
