"""The detection contract: every kind, bad input as problems, ignored trees, reads kept to
what is needed."""

from __future__ import annotations

import json

from collectors.detect import UnreadableFile, detect
from collectors.detect.parse import MAX_YAML_ALIASES, iter_mappings
from scanner.kinds import FILE_SIGNAL_KINDS, MAX_PATHS

WORKFLOW = "on: push\njobs:\n  build:\n    runs-on: x\n    steps:\n      - run: make\n"
KYVERNO = "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\n"


def test_empty_repository_has_every_kind_absent(scan):
    detection = scan({})
    assert set(detection.signals) == set(FILE_SIGNAL_KINDS)
    assert not any(data.get("present") for data in detection.signals.values())
    assert detection.files_read == 0 and detection.problems == []


def test_only_the_workflow_is_read_among_many_irrelevant_files(scan):
    contents = {f"src/pkg/module_{i}.py": "print('x')\n" for i in range(100)}
    contents.update({f"docs/page_{i}.md": "# x\n" for i in range(20)})
    contents[".github/workflows/ci.yml"] = WORKFLOW
    detection = scan(contents)
    assert scan.reads == [".github/workflows/ci.yml"]
    assert detection.signals["ci.pipelines"]["present"]


def test_each_file_is_read_once_even_when_several_checks_need_it(scan):
    catalog = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  annotations:\n    backstage.io/techdocs-ref: dir:.\n"
    scan({"catalog-info.yaml": catalog, "templates/a.yml": "build:\n  script: make\n"})
    assert sorted(scan.reads) == ["catalog-info.yaml", "templates/a.yml"]


def test_paths_are_sorted_and_capped(scan):
    contents = {f"policies/p{i:03}.rego": "package p\n\ndeny if input.x\n" for i in range(MAX_PATHS + 15, 0, -1)}
    paths = scan(contents).signals["policy.as_code"]["paths"]
    assert len(paths) == MAX_PATHS and paths == sorted(contents)[:MAX_PATHS]


def test_input_order_does_not_change_the_result():
    contents = {
        "k8s/a.yaml": KYVERNO,
        ".github/workflows/ci.yml": WORKFLOW,
        "CODEOWNERS": "* @a\n",
        ".github/CODEOWNERS": "* @b\n",
        "main.tf": 'module "m" {\n  source = "acme/m/aws"\n}\n',
    }
    sizes = {path: len(text) for path, text in contents.items()}
    forward = detect(list(contents), lambda path: contents[path].encode(), sizes=sizes)
    backward = detect(list(reversed(contents)), lambda path: contents[path].encode(), sizes=sizes)
    assert forward.signals == backward.signals and forward.problems == backward.problems


def test_vendored_and_nested_trees_are_ignored(scan):
    detection = scan(
        {
            "node_modules/pkg/.github/workflows/ci.yml": WORKFLOW,
            "vendor/github.com/x/policy.rego": "package x\n",
            "third_party/chart/Chart.yaml": "name: x\n",
            ".terraform/modules/vpc/main.tf": "",
            "services/api/.github/workflows/ci.yml": WORKFLOW,
            "services/api/.github/CODEOWNERS": "* @x\n",
            ".git/config": "x",
        }
    )
    assert not any(data.get("present") for data in detection.signals.values())
    assert detection.files_read == 0


def test_oversized_file_is_a_problem_and_never_read(scan):
    detection = scan(
        {"k8s/huge.yaml": KYVERNO, ".github/workflows/ci.yml": WORKFLOW},
        sizes={"k8s/huge.yaml": 5 * 1024 * 1024},
    )
    assert "k8s/huge.yaml" not in scan.reads
    assert detection.problems == ["k8s/huge.yaml: larger than 1 MiB (5 MiB), not read — signals in it are not detected"]
    assert detection.signals["ci.pipelines"]["present"]


def test_file_larger_than_its_listed_size_is_refused_after_reading(scan):
    detection = scan({"k8s/grew.yaml": KYVERNO + "#" * 200}, max_file_bytes=100, sizes={"k8s/grew.yaml": 50})
    assert not detection.signals["policy.as_code"]["present"]
    assert detection.problems[0].startswith("k8s/grew.yaml: larger than 100 bytes")


def test_binary_content_is_a_problem(scan):
    detection = scan(
        {"k8s/policy.yaml": b"apiVersion: kyverno.io/v1\nkind: ClusterPolicy\n\x00\x01", "k8s/ok.yaml": KYVERNO}
    )
    assert detection.problems == [
        "k8s/policy.yaml: binary content (NUL bytes), not read — signals in it are not detected"
    ]
    assert detection.signals["policy.as_code"]["paths"] == ["k8s/ok.yaml"]


def test_unreadable_file_is_a_problem_with_the_reason(scan):
    detection = scan(
        {".github/workflows/ci.yml": WORKFLOW, "k8s/p.yaml": KYVERNO},
        unreadable={"k8s/p.yaml": "permission denied"},
    )
    assert detection.problems == ["k8s/p.yaml: not read (permission denied) — signals in it are not detected"]
    assert detection.signals["ci.pipelines"]["present"]


