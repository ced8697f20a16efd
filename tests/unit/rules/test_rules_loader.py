"""Loading packs (directory or single file) and merging them into a RuleSet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from engine_fixtures import MODEL, SAMPLE_PACK, BundleMaker, capability_doc, present, rule_doc

from rules.evaluate import evaluate
from rules.loader import PackError, RulePack, build_ruleset, load_pack
from scanner.errors import UserError
from scanner.kinds import KindRegistry
from scanner.model import Capability, Stage


def write_yaml(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def test_a_directory_pack_loads_every_capability_file(sample_pack: RulePack) -> None:
    assert (sample_pack.name, sample_pack.version) == ("sample", "0.1.0")
    assert sample_pack.source.endswith("packs/sample")
    assert sample_pack.model is not None
    assert [(entry.id, entry.title) for entry in sample_pack.model.capabilities] == [
        (Capability.GOVERNANCE, "Governance"),
        (Capability.PROVISIONING, "Provisioning & Management"),
        (Capability.MEASUREMENT, "Measurement & Feedback"),
    ]
    assert sample_pack.params["active_weeks_min"].default == 6
    assert sample_pack.metrics["codeowners_share"].source.endswith("governance.yaml")
    assert sample_pack.metrics["active_weeks"].source.endswith("provisioning.yaml")
    assert len(sample_pack.rules) == 10
    assert [item.criterion for item in sample_pack.not_inferable] == [
        "Predictive governance",
        "Feedback is gathered regularly",
    ]


def test_a_single_file_pack_holds_the_same_as_a_directory(
    tmp_path: Path, kinds: KindRegistry, sample_pack: RulePack
) -> None:
    manifest = yaml.safe_load((SAMPLE_PACK / "pack.yaml").read_text())
    capabilities = [
        yaml.safe_load(path.read_text()) for path in sorted(SAMPLE_PACK.glob("*.yaml")) if path.name != "pack.yaml"
    ]
    single = load_pack(write_yaml(tmp_path / "sample.yaml", {**manifest, "capabilities": capabilities}), kinds)
    assert single.model == sample_pack.model
    assert single.params.keys() == sample_pack.params.keys()
    assert [rule.describe() | {"source": ""} for rule in single.rules] == [
        rule.describe() | {"source": ""} for rule in sample_pack.rules
    ]


def test_a_ruleset_orders_rules_by_capability_stage_and_id(sample_pack: RulePack) -> None:
    ruleset = build_ruleset([sample_pack])
    keys = [(rule.capability.value, rule.stage.rank, rule.id) for rule in ruleset.rules]
    order = {"governance": 0, "provisioning": 1, "measurement": 2}
    assert keys == sorted(keys, key=lambda key: (order[key[0]], key[1], key[2]))
    assert list(ruleset.metrics) == sorted(ruleset.metrics)


def test_params_resolve_to_their_defaults_or_overrides(sample_pack: RulePack) -> None:
    ruleset = build_ruleset([sample_pack], params={"protected_share_min": 0.9, "active_weeks_min": 4})
    assert ruleset.params == {"active_weeks_min": 4.0, "codeowners_share_min": 0.5, "protected_share_min": 0.9}
    rule = ruleset.rule("governance.branches_protected")
    assert rule is not None
    assert rule.describe()["when"] == {
        "metric": "protected_share",
        "op": "gte",
        "value": 0.9,
        "param": "protected_share_min",
    }


def test_rule_lookup_and_description(sample_pack: RulePack) -> None:
    ruleset = build_ruleset([sample_pack], disabled=["provisioning.many_repositories"])
    assert ruleset.rule("provisioning.many_repositories") is None
    assert ruleset.disabled == ("provisioning.many_repositories",)
    rule = ruleset.rule("provisioning.applied_automatically")
    assert rule is not None
    described = rule.describe()
    assert (described["stage"], described["needs"]) == ("managed", ["ci.pipelines", "gitops.controllers", "iac.usage"])
    assert described["when"] == {
        "all": [
            {"metric": "hand_applied_iac_share", "op": "lte", "value": 0.2},
            {"metric": "automation_repos", "op": "gte", "value": 1.0},
        ]
    }


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"params": {"nope": 1}}, "config rules.params.nope: no rule pack declares this parameter"),
        ({"params": {"active_weeks_min": "6"}}, "config rules.params.active_weeks_min: expected a number, got '6'"),
        ({"params": {"active_weeks_min": True}}, "config rules.params.active_weeks_min: expected a number, got True"),
        ({"disabled": ["governance.nope"]}, "config rules.disable: no rule pack declares rule 'governance.nope'"),
    ],
)
def test_config_overrides_naming_nothing_are_errors(
    sample_pack: RulePack, overrides: dict[str, Any], message: str
) -> None:
    with pytest.raises(PackError) as caught:
        build_ruleset([sample_pack], **overrides)
    assert str(caught.value) == message
    assert isinstance(caught.value, UserError)


def add_on(
    tmp_path: Path,
    kinds: KindRegistry,
    rule_id: str = "governance.extra",
    metric: str = "extra_share",
    param: str = "extra_min",
    **top: Any,
) -> RulePack:
    document = {
        "name": "extra",
        "version": "2",
        **top,
        "params": {param: {"default": 0.5}},
        "capabilities": [
            capability_doc(
                rule_id.split(".")[0],
                metrics={metric: {"share_of": "repository", "where": present("docs.site")}},
                rules=[
                    rule_doc(
                        rule_id, "managed", {"metric": metric, "op": "gte", "value": {"param": param}}, ["docs.site"]
                    )
                ],
            )
        ],
    }
    return load_pack(write_yaml(tmp_path / "extra.yaml", document), kinds)


def test_an_add_on_pack_uses_the_first_packs_model(
    tmp_path: Path, kinds: KindRegistry, sample_pack: RulePack, bundle_of: BundleMaker
) -> None:
    extra = add_on(tmp_path, kinds)
    assert extra.model is None
    ruleset = build_ruleset([sample_pack, extra], params={"extra_min": 0.4})
    assert [(ref.name, ref.version) for ref in ruleset.packs] == [("sample", "0.1.0"), ("extra", "2")]
    bundle = bundle_of([{"name": "a", "evidence": {"docs.site": {"present": True}}}])
    governance = evaluate(bundle, ruleset).capability("governance")
    assert [result.rule_id for result in governance.rules if result.stage is Stage.MANAGED] == [
        "governance.extra",
        "governance.policy_as_code",
    ]


def test_an_add_on_pack_may_repeat_the_model_but_not_change_it(
    tmp_path: Path, kinds: KindRegistry, sample_pack: RulePack
) -> None:
    assert sample_pack.model is not None
    same = yaml.safe_load((SAMPLE_PACK / "pack.yaml").read_text())["model"]
    build_ruleset([sample_pack, add_on(tmp_path, kinds, model=same)])
    with pytest.raises(PackError, match=r"extra\.yaml: model: differs from the model of .*packs/sample"):
        build_ruleset([sample_pack, add_on(tmp_path, kinds, model=MODEL)])


@pytest.mark.parametrize(
    ("clash", "message"),
    [
        ({"rule_id": "governance.codeowners_common"}, "rule governance.codeowners_common: also defined in "),
        ({"metric": "codeowners_share"}, "metric codeowners_share: also defined in "),
        ({"param": "active_weeks_min"}, "param active_weeks_min: also defined in "),
    ],
)
def test_names_are_global_across_packs(
    tmp_path: Path, kinds: KindRegistry, sample_pack: RulePack, clash: dict[str, str], message: str
) -> None:
    with pytest.raises(PackError) as caught:
        build_ruleset([sample_pack, add_on(tmp_path, kinds, **clash)])
    text = str(caught.value)
    assert text.startswith(str(tmp_path / "extra.yaml") + ": " + message)
    assert text.endswith(".yaml") and "packs/sample/" in text  # names the other file too


def test_an_add_on_capability_must_be_in_the_model(tmp_path: Path, kinds: KindRegistry, sample_pack: RulePack) -> None:
    extra = add_on(tmp_path, kinds, rule_id="interfaces.extra")
    with pytest.raises(
        PackError, match=r"rule interfaces\.extra: capability 'interfaces' is not in the model of .*packs/sample"
    ):
        build_ruleset([sample_pack, extra])


def test_an_add_on_not_inferable_criterion_must_be_in_the_model(
    tmp_path: Path, kinds: KindRegistry, sample_pack: RulePack
) -> None:
    criterion = {"stage": "managed", "criterion": "Self-service everywhere", "reason": "Only people can tell."}
    document = {
        "name": "extra",
        "version": "2",
        "capabilities": [capability_doc("interfaces", not_inferable=[criterion])],
    }
    extra = load_pack(write_yaml(tmp_path / "extra.yaml", document), kinds)
    with pytest.raises(
        PackError, match=r"extra\.yaml: not_inferable 'Self-service everywhere': capability 'interfaces' is not"
    ):
        build_ruleset([sample_pack, extra])


def test_the_first_pack_must_define_the_model(tmp_path: Path, kinds: KindRegistry, sample_pack: RulePack) -> None:
    with pytest.raises(
        PackError, match=r"extra\.yaml: model: missing \(the first rule pack defines the capability model\)"
    ):
        build_ruleset([add_on(tmp_path, kinds), sample_pack])
    with pytest.raises(PackError, match="no rule pack to evaluate"):
        build_ruleset([])
