"""Shards: parsed from I/N, and every subject in exactly one shard, the same one every run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scanner.errors import UserError
from scanner.shard import Shard, shard_of

ROOT = Path(__file__).resolve().parents[3]
IDS = [f"github:acme/service-{number}" for number in range(300)] + [f"local:repo-{number}" for number in range(300)]


def test_parse_is_one_based_on_the_command_line() -> None:
    assert Shard.parse("2/4") == Shard(1, 4)
    assert Shard.parse(" 1 / 1 ") == Shard(0, 1)
    assert str(Shard.parse("3/5")) == "3/5"


@pytest.mark.parametrize("text", ["", "2", "2/", "/4", "a/b", "0/4", "5/4", "1/0", "-1/4", "2/4/8", "1.5/4"])
def test_bad_shards_are_one_line_user_errors(text: str) -> None:
    with pytest.raises(UserError) as raised:
        Shard.parse(text)
    assert "\n" not in raised.value.one_line()
    assert "I/N" in raised.value.one_line()


@pytest.mark.parametrize("count", [1, 2, 3, 5, 16])
def test_every_subject_lands_in_exactly_one_shard(count: int) -> None:
    shards = [Shard(index, count) for index in range(count)]
    for subject_id in IDS:
        assert sum(shard.includes(subject_id) for shard in shards) == 1


def test_shards_share_the_work() -> None:
    sizes = [sum(Shard(index, 4).includes(subject_id) for subject_id in IDS) for index in range(4)]
    assert min(sizes) > len(IDS) / 8, sizes


def test_a_subject_keeps_its_shard_when_others_come_and_go() -> None:
    before = {subject_id: shard_of(subject_id, 5) for subject_id in IDS}
    after = {subject_id: shard_of(subject_id, 5) for subject_id in IDS[::3]}
    assert all(before[subject_id] == shard for subject_id, shard in after.items())


def test_the_shard_is_the_same_in_another_python_process() -> None:
    # str hashes are salted per process; a shard must not depend on that.
    code = "from scanner.shard import shard_of; print([shard_of(f'local:repo-{n}', 7) for n in range(50)])"
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={"PYTHONHASHSEED": "12345"}, cwd=ROOT
    )
    assert other.stdout.strip() == str([shard_of(f"local:repo-{n}", 7) for n in range(50)])
