"""repo.cross_references: what the other scanned repositories take from each one, computed
once every repository's references are known, by any Git source (local checkouts, a Git
host), and again by `pecm merge` over the shards' evidence (see CrossSubjectCollector)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from collectors.detect.references import cross_references
from scanner.contract import CollectContext
from scanner.model import Evidence, EvidenceStatus, Subject

CROSS_REFERENCES = "repo.cross_references"
ORIGINS = "references.origins"
TEMPLATE_LINK = "vcs.template"
SHARDED_REASON = "a sharded scan reads one share of the repositories, so what the others take from this one is not known"
UNREAD_REASON = "not every repository could be read, so what the others take from this one is not known"


def cross_reference_records(
    ctx: CollectContext,
    subjects: Sequence[Subject],
    origins: Mapping[str, Mapping[str, Any] | None],
    template_links: Mapping[str, str | None] | None = None,
) -> Iterator[Evidence]:
    """One repo.cross_references record per subject; `origins` holds each subject's
    references.origins data, None where it was not observed; `template_links` the template
    repository each subject was created from, where the Git host tells."""
    if ctx.shard is not None:  # the others live in other shards; `pecm merge` recomputes these
        for subject in subjects:
            yield ctx.unavailable(CROSS_REFERENCES, subject, SHARDED_REASON)
        return
    known = cross_references({subject.id: subject.name for subject in subjects}, origins, template_links)
    for subject in subjects:
        found = known[subject.id]
        if found is None:
            yield ctx.unavailable(CROSS_REFERENCES, subject, UNREAD_REASON)
        else:
            yield ctx.observed(CROSS_REFERENCES, subject, dict(found))


def template_in_organization(link: Mapping[str, Any]) -> str | None:
    """The template repository of a vcs.template record, when it is the organization's own
    (a template of another owner with the same name is not one of the scanned repositories)."""
    created_from = link.get("created_from")
    return created_from if link.get("created_from_organization") and isinstance(created_from, str) else None


def recompute_cross_references(subjects: Sequence[Subject], evidence: Sequence[Evidence]) -> list[Evidence]:
    """The records a sharded scan left unavailable, from the merged evidence of every shard."""
    records = {(item.subject, item.kind): item for item in evidence}
    repositories = [subject for subject in subjects if subject.kind == "repository"]
    origins: dict[str, Mapping[str, Any] | None] = {}
    template_links: dict[str, str | None] = {}
    for subject in repositories:
        record = records.get((subject.id, ORIGINS))
        origins[subject.id] = record.data if record is not None and record.status is EvidenceStatus.OBSERVED else None
        link = records.get((subject.id, TEMPLATE_LINK))
        if link is not None and link.status is EvidenceStatus.OBSERVED:
            template_links[subject.id] = template_in_organization(link.data)
    known = cross_references({subject.id: subject.name for subject in repositories}, origins, template_links)
    recomputed: list[Evidence] = []
    for subject in repositories:
        old = records.get((subject.id, CROSS_REFERENCES))
        if old is None or old.reason != SHARDED_REASON:
            continue  # observed in full already, or unavailable for a reason merging cannot mend
        found = known[subject.id]
        update: dict[str, Any] = (
            {"reason": UNREAD_REASON}
            if found is None
            else {"status": EvidenceStatus.OBSERVED, "reason": None, "data": dict(found)}
        )
        recomputed.append(old.model_copy(update=update))
    return recomputed
