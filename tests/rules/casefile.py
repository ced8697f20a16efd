"""Rule cases as data: `tests/rules/cases/<rule id>/<outcome>[-suffix].yaml`.

```yaml
provides: [iac.usage]          # optional: kinds the one configured source ("cases") provides;
                               # default: every kind in the subjects' evidence
params: {iac_share_min: 0.5}   # optional: parameter overrides, as in the config's rules.params
unreached: {repository: 401}   # optional: subject kinds the source did not reach all of (it failed), why
declared: {dashboards: grafana} # optional: the config's `declared:` facts
subjects:
  - name: svc-a                # subject id: cases:svc-a
    kind: repository           # default repository
    tags: [platform]           # optional
    repeat: 40                 # optional: 40 such subjects, svc-a-1 … svc-a-40 (a large organization)
    evidence:
      iac.usage: {present: true, tools: [terraform]}   # observed; omitted fields take the model's defaults
      vcs.branch_protection: unavailable                 # or: unsupported
expect: pass                   # pass | fail | unknown | not_applicable; the file name starts with it
```
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scanner.kinds import KindRegistry
from scanner.model import Evidence, EvidenceBundle, EvidenceStatus, Outcome, SourceRun, Subject, SubjectKind

SOURCE = "cases"
CASE_TIME = datetime(2026, 1, 1, tzinfo=timezone.utc)
_NOT_OBSERVED = {"unavailable": EvidenceStatus.UNAVAILABLE, "unsupported": EvidenceStatus.UNSUPPORTED}


class CaseError(Exception):
    """A case file that cannot be run as written."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaseSubject(_Strict):
    name: str
    kind: SubjectKind = "repository"
    tags: list[str] = Field(default_factory=list)
    repeat: int = Field(default=1, ge=1)
    evidence: dict[str, dict[str, Any] | Literal["unavailable", "unsupported"]] = Field(default_factory=dict)


class CaseDocument(_Strict):
    provides: list[str] | None = None
    params: dict[str, float] = Field(default_factory=dict)
    unreached: dict[SubjectKind, str] = Field(default_factory=dict)
    declared: dict[str, str] = Field(default_factory=dict)
    subjects: list[CaseSubject] = Field(default_factory=list)
    expect: Outcome


@dataclass(frozen=True)
class RuleCase:
    path: Path
    rule_id: str  # the name of the case's directory
    expect: Outcome
    params: dict[str, float]
    declared: dict[str, str]
    bundle: EvidenceBundle


def discover_cases(root: Path) -> list[Path]:
    return sorted(root.glob("*/*.yaml")) if root.is_dir() else []


def load_case(path: Path, kinds: KindRegistry) -> RuleCase:
    try:
        document = CaseDocument.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except (yaml.YAMLError, ValidationError) as exc:
        raise CaseError(f"{path}: {exc}") from None
    outcome_in_name = path.stem.split("-", 1)[0]
    if outcome_in_name != document.expect.value:
        raise CaseError(f"{path}: the file name says {outcome_in_name!r} but expect: is {document.expect.value!r}")
    return RuleCase(
        path=path,
        rule_id=path.parent.name,
        expect=document.expect,
        params=document.params,
        declared=document.declared,
        bundle=case_bundle(document, kinds, path),
    )


def case_bundle(document: CaseDocument, kinds: KindRegistry, path: Path) -> EvidenceBundle:
    subjects: list[Subject] = []
    evidence: list[Evidence] = []
    for entry in document.subjects:
        names = [entry.name] if entry.repeat == 1 else [f"{entry.name}-{n}" for n in range(1, entry.repeat + 1)]
        for name in names:
            subject = Subject(id=f"{SOURCE}:{name}", kind=entry.kind, name=name, source=SOURCE, tags=tuple(entry.tags))
            subjects.append(subject)
            for kind, data in entry.evidence.items():
                evidence.append(_record(kind, data, subject, kinds, path))
    provides = document.provides if document.provides is not None else sorted({record.kind for record in evidence})
    unknown = [kind for kind in provides if kind not in kinds]
    if unknown:
        raise CaseError(f"{path}: provides: unknown evidence kind {unknown[0]!r}")
    run = SourceRun(
        collector=SOURCE,
        version="1",
        provides=tuple(provides),
        status="ok",
        subjects=len(subjects),
        evidence=len(evidence),
        started_at=CASE_TIME,
        finished_at=CASE_TIME,
        unreached=dict(document.unreached),
    )
    return EvidenceBundle(
        pecm_version="test", created_at=CASE_TIME, sources=(run,), subjects=tuple(subjects), evidence=tuple(evidence)
    )


def _record(kind: str, data: dict[str, Any] | str, subject: Subject, kinds: KindRegistry, path: Path) -> Evidence:
    common = dict(kind=kind, subject=subject.id, collector=SOURCE, collector_version="1", observed_at=CASE_TIME)
    if isinstance(data, str):
        return Evidence(**common, status=_NOT_OBSERVED[data], reason=f"{data} in this case")
    try:
        validated = kinds.validate_data(kind, data)
    except ValueError as exc:
        raise CaseError(f"{path}: subject {subject.name}: {exc}") from None
    return Evidence(**common, status=EvidenceStatus.OBSERVED, data=validated, locators=(f"{subject.name}/{kind}",))
