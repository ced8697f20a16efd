"""The gate: does an assessment meet the floors set for it? Pure logic, no files, no printing.

A gate must not pass by accident. So: a capability passes only on a proven stage (or, with
`unknown=pass`, on rules that evidence could not decide, and never on none decided at all);
a stage no configured source can speak for is undecided, not failed and not passed; and an
assessment with no observed evidence, or no decided rule, cannot pass whatever is asked of it.

Exit codes (see docs/gate.md): 0 passed; 1 below a minimum or regressed since the baseline;
3 insufficient evidence to decide; 2 usage or configuration error; 4 the scan itself failed.
A capability known to fail outranks one that is undecided: the gate's answer is then known.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Final, Literal

from scanner.enums import Capability, EvidenceStatus, Outcome, Stage, parse_stage
from scanner.errors import UserError
from scanner.gate_keys import ALL, CAPABILITY_NAMES, UnknownPolicy
from scanner.verdict_views import AssessmentView, CapabilityView, RuleView

if TYPE_CHECKING:
    from scanner.config import GateConfig  # pydantic: imported by the config, which only a config file needs

# 2 (usage) and 4 (scan failed) are raised as errors before a decision; scanner.cli maps them.
EXIT_PASSED: Final = 0
EXIT_FAILED: Final = 1
EXIT_UNDECIDED: Final = 3

_STAGE_NAMES = ", ".join(s.value for s in Stage)


class Verdict(str, Enum):
    PASS = "pass"
    FAIL = "fail"  # below a minimum or regressed: the evidence says so
    UNDECIDED = "undecided"  # the evidence cannot tell
    SKIPPED = "skipped"  # nothing was asked of this capability


# Worst first: a capability's verdict is the worst of its checks.
_SEVERITY = {Verdict.FAIL: 3, Verdict.UNDECIDED: 2, Verdict.PASS: 1, Verdict.SKIPPED: 0}


@dataclass(frozen=True)
class GateCriteria:
    minimums: Mapping[Capability, Stage]
    min_confidence: float | None = None
    unknown: UnknownPolicy = "fail"

    @property
    def empty(self) -> bool:
        return not self.minimums and self.min_confidence is None


@dataclass(frozen=True)
class CapabilityDecision:
    capability: Capability
    verdict: Verdict
    reason: str  # one line: why it passes or not
    stage: Stage | None = None  # None when the assessment holds no result for the capability
    confidence: float | None = None
    rules: tuple[str, ...] = ()  # the rule ids that decided a failure or left it undecided


@dataclass(frozen=True)
class GateResult:
    decisions: tuple[CapabilityDecision, ...]
    exit_code: int
    summary: str
    no_evidence: str | None = None  # why the assessment as a whole cannot be judged
    organization: str | None = None  # the config's `organization:`, named in every output of the gate

    def count(self, verdict: Verdict) -> int:
        return sum(1 for decision in self.decisions if decision.verdict is verdict)


@dataclass(frozen=True)
class _Check:
    verdict: Verdict
    reason: str
    rules: tuple[str, ...] = ()


# --- criteria from flags and config -------------------------------------------------------


def _capability_key(key: str) -> Capability | None:
    """`None` stands for 'all'."""
    if key == ALL:
        return None
    try:
        return Capability(key)
    except ValueError:
        raise UserError(f"{key!r} is no capability (one of: {ALL}, {CAPABILITY_NAMES})") from None


def parse_minimum(text: str) -> tuple[str, Stage]:
    """`governance=defined` or `all=repeatable` → (key, stage); bad syntax is a UserError."""
    key, sep, value = text.partition("=")
    key, value = key.strip().lower(), value.strip().lower()
    if not sep or not key or not value:
        raise UserError(f"--min {text!r}: expected CAPABILITY=STAGE, e.g. governance=defined or all=repeatable")
    try:
        _capability_key(key)
    except UserError as exc:
        raise UserError(f"--min {text!r}: {exc.message}") from None
    stage = parse_stage(value)
    if stage is None:
        raise UserError(f"--min {text!r}: {value!r} is no stage (one of: {_STAGE_NAMES}, or its number 1-5)")
    return key, stage


def resolve_minimums(entries: Iterable[tuple[str, Stage]]) -> dict[Capability, Stage]:
    """`all` sets every capability; a named capability overrides it whatever the order."""
    resolved: dict[Capability, Stage] = {}
    named: dict[Capability, Stage] = {}
    for key, stage in entries:
        capability = _capability_key(key)
        if capability is None:
            resolved = dict.fromkeys(Capability, stage)
        else:
            named[capability] = stage
    return resolved | named


def parse_min_confidence(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise UserError(f"--min-confidence {text!r}: expected a number from 0.0 to 1.0, e.g. 0.8")
    return value


def parse_unknown(text: str) -> UnknownPolicy:
    if text == "fail":
        return "fail"
    if text == "pass":
        return "pass"
    raise UserError(f"--unknown {text!r}: expected fail or pass")


def criteria_from(
    config: GateConfig | None, minimum_flags: Sequence[str], min_confidence: str | None, unknown: str | None
) -> GateCriteria:
    """Flags over config (None: no config file): `--min` flags replace the configured minimums,
    the others override one key each."""
    configured = config.minimums.items() if config is not None else ()
    entries = [parse_minimum(text) for text in minimum_flags] if minimum_flags else list(configured)
    return GateCriteria(
        minimums=resolve_minimums(entries),
        min_confidence=(
            parse_min_confidence(min_confidence) if min_confidence is not None else config.min_confidence if config else None
        ),
        unknown=parse_unknown(unknown) if unknown is not None else config.unknown if config else "fail",
    )


# --- the decision ---------------------------------------------------------------------------


def require_criteria(criteria: GateCriteria, baseline: AssessmentView | None) -> None:
    """A gate asked nothing must not pass: it is a usage error, found before any scan."""
    if criteria.empty and baseline is None:
        raise UserError("the gate has nothing to check: give --min, --min-confidence or --baseline (or a gate: section in the config)")


def decide(assessment: AssessmentView, criteria: GateCriteria, baseline: AssessmentView | None = None) -> GateResult:
    require_criteria(criteria, baseline)
    no_evidence = _why_no_evidence(assessment)
    baseline_stages = {result.capability: result.stage for result in baseline.capabilities} if baseline else {}
    decisions = tuple(
        _decide_capability(assessment, capability, criteria, baseline_stages.get(capability), no_evidence)
        for capability in _capabilities_in_order(assessment, criteria)
    )
    exit_code = _exit_code(decisions, no_evidence)
    summary = _summary(decisions, exit_code, no_evidence)
    return GateResult(decisions, exit_code, summary, no_evidence, assessment.scan.organization)


def _capabilities_in_order(assessment: AssessmentView, criteria: GateCriteria) -> list[Capability]:
    """The assessment's order, then any capability asked for that it does not hold."""
    present = [result.capability for result in assessment.capabilities]
    return present + [capability for capability in Capability if capability in criteria.minimums and capability not in present]


