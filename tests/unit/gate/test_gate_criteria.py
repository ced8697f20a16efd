"""What the gate is asked: --min syntax, all=, confidence and unknown flags, the config's gate: section."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from scanner.config import GateConfig
from scanner.errors import UserError
from scanner.gate import criteria_from, parse_minimum, resolve_minimums
from scanner.model import Capability, Stage


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("governance=defined", ("governance", Stage.DEFINED)),
        ("all=repeatable", ("all", Stage.REPEATABLE)),
        (" Adoption = Managed ", ("adoption", Stage.MANAGED)),
        # numbers 1-5, as self-assessment files accept them
        ("governance=3", ("governance", Stage.DEFINED)),
        ("all=1", ("all", Stage.INITIAL)),
        ("measurement=5", ("measurement", Stage.OPTIMIZING)),
    ],
)
def test_a_minimum_is_capability_equals_stage(text: str, expected: tuple[str, Stage]) -> None:
    assert parse_minimum(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("governance", "expected CAPABILITY=STAGE"),
        ("governance=", "expected CAPABILITY=STAGE"),
        ("=defined", "expected CAPABILITY=STAGE"),
        ("govern=defined", "'govern' is no capability (one of: all, investment,"),
        ("governance=great", "'great' is no stage (one of: initial, repeatable, defined, managed, optimizing, or its number 1-5)"),
        ("governance=6", "'6' is no stage"),
        ("governance=0", "'0' is no stage"),
    ],
)
def test_a_bad_minimum_is_one_line_naming_the_flag(text: str, message: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_minimum(text)
    line = caught.value.one_line()
    assert line.startswith(f"--min {text!r}:") and message in line and "\n" not in line


def test_a_named_capability_overrides_all_in_either_order() -> None:
    first_all = resolve_minimums([("all", Stage.DEFINED), ("governance", Stage.REPEATABLE)])
    all_last = resolve_minimums([("governance", Stage.REPEATABLE), ("all", Stage.DEFINED)])
    assert first_all == all_last
    assert first_all[Capability.GOVERNANCE] is Stage.REPEATABLE
    assert {c: s for c, s in first_all.items() if c is not Capability.GOVERNANCE} == dict.fromkeys(
        [c for c in Capability if c is not Capability.GOVERNANCE], Stage.DEFINED
    )


def test_flags_replace_configured_minimums_and_override_the_other_keys() -> None:
    config = GateConfig(minimums={"all": Stage.MANAGED}, min_confidence=0.9, unknown="pass")
    from_config = criteria_from(config, (), None, None)
    assert from_config.minimums == dict.fromkeys(Capability, Stage.MANAGED)
    assert (from_config.min_confidence, from_config.unknown) == (0.9, "pass")
    from_flags = criteria_from(config, ("governance=defined",), "0.25", "fail")
    assert from_flags.minimums == {Capability.GOVERNANCE: Stage.DEFINED}
    assert (from_flags.min_confidence, from_flags.unknown) == (0.25, "fail")


def test_unknown_fails_closed_by_default() -> None:
    assert criteria_from(GateConfig(), ("all=initial",), None, None).unknown == "fail"
    without_config = criteria_from(None, ("all=initial",), None, None)  # no config file: no pydantic either
    assert (without_config.unknown, without_config.min_confidence) == ("fail", None)
    assert criteria_from(None, (), None, None).empty


@pytest.mark.parametrize(("confidence", "unknown", "flag"), [("1.5", None, "--min-confidence"), ("high", None, "--min-confidence"), ("-0.1", None, "--min-confidence"), (None, "maybe", "--unknown")])
def test_bad_confidence_or_unknown_flags_are_user_errors(confidence: str | None, unknown: str | None, flag: str) -> None:
    with pytest.raises(UserError, match=f"^{flag} "):
        criteria_from(GateConfig(), (), confidence, unknown)


def test_the_config_section_is_validated_up_front() -> None:
    config = GateConfig.model_validate({"minimums": {"all": "repeatable", "governance": "defined"}, "baseline": "base.json"})
    assert config.minimums["governance"] is Stage.DEFINED and config.baseline == Path("base.json")
    assert GateConfig.model_validate({"minimums": {"governance": 3, "all": "2"}}).minimums == {
        "governance": Stage.DEFINED,
        "all": Stage.REPEATABLE,
    }
    for bad in ({"minimums": {"govern": "defined"}}, {"minimums": {"governance": "great"}}, {"minimums": {"governance": 6}}, {"minimums": {"governance": True}}, {"min_confidence": 2}, {"unknown": "maybe"}, {"threshold": 1}):
        with pytest.raises(ValidationError):
            GateConfig.model_validate(bad)
