import gc

import pytest

from scanner.commands.heap import collector_paused, frozen_heap


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


def test_young_and_full_collections_are_rarer_while_frozen_and_as_before_afterwards() -> None:
    before = gc.get_threshold()
    with frozen_heap():
        young, middle, full = gc.get_threshold()
        assert young == max(before[0], 10_000) and middle == before[1] and full == before[2] * 10
        with frozen_heap():
            assert gc.get_threshold() == (young, middle, full)  # not raised twice
        assert gc.get_threshold() == (young, middle, full)
    assert gc.get_threshold() == before
    with pytest.raises(RuntimeError), frozen_heap():
        raise RuntimeError("boom")
    assert gc.get_threshold() == before


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


def test_the_collector_is_paused_while_loading_and_as_it_was_afterwards() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()
