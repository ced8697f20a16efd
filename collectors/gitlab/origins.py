"""A GitLab project's references (references.origins) told internal or external.

Internal: the project's own top-level group (an include's `project:` or a component path
starting with it), the instance itself when self-managed (its host, `$CI_SERVER_FQDN` /
`$CI_SERVER_HOST` components), `local:` includes, and the configured `internal_sources`.
External: GitLab's own templates (`template:`), remote URLs elsewhere, components of another
instance (gitlab.com's catalog seen from a self-managed one, or another group's on gitlab.com).
The shared classifier decides; this module only says what the project's own places are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from collectors.detect.references import InternalSources, classify
from collectors.gitlab.mapping import Listed


def classified(
    signal: Mapping[str, Any], base_url: str, project: Listed, internal_sources: Sequence[str]
) -> dict[str, Any]:
    # The project's URL names its host and its top-level group (the owner); a public host
    # (gitlab.com) is not internal by itself, only its group is.
    own_url = project.web_url or f"{base_url.rstrip('/')}/{project.full_path}"
    return classify(signal, InternalSources.of([own_url], internal_sources), project.full_path)
