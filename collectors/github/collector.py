"""The GitHub collector: organizations (or users) and their repositories, through the API.

Per account: one GraphQL query for who it is, conditional REST lists for its teams, members,
rulesets and repositories, and each team's repositories (team grants, see access.py). Per repository: a share of one GraphQL batch (metadata, history,
deployments, classic protection), one Git Trees request, the files detection needs (one
contents request each, or one tarball), one conditional `rules/branches` request and, where a
workflow deploys but GitHub recorded no deployment in the window, one conditional
`actions/runs` request per 100 runs. A re-scan reuses the files' evidence while the head
commit is unchanged and revalidates the rest with ETags, which GitHub does not charge.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel

from collectors.base import Collector
from collectors.cross_subject import recompute_cross_references
from collectors.githost.scope import host_scope
from collectors.github import mapping
from collectors.github.config import DEFAULT_BASE_URL, GitHubConfig
from collectors.github.provides import (
    ORGANIZATION_KINDS,
    ORGANIZATION_SETTING_KINDS,
    REPOSITORY_KINDS,
    REPOSITORY_SETTING_KINDS,
    sharded_reason,
    unread_reason,
)
from scanner.contract import CollectContext
from scanner.kinds import FILE_SIGNAL_KINDS
from scanner.model import Evidence, EvidenceStatus, Subject


class GitHubCollector(Collector):
    name: ClassVar[str] = "github"
    version: ClassVar[str] = "6"  # 6: references.origins.backstage_templates, Backstage source-template references; 5: vcs.access; 4: files named like a signal count only once read (iac.usage.unread), cross_references.created_from_here; 3: the settings kinds; 2: references.origins, repo.cross_references, live and path_count
    config_model: ClassVar[type[GitHubConfig]] = GitHubConfig
    provides: ClassVar[frozenset[str]] = frozenset(
        (*FILE_SIGNAL_KINDS, *REPOSITORY_KINDS, *REPOSITORY_SETTING_KINDS, *ORGANIZATION_KINDS, *ORGANIZATION_SETTING_KINDS)
    )

    @classmethod
    def scope(cls, config: BaseModel, base_dir: Path) -> tuple[str, ...]:
        config = cls.settings(config, GitHubConfig)
        return host_scope(cls.name, config.base_url, DEFAULT_BASE_URL, config.organizations)

    def collect(self, ctx: CollectContext) -> Iterator[Subject | Evidence]:
        config = self.settings(ctx.config, GitHubConfig)
        # PyGithub and the modules using it load here, not when plugins are discovered: they
        # take a quarter of a second that every other pecm command would pay (measured).
        from collectors.github.scan import scan_github

        yield from scan_github(ctx, config)

    @classmethod
    def recompute(cls, subjects: Sequence[Subject], evidence: Sequence[Evidence]) -> list[Evidence]:
        """ci.reusable_consumers and repo.cross_references from the merged evidence of every shard
        (see CrossSubjectCollector)."""
        recomputed = recompute_cross_references(subjects, evidence)
        records = {(item.subject, item.kind): item for item in evidence}
        organizations: dict[str, list[Subject]] = {}
        for subject in subjects:
            if subject.kind == "repository" and subject.parent is not None:
                organizations.setdefault(subject.parent, []).append(subject)
        for organization, repositories in organizations.items():
            login = organization.removeprefix("github:")
            used: dict[str, list[str]] = {}
            provides: dict[str, bool] = {}
            for subject in repositories:
                references = records.get((subject.id, "ci.reusable_used"))
                if references is not None and references.status is EvidenceStatus.OBSERVED:
                    used[subject.name] = list(references.data.get("refs") or ())
                offered = records.get((subject.id, "ci.reusable_provided"))
                if offered is not None and offered.status is EvidenceStatus.OBSERVED:
                    provides[subject.name] = bool(offered.data.get("present"))
            unread = len(repositories) - len(used)
            known = mapping.consumers_by_repository([s.name for s in repositories], used, login, unread, provides)
            for subject in repositories:
                old = records.get((subject.id, "ci.reusable_consumers"))
                if old is None or old.reason != sharded_reason(login):
                    continue  # observed in full already, or unavailable for a reason merging cannot mend
                found = known[subject.name]
                update: dict[str, Any] = (
                    {"reason": unread_reason(login)}
                    if found is None
                    else {"status": EvidenceStatus.OBSERVED, "reason": None,
                          "data": {"consumers": len(found), "repositories": found}}
                )
                recomputed.append(old.model_copy(update=update))
        return recomputed

