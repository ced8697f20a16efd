"""Items worked on in order by the scanning process and forked workers together.

Every process that works claims the next items from one pipe written before the workers are
forked, so a slow item (a large repository) holds up only the process that claimed it, and
the scanning process works too whenever the next result it must hand back is not in yet:
with one worker per CPU beside it, three processes shared two cores, and each worker forked
costs its start, the pages it copies from the scanning process and the pickling of its
results. A worker sends each result as it is done; the scanning process keeps those that
arrive early until their turn.

A worker ends with the scanning process however that ends: stopped or abandoned, the
iteration ends its workers before returning; killed (SIGKILL included), its workers notice
within `PARENT_POLL_SECONDS`, or at their next result (the pipe has no reader left).
"""

from __future__ import annotations

import multiprocessing
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Generator
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

T = TypeVar("T")

# macOS system libraries are not fork-safe (Python itself defaults to spawn there), and
# spawned workers would re-import everything: slower than working in the scanning process.
FORK = (
    multiprocessing.get_context("fork")
    if "fork" in multiprocessing.get_all_start_methods() and sys.platform != "darwin"
    else None
)
# How long a worker may outlive a killed scanning process; the check costs nothing measurable.
PARENT_POLL_SECONDS = 0.2
_CLAIM_BYTES = 4  # one claim: the first item of a run of items, little-endian
# Every claim is written before any process reads one, so all of them must fit in the pipe's
# buffer at once: 16 KiB is the smallest buffer of the systems workers are forked on.
_MAX_CLAIMS = 4096


class WorkerStopped(Exception):
    """A worker ended before sending what it had claimed (killed, or out of memory)."""


def in_order(count: int, work: Callable[[int], T], processes: int) -> Generator[T, None, None]:
    """`work(0)`, ..., `work(count - 1)`, in order, computed by up to `processes` processes
    (the scanning process one of them). Abandoning the iteration stops the workers; a
    worker's exception is raised here, and a worker that ends abruptly is `WorkerStopped`."""
    workers = min(processes, count) - 1
    if workers < 1 or FORK is None:
        for index in range(count):
            yield work(index)
        return
    run = -(-count // _MAX_CLAIMS)  # items per claim: 1 up to 4,096 items
    claims = _claims_pipe(range(0, count, run))
    readers: list[Connection] = []
    started: list[BaseProcess] = []
    try:
        for _ in range(workers):
            reader, writer = FORK.Pipe(duplex=False)
            process = FORK.Process(
                target=_worker,
                args=(work, claims, run, count, writer, [*readers, reader], os.getpid()),
                name="pecm-worker",
                daemon=True,
            )
            process.start()
            writer.close()  # only the worker writes: its end makes EOF here when it ends
            readers.append(reader)
            started.append(process)
        done: dict[int, Any] = {}
        live = {reader.fileno(): reader for reader in readers}
        sent = select.poll()  # one poll set for the whole iteration: a selector per check cost more
        for descriptor in live:
            sent.register(descriptor, select.POLLIN)
        for index in range(count):
            while index not in done:
                for descriptor, _event in sent.poll(0):  # what the workers have sent so far
                    _receive(descriptor, live, sent, done)
                if index in done:
                    break
                start = _claim(claims)
                if start is not None:
                    for item in range(start, min(start + run, count)):
                        done[item] = (work(item), None)
                    continue
                if not live:  # every claim taken and every worker finished: cannot happen
                    raise RuntimeError(f"item {index} was claimed by no process")
                for descriptor, _event in sent.poll():  # all claimed: wait for the workers
                    _receive(descriptor, live, sent, done)
            result, failure = done.pop(index)
            if failure is not None:
                raise failure
            yield result
    finally:
        for worker in started:
            if worker.exitcode is None:
                worker.terminate()
        for worker in started:
            worker.join()
        for reader in readers:
            reader.close()
        os.close(claims)


def _claims_pipe(starts: range) -> int:
    """The read end of a pipe holding every claim, its write end closed: read empty, it ends."""
    read_end, write_end = os.pipe()
    try:
        data = memoryview(b"".join(start.to_bytes(_CLAIM_BYTES, "little") for start in starts))
        while data:
            data = data[os.write(write_end, data) :]
    except BaseException:
        os.close(read_end)
        raise
    finally:
        os.close(write_end)
    return read_end


def _claim(claims: int) -> int | None:
    """The first item of the next unclaimed run, or None when all are claimed."""
    data = os.read(claims, _CLAIM_BYTES)
    while data and len(data) < _CLAIM_BYTES:  # never seen: claims are written and read whole
        more = os.read(claims, _CLAIM_BYTES - len(data))
        if not more:
            break
        data += more
    return int.from_bytes(data, "little") if len(data) == _CLAIM_BYTES else None


def _receive(descriptor: int, live: dict[int, Connection], sent: select.poll, done: dict[int, Any]) -> None:
    try:
        message = live[descriptor].recv()
    except EOFError:
        raise WorkerStopped from None
    if message is None:  # the worker found no claim left and ends
        sent.unregister(descriptor)
        del live[descriptor]
    else:
        index, result, failure = message
        done[index] = (result, failure)


def _worker(
    work: Callable[[int], Any],
    claims: int,
    run: int,
    count: int,
    results: Connection,
    inherited: list[Connection],
    parent: int,
) -> None:
    # Ctrl-C reaches the whole process group: the scanning process stops the workers, and
    # they must not each print a traceback on the way.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The scanning process may handle SIGTERM by unwinding (the CLI does); a worker just ends.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for reader in inherited:  # held here, a read end would keep a dead parent's pipes open
        reader.close()
    threading.Thread(target=_exit_with_parent, args=(parent,), name="pecm-parent-watch", daemon=True).start()
    try:
        while (start := _claim(claims)) is not None:
            for index in range(start, min(start + run, count)):
                message: tuple[int, Any, Exception | None]
                try:
                    message = (index, work(index), None)
                except Exception as exc:
                    message = (index, None, exc)
                results.send(message)
        results.send(None)
    except OSError:  # the scanning process is gone (or stopped reading): nothing to report to
        os._exit(1)


def _exit_with_parent(parent: int) -> None:
    """End this worker once the scanning process is gone, however it ended (SIGKILL included),
    even in the middle of a long item.

    Polling the parent, rather than Linux's PR_SET_PDEATHSIG, works on every platform workers
    are forked on, and does not depend on the thread that forked: PR_SET_PDEATHSIG fires when
    that thread ends, not the process.
    """
    while os.getppid() == parent:  # the orphan's new parent is the reaper: never the same id
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)
