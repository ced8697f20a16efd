"""What detection keeps by text (parsed.py): the same text is parsed once, every caller gets
its own copy, failures are parsed again, and detection finds the same whether a text was kept."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from collectors.detect.parse import _LOADER
from collectors.detect.parsed import ParsedCache, TextMemo
from scanner.yaml_documents import load_documents


class Counting:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, text: str) -> list[Any]:
        self.calls += 1
        return load_documents(text, _LOADER)


def test_the_same_text_is_parsed_once() -> None:
    cache, parse = ParsedCache(), Counting()
    first = cache.documents("on: push\njobs: {a: {runs-on: x}}\n", parse)
    second = cache.documents("on: push\njobs: {a: {runs-on: x}}\n", parse)
    assert parse.calls == 1
    assert first == second == [{True: "push", "jobs": {"a": {"runs-on": "x"}}}]


def test_each_caller_gets_its_own_copy() -> None:
    cache, parse = ParsedCache(), Counting()
    first = cache.documents("a: [1]\n", parse)
    first[0]["a"].append(2)
    second = cache.documents("a: [1]\n", parse)
    second[0]["b"] = 3
    assert cache.documents("a: [1]\n", parse) == [{"a": [1]}]
    assert parse.calls == 1


def test_kept_documents_keep_what_aliases_share_and_every_type() -> None:
    text = "a: &x [1]\nb: *x\nwhen: 2024-01-31\nat: 2024-01-31 10:00:00+02:00\nraw: !!binary aGk=\nn: .nan\n"
    cache, parse = ParsedCache(), Counting()
    fresh = cache.documents(text, parse)
    kept = cache.documents(text, parse)
    assert parse.calls == 1
    assert kept[0]["a"] is kept[0]["b"]
    assert repr(kept) == repr(fresh) == repr(list(yaml.load_all(text, Loader=_LOADER)))


def test_a_text_that_fails_is_parsed_again() -> None:
    cache, parse = ParsedCache(), Counting()
    for _ in range(2):
        with pytest.raises(yaml.YAMLError):
            cache.documents("a: [\n", parse)
    assert parse.calls == 2
    assert len(cache) == 0


def test_a_memo_keeps_the_most_recently_used_texts() -> None:
    memo: TextMemo[int] = TextMemo(max_texts=2, max_text_chars=5)
    memo.put("a", 1)
    memo.put("b", 2)
    assert memo.get("a") == 1  # "b" is now the least recently used
    memo.put("c", 3)
    memo.put("long text", 4)
    assert (memo.get("a"), memo.get("b"), memo.get("c"), memo.get("long text")) == (1, None, 3, None)


def test_long_texts_are_not_kept_and_the_least_recently_used_goes_first() -> None:
    cache, parse = ParsedCache(max_texts=2, max_text_chars=20), Counting()
    cache.documents("a: " + "x" * 30, parse)
    assert len(cache) == 0
    for text in ("a: 1", "b: 2", "a: 1", "c: 3"):  # "a: 1" used again: "b: 2" is the oldest
        cache.documents(text, parse)
    assert parse.calls == 4
    cache.documents("a: 1", parse)
    assert parse.calls == 4
    cache.documents("b: 2", parse)
    assert parse.calls == 5


def test_structures_too_deep_to_pickle_are_parsed_each_time() -> None:
    cache, calls = ParsedCache(), []

    def nested(text: str) -> list[Any]:  # deeper than the pickler goes
        calls.append(text)
        value: list[Any] = []
        for _ in range(100_000):
            value = [value]
        return [value]

    cache.documents("deep: 1", nested)
    cache.documents("deep: 1", nested)
    assert len(calls) == 2
    assert len(cache) == 0


# Files of issue 13's traps, each held by two repositories: the second detection reads what
# the first kept, and must find exactly the same.
TRAPS: dict[str, str | bytes] = {
    ".github/workflows/ci.yml": "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo checkov\n",
    ".github/workflows/scan.yml": "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: checkov -d .\n",
    ".github/workflows/utf16.yml": "on: push\njobs:\n  b:\n    runs-on: x\n    steps:\n      - run: tfsec .\n".encode("utf-16"),
    ".github/workflows/broken.yml": "on: [push\n",
    "deploy/rbac.yaml.j2": "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: {{ name }}\n",
    "catalog-info.yaml": "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: x}\nspec: {owner: t}\n",
    "charts/app/Chart.yaml": b"\x00\x01binary junk\x00",
}


def test_detection_finds_the_same_in_a_second_repository_with_the_same_files(scan) -> None:
    first = scan(TRAPS)
    second = scan(TRAPS)
    assert second == first
    assert first.signals["policy.ci_scanners"]["paths"] == [".github/workflows/scan.yml", ".github/workflows/utf16.yml"]
    assert first.signals["policy.ci_scanners"]["tools"] == ["checkov", "tfsec"]
    assert first.signals["ownership.rbac_manifests"]["templated"] == ["deploy/rbac.yaml.j2"]
    assert first.signals["portal.catalog"]["present"]
    assert not first.signals["iac.usage"]["present"]  # the junk Chart.yaml
    assert "ci.pipelines" in first.unknown  # broken.yml, in both repositories
    assert [line for line in second.problems if "broken.yml" in line] == [
        line for line in first.problems if "broken.yml" in line
    ] != []


WORKFLOW = """on: [push, workflow_call]
jobs:
  local:
    uses: ./.github/workflows/lint.yml
  shared:
    uses: acme/platform/.github/workflows/build.yml@v1
  release:
    runs-on: x
    environment: production
    steps:
      - uses: actions/checkout@v4
      - uses: acme/setup@v2
      - run: trivy image app && terraform apply -auto-approve
"""


def test_a_workflow_kept_from_one_repository_is_recorded_at_the_next_ones_path(scan) -> None:
    first = scan({".github/workflows/a.yml": WORKFLOW})
    second = scan({".github/workflows/b.yml": WORKFLOW})
    assert json.dumps(second.signals) == json.dumps(first.signals).replace("/a.yml", "/b.yml")
    assert second.signals["ci.pipelines"]["paths"] == [".github/workflows/b.yml"]
    assert second.signals["ci.pipelines"]["deploys"] and second.signals["ci.pipelines"]["applies_infrastructure"]
    assert second.signals["policy.ci_scanners"]["tools"] == ["trivy"]
    assert second.signals["ci.reusable_used"]["refs"] == ["acme/platform/.github/workflows/build.yml@v1"]
    assert second.signals["ci.reusable_provided"]["workflows"] == [".github/workflows/b.yml"]
    assert second.signals["references.origins"]["refs"] == [
        "github_action acme/setup@v2",
        "github_action actions/checkout@v4",
        "github_workflow acme/platform/.github/workflows/build.yml@v1",
    ]
