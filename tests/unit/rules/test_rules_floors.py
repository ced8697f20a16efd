"""Floors that scale with the organization: a param with `floor_of` is a share of the scan's
subjects of that kind, and a count must reach max(1, ceil(share x their number))."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from engine_fixtures import build_bundle, rule_doc, single_file_pack

from rules.errors import PackError
from rules.evaluate import evaluate
from rules.loader import RulePack, build_ruleset, load_pack
from scanner.kinds import KINDS, KindRegistry
from scanner.model import Outcome, RuleResult

KINDS_REGISTRY = KindRegistry(KINDS)
POLICY = "policy.as_code"
FLOOR = {"policy_floor_share": {"default": 0.05, "floor_of": "repository", "description": "a floor"}}
POLICY_REPOS = {"count_of": "repository", "where": {"kind": POLICY, "field": "live", "op": "eq", "value": True}}
POLICY_SHARE = {"share_of": "repository", "where": {"kind": POLICY, "field": "live", "op": "eq", "value": True}}


def _pack(tmp_path: Path, metric: dict[str, Any], params: dict[str, Any] | None = None) -> RulePack:
    rule = rule_doc(
        "governance.policy_in_code", "defined", {"metric": "policy_repos", "op": "gte", "value": {"param": "policy_floor_share"}}, [POLICY]
    )
    document = {"capability": "governance", "metrics": {"policy_repos": metric}, "rules": [rule]}
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump(single_file_pack([document], params or FLOOR), sort_keys=False))
    return load_pack(path, KINDS_REGISTRY)


def _organization(repositories: int, with_policy: int) -> list[dict[str, Any]]:
    return [
        {"name": f"repo-{n:03}", "evidence": {POLICY: {"present": True, "live": True} if n < with_policy else {}}}
        for n in range(repositories)
    ]


def _result(pack: RulePack, subjects: list[dict[str, Any]], **params: float) -> RuleResult:
    assessment = evaluate(build_bundle(subjects), build_ruleset([pack], params=params))
    return assessment.capabilities[0].rules[0]


@pytest.mark.parametrize(
    ("repositories", "with_policy", "expected"),
    [
        (8, 1, Outcome.PASS),  # 5% of 8 is 0.4: the floor is 1
        (20, 1, Outcome.PASS),  # 5% of 20 is exactly 1
        (100, 1, Outcome.FAIL),  # 5% of 100 is 5: one repository of a hundred is not the practice
        (100, 5, Outcome.PASS),
        (101, 5, Outcome.FAIL),  # ceil(5.05) = 6
    ],
)
def test_the_floor_scales_with_the_organization(
    tmp_path: Path, repositories: int, with_policy: int, expected: Outcome
) -> None:
    assert _result(_pack(tmp_path, POLICY_REPOS), _organization(repositories, with_policy)).outcome is expected


def test_the_explanation_says_how_the_floor_follows_from_the_organization(tmp_path: Path) -> None:
    result = _result(_pack(tmp_path, POLICY_REPOS), _organization(100, 1))
    assert result.explanation.endswith("— needs ≥ 5 (policy_floor_share: 5% of the 100 repositories)")
    assert result.measured == "1 repository, needs at least 5 (5% of the 100 repositories)"


def test_a_floor_share_is_a_param_users_override(tmp_path: Path) -> None:
    pack = _pack(tmp_path, POLICY_REPOS)
    assert _result(pack, _organization(100, 1), policy_floor_share=0.01).outcome is Outcome.PASS
    # rounding: 7% of 100 repositories is 7, not 8 (0.07 x 100 = 7.000000000000001 in floating point)
    assert _result(pack, _organization(100, 7), policy_floor_share=0.07).outcome is Outcome.PASS
    with pytest.raises(PackError, match=r"rules.params.policy_floor_share: a floor is a share .* between 0 and 1, got 3"):
        build_ruleset([pack], params={"policy_floor_share": 3})


def test_a_floor_over_subjects_a_failed_source_did_not_all_reach_does_not_pass(tmp_path: Path) -> None:
    bundle = build_bundle(_organization(20, 1))
    [run] = bundle.sources
    cut_short = bundle.model_copy(update={"sources": (run.model_copy(update={"unreached": {"repository": "HTTP 429"}}),)})
    result = evaluate(cut_short, build_ruleset([_pack(tmp_path, POLICY_REPOS)])).capabilities[0].rules[0]
    assert result.outcome is Outcome.UNKNOWN
    assert "the number of repositories is not known: test did not reach them all" in result.explanation


@pytest.mark.parametrize(
    ("params", "metric", "message"),
    [
        ({"policy_floor_share": {"default": 0.05, "floor_of": "repo"}}, POLICY_REPOS, "floor_of: unknown subject kind 'repo'"),
        ({"policy_floor_share": {"default": 2.0, "floor_of": "repository"}}, POLICY_REPOS, "default: a floor is a share"),
        (FLOOR, POLICY_SHARE, "policy_floor_share is a floor (floor_of: repository): compare it with a count_of metric"),
    ],
)
def test_a_floor_the_engine_cannot_apply_is_refused_at_load(
    tmp_path: Path, params: dict[str, Any], metric: dict[str, Any], message: str
) -> None:
    with pytest.raises(PackError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _pack(tmp_path, metric, params)
