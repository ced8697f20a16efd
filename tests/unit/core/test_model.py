from datetime import datetime, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from scanner.kinds import KINDS, KindRegistry, KindSpec
from scanner.model import Capability, Evidence, EvidenceBundle, EvidenceStatus, SourceRun, Stage, Subject

T0 = datetime(2026, 11, 1, tzinfo=timezone.utc)


def test_stages_are_ordered() -> None:
    assert list(Stage) == sorted(Stage)
    assert Stage.INITIAL < Stage.REPEATABLE < Stage.DEFINED < Stage.MANAGED < Stage.OPTIMIZING
    assert Stage.DEFINED.next() is Stage.MANAGED
    assert Stage.OPTIMIZING.next() is None
    assert max([Stage.MANAGED, Stage.REPEATABLE]) is Stage.MANAGED


def test_six_capabilities() -> None:
    assert [c.value for c in Capability] == [
        "investment", "adoption", "governance", "provisioning", "interfaces", "measurement"
    ]


def test_bundle_round_trips_losslessly() -> None:
    subject = Subject(id="local:payments-api", kind="repository", name="payments-api", source="local", tags=("platform",))
    bundle = EvidenceBundle(
        pecm_version="0.1.0",
        created_at=T0,
        sources=(
            SourceRun(collector="local", version="1", provides=("iac.usage",), status="ok", subjects=1, evidence=2,
                      started_at=T0, finished_at=T0),
        ),
        subjects=(subject,),
        evidence=(
            Evidence(kind="iac.usage", subject=subject.id, status=EvidenceStatus.OBSERVED,
                     data={"present": True, "tools": ["terraform"], "nested": {"a": [1, 2.5, None]}},
                     locators=("main.tf",), collector="local", collector_version="1", observed_at=T0),
            Evidence(kind="vcs.branch_protection", subject=subject.id, status=EvidenceStatus.UNSUPPORTED,
                     reason="local checkouts cannot show it", collector="local", collector_version="1", observed_at=T0),
        ),
    )
    again = EvidenceBundle.model_validate_json(bundle.model_dump_json())
    assert again == bundle


def test_kind_registry_validates_data_and_fields() -> None:
    registry = KindRegistry(KINDS)
    assert registry.validate_data("iac.usage", {"present": True})["tools"] == []
    with pytest.raises(ValueError, match="iac.usage"):
        registry.validate_data("iac.usage", {"present": "maybe"})
    with pytest.raises(ValueError, match="unknown evidence kind"):
        registry.validate_data("iac.nope", {})
    assert registry.has_field("vcs.activity", "active_weeks")
    assert not registry.has_field("vcs.activity", "active_days")


def _defaults(spec: KindSpec) -> dict[str, Any] | None:
    try:
        return spec.data_model().model_dump(mode="json")
    except ValidationError:  # required fields: no defaults
        return None


KINDS_WITH_DEFAULTS = [spec.name for spec in KINDS if _defaults(spec) is not None]


def test_most_kinds_have_defaults() -> None:
    assert {"iac.usage", "ci.pipelines", "product.artifacts"} <= set(KINDS_WITH_DEFAULTS)


@pytest.mark.parametrize("kind", KINDS_WITH_DEFAULTS)
def test_data_equal_to_the_defaults_validates_like_any_other(kind: str) -> None:
    registry = KindRegistry(KINDS)
    model = registry[kind].data_model
    defaults = _defaults(registry[kind])
    assert defaults is not None
    first, second = registry.validate_data(kind, defaults), registry.validate_data(kind, defaults)
    assert first == second == model.model_validate(defaults).model_dump(mode="json")
    for value in first.values():  # each record owns its containers
        if isinstance(value, list):
            value.append("changed")
        elif isinstance(value, dict):
            value["changed"] = True
    assert second == registry.validate_data(kind, defaults) == model.model_validate(defaults).model_dump(mode="json")
    with pytest.raises(ValueError, match=kind):  # an unknown field is still refused
        registry.validate_data(kind, {**defaults, "unexpected": True})


def test_kind_defined_twice_is_an_error() -> None:
    registry = KindRegistry(KINDS)
    spec = registry["iac.usage"]
    with pytest.raises(ValueError, match="defined twice"):
        registry.add(type(spec)(spec.name, spec.subject_kind, spec.data_model, "another"))
