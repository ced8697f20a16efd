"""The evidence records of a GitHub scan, from what was read: an account's, and each
repository's (from its `Examination`); those that need every repository of the account are
relations.py's."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from collectors.base import Findings, Gap
from collectors.detect.references import InternalSources, classify
from collectors.githost.cache import FileEvidence
from collectors.githost.file_records import file_records
from collectors.github import access, mapping
from collectors.github.client import RATE_LIMIT_PHRASE
from collectors.github.config import GitHubConfig
from collectors.github.mapping import Listed
from collectors.github.metadata import RepoMetadata
from collectors.github.organization import OrganizationFacts
from collectors.github.provides import (
    ORGANIZATION_KINDS,
    ORGANIZATION_SETTING_KINDS,
    REPOSITORY_SETTING_KINDS,
)
from collectors.github.repository import ADMIN_PERMISSION, Examination
from collectors.github.settings import AccountSettings, OrganizationSettings, organization_evidence
from collectors.people import Mailmap, people
from scanner.contract import CollectContext
from scanner.model import Evidence, Subject

METADATA_KINDS = ("vcs.activity", "vcs.template", "vcs.contributions", "delivery.deployments", "vcs.access")
USER_ACCOUNT_REASON = "a user account has no teams, members or rulesets"
SECURITY_HIDDEN = f"GitHub did not show security settings — {ADMIN_PERMISSION} (or be a security manager)"
DEPLOYMENTS_PERMISSION = "the token needs Deployments: read"
FILE_HINT = "the file was left out; the rest of the repository was scanned"
NOT_READ = Gap("the repository could not be examined", failure=True)


class Records:
    """Evidence records of one scan's subjects; gaps are noted in its `Findings`."""

    def __init__(self, ctx: CollectContext, config: GitHubConfig, findings: Findings, now: datetime) -> None:
        self._ctx = ctx
        self._config = config
        self._findings = findings
        self._now = now

    def organization(
        self, org: Subject, facts: OrganizationFacts | None, settings: OrganizationSettings | AccountSettings
    ) -> Iterator[Evidence]:
        findings = self._findings
        if facts is None or not isinstance(settings, OrganizationSettings):
            for kind in (*ORGANIZATION_KINDS, *ORGANIZATION_SETTING_KINDS):
                yield findings.record(kind, org, Gap(USER_ACCOUNT_REASON, unsupported=True))
            return
        for kind, value in (("org.teams", facts.teams), ("org.access", facts.access), ("org.rulesets", facts.rulesets)):
            yield findings.record(kind, org, value if isinstance(value, dict) else _gap(value))
        for kind, setting in organization_evidence(settings):
            yield findings.record(kind, org, setting)

    def repository(
        self, subject: Subject, examination: Examination, facts: OrganizationFacts | None, teams: dict[str, int] | str | None
    ) -> Iterator[Evidence]:
        ctx, repo, window, findings = self._ctx, examination.repo, self._config.window_days, self._findings
        files = examination.files
        yield from file_records(ctx, findings, subject, files, lambda signal: _classified(ctx, repo, signal))

        meta = examination.meta
        data = meta.data if isinstance(meta, RepoMetadata) else None
        # Who wrote each commit: bots left out, addresses joined by the repository's .mailmap; asked
        # once per author's name and address, though activity and contributions both ask per commit.
        person = lru_cache(maxsize=None)(people(Mailmap(files.mailmap if isinstance(files, FileEvidence) else ""), self._config.bots))
        if isinstance(meta, RepoMetadata):
            if "history" in meta.incomplete:
                history = _gap(meta.incomplete["history"], failure=True)
                yield from findings.records(("vcs.activity", "vcs.contributions"), subject, history, "commit history")
            else:
                yield ctx.observed("vcs.activity", subject, mapping.activity(meta.data, meta.commits, self._now, window, person))
                members = facts.platform_members if facts is not None else None
                yield ctx.observed("vcs.contributions", subject, mapping.contributions(meta.commits, window, members, person))
            yield ctx.observed("vcs.template", subject, mapping.template_link(meta.data, repo.owner))
            delivery = (
                _gap(meta.incomplete["deployments"], failure=True)
                if "deployments" in meta.incomplete
                else self._delivery(meta, examination.deploy_runs)
            )
            yield findings.record("delivery.deployments", subject, delivery, what="deployments")
            yield findings.record("vcs.access", subject, _access(meta.data, repo.name, teams), what="repository access")
        else:
            yield from findings.records(METADATA_KINDS, subject, meta, "commit history, template and deployments")

        yield ctx.observed("collaboration.feedback", subject, mapping.feedback(repo, data))
        security = mapping.security_settings(repo, data)
        yield findings.record("vcs.security_settings", subject, Gap(SECURITY_HIDDEN) if security is None else security,
                              what="security settings")
        yield findings.record("vcs.branch_protection", subject, examination.protection, what="branch protection")
        for kind in REPOSITORY_SETTING_KINDS:
            yield findings.record(
                kind, subject, examination.settings.get(kind, examination.meta if isinstance(examination.meta, Gap) else NOT_READ)
            )

    def _delivery(self, meta: RepoMetadata, runs: list[Mapping[str, Any]] | Gap | None) -> dict[str, Any] | Gap:
        """delivery.deployments from GitHub's deployments or, where they were asked for and some
        were found, from deploy workflow runs. A refusal of the runs makes the evidence
        unavailable only where they were the one possible source: no deployment was ever seen."""
        window = self._config.window_days
        if isinstance(runs, list) and runs:
            return mapping.run_deployments(runs, meta.commits, self._now, window)
        if "deployments" in meta.denied:
            return Gap(f"{meta.denied['deployments']} — {DEPLOYMENTS_PERMISSION}")
        if isinstance(runs, Gap) and not meta.deployments:
            return runs
        return mapping.deployments(
            meta.deployments, self._now, window, bool(meta.deployments), self._config.production_environments
        )


def _classified(ctx: CollectContext, repo: Listed, signal: Mapping[str, Any]) -> dict[str, Any]:
    """references.origins told internal (the repository's owner, the configured sources) or external."""
    own_url = repo.html_url or f"https://github.com/{repo.full_name}"
    return classify(signal, InternalSources.of([own_url], ctx.internal_sources), repo.full_name)


def _gap(reason: str, failure: bool = False) -> Gap:
    """A gap known only by its reason (organization facts, a page of a GraphQL list): a rate
    limit is told by the words the client's RateLimited uses."""
    return Gap(reason, failure=failure, rate_limited=RATE_LIMIT_PHRASE in reason)


def _access(data: Mapping[str, Any], name: str, teams: dict[str, int] | str | None) -> dict[str, Any] | Gap:
    """vcs.access of one repository: unsupported for a user account's, unknown when the teams or
    its collaborators could not be seen."""
    if teams is None:
        return Gap(USER_ACCOUNT_REASON, unsupported=True)
    granted = teams if isinstance(teams, str) else access.repository_access(data, teams, name)
    return _gap(granted) if isinstance(granted, str) else granted
