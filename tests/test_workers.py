"""fork_map: pieces in forked workers, results in order, errors raised in the caller; the
garbage collector kept off what the workers are forked with."""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterator

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from consistency import check
from consistency.workers import (
    PARALLEL_MIN,
    Background,
    Feed,
    fork_map,
    frozen,
    how_many,
    one_blas_thread,
)

from .conftest import SEEDS


def test_results_come_back_in_order_from_other_processes() -> None:
    data = list(range(100))  # read by the workers as forked, never pickled
    finished: list[int] = []
    out = fork_map(
        lambda k: (sum(data[: k + 1]), os.getpid()),
        20,
        2,
        weights=[k % 7 for k in range(20)],
        done=finished.append,
    )
    assert [total for total, _ in out] == [sum(range(k + 1)) for k in range(20)]
    assert os.getpid() not in {pid for _, pid in out}
    assert sorted(finished) == list(range(20))


def test_one_worker_runs_here() -> None:
    assert fork_map(lambda k: (k, os.getpid()), 3, 1) == [(k, os.getpid()) for k in range(3)]
    assert fork_map(lambda k: k, 0, 2) == []


def test_a_failing_piece_raises_in_the_caller() -> None:
    def piece(k: int) -> int:
        if k == 3:
            raise ValueError("piece 3")
        return k

    with pytest.raises(ValueError, match="piece 3"):
        fork_map(piece, 5, 2)


def test_small_inputs_stay_in_one_process() -> None:
    assert how_many(None, PARALLEL_MIN - 1) == 1
    assert how_many(None, PARALLEL_MIN) >= 1
    assert how_many(3, 10) == 3


def test_a_background_task_runs_elsewhere_and_sends_its_result() -> None:
    data = {"lines": ["a", "b", "c"]}  # read as forked
    task = Background(lambda: (len(data["lines"]), os.getpid()))
    count, pid = task.result()
    assert count == 3 and pid != os.getpid()
    task.cancel()  # after the result: nothing left to stop


def test_a_background_task_is_ready_once_it_has_finished() -> None:
    import time

    task = Background(lambda: time.sleep(0.5) or 7)
    assert not task.ready()  # still sleeping
    deadline = time.perf_counter() + 30
    while not task.ready() and time.perf_counter() < deadline:
        time.sleep(0.02)
    assert task.ready() and task.result() == 7


def test_a_background_failure_raises_when_its_result_is_asked() -> None:
    def fail() -> None:
        raise ValueError("no such date")

    task = Background(fail)
    with pytest.raises(ValueError, match="no such date"):
        task.result()


def test_a_background_task_can_be_stopped() -> None:
    import time

    task = Background(lambda: time.sleep(60))
    started = time.perf_counter()
    task.cancel()
    assert time.perf_counter() - started < 10
    with pytest.raises(OSError):  # its process is gone
        os.kill(task.pid, 0)


def test_workers_are_forked_from_a_frozen_heap_that_is_thawed_after() -> None:
    assert gc.get_freeze_count() == 0
    frozen_in_children = fork_map(lambda k: gc.get_freeze_count(), 4, 2)
    assert min(frozen_in_children) > 0  # their collections skip what they were forked with
    assert Background(gc.get_freeze_count).result() > 0
    assert gc.get_freeze_count() == 0  # and this process's collector has it all back


def collected(objects: list[list[int]]) -> set[int]:
    """Which of ``objects`` the collector still looks at (a frozen one it does not)."""
    return {id(o) for o in gc.get_objects()} & {id(o) for o in objects}


def test_frozen_blocks_nest_and_the_outermost_thaws() -> None:
    assert gc.isenabled()
    with frozen():
        assert not gc.isenabled()  # no collection in the run
        kept = [[k] for k in range(1000)]  # made inside: tracked until frozen again
        assert len(collected(kept)) == len(kept)
        with frozen():
            assert not collected(kept)
        # The inner block thaws nothing. (The freeze count is no measure of this: a frozen
        # object that dies, such as the inner block's own generator, leaves it.)
        assert not collected(kept)
        assert not gc.isenabled()
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    assert len(collected(kept)) == len(kept)


