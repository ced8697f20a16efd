"""The evidence records of a GitLab scan, from what was read: a group's (group.py's facts), and
each project's (from its `Examination`); those that need every project of the group are
relations.py's."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from collectors.base import Findings, Gap
from collectors.githost.file_records import file_records
from collectors.gitlab import origins
from collectors.gitlab.group import GroupFacts
from collectors.gitlab.project import Examination
from scanner.contract import CollectContext
from scanner.model import Evidence, Subject

FILE_HINT = "the file was left out; the rest of the project was scanned"
# GitLab's API names no project template a project was made from (the import type, shown to
# Maintainers only, says a custom template was used, never which): template links stay unknown.
TEMPLATE_LINKS_HIDDEN = "GitLab's API does not say which project template a project was created from"


class Records:
    """Evidence records of one scan's subjects; gaps are noted in its `Findings`."""

    def __init__(self, ctx: CollectContext, findings: Findings, base_url: str, internal_sources: Sequence[str]) -> None:
        self._ctx = ctx
        self._findings = findings
        self._base_url = base_url
        self._internal_sources = internal_sources

    def group(self, subject: Subject, facts: GroupFacts, teams: dict[str, Any] | Gap) -> Iterator[Evidence]:
        findings = self._findings
        if facts.directory_gap is not None:
            findings.note(subject, "directory group links", facts.directory_gap)
        yield _read_at(findings.record("org.access", subject, facts.access), facts.access_read_at)
        yield findings.record("org.rulesets", subject, facts.rulesets)
        yield findings.record("org.teams", subject, teams)
        yield findings.record("delivery.dora_figures", subject, facts.dora_figures, what="DORA metrics")

    def project(self, subject: Subject, examination: Examination) -> Iterator[Evidence]:
        ctx, findings, project = self._ctx, self._findings, examination.project
        yield from file_records(
            ctx, findings, subject, examination.files,
            lambda signal: origins.classified(signal, self._base_url, project, self._internal_sources),
        )
        yield findings.record("vcs.activity", subject, examination.activity, what="commit history")
        yield findings.record("vcs.contributions", subject, examination.contributions, what="contributions")
        protection = findings.record("vcs.branch_protection", subject, examination.protection, what="branch protection")
        yield _read_at(protection, examination.carried_at if examination.carried_protection else None)
        deployments = findings.record("delivery.deployments", subject, examination.deployments, what="deployments")
        yield _read_at(deployments, examination.carried_at)
        yield findings.record("vcs.access", subject, examination.access, what="project members")
        security = findings.record("vcs.security_settings", subject, examination.security, what="push rules")
        yield _read_at(security, examination.carried_at)
        yield ctx.unsupported("vcs.template", subject, TEMPLATE_LINKS_HIDDEN)


def _read_at(record: Evidence, carried_at: datetime | None) -> Evidence:
    """A record carried from an earlier scan keeps the time it was read there."""
    return record if carried_at is None else record.model_copy(update={"observed_at": carried_at})
