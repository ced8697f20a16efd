"""An invalid pack fails at load, with one line naming the file, the rule (or metric, param) and the field."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from engine_fixtures import MODEL
from pydantic import BaseModel

from rules.loader import PackError, load_pack
from scanner.kinds import KINDS, KindRegistry, KindSpec

MANIFEST = {"name": "t", "version": "1", "model": MODEL, "params": {"share_min": {"default": 0.5}}}
OWNED = {"kind": "ownership.codeowners", "field": "present", "op": "eq", "value": True}
GOVERNANCE = {
    "capability": "governance",
    "metrics": {
        "owned_share": {"share_of": "repository", "where": OWNED},
        "weeks": {"median_of": "repository", "value": {"kind": "vcs.activity", "field": "active_weeks"}},
    },
    "rules": [
        {
            "id": "governance.owned",
            "stage": "defined",
            "title": "Most repositories name owners",
            "needs": ["ownership.codeowners"],
            "when": {"metric": "owned_share", "op": "gte", "value": {"param": "share_min"}},
            "remediation": "Add CODEOWNERS.",
        }
    ],
    "not_inferable": [{"stage": "optimizing", "criterion": "c", "reason": "r"}],
}

Mutation = Callable[[dict[str, Any]], Any]


def write_pack(root: Path, governance: dict[str, Any], manifest: dict[str, Any] = MANIFEST) -> Path:
    root.mkdir(exist_ok=True)
    (root / "pack.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False))
    (root / "governance.yaml").write_text(yaml.safe_dump(governance, sort_keys=False))
    return root


def metric(doc: dict[str, Any], name: str = "owned_share") -> dict[str, Any]:
    return doc["metrics"][name]


def rule(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["rules"][0]


def where(**changes: Any) -> Mutation:
    return lambda doc: metric(doc)["where"].update(changes)


CASES: list[tuple[str, Mutation, str]] = [
    (
        "unknown kind",
        where(kind="ownership.codeowner"),
        "metric owned_share: where.kind: unknown evidence kind 'ownership.codeowner'; did you mean 'ownership.codeowners'?",
    ),
    (
        "unknown field",
        where(field="presnt"),
        "metric owned_share: where.field: ownership.codeowners has no field 'presnt' (fields: present, paths, live, path_count, templated, rules, owners, default_owners, teams, users)",
    ),
    (
        "unknown stage",
        lambda doc: rule(doc).update(stage="definde"),
        "rule governance.owned: stage: unknown stage 'definde' (stages: initial, repeatable, defined, managed, optimizing)",
    ),
    (
        "rule at initial",
        lambda doc: rule(doc).update(stage="initial"),
        "rule governance.owned: stage: 'initial' needs no evidence; rules start at 'repeatable'",
    ),
    (
        "unknown capability",
        lambda doc: doc.update(capability="govern"),
        "capability: unknown capability 'govern' (the model has: governance, provisioning)",
    ),
    (
        "capability outside the model",
        lambda doc: doc.update(capability="interfaces"),
        "capability: unknown capability 'interfaces' (the model has: governance, provisioning)",
    ),
    ("unknown operator in where", where(op="equals"), "metric owned_share: where.op: Input should be 'eq', 'ne', "),
    (
        "unknown operator in when",
        lambda doc: rule(doc)["when"].update(op="greater"),
        "rule governance.owned: when.op: Input should be 'eq', 'ne', 'gt', 'gte', 'lt' or 'lte', got \"greater\"",
    ),
    (
        "evidence operator in when",
        lambda doc: rule(doc)["when"].update(op="contains"),
        "rule governance.owned: when.op: ",
    ),
    (
        "unknown metric",
        lambda doc: rule(doc)["when"].update(metric="owned_shar"),
        "rule governance.owned: when.metric: unknown metric 'owned_shar'; did you mean 'owned_share'?",
    ),
    (
        "unknown metric beside a rule",
        lambda doc: rule(doc).update(beside=["weeks", "external_share"]),
        "rule governance.owned: beside[1]: unknown metric 'external_share'",
    ),
    (
        "unknown param",
        lambda doc: rule(doc)["when"].update(value={"param": "share_max"}),
        "rule governance.owned: when.value.param: unknown param 'share_max' (declare it in the pack's params)",
    ),
    (
        "threshold not a number",
        lambda doc: rule(doc)["when"].update(value="0.5"),
        'rule governance.owned: when.value: expected a number or {param: NAME}, got "0.5"',
    ),
    (
        "duplicate id",
        lambda doc: doc["rules"].append(copy.deepcopy(rule(doc))),
        "rule governance.owned: id: also defined in {file}",
    ),
    (
        "id of another capability",
        lambda doc: rule(doc).update(id="provisioning.owned"),
        "rule provisioning.owned: id: must start with 'governance.' (the capability of its document)",
    ),
    (
        "id not snake case",
        lambda doc: rule(doc).update(id="governance.Owned-Repos"),
        "rule governance.Owned-Repos: id: must be governance.<snake_case name> (a-z, 0-9, _)",
    ),
    (
        "needs mismatch",
        lambda doc: rule(doc).update(needs=["iac.usage"]),
        "rule governance.owned: needs: lists [iac.usage] but its metrics read [ownership.codeowners]",
    ),
    (
        "needs an unknown kind",
        lambda doc: rule(doc).update(needs=["ownership.codeownrs"]),
        "rule governance.owned: needs[0]: unknown evidence kind 'ownership.codeownrs'",
    ),
    (
        "unknown key in a rule",
        lambda doc: rule(doc).update(descriptoin="x"),
        "rule governance.owned: descriptoin: unknown key",
    ),
    ("unknown key in a metric", lambda doc: metric(doc).update(wher=OWNED), "metric owned_share: wher: unknown key"),
    ("unknown key in a condition", where(vlaue=True), "metric owned_share: where.vlaue: unknown key"),
    (
        "missing key in a rule",
        lambda doc: rule(doc).pop("remediation"),
        "rule governance.owned: remediation: missing (required)",
    ),
    (
        "missing key in when",
        lambda doc: rule(doc)["when"].pop("metric"),
        "rule governance.owned: when.metric: missing (required)",
    ),
    (
        "string for a boolean",
        where(value="true"),
        'metric owned_share: where.value: "true" can never equal a value of ownership.codeowners.present; '
        "ownership.codeowners.present holds booleans",
    ),
    (
        "ordering a boolean",
        where(op="gte", value=1),
        "metric owned_share: where.value: gte needs a numeric field; ownership.codeowners.present holds booleans",
    ),
    (
        "contains on a boolean",
        where(op="contains", value=True),
        "metric owned_share: where.value: contains needs a list or string field; ownership.codeowners.present holds booleans",
    ),
    (
        "in on a list field",
        where(field="owners", op="in", value=["@a"]),
        "metric owned_share: where.value: in compares one value with a list; ownership.codeowners.owners holds lists of strings, "
        "so use contains",
    ),
    (
        "eq of a list with a scalar",
        where(field="owners", value="@a"),
        "metric owned_share: where.value: eq compares the whole list; ownership.codeowners.owners holds lists of strings",
    ),
    (
        "contains of the wrong item type",
        where(field="owners", op="contains", value=3),
        "metric owned_share: where.value: 3 can never be an item of ownership.codeowners.owners",
    ),
    (
        "matches on a list",
        where(field="owners", op="matches", value="@a"),
        "metric owned_share: where.value: matches needs a string field; ownership.codeowners.owners holds lists of strings",
    ),
    (
        "invalid regular expression",
        where(kind="vcs.activity", field="head_commit", op="matches", value="("),
        'metric owned_share: where.value: invalid regular expression "(": missing ), unterminated subpattern at position 0',
    ),
    (
        "exists takes a boolean",
        where(op="exists", value="yes"),
        'metric owned_share: where.value: exists takes true or false, got "yes"',
    ),
    (
        "median of a non-number",
        lambda doc: metric(doc, "weeks")["value"].update(field="last_commit_at"),
        "metric weeks: value.field: vcs.activity.last_commit_at holds strings, not numbers",
    ),
    (
        "share without a condition",
        lambda doc: metric(doc).pop("where"),
        "metric owned_share: where: missing (share_of needs a condition)",
    ),
    (
        "two forms",
        lambda doc: metric(doc).update(count_of="repository"),
        "metric owned_share: share_of: give exactly one of share_of, count_of, median_of",
    ),
    (
        "unknown subject kind",
        lambda doc: metric(doc).update(share_of="repo"),
        "metric owned_share: share_of: unknown subject kind 'repo' (known: organization, group, repository, cluster, namespace, subscription, management_group, billing_account)",
    ),
    (
        "value outside median",
        lambda doc: metric(doc).update(value={"kind": "vcs.activity", "field": "commits"}),
        "metric owned_share: value: only median_of takes a value",
    ),
    (
        "leaf and combinator",
        where(all=[OWNED]),
        "metric owned_share: where: use either a leaf {kind, field, op, value} or one of all/any/not, not both",
    ),
    (
        "empty all",
        lambda doc: metric(doc).update(where={"all": []}),
        "metric owned_share: where.all: must list at least one condition",
    ),
    (
        "incomplete nested leaf",
        lambda doc: metric(doc).update(where={"any": [OWNED, {"not": {"kind": "iac.usage", "field": "present"}}]}),
        "metric owned_share: where.any[1].not.op: missing (required)",
    ),
    (
        "metric name",
        lambda doc: doc["metrics"].update({"Owned-Share": doc["metrics"].pop("owned_share")}),
        "metric Owned-Share: name must be snake_case (a-z, 0-9, _)",
    ),
    (
        "not_inferable stage",
        lambda doc: doc["not_inferable"][0].update(stage="later"),
        "capability governance: not_inferable[0].stage: unknown stage 'later'",
    ),
    (
        "empty among",
        lambda doc: metric(doc).update(among={}),
        "metric owned_share: among: give tags, where, or both",
    ),
    (
        "stage and caps",
        lambda doc: rule(doc).update(caps="initial"),
        "rule governance.owned: stage: give exactly one of stage (a stage rule) or caps (a cap)",
    ),
    (
        "neither stage nor caps",
        lambda doc: rule(doc).pop("stage"),
        "rule governance.owned: stage: give exactly one of stage (a stage rule) or caps (a cap)",
    ),
    (
        "cap at the top stage",
        lambda doc: (rule(doc).pop("stage"), rule(doc).update(caps="optimizing")),
        "rule governance.owned: caps: 'optimizing' caps nothing: it is the top stage",
    ),
    (
        "key rule without decided_by",
        lambda doc: rule(doc).update(key=True),
        "rule governance.owned: key: a key rule is a stage rule and names the source that decides it in decided_by",
    ),
    (
        "decided_by without key",
        lambda doc: rule(doc).update(decided_by="the github collector"),
        "rule governance.owned: decided_by: only a key rule takes decided_by",
    ),
    (
        "declaration key not snake_case",
        lambda doc: rule(doc).update(may_live_elsewhere={"declare": "Dash-boards", "hint": "h"}),
        "rule governance.owned: may_live_elsewhere.declare: must be a snake_case config key",
    ),
    (
        "core not a boolean",
        lambda doc: doc["not_inferable"][0].update(core="yes please"),
        "not_inferable[0]: core: Input should be a valid boolean",
    ),
    (
        "rules not a list",
        lambda doc: doc.update(rules={"id": "governance.owned"}),
        "rules: Input should be a valid list, got a mapping",
    ),
]


@pytest.mark.parametrize(("mutate", "expected"), [pytest.param(m, e, id=name) for name, m, e in CASES])
def test_an_invalid_capability_document_is_named_precisely(
    tmp_path: Path, kinds: KindRegistry, mutate: Mutation, expected: str
) -> None:
    governance = copy.deepcopy(GOVERNANCE)
    mutate(governance)
    root = write_pack(tmp_path / "pack", governance)
    file = str(root / "governance.yaml")
    with pytest.raises(PackError) as caught:
        load_pack(root, kinds)
    assert str(caught.value).startswith(f"{file}: " + expected.replace("{file}", file))
    assert "\n" not in str(caught.value)


def test_the_base_document_of_these_cases_is_valid(tmp_path: Path, kinds: KindRegistry) -> None:
    pack = load_pack(write_pack(tmp_path / "pack", GOVERNANCE), kinds)
    assert [rule.id for rule in pack.rules] == ["governance.owned"]


def test_a_condition_on_evidence_about_another_kind_of_subject_is_refused(tmp_path: Path) -> None:
    class NodeCount(BaseModel):
        nodes: int = 0

    kinds = KindRegistry([*KINDS, KindSpec("k8s.nodes", "cluster", NodeCount, "Nodes of a cluster.")])
    governance = copy.deepcopy(GOVERNANCE)
    metric(governance)["where"] = {"kind": "k8s.nodes", "field": "nodes", "op": "gt", "value": 3}
    root = write_pack(tmp_path / "pack", governance)
    with pytest.raises(
        PackError, match="where.kind: k8s.nodes describes cluster subjects, but the metric counts repository subjects"
    ):
        load_pack(root, kinds)
    metric(governance)["share_of"] = "cluster"
    rule(governance)["needs"] = ["k8s.nodes"]
    assert load_pack(write_pack(tmp_path / "pack", governance), kinds).metrics["owned_share"].subject_kind == "cluster"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("capability: governance\nrules: [\n", "line 3, column 1: YAML syntax error: "),
        ("- capability: governance\n", "expected a mapping of keys at the top level, found a list"),
        ("just words\n", "expected a mapping of keys at the top level, found a string"),
        ("", "the document is empty"),
        (
            "capability: governance\nmetrics: {}\nmetrics: {}\n",
            "line 3, column 1: YAML syntax error: duplicate key 'metrics'",
        ),
    ],
)
def test_a_file_that_is_not_a_yaml_mapping_is_named(
    tmp_path: Path, kinds: KindRegistry, text: str, expected: str
) -> None:
    root = write_pack(tmp_path / "pack", GOVERNANCE)
    (root / "governance.yaml").write_text(text)
    with pytest.raises(PackError) as caught:
        load_pack(root, kinds)
    assert str(caught.value).startswith(f"{root / 'governance.yaml'}: {expected}")


@pytest.mark.parametrize(
    ("manifest", "expected"),
    [
        (
            {**MANIFEST, "model": {**MODEL, "stages": ["initial", "defined"]}},
            "model.stages: must be initial, repeatable, defined, managed, optimizing (in this order)",
        ),
        (
            {**MANIFEST, "model": {**MODEL, "capabilities": [{"id": "platform", "title": "P"}]}},
            "model.capabilities[0].id: unknown capability 'platform'",
        ),
        (
            {**MANIFEST, "params": {"share_min": {"default": "half"}}},
            'param share_min: default: Input should be a valid number, got "half"',
        ),
        ({**MANIFEST, "params": {"Share": {"default": 1}}}, "param Share: name must be snake_case"),
        ({**MANIFEST, "version": 1}, "version: Input should be a valid string, got 1"),
        ({**MANIFEST, "rules": []}, "rules: unknown key"),
        (
            {**MANIFEST, "min_sample": [{"of": "repo", "param": "share_min"}]},
            "min_sample[0].of: unknown subject kind 'repo'",
        ),
        (
            {**MANIFEST, "min_sample": [{"of": "repository", "param": "sample_min"}]},
            "min_sample[0].param: unknown param 'sample_min' (declare it in params)",
        ),
    ],
)
def test_an_invalid_manifest_is_named(
    tmp_path: Path, kinds: KindRegistry, manifest: dict[str, Any], expected: str
) -> None:
    root = write_pack(tmp_path / "pack", GOVERNANCE, manifest)
    with pytest.raises(PackError) as caught:
        load_pack(root, kinds)
    assert str(caught.value).startswith(f"{root / 'pack.yaml'}: {expected}")


def test_a_metric_defined_in_two_files_of_a_pack_names_both(tmp_path: Path, kinds: KindRegistry) -> None:
    root = write_pack(tmp_path / "pack", GOVERNANCE)
    provisioning = {"capability": "provisioning", "metrics": {"owned_share": GOVERNANCE["metrics"]["owned_share"]}}
    (root / "provisioning.yaml").write_text(yaml.safe_dump(provisioning))
    with pytest.raises(PackError) as caught:
        load_pack(root, kinds)
    assert (
        str(caught.value)
        == f"{root / 'provisioning.yaml'}: metric owned_share: also defined in {root / 'governance.yaml'}"
    )


def test_a_directory_without_pack_yaml_or_a_missing_path_is_not_a_pack(tmp_path: Path, kinds: KindRegistry) -> None:
    with pytest.raises(PackError, match="not a rule pack: pack.yaml is missing"):
        load_pack(tmp_path, kinds)
    with pytest.raises(PackError, match="no such rule pack"):
        load_pack(tmp_path / "nowhere", kinds)


def test_a_single_file_pack_names_the_capability_document_of_an_anonymous_rule(
    tmp_path: Path, kinds: KindRegistry
) -> None:
    governance = copy.deepcopy(GOVERNANCE)
    rule(governance).pop("id")
    path = tmp_path / "pack.yaml"
    path.write_text(yaml.safe_dump({**MANIFEST, "capabilities": [governance]}))
    with pytest.raises(PackError) as caught:
        load_pack(path, kinds)
    assert str(caught.value) == f"{path}: capabilities[0]: rules[0]: id: missing (required)"
