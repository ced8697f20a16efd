"""A saved bundle is read in parts when pecm wrote it, whole otherwise, with the same result
and the same one-line errors; its records share what they say alike."""

from __future__ import annotations

import gc
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from scanner.bundle_file import load_bundle
from scanner.errors import UserError
from scanner.model import Evidence, EvidenceBundle, EvidenceStatus, Problem, SourceRun, Subject

NOW = datetime(2026, 11, 1, tzinfo=timezone.utc)


def _bundle(repositories: int = 12) -> EvidenceBundle:
    subjects = tuple(
        Subject(id=f"local:svc-{index}", kind="repository", name=f"svc-{index}", source="local") for index in range(repositories)
    )
    evidence = tuple(
        Evidence(
            kind=kind, subject=subject.id, status=EvidenceStatus.OBSERVED, collector="local", collector_version="1",
            observed_at=NOW,
            # nested objects and lists at every depth, braces and brackets inside strings
            data={"present": index % 3 == 0, "paths": [f"a/{{b}}/[c]-{index}.yaml"] if index % 3 == 0 else [],
                  "nested": {"deeper": [{"x": "    },"}]}},
            locators=(f"{subject.id}/file",),
        )
        for index, subject in enumerate(subjects)
        for kind in ("iac.usage", "ci.pipelines", "docs.site")
    )
    run = SourceRun(collector="local", version="1", provides=("ci.pipelines", "docs.site", "iac.usage"), status="ok",
                    started_at=NOW, finished_at=NOW, subjects=len(subjects), evidence=len(evidence))
    return EvidenceBundle(pecm_version="test", created_at=NOW, sources=(run,), subjects=subjects, evidence=evidence,
                          problems=(Problem(source="local", message="one"), Problem(source="local", message="two")))


def _as_pecm_writes(bundle: EvidenceBundle, path: Path) -> Path:
    path.write_text(bundle.model_dump_json(indent=2) + "\n", encoding="utf-8")  # as --evidence-out
    return path


@pytest.mark.parametrize("block", [1, 7, 64, 200, 1000, 2**20])
def test_a_bundle_pecm_wrote_loads_as_a_whole_parse_would_at_any_block_size(tmp_path: Path, block: int) -> None:
    written = _bundle()
    path = _as_pecm_writes(written, tmp_path / "bundle.json")
    loaded = load_bundle(path, block=block)
    assert loaded == written == EvidenceBundle.model_validate_json(path.read_bytes())
    assert loaded.model_dump_json(indent=2) + "\n" == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "layout",
    [
        lambda bundle: bundle.model_dump_json(),  # minified
        lambda bundle: json.dumps(json.loads(bundle.model_dump_json()), indent=4),
        lambda bundle: bundle.model_dump_json(indent=2).replace("\n", "\r\n"),
    ],
)
def test_any_other_layout_loads_whole_with_the_same_result(tmp_path: Path, layout: object) -> None:
    written = _bundle()
    path = tmp_path / "bundle.json"
    path.write_text(layout(written), encoding="utf-8")  # type: ignore[operator]
    assert load_bundle(path, block=50) == written


def test_an_empty_evidence_list_and_a_repeated_key_are_read_as_the_whole_parser_reads_them(tmp_path: Path) -> None:
    empty = _bundle(0)
    assert load_bundle(_as_pecm_writes(empty, tmp_path / "empty.json")) == empty
    written = _bundle(2)
    text = written.model_dump_json(indent=2)
    repeated = text[: text.rindex("}")] + ',\n  "evidence": []\n}\n'  # a second key after the records
    path = tmp_path / "repeated.json"
    path.write_text(repeated, encoding="utf-8")
    assert load_bundle(path, block=64) == EvidenceBundle.model_validate_json(repeated)


def test_errors_are_told_as_for_a_whole_read(tmp_path: Path) -> None:
    text = _bundle(4).model_dump_json(indent=2)
    broken = tmp_path / "broken.json"
    statuses = text.split('"status": "observed"')  # the eighth record's, in a part of its own below
    broken.write_text('"status": "observed"'.join(statuses[:8]) + '"status": "seen"' + '"status": "observed"'.join(
        statuses[8:]), encoding="utf-8")
    with pytest.raises(UserError, match=r"broken.json: not an evidence bundle: evidence\.7\.status: ") as raised:
        load_bundle(broken, block=64)
    assert "\n" not in raised.value.message
    truncated = tmp_path / "truncated.json"
    truncated.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(UserError, match=r"truncated.json: not valid JSON"):
        load_bundle(truncated, block=64)
    with pytest.raises(UserError, match=r"larger than 1 KiB"):
        load_bundle(_as_pecm_writes(_bundle(4), tmp_path / "large.json"), limit=1024, block=64)
    with pytest.raises(UserError, match=r"not a regular file but a folder"):
        load_bundle(tmp_path, block=64)


def test_records_share_what_they_say_alike_and_a_copy_changes_only_itself(tmp_path: Path) -> None:
    loaded = load_bundle(_as_pecm_writes(_bundle(), tmp_path / "bundle.json"), block=200)
    same = [record for record in loaded.evidence if record.kind == "iac.usage" and not record.data["present"]]
    assert same[0].data is same[1].data
    assert len({id(record.model_fields_set) for record in loaded.evidence}) == 1
    changed = same[0].model_copy(update={"reason": "changed"})
    assert changed.model_fields_set is not same[1].model_fields_set  # the copy has a set of its own
    assert same[1].reason is None


def test_loading_leaves_the_cycle_collector_as_it_was(tmp_path: Path) -> None:
    path = _as_pecm_writes(_bundle(), tmp_path / "bundle.json")
    freezes = gc.get_freeze_count()
    assert gc.isenabled()
    load_bundle(path, block=64)
    assert gc.isenabled() and gc.get_freeze_count() == freezes
