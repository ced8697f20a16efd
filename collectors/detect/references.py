"""Internal or external: whether a reference found by detection points into the scanned
organization, and which scanned repositories the references of others point at.

Internal means the organization or its host (known from the Git host collector's account, or
from a local checkout's remote URL), a relative path, or a configured `internal_sources`
pattern (registries, OCI namespaces, module namespaces). Everything else is external: a
public module, chart, action or template is not the organization's own platform.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from collectors.shares import share

#: References through which a repository builds its infrastructure from shared modules and packages.
MODULE_VIAS = frozenset({"terraform", "bicep", "helm", "kustomize", "crossplane"})
#: A Backstage entity's `backstage.io/source-template` annotation: the template it was created from.
BACKSTAGE_TEMPLATE = "backstage_template"
#: References through which a repository was generated from a project template.
TEMPLATE_VIAS = frozenset({"copier", "cruft", BACKSTAGE_TEMPLATE})
#: References kept by the organization's own servers, whatever they name: libraries configured on
#: its Jenkins; templates of its own Backstage catalog (an entity ref names no host).
_ALWAYS_INTERNAL_VIAS = frozenset({"jenkins_library", BACKSTAGE_TEMPLATE})

_SCHEME = re.compile(r"^(?:git::|git\+)?(?:[a-z][a-z0-9+.-]*://)?(?:[^/@\s]+@)?", re.I)
_SCP_LIKE = re.compile(r"^([\w.-]+\.[a-z]{2,}):(?!\d)", re.I)  # host:owner/repo after the user@ part
_SHORTHANDS = {"gh:": "github.com/", "gl:": "gitlab.com/"}  # Copier's
_SAME_HOST_VARIABLES = ("$ci_server_fqdn", "$ci_server_host", "${ci_server_fqdn}", "${ci_server_host}")


#: Hosts shared by many organizations: only an owner there says whose a reference is.
PUBLIC_HOSTS = frozenset({"github.com", "gitlab.com", "bitbucket.org", "dev.azure.com", "ssh.dev.azure.com"})
_OWNER_NAME = re.compile(r"^[\w.-]+$")


@dataclass(frozen=True)
class InternalSources:
    """What is internal for one repository: its organization's owner names (`acme`: matched as
    the first part of a reference without a host, the second after a host), the organization's
    own servers (private hosts), the configured patterns, and the names of scanned repositories
    whose owner is unknown (plain folders: a reference naming one of them stays inside the scan)."""

    owners: frozenset[str] = frozenset()
    hosts: frozenset[str] = frozenset()
    patterns: tuple[str, ...] = ()
    repositories: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls, remote_urls: Iterable[str], patterns: Sequence[str], repositories: frozenset[str] = frozenset()
    ) -> InternalSources:
        """From the URLs of the repository's own remotes (or its Git host's), the configured
        patterns (a bare name such as `acme` is an owner) and the scanned repositories without
        owner (lower case; one set shared by every repository of a scan)."""
        owners = {pattern.lower() for pattern in patterns if _OWNER_NAME.match(pattern) and "." not in pattern}
        hosts = set()
        for url in remote_urls:
            host, owner, _repository = owner_and_repository(url)
            if owner:
                owners.add(owner)
            if host and host not in PUBLIC_HOSTS:
                hosts.add(host)
        rest = tuple(pattern.lower() for pattern in patterns if pattern.lower() not in owners)
        return cls(frozenset(owners), frozenset(hosts), rest, repositories)


@lru_cache(maxsize=4096)  # the same actions and modules recur in every repository of a scan
def normalize(ref: str) -> str:
    """Lower case, without scheme, credentials or `git::`; `git@host:owner/repo` as `host/owner/repo`."""
    ref = ref.strip().lower()
    for shorthand, host in _SHORTHANDS.items():
        if ref.startswith(shorthand):
            return host + ref[len(shorthand) :]
    ref = _SCHEME.sub("", ref, count=1)
    return _SCP_LIKE.sub(r"\1/", ref, count=1).removeprefix("www.")


@lru_cache(maxsize=4096)
def owner_and_repository(ref: str) -> tuple[str, str, str]:
    """(host, owner, repository) of a reference, '' where it has none: `acme/platform/.github/…@v1`
    is ('', 'acme', 'platform'); `https://github.com/acme/app.git//sub?ref=v1` is ('github.com',
    'acme', 'app')."""
    name = normalize(ref)
    for cut in ("//", "?"):
        name = name.split(cut, 1)[0]
    parts = [part.partition("@")[0] for part in name.split("/")]
    # After a scheme the first part is a host even without a dot (`http://localhost:8080/…`).
    hosted = "://" in ref or "." in parts[0] or ":" in parts[0]
    host = parts.pop(0) if len(parts) > 1 and hosted else ""
    owner = parts[0] if parts else ""
    repository = parts[1].removesuffix(".git") if len(parts) > 1 else ""
    return host, owner, repository


def is_internal(via: str, ref: str, internal: InternalSources) -> bool:
    lowered = ref.strip().lower()
    if via in _ALWAYS_INTERNAL_VIAS or lowered.startswith(("./", "../", "/", "file://")):
        return True
    if lowered.startswith("template:"):  # GitLab's own CI templates
        return False
    if lowered.startswith(_SAME_HOST_VARIABLES):  # a component on the organization's own GitLab
        return True
    host, owner, repository = owner_and_repository(ref)
    if host in internal.hosts or owner in internal.owners or repository in internal.repositories:
        return True
    name = normalize(ref)
    return any(_matches(name, pattern) for pattern in internal.patterns)


def _matches(name: str, pattern: str) -> bool:
    pattern = normalize(pattern)
    if any(char in pattern for char in "*?["):
        return fnmatch.fnmatchcase(name, pattern)
    return name == pattern or name.startswith(pattern.rstrip("/") + "/")


def classify(data: Mapping[str, Any], internal: InternalSources, own_name: str) -> dict[str, Any]:
    """references.origins data as detection made it, with its references told apart. A reference
    to the repository itself (`own_name`, e.g. its Argo CD Application) takes nothing shared:
    it is neither."""
    own = own_name.rpartition("/")[2].lower()
    deployed = set(data.get("gitops_sources") or ())
    inside: list[str] = []
    outside: list[str] = []
    for item in data.get("refs") or ():
        via, _, ref = item.partition(" ")
        if owner_and_repository(ref)[2] == own:
            continue
        (inside if is_internal(via, ref, internal) else outside).append(item)
    # A repository a GitOps controller deploys is listed (it tells who is applied automatically)
    # but not counted: deploying a repository takes no shared asset from it.
    taken_inside = [item for item in inside if item.partition(" ")[2] not in deployed]
    taken_outside = [item for item in outside if item.partition(" ")[2] not in deployed]
    total = len(taken_inside) + len(taken_outside)
    return {
        **data,
        "internal": inside,
        "external": outside,
        "internal_count": len(taken_inside),
        "internal_module_count": sum(item.partition(" ")[0] in MODULE_VIAS for item in taken_inside),
        "external_count": len(taken_outside),
        "external_share": share(len(taken_outside), total),
    }


# --- across repositories ----------------------------------------------------------------------


def template_definers(origins: Mapping[Any, Mapping[str, Any] | None]) -> dict[str, list[Any]]:
    """Backstage template entity ref -> the subjects (keys of `origins`) whose live files define it."""
    definers: dict[str, list[Any]] = {}
    for subject, data in origins.items():
        for ref in (data or {}).get("backstage_templates") or ():
            definers.setdefault(ref, []).append(subject)
    return definers


def cross_references(
    names: Mapping[str, str],
    origins: Mapping[str, Mapping[str, Any] | None],
    template_links: Mapping[str, str | None] | None = None,
) -> dict[str, dict[str, list[str]] | None]:
    """Per subject id: which other subjects deploy it through GitOps (`applied_by`), which take
    its assets by an internal reference (`consumed_by`) and which were created from it as a
    project template (`created_from_here`: Copier or cruft answers, or `template_links`, the Git
    host's subject id -> template repository a subject was created from), matching repository
    names (`names`: subject id -> repository name). `origins` holds each subject's classified
    references.origins data, None where it could not be read: then a subject nobody was seen
    to reference may still be referenced, and gets None."""
    by_name: dict[str, list[str]] = {}
    for subject_id, name in names.items():
        by_name.setdefault(name.rpartition("/")[2].lower(), []).append(subject_id)
    fields = ("applied_by", "consumed_by", "created_from_here")
    found: dict[str, dict[str, set[str]]] = {subject_id: {field: set() for field in fields} for subject_id in names}

    definers = template_definers(origins)

    def point(source_id: str, ref: str, *into: str, targets: Iterable[str] | None = None) -> None:
        for target in by_name.get(owner_and_repository(ref)[2], ()) if targets is None else targets:
            if target != source_id:
                for field in into:
                    found[target][field].add(names[source_id])

    for source_id, data in origins.items():
        if data is None:
            continue
        deployed = {url for url in data.get("gitops_sources") or ()}
        for item in data.get("internal") or ():
            via, _, ref = item.partition(" ")
            if via == BACKSTAGE_TEMPLATE:  # names a template entity, not a repository
                point(source_id, ref, "consumed_by", "created_from_here", targets=definers.get(ref, ()))
            elif ref in deployed:
                point(source_id, ref, "applied_by")
            else:
                point(source_id, ref, "consumed_by", *(("created_from_here",) if via in TEMPLATE_VIAS else ()))
    for source_id, template in (template_links or {}).items():
        if template and source_id in names:
            point(source_id, template, "created_from_here")
    unread = any(data is None for data in origins.values())
    result: dict[str, dict[str, list[str]] | None] = {}
    for subject_id, values in found.items():
        known = {field: sorted(items) for field, items in values.items()}
        result[subject_id] = known if any(known.values()) or not unread else None
    return result
