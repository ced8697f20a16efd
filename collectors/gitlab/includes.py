"""Nested CI includes: the files a project's pipeline takes from other projects, and what they
include in turn, fetched and scanned as pipelines with the shared detector.

A project's own files (its `.gitlab-ci.yml` and the local files it includes) are read with its
tree; its `include: project:` entries name other projects' files, which only a fetch shows: a
central template may run the policy scanners or the deployment the project's own file never
mentions. Each included file is fetched once per scan, whoever includes it (cached by
project, ref and path), and scanned as a pipeline; its own includes are followed — `local:` in
the project that holds it (as GitLab does), `project:` anywhere — up to MAX_DEPTH levels and
MAX_FILES files per project, each file once (include loops end there). CI/CD catalog components
of this instance (`component: $CI_SERVER_FQDN/group/project/name@1.0`, or the instance's own
address: its host, port and the path it is served under, as GitLab's `server_fqdn`) are fetched the same way, from where GitLab takes them: `templates/<name>.yml`, else
`templates/<name>/template.yml`, in the project the path names without its last segment, at the
version (a tag, branch or commit; `~latest`: the project's latest release). Components of another
host, `remote:` URLs and GitLab's `template:`s are never fetched: detection records them all as
references, told internal or external like the project's own. What the included files say
joins the project's ci.pipelines, policy.ci_scanners, ci.reusable_used and references.origins,
under the include's name (`acme/platform/ci-templates/templates/build.yml@v1`); an included
file that cannot be read or parsed leaves those kinds unknown, as an unreadable file of the
project's own does. What an included file offers (its `spec:`) is its project's, not the includer's.
The result is cached with the project's file evidence: an unchanged project costs no request on
a re-scan, and a change to a file it includes is seen once the project itself changes.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import quote

from collectors.detect import RepoFile, UnreadableFile
from collectors.detect.ci import CI_KINDS, scan_gitlab_pipeline
from collectors.detect.files import FileReader
from collectors.detect.findings import MAX_ITEMS, REFS, REUSE_PROVIDED, Findings
from collectors.detect.parse import as_list
from collectors.githost.cache import FileEvidence
from collectors.githost.files import REFUSED_FILE_STATUSES
from collectors.gitlab.client import ApiError, GitLabClient
from collectors.gitlab.consumers import INCLUDE
from collectors.gitlab.instance import component_prefixes

FILES = "repository/files"
RELEASES = "releases"
COMPONENT_FILES = ("templates/{name}.yml", "templates/{name}/template.yml")  # GitLab's order
LATEST = "~latest"
MAX_DEPTH = 10  # levels of includes below the project's own files (GitLab allows 100)
MAX_FILES = 50  # included files fetched and scanned per project (GitLab allows 150 includes in all)
MAX_SPLITS = 3  # ways to cut an unscanned project's path from the file's tried, one request each
#: What an included file adds to its includer: what the pipeline runs and takes, not what it offers.
MERGED_KINDS = tuple(kind for kind in (*CI_KINDS, REFS) if kind != REUSE_PROVIDED)
_YAML = (".yml", ".yaml")  # GitLab includes nothing else


@dataclass(frozen=True)
class Site:
    """One included file: a project's path, the ref (None: its default branch) and the file."""

    project: str
    ref: str | None
    file: str

    @property
    def label(self) -> str:
        return f"{self.project}/{self.file}" + (f"@{self.ref}" if self.ref else "")


@dataclass(frozen=True)
class Component:
    """A CI/CD catalog component of this instance: its project's path, its name and version."""

    project: str
    name: str
    version: str | None

    @property
    def label(self) -> str:
        return f"{self.project}/{self.name}" + (f"@{self.version}" if self.version else "")


Wanted = tuple[Site, ...] | Component  # an include: where its file may be (the first readable), or a component


