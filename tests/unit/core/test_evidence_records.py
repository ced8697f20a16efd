"""Evidence records a collect context builds: typed fields skip the model's validation, and the
records are what the validator would have built."""

import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from scanner.contract import CollectContext
from scanner.kinds import KINDS, KindRegistry
from scanner.model import Evidence, EvidenceStatus, Subject

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)
class _Settings(BaseModel):
    pass


SUBJECT = Subject(id="local:api", kind="repository", name="api", source="local")


def _context(clock: Any = lambda: T0) -> CollectContext:
    return CollectContext(
        collector="local",
        collector_version="4",
        config=_Settings(),
        kinds=KindRegistry(KINDS),
        clock=clock,
        logger=logging.getLogger("test.records"),
    )


def _validated(record: Evidence) -> Evidence:
    return Evidence.model_validate({name: getattr(record, name) for name in Evidence.model_fields})


def test_records_are_what_the_validator_builds() -> None:
    ctx = _context()
    records = [
        ctx.observed("iac.usage", SUBJECT, {"present": True, "tools": ["terraform"]}, ("main.tf",)),
        ctx.observed("iac.usage", SUBJECT, {}),
        ctx.unavailable("ci.pipelines", SUBJECT, "cannot list the folder"),
        ctx.unsupported("vcs.branch_protection", SUBJECT, "a checkout cannot show it"),
    ]
    for record in records:
        validated = _validated(record)
        assert record == validated
        assert record.model_dump_json() == validated.model_dump_json()
        assert record.model_fields_set == validated.model_fields_set == set(Evidence.model_fields)
    assert records[0].data["tools"] == ["terraform"] and records[0].locators == ("main.tf",)


def test_records_share_their_set_of_given_fields_and_a_copy_changes_only_itself() -> None:
    ctx = _context()
    first, second = ctx.observed("iac.usage", SUBJECT, {}), ctx.unavailable("ci.pipelines", SUBJECT, "no")
    # One set for every record of the scan (pydantic would make one each), as loaded bundles share theirs.
    assert first.__pydantic_fields_set__ is second.__pydantic_fields_set__
    changed = first.model_copy(update={"reason": "why"})
    assert changed.reason == "why" and first.reason is None
    assert second.model_fields_set == set(Evidence.model_fields)


def test_fields_of_other_types_are_still_validated() -> None:
    ctx = _context(clock=lambda: "2026-11-01T00:00:00Z")  # a clock answering in text: the model parses it
    assert ctx.unavailable("ci.pipelines", SUBJECT, "no").observed_at == T0
    with pytest.raises(ValidationError):  # a plugin's Path is no locator
        _context().observed("iac.usage", SUBJECT, {}, (Path("main.tf"),))  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        _context().unavailable("ci.pipelines", SUBJECT, 42)  # type: ignore[arg-type]
    assert ctx.observed("iac.usage", SUBJECT, {}).status is EvidenceStatus.OBSERVED


def test_records_of_a_kinds_defaults_share_its_validated_data() -> None:
    ctx = _context()
    defaults = ctx.kinds.validate_data("iac.usage", {})  # what detection hands over when it found nothing
    nothing = [ctx.observed("iac.usage", SUBJECT, dict(defaults)) for _ in range(2)]
    assert nothing[0].data is nothing[1].data  # one dict for every "nothing of this kind here"
    assert nothing[0].data == defaults
    assert ctx.kinds.validate_data("iac.usage", {}) is not ctx.kinds.validate_data("iac.usage", {})  # callers own theirs
    found = [ctx.observed("iac.usage", SUBJECT, {"present": True}) for _ in range(2)]
    assert found[0].data is not found[1].data and found[0].data["present"] is True


def test_records_of_one_subject_say_when_it_was_examined() -> None:
    readings = iter(T0 + timedelta(seconds=second) for second in range(10))
    ctx = _context(clock=lambda: next(readings))
    other = Subject(id="local:web", kind="repository", name="web", source="local")
    first = [ctx.observed("iac.usage", SUBJECT, {}), ctx.observed_defaults("ci.pipelines", SUBJECT),
             ctx.unavailable("docs.site", SUBJECT, "no")]
    assert {record.observed_at for record in first} == {T0}  # one clock reading for the subject's records
    assert ctx.observed_defaults("iac.usage", other).observed_at == T0 + timedelta(seconds=1)
    assert ctx.unsupported("vcs.branch_protection", SUBJECT, "no").observed_at == T0 + timedelta(seconds=2)


def test_a_subject_stamped_with_text_is_still_validated() -> None:
    ctx = _context(clock=lambda: "2026-11-01T00:00:00Z")
    assert [ctx.observed_defaults("iac.usage", SUBJECT).observed_at for _ in range(2)] == [T0, T0]


def test_defaults_and_valid_data_are_recorded_as_given() -> None:
    ctx = _context()
    defaults = ctx.kinds.defaults("iac.usage")
    nothing = [ctx.observed_defaults("iac.usage", SUBJECT) for _ in range(2)]
    assert nothing[0].data is nothing[1].data is defaults
    assert nothing[0] == _validated(nothing[0]) == ctx.observed("iac.usage", SUBJECT, {})
    data = {**defaults, "present": True, "paths": ["main.tf"], "path_count": 1, "tools": ["terraform"]}
    found = ctx.observed_valid("iac.usage", SUBJECT, data, ("main.tf",))
    assert found.data is data and found == _validated(found) == ctx.observed("iac.usage", SUBJECT, data, ("main.tf",))
    with pytest.raises(ValueError, match="no defaults"):  # a kind whose model has required fields
        ctx.kinds.defaults("repo.inventory")


def test_records_of_nothing_found_are_made_in_one_go_as_one_at_a_time() -> None:
    ctx, one_at_a_time = _context(), _context()
    other = Subject(id="local:web", kind="repository", name="web", source="local")
    kinds = ["iac.usage", "ci.pipelines", "docs.site"]
    for subject in (SUBJECT, other, SUBJECT):  # the kinds' shared fields are kept, the subject's never
        batch = ctx.observed_defaults_of(kinds, subject)
        alone = [one_at_a_time.observed_defaults(kind, subject) for kind in kinds]
        assert [record.kind for record in batch] == kinds and {record.subject for record in batch} == {subject.id}
        for record, single in zip(batch, alone, strict=True):
            assert record == single == _validated(record)
            assert record.model_dump_json() == _validated(record).model_dump_json()  # fields in their order
            assert record.data is ctx.kinds.defaults(record.kind) and record.__dict__ is not single.__dict__
    assert ctx.observed_defaults_of([], SUBJECT) == []
    with pytest.raises(ValueError, match="no defaults"):
        ctx.observed_defaults_of(["iac.usage", "repo.inventory"], SUBJECT)


def test_records_of_nothing_found_stamped_with_text_are_still_validated() -> None:
    stamps = iter([T0, "2026-11-01T00:00:00Z"])
    ctx = _context(clock=lambda: next(stamps))
    other = Subject(id="local:web", kind="repository", name="web", source="local")
    assert ctx.observed_defaults_of(["iac.usage"], SUBJECT)[0].observed_at == T0  # the kind's fields kept
    assert [record.observed_at for record in ctx.observed_defaults_of(["iac.usage"], other)] == [T0]


def test_a_plugins_data_that_does_not_fit_its_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="does not fit its model"):
        _context().observed("iac.usage", SUBJECT, {"present": "maybe"})
