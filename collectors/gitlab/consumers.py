"""Who takes what from whom among one group's projects: ci.reusable_consumers and repo.cross_references.

GitLab references name a project by its full path, subgroups included
(`acme/platform/ci-templates/templates/build.yml@v1`, `$CI_SERVER_FQDN/acme/platform/components/deploy@1.2`,
`https://gitlab.example.com/acme/platform/tf-net.git?ref=v2`): the project taken from is the
longest scanned project path the reference's path starts with. The shared matcher
(`collectors.detect.references.cross_references`) keys on the second part of a path, GitHub's
owner/repository, and cannot tell subgroups apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from collectors.detect.references import BACKSTAGE_TEMPLATE, TEMPLATE_VIAS, normalize, template_definers

_SAME_INSTANCE = ("$ci_server_fqdn/", "$ci_server_host/")
INCLUDE = "gitlab_include"


def project_path(ref: str, projects: Mapping[str, str], instance: str = "") -> str | None:
    """The scanned project (`projects`: lower-case path -> path) a reference takes from, if any;
    `instance`: the instance's server_fqdn (instance.py), whose path, where it is served under
    one, is no part of a project's. A reference on another host (GitHub, a registry that
    `internal_sources` names) takes from no scanned project, whatever its path."""
    name = normalize(ref)
    for prefix in _instance_prefixes(instance):
        name = name.removeprefix(prefix)
    name = name.split("?", 1)[0].split("//", 1)[0]
    parts = [part.partition("@")[0] for part in name.split("/")]
    for end in range(len(parts), 1, -1):  # a project path has a group and a name at least
        found = projects.get("/".join(parts[:end]).removesuffix(".git"))
        if found is not None:
            return found
    return None


def _instance_prefixes(instance: str) -> tuple[str, ...]:
    """How a reference's path starts where it names the instance: its variables, its server_fqdn
    and, for SSH (`git@host:group/project`, no port or path), its host alone."""
    if not instance:
        return _SAME_INSTANCE
    host = instance.split("/", 1)[0].split(":", 1)[0]
    return (*_SAME_INSTANCE, f"{instance}/", f"{host}/")


def relations(
    origins: Mapping[str, Mapping[str, Any] | None], instance: str = ""
) -> tuple[dict[str, list[str]], dict[str, dict[str, list[str]]]]:
    """Per project path (the keys of `origins`, each project's classified references.origins,
    None where unread): the projects including its CI, and its repo.cross_references data;
    `instance` as project_path's."""
    projects = {path.lower(): path for path in origins}
    including: dict[str, set[str]] = {path: set() for path in origins}
    fields = ("applied_by", "consumed_by", "created_from_here")
    taken: dict[str, dict[str, set[str]]] = {path: {field: set() for field in fields} for path in origins}
    definers = template_definers(origins)
    for source, data in origins.items():
        if data is None:
            continue
        deployed = set(data.get("gitops_sources") or ())
        for item in data.get("internal") or ():
            via, _, ref = item.partition(" ")
            # a Backstage source-template names a template entity: the projects defining it
            targets = definers.get(ref, []) if via == BACKSTAGE_TEMPLATE else [project_path(ref, projects, instance)]
            for target in targets:
                if target is None or target == source:
                    continue
                taken[target]["applied_by" if ref in deployed else "consumed_by"].add(source)
                if via in TEMPLATE_VIAS:  # template answers or annotations naming a scanned project: made from it
                    taken[target]["created_from_here"].add(source)
                if via == INCLUDE:
                    including[target].add(source)
    return (
        {path: sorted(found) for path, found in including.items()},
        {path: {field: sorted(found) for field, found in fields.items()} for path, fields in taken.items()},
    )

