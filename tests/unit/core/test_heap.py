import gc

import pytest

from scanner.heap import frozen_heap, keep_what_exists


def test_frozen_heap_freezes_until_the_outermost_exit() -> None:
    assert gc.get_freeze_count() == 0
    with frozen_heap():
        outer = gc.get_freeze_count()
        assert outer > 0
        made_since = [[] for _ in range(100)]  # containers made since the outer freeze
        with frozen_heap():
            assert gc.get_freeze_count() >= outer + len(made_since)
        assert gc.get_freeze_count() > 0  # the inner exit left the outer freeze alone
    assert gc.get_freeze_count() == 0


def test_frozen_heap_unfreezes_when_the_work_raises() -> None:
    @frozen_heap()
    def fails() -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        fails()
    assert gc.get_freeze_count() == 0


def test_cycles_made_during_the_work_are_collected_afterwards() -> None:
    with frozen_heap():
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
    assert gc.collect() >= 1


def test_keep_what_exists_freezes_only_inside_a_frozen_heap() -> None:
    keep_what_exists()
    assert gc.get_freeze_count() == 0  # outside: nothing is frozen for good
    with frozen_heap():
        before = gc.get_freeze_count()
        made = [[] for _ in range(100)]
        keep_what_exists()
        assert gc.get_freeze_count() >= before + len(made)
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
        keep_what_exists()
    assert gc.get_freeze_count() == 0
    assert gc.collect() >= 1  # what was kept is collectable again once the work is done