def test_a_collector_the_caller_disabled_stays_disabled() -> None:
    gc.disable()
    try:
        with frozen():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_cycles_made_in_a_run_are_collected_after_it() -> None:
    import weakref

    class Node:
        pass

    with frozen():
        node = Node()
        node.me = node  # type: ignore[attr-defined]
        gone = weakref.ref(node)
        del node
        assert gone() is not None  # left for the end of the run
    gc.collect()
    assert gone() is None


def test_a_freeze_of_the_callers_own_is_left_alone(seed_texts: dict[str, str]) -> None:
    before = [[k] for k in range(100)]
    gc.freeze()
    try:
        mine = gc.get_freeze_count()
        with frozen():
            inside = [[k] for k in range(100)]
            assert not collected(before)  # not undone
        assert len(collected(inside)) == len(inside)  # not added to
        check([SEEDS])
        assert not collected(before)
        # Nor undone, nor added to (a frozen object freed in the run leaves the count).
        assert 0 < gc.get_freeze_count() <= mine
    finally:
        gc.unfreeze()


def test_a_check_leaves_the_collector_as_it_found_it(seed_report) -> None:
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    check([SEEDS], workers=2)
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def blas_threads() -> list[int]:
    """The thread count of each BLAS library loaded in this process."""
    return [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]


def test_one_blas_thread_for_the_block_only() -> None:
    a = np.ones((64, 64))
    with threadpool_limits(2, user_api="blas"):  # as on this machine's two cores
        assert blas_threads() and set(blas_threads()) == {2}
        with one_blas_thread(True):
            assert set(blas_threads()) == {1}
            assert (a @ a == 64).all()
        assert set(blas_threads()) == {2}
        with one_blas_thread(False):
            assert set(blas_threads()) == {2}


def stamped(items: Iterator[int]) -> list[tuple[int, float, int]]:
    """Each item with the time it was taken (2 ms apart) and the process that took it."""
    out = []
    for item in items:
        time.sleep(0.002)
        out.append((item, time.monotonic(), os.getpid()))
    return out


def test_a_feed_reads_every_item_in_order_in_another_process() -> None:
    feed = Feed(stamped, batch=4)
    offered = [[k, k + 1000][: 1 + k % 2] for k in range(100)]  # one item or two at a time
    for items in offered:
        feed.offer(items)
    got = feed.result()
    assert [item for item, _, _ in got] == [x for items in offered for x in items]
    assert {pid for _, _, pid in got} != {os.getpid()}
    feed.cancel()  # after the result: nothing left to stop


def test_a_feed_waits_for_what_it_is_held_back() -> None:
    # The child works while items are offered, then stops after the batch it holds: items
    # offered and held are read only once the feed is closed.
    feed = Feed(stamped, batch=4)
    for k in range(300):
        feed.offer([k])
        time.sleep(0.0005)
    assert feed.held  # 2 ms an item against 0.5 ms an offer: most wait for the child to ask
    stopped = time.monotonic()
    time.sleep(0.5)
    closed = time.monotonic()
    feed.close()
    got = feed.result()
    assert [item for item, _, _ in got] == list(range(300))
    taken = [at for _, at, _ in got]
    assert any(at < stopped for at in taken) and any(at > closed for at in taken)
    # Idle after its last batch of 4 (8 ms), not reading ahead what was held.
    assert not [at for at in taken if stopped + 0.1 < at < closed]


def test_a_feed_failure_raises_when_its_result_is_asked() -> None:
    def fail(items: Iterator[str]) -> None:
        for item in items:
            raise ValueError(f"no such date: {item}")

    feed: Feed[str, None] = Feed(fail)
    feed.offer(["2024-02-30"])
    time.sleep(0.2)
    feed.offer(["later"] * 1000)  # the child is gone: held or refused, never an error here
    with pytest.raises(ValueError, match="no such date: 2024-02-30"):
        feed.result()


def test_a_feed_can_be_stopped() -> None:
    feed = Feed(stamped)
    feed.offer(range(100_000))
    feed.close()
    started = time.perf_counter()
    feed.cancel()
    assert time.perf_counter() - started < 10
    with pytest.raises(OSError):  # its process is gone
        os.kill(feed.pid, 0)
