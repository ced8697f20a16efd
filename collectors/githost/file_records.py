"""The file evidence of one repository on a Git host, as records: a record per file-signal kind
(`FILE_SIGNAL_KINDS`) and repo.inventory from its `FileEvidence`, or each unavailable with the
gap that kept its files unread; and the problems met reading them."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from collectors.base import Findings, Gap
from collectors.cross_subject import ORIGINS
from collectors.githost.cache import FileEvidence
from scanner.contract import CollectContext
from scanner.kinds import FILE_SIGNAL_KINDS
from scanner.model import Evidence, Subject

FILE_KINDS = (*FILE_SIGNAL_KINDS, "repo.inventory")


def file_records(
    ctx: CollectContext,
    findings: Findings,
    subject: Subject,
    files: FileEvidence | Gap,
    classify_origins: Callable[[Mapping[str, Any]], dict[str, Any]],
) -> Iterator[Evidence]:
    """`classify_origins`: the repository's references.origins told internal or external, which
    is done here rather than in the cached signals because the configured patterns may change."""
    if not isinstance(files, FileEvidence):
        yield from findings.records(FILE_KINDS, subject, files, "file signals")
        return
    for kind in FILE_SIGNAL_KINDS:
        if kind in files.unknown:  # a file that decides it could not be used
            yield ctx.unavailable(kind, subject, files.unknown[kind])
            continue
        signal = files.signals[kind]
        if kind == ORIGINS:
            signal = classify_origins(signal)
        yield ctx.observed(kind, subject, signal, tuple(files.locators.get(kind, ())))
    yield ctx.observed("repo.inventory", subject, dict(files.inventory))


def file_problems(files: FileEvidence | Gap, hint: str) -> list[tuple[str, str]]:
    """The problems met reading a repository's files, each with `hint` (for `Findings.end_subject`)."""
    return [(line, hint) for line in files.problems] if isinstance(files, FileEvidence) else []