class IncludedFiles:
    """One scan's fetched includes, shared by its workers. `base_url`: the instance, whose
    components are fetched (those of other hosts never are)."""

    def __init__(self, client: GitLabClient, max_file_bytes: int, base_url: str) -> None:
        self._client = client
        self._max_file_bytes = max_file_bytes
        self._instance = component_prefixes(base_url)
        self._lock = threading.Lock()
        self._fetched: dict[Site, bytes | str] = {}  # the file's bytes, or why it could not be had
        self._latest: dict[str, str | None] = {}  # project path -> its latest release's tag (None: none readable)

    def resolve(self, files: FileEvidence, scanned: frozenset[str]) -> FileEvidence:
        """`files` with what the project's includes from other projects and its components of
        this instance add (`scanned`: the lower-case paths of the scan's projects, to tell a
        project's path from its file's)."""
        refs = list(files.signals[REFS].get("refs") or ())
        wanted: list[Wanted] = [tuple(_sites(ref, scanned)) for ref in _project_includes(refs)]
        wanted += [component for ref in refs if (component := self._component(ref)) is not None]
        wanted = wanted[:MAX_FILES]  # bounds the tries too
        if not wanted:
            return files
        findings = Findings()
        problems: list[str] = []
        sites: dict[str, Site] = {}
        reader = FileReader(lambda label: self._read(sites[label]), self._max_file_bytes)
        pending: deque[tuple[Wanted, int]] = deque((item, 1) for item in wanted)
        seen: set[Wanted] = set(wanted)
        while pending:
            item, depth = pending.popleft()
            site = self._first_readable(self._candidates(item))
            if site.label in sites:  # reached another way already
                continue
            if len(sites) >= MAX_FILES:
                problems.append(f"{site.label}: more than {MAX_FILES} included files, the rest not read — {_NOT_SEEN}")
                break
            sites[site.label] = site
            documents = scan_gitlab_pipeline(RepoFile(site.label), reader, findings)
            for nested in (nested for document in documents for nested in self._nested(document, site)):
                if nested in seen:
                    continue
                if depth >= MAX_DEPTH:
                    problems.append(f"{_label(nested)}: included more than {MAX_DEPTH} levels deep, not read — {_NOT_SEEN}")
                    continue
                seen.add(nested)
                pending.append((nested, depth + 1))
        signals = dict(files.signals)
        locators = dict(files.locators)
        for kind in MERGED_KINDS:
            added = findings.data(kind)
            if added.get("present"):
                signals[kind] = merged(signals[kind], added)
                locators[kind] = sorted({*locators.get(kind, ()), *added.get("paths", ())})
        unknown = {**{kind: findings.unknown[kind] for kind in MERGED_KINDS if kind in findings.unknown}, **files.unknown}
        return replace(files, signals=signals, locators=locators, unknown=unknown,
                       problems=[*files.problems, *(f"included {line}" for line in (*reader.problems, *problems))])

    def _component(self, ref: str) -> Component | None:
        """The component an `include: component:` reference names, when it lives on this
        instance: `host/group/project/name@version`, the project being the path without its
        last segment (a component's name is one segment: `templates/<name>.yml`)."""
        via, _, name = str(ref).partition(" ")
        if via != INCLUDE:
            return None
        path, _, version = name.rpartition("@") if "@" in name else (name, "", "")
        lowered = path.lower()
        for prefix in self._instance:
            if lowered.startswith(prefix):
                parts = path[len(prefix):].split("/")
                if len(parts) < 3 or not all(_plain(part) for part in parts) or "$" in version:
                    return None  # a group, a project and a name at least; variables cannot be told
                return Component("/".join(parts[:-1]), parts[-1], version or None)
        return None

    def _candidates(self, item: Wanted) -> list[Site]:
        if isinstance(item, tuple):
            return list(item)
        ref = self._latest_release(item.project) if item.version == LATEST else item.version
        return [Site(item.project, ref, layout.format(name=item.name)) for layout in COMPONENT_FILES]

    def _latest_release(self, project: str) -> str | None:
        """The tag of the project's latest release (`~latest`); None, read at the default branch, when there is none."""
        with self._lock:  # once per scan and project
            if project not in self._latest:
                try:
                    answer = self._client.get(RELEASES, f"/projects/{quote(project, safe='')}/releases/permalink/latest")
                    tag = answer.data.get("tag_name") if isinstance(answer.data, dict) else None
                    self._latest[project] = str(tag) if tag else None
                except ApiError:
                    self._latest[project] = None
            return self._latest[project]

    def _nested(self, document: Mapping[Any, Any], site: Site) -> Iterator[Wanted]:
        """What an included file includes: `local:` files of its own project, at its ref,
        `project:` files, and components of this instance. Paths with variables or wildcards
        cannot be told: left out."""
        for include in as_list(document.get("include")):
            if isinstance(include, str):
                include = {"local": include} if "://" not in include else {}
            if not isinstance(include, dict):
                continue
            local = include.get("local")
            if isinstance(local, str) and _plain(local):
                yield (Site(site.project, site.ref, local.lstrip("/")),)
            project, ref = include.get("project"), include.get("ref")
            if isinstance(project, str) and _plain(project):
                for name in as_list(include.get("file")):
                    if isinstance(name, str) and _plain(name):
                        yield (Site(project, str(ref) if isinstance(ref, (str, int)) else None, name.lstrip("/")),)
            component = include.get("component")
            if isinstance(component, str) and (found := self._component(f"{INCLUDE} {component}")) is not None:
                yield found

    def _first_readable(self, candidates: list[Site]) -> Site:
        """Of the ways to read an include (an unscanned project's path cut in several places, a
        component's two layouts), the first that GitLab answers; the last when none does."""
        for site in candidates[:-1]:
            try:
                self._read(site)
            except UnreadableFile:
                continue
            return site
        return candidates[-1]

    def _read(self, site: Site) -> bytes:
        with self._lock:  # once per scan, whichever worker needs it first
            if site not in self._fetched:
                self._fetched[site] = self._fetch(site)
            found = self._fetched[site]
        if isinstance(found, str):
            raise UnreadableFile(found)
        return found

    def _fetch(self, site: Site) -> bytes | str:
        try:
            return self._client.raw_file(FILES, site.project, site.file, site.ref)
        except ApiError as exc:
            if exc.status in REFUSED_FILE_STATUSES:
                return f"{exc.reason()}: the token cannot read it, or it does not exist"
            return exc.reason()


