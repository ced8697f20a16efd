import threading

from collectors.per_thread import PerThread


def test_each_thread_gets_its_own_and_close_closes_every_one() -> None:
    closed: list[object] = []
    pool: PerThread[object] = PerThread(object, closed.append)
    mine = pool.get()
    theirs: list[object] = []
    worker = threading.Thread(target=lambda: theirs.extend([pool.get(), pool.get()]))
    worker.start()
    worker.join()

    assert pool.get() is mine and theirs[0] is theirs[1] and theirs[0] is not mine
    pool.close()
    assert sorted(map(id, closed)) == sorted(map(id, [mine, theirs[0]]))
    pool.close()
    assert len(closed) == 2  # closed once