def test_invalid_utf8_is_decoded_with_replacement(scan):
    detection = scan({"k8s/p.yaml": b"# caf\xe9\napiVersion: kyverno.io/v1\nkind: ClusterPolicy\n"})
    assert detection.signals["policy.as_code"]["tools"] == ["kyverno"] and detection.problems == []


def test_malformed_yaml_is_one_problem_and_other_signals_survive(scan):
    detection = scan(
        {
            "deploy/app.yaml": "stages:\n  - stage: a\n    jobs: [\n  - job: b\n",
            "k8s/p.yaml": KYVERNO,
            ".github/workflows/ci.yml": WORKFLOW,
        }
    )
    assert len(detection.problems) == 1
    assert detection.problems[0].startswith("deploy/app.yaml: malformed YAML (line ")
    assert detection.problems[0].endswith("— fix or ignore the file")
    assert detection.signals["policy.as_code"]["present"] and detection.signals["ci.pipelines"]["present"]


def _laughs(levels: int, width: int) -> str:
    """Each level a list of `width` aliases to the one before: width**levels strings."""
    lines = ["l0: &l0 [" + ",".join(['"lol"'] * width) + "]"]
    lines += [f"l{n}: &l{n} [" + ",".join([f"*l{n - 1}"] * width) + "]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_yaml_alias_bomb_in_a_workflow_is_refused(scan):
    bomb = "on: push\njobs: {}\n" + _laughs(12, 10)
    assert bomb.count("*") > MAX_YAML_ALIASES
    detection = scan({".github/workflows/bomb.yml": bomb, "k8s/p.yaml": KYVERNO})
    assert len(detection.problems) == 1 and "alias bomb" in detection.problems[0]
    assert detection.problems[0].startswith(".github/workflows/bomb.yml: ")
    assert detection.signals["policy.as_code"]["present"]
    assert not detection.signals["ci.pipelines"]["present"]


def test_alias_bomb_with_few_aliases_is_refused_by_its_expanded_size(scan):
    bomb = "on: push\njobs: {}\n" + _laughs(8, 9)  # 63 aliases, 9**8 nodes once expanded
    assert bomb.count("*") < MAX_YAML_ALIASES
    detection = scan({".github/workflows/bomb.yml": bomb})
    assert len(detection.problems) == 1 and "alias bomb" in detection.problems[0]


def test_alias_bomb_in_a_manifest_is_refused(scan):
    manifest = _laughs(12, 10) + "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\n"
    detection = scan({"manifests/laughs.yaml": manifest})
    assert len(detection.problems) == 1 and detection.problems[0].startswith("manifests/laughs.yaml: ")
    assert not detection.signals["policy.as_code"]["present"]


def test_a_few_aliases_are_fine(scan):
    workflow = "on: push\ndefaults: &d {run: {shell: bash}}\njobs:\n  deploy:\n    defaults: *d\n    runs-on: x\n    steps: [{run: '*.sh'}]\n"
    detection = scan({".github/workflows/ci.yml": workflow})
    assert detection.problems == [] and detection.signals["ci.pipelines"]["deploys"]


def test_yaml_values_python_cannot_build_are_a_problem(scan):
    detection = scan({".github/workflows/ci.yml": "on: push\ncreated: 2024-13-45\njobs: {}\n"})
    assert len(detection.problems) == 1 and detection.problems[0].startswith(".github/workflows/ci.yml: malformed YAML")


def test_deeply_nested_yaml_is_a_problem_not_a_crash(scan):
    detection = scan({".github/workflows/ci.yml": "on: push\njobs: " + "[" * 5000 + "]" * 5000 + "\n"})
    assert len(detection.problems) == 1 and "malformed YAML" in detection.problems[0]


def test_malformed_json_candidate_is_a_problem(scan):
    detection = scan({"dashboards/api.json": '{"title": "x", "panels": [,]}', "ok.json": json.dumps({"a": 1})})
    assert len(detection.problems) == 1
    assert detection.problems[0].startswith("dashboards/api.json: malformed JSON (line 1):")


def test_read_callable_raising_os_error_is_a_problem():
    def read(path: str) -> bytes:
        raise FileNotFoundError(2, "No such file or directory")

    detection = detect([".github/workflows/ci.yml"], read, sizes={".github/workflows/ci.yml": 10})
    assert detection.files_read == 1 and len(detection.problems) == 1
    assert not detection.signals["ci.pipelines"]["present"]


def test_unreadable_file_exception_carries_its_reason():
    assert str(UnreadableFile("larger than 1 MiB")) == "larger than 1 MiB"


def test_structure_walk_visits_shared_mappings_once():
    # Nine levels of ten references each: 10**9 paths through 10 distinct mappings.
    level: dict[str, object] = {"leaf": True}
    for _ in range(9):
        level = {f"k{i}": level for i in range(10)}
    assert len(list(iter_mappings(level))) == 10


def test_azure_pipeline_sharing_anchors_is_walked(scan):
    anchors = "variables:\n  shared: &s {script: kubectl set image deploy/web web=web:2}\n"
    pipeline = anchors + "trigger: [main]\njobs:\n  - job: a\n    steps: [{script: make}, *s, *s]\n"
    ci = scan({"ci/pipeline.yml": pipeline}).signals["ci.pipelines"]
    assert ci["systems"] == ["azure_pipelines"] and ci["deploys"]