_NOT_SEEN = "what it holds is not detected"


def merged(base: Mapping[str, Any], added: Mapping[str, Any]) -> dict[str, Any]:
    """A file signal's data with another's added: flags or-ed, lists joined, counts summed."""
    data = dict(base)
    for field, value in added.items():
        before = data.get(field)
        if isinstance(value, bool):
            data[field] = bool(before) or value
        elif isinstance(value, int) and isinstance(before, int):
            data[field] = before + value
        elif isinstance(value, list):
            data[field] = sorted({*(before or ()), *value})[:MAX_ITEMS]
        elif before is None:
            data[field] = value
    return data


def _project_includes(refs: Any) -> Iterator[str]:
    """The `include: project:` entries among a project's references (`gitlab_include group/project/file.yml@ref`)."""
    for item in refs:
        via, _, ref = str(item).partition(" ")
        name = ref.rpartition("@")[0] if "@" in ref else ref
        if via == INCLUDE and name.lower().endswith(_YAML) and "://" not in name and not name.startswith(("template:", "$")):
            yield ref


def _sites(ref: str, scanned: frozenset[str]) -> list[Site]:
    """Where `group/project/dir/file.yml@ref` may be: cut after a scanned project's path when one
    starts it (the longest), else after each of the first MAX_SPLITS groups of segments."""
    name, _, version = ref.rpartition("@") if "@" in ref else (ref, "", "")
    parts = name.split("/")
    cuts = [end for end in range(len(parts) - 1, 1, -1) if "/".join(parts[:end]).lower() in scanned]
    ends = cuts[:1] or list(range(2, len(parts)))[:MAX_SPLITS]
    return [Site("/".join(parts[:end]), version or None, "/".join(parts[end:])) for end in ends]


def _label(item: Wanted) -> str:
    return item[0].label if isinstance(item, tuple) else item.label


def _plain(value: str) -> bool:
    return bool(value) and "$" not in value and "*" not in value
