"""The GitLab collector: top-level groups, and the projects of all their subgroups, through REST v4.

Per group: the group, its direct members, its own protected branches (Premium), its approval
settings (Premium, Owners only), its and its subgroups' SAML and LDAP group links (Premium, Owners
only: asked of the subgroups where the group answered), its DORA figures (Ultimate), its subgroups
(teams), the platform subgroup's members and each subgroup's members once (vcs.access). Per
project: one listing share, one archive of the default branch where the repository is small
enough (else the repository tree, keyset pages where the instance offers them, and the files
detection needs, one raw-file request each), the files its pipeline includes from other projects
(once per scan each), the default branch's commits of the window, the merge requests merged into
platform projects, the protected branches, the approval rules and settings (Premium, protected
default branch), the push rule (Premium), the direct members, and the deployments of the window
(DORA inputs).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel

from collectors.base import Collector
from collectors.githost.scope import host_scope
from collectors.gitlab.config import DEFAULT_BASE_URL, GitLabConfig
from scanner.contract import CollectContext
from scanner.errors import UserError
from scanner.kinds import FILE_SIGNAL_KINDS
from scanner.model import Evidence, Subject

PROJECT_KINDS = (
    "repo.inventory", "vcs.activity", "vcs.contributions", "vcs.branch_protection", "delivery.deployments", "vcs.access",
    "vcs.security_settings", "ci.reusable_consumers", "repo.cross_references", "vcs.template",
)
GROUP_KINDS = ("org.access", "org.rulesets", "org.teams", "delivery.dora_figures")


class GitLabCollector(Collector):
    name: ClassVar[str] = "gitlab"
    # 9: components of an instance served under a path (or on a port) told by its server_fqdn, host, port and
    #    path (file evidence cached by 8 resolved them against the host alone);
    # 8: CI/CD components of this instance fetched and scanned with the includer's pipeline (file evidence
    #    cached by 7 lacks them: the version is in the cache's fingerprint);
    # 7: approval settings (vcs.branch_protection, org.rulesets), vcs.access read, delivery.dora_figures, nested CI includes;
    # 6: vcs.security_settings.signed_commits_required and the other push-rule fields;
    # 5: vcs.template (unsupported: GitLab's API names no project template);
    # 4: deployments and settings carried across re-scans keep the time they were read (observed_at);
    # 3: references.origins.backstage_templates, Backstage source-template references;
    # 2: files named like a signal count only once read (iac.usage.unread), cross_references.created_from_here
    version: ClassVar[str] = "9"
    config_model: ClassVar[type[GitLabConfig]] = GitLabConfig
    provides: ClassVar[frozenset[str]] = frozenset((*FILE_SIGNAL_KINDS, *PROJECT_KINDS, *GROUP_KINDS))

    @classmethod
    def scope(cls, config: BaseModel, base_dir: Path) -> tuple[str, ...]:
        config = cls.settings(config, GitLabConfig)
        return host_scope(cls.name, config.base_url, DEFAULT_BASE_URL, config.groups)

    def collect(self, ctx: CollectContext) -> Iterator[Subject | Evidence]:
        config = self.settings(ctx.config, GitLabConfig)
        # python-gitlab loads here, not at plugin discovery: it is an optional extra (pecm[gitlab]).
        try:
            from collectors.gitlab.scan import scan_gitlab
        except ModuleNotFoundError as exc:
            if exc.name != "gitlab":
                raise
            raise UserError(
                "gitlab: the python-gitlab package is not installed", hint="install pecm with the extra: pip install 'pecm[gitlab]'"
            ) from None
        yield from scan_gitlab(ctx, config)