def _why_no_evidence(assessment: AssessmentView) -> str | None:
    rules = [rule for result in assessment.capabilities for rule in result.rules]
    if not any(assessment.scan.subjects.values()):
        return "the scan found no subjects: no repositories, organizations or clusters"
    if not any(_observed(rule) for rule in rules):
        return "no rule read any observed evidence (all of it was unavailable or unsupported)"
    if not any(rule.outcome in (Outcome.PASS, Outcome.FAIL) for rule in rules):
        return "no applicable rule was decided by evidence"
    return None


def _observed(rule: RuleView) -> bool:
    return any(ref.status is EvidenceStatus.OBSERVED for refs in (rule.supporting, rule.opposing) for ref in refs)


def _decide_capability(
    assessment: AssessmentView,
    capability: Capability,
    criteria: GateCriteria,
    baseline_stage: Stage | None,
    no_evidence: str | None,
) -> CapabilityDecision:
    minimum = criteria.minimums.get(capability)
    try:
        result = assessment.capability(capability)
    except KeyError:
        return CapabilityDecision(capability, Verdict.UNDECIDED, "the assessment holds no result for it")
    checks: list[_Check] = []
    if minimum is not None:
        checks.append(_floor_check(result, minimum, "minimum", criteria.unknown))
    if baseline_stage is not None:
        checks.append(_floor_check(result, baseline_stage, "baseline", criteria.unknown))
    if criteria.min_confidence is not None:
        checks.append(_confidence_check(result, criteria.min_confidence))
    if not checks:
        return CapabilityDecision(capability, Verdict.SKIPPED, "no minimum set", result.stage, result.confidence)
    if no_evidence is not None:
        checks = [_Check(Verdict.UNDECIDED, f"insufficient evidence: {no_evidence}")]
    verdict = max((check.verdict for check in checks), key=_SEVERITY.__getitem__)
    shown = [check for check in checks if check.verdict is verdict]
    return CapabilityDecision(
        capability=capability,
        verdict=verdict,
        reason="; ".join(check.reason for check in shown),
        stage=result.stage,
        confidence=result.confidence,
        rules=tuple(dict.fromkeys(rule for check in shown for rule in check.rules)),
    )


def _floor_check(result: CapabilityView, floor: Stage, against: Literal["minimum", "baseline"], unknown: UnknownPolicy) -> _Check:
    """Can the capability be shown to stand at `floor`? Looks at the rules of the stages above the proven one."""
    if against == "minimum":
        meets, below, unsure = f"meets minimum {floor.value}", f"below the minimum {floor.value}", f"minimum {floor.value}"
    else:
        meets, below, unsure = f"keeps {floor.value} from the baseline", f"dropped below {floor.value}, its baseline stage", f"{floor.value} from the baseline"
    if result.stage >= floor:
        return _Check(Verdict.PASS, meets + (" (self-reported)" if result.self_reported else ""))
    between = [stage for stage in Stage if result.stage < stage <= floor]
    applicable = [rule for rule in result.rules if rule.outcome is not Outcome.NOT_APPLICABLE]
    failed = tuple(rule.rule_id for rule in applicable if rule.stage in between and rule.outcome is Outcome.FAIL)
    if failed:
        return _Check(Verdict.FAIL, f"{below}: failed {', '.join(failed)}", failed)
    if not any(rule.outcome in (Outcome.PASS, Outcome.FAIL) for rule in applicable):
        return _Check(Verdict.UNDECIDED, f"cannot tell whether it meets {unsure}: evidence decided none of its rules")
    unprovable = [stage for stage in between if not any(rule.stage is stage for rule in applicable)]
    if unprovable:
        return _Check(Verdict.UNDECIDED, f"cannot tell whether it meets {unsure}: no configured source provides evidence for {unprovable[0].value}")
    # neither counts as passed under --unknown pass: no evidence this source set can gather decides them
    unjudged_keys = tuple(
        rule.rule_id for rule in result.rules if rule.key and rule.stage in between and rule.outcome is Outcome.NOT_APPLICABLE
    )
    if unjudged_keys:
        return _Check(Verdict.UNDECIDED, f"cannot tell whether it meets {unsure}: no configured source can judge key rule {', '.join(unjudged_keys)}", unjudged_keys)
    open_core = [item.criterion for item in result.not_inferable if item.core and not item.self_reported and item.stage in between]
    if open_core:
        return _Check(Verdict.UNDECIDED, f"cannot tell whether it meets {unsure}: only people can tell: {'; '.join(open_core)} (answer it in a self-assessment)")
    unknown_rules = tuple(rule.rule_id for rule in applicable if rule.stage in between and rule.outcome is Outcome.UNKNOWN)
    if unknown == "pass":
        return _Check(Verdict.PASS, f"{meets} only by counting unknown {', '.join(unknown_rules)} as passed", unknown_rules)
    return _Check(Verdict.UNDECIDED, f"cannot tell whether it meets {unsure}: unknown {', '.join(unknown_rules)}", unknown_rules)


def _confidence_check(result: CapabilityView, min_confidence: float) -> _Check:
    if result.confidence >= min_confidence:
        return _Check(Verdict.PASS, f"confidence {result.confidence:.2f} meets {min_confidence:.2f}")
    return _Check(Verdict.UNDECIDED, f"confidence {result.confidence:.2f} below the minimum {min_confidence:.2f}")


def _exit_code(decisions: Sequence[CapabilityDecision], no_evidence: str | None) -> int:
    verdicts = {decision.verdict for decision in decisions}
    if no_evidence is not None:
        return EXIT_UNDECIDED
    if Verdict.FAIL in verdicts:
        return EXIT_FAILED
    if Verdict.UNDECIDED in verdicts or Verdict.PASS not in verdicts:  # a gate that checked nothing does not pass
        return EXIT_UNDECIDED
    return EXIT_PASSED


def _summary(decisions: Sequence[CapabilityDecision], exit_code: int, no_evidence: str | None) -> str:
    counts = {verdict: sum(1 for d in decisions if d.verdict is verdict) for verdict in Verdict}
    tally = ", ".join(f"{counts[v]} {v.value}" for v in (Verdict.PASS, Verdict.FAIL, Verdict.UNDECIDED, Verdict.SKIPPED) if counts[v])
    outcome = {
        EXIT_PASSED: "passed",
        EXIT_FAILED: "failed: below a minimum or regressed",
        EXIT_UNDECIDED: "failed: insufficient evidence to decide",
    }[exit_code]
    if no_evidence is not None:
        outcome += f" ({no_evidence})"
    return f"gate {outcome} [{tally}] (exit {exit_code})"
