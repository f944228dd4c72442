"""The independent pieces of a stage (stories, distinct lines) over forked worker processes.

After the embedding a run has every core to itself, and its later stages split into
pieces that share nothing. fork_map runs such pieces (each story's claims) in a pool
forked from the caller; Background runs one task (a large report's sentences.csv) in a
process forked beside it, and Feed one task whose input the caller sends as it finds it
(the values of the lines it is still splitting). The workers read the caller's data as
it stands, with no copy through a pipe; only piece numbers (or a Feed's items) go out and
results come back.
Off Linux the work runs in the caller, with the same results: Windows has no fork, and
on macOS a forked process may crash in the system's libraries (Python itself stopped
forking there by default). frozen() keeps the garbage collector off a run's long-lived
objects, in the run and in the workers it forks.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import select
import signal
import struct
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager, suppress
from typing import BinaryIO, Final, Generic, NoReturn, TypeVar

__all__ = [
    "PARALLEL_MIN",
    "Background",
    "Feed",
    "fork_map",
    "frozen",
    "how_many",
    "one_blas_thread",
    "spare_core",
]

T = TypeVar("T")
R = TypeVar("R")

# Below this many sentences the stories' claims are found in one process: a pool of two
# costs 30-40 ms to fork and gather (a 400 MB process here) against the 0.2 s those take
# at 1,000 sentences, a gain within the noise of a run; not measured as a threshold.
# The same size decides when a run's values are read (pipeline.read_story) and whether a
# report's sentences.csv is written beside the other tables (report.Report.to_csv).
PARALLEL_MIN: Final = 5_000

_task: Callable[[int], object] | None = None  # the piece function a forked worker calls
_frozen = 0  # frozen() blocks open in this process


@contextmanager
def frozen() -> Iterator[None]:
    """No cyclic garbage collection until the block ends: what is alive frozen, the collector off.

    A run's long-lived objects (the modules, the articles, their sentences) are otherwise
    traversed by each full pass of the collector, in this process and in every process it
    forks, where a pass also writes to each object and so copies the pages it shared with
    its parent; Python's documentation prescribes gc.freeze() before fork() for this. At
    10,000 sentences a cached run takes 0.3-0.6 s less for it, and at 100,000 about 2 s.
    The collector is also disabled for the block (and in the processes forked in it): the
    1,380 passes of a 100k run found nothing to collect and took 0.35 s, while its peak
    memory is the same without them. Cycles made in the run are collected after it.
    Blocks nest, and the outermost gives the objects back to the collector, and enables
    it if it was, as it ends. A process that froze objects itself is left alone: its
    freeze is neither added to nor undone.
    """
    global _frozen
    if _frozen == 0 and gc.get_freeze_count():
        yield
        return
    gc.freeze()
    _frozen += 1
    enabled = gc.isenabled()
    if _frozen == 1:
        gc.disable()
    try:
        yield
    finally:
        _frozen -= 1
        if _frozen == 0:
            gc.unfreeze()
            if enabled:
                gc.enable()


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def how_many(workers: int | None, sentences: int) -> int:
    """Processes for an input of ``sentences``: ``workers``, or one per core from PARALLEL_MIN."""
    if workers is not None:
        return workers
    return cores() if sentences >= PARALLEL_MIN else 1


def spare_core(workers: int | None) -> bool:
    """Whether to run a piece of work in a process beside this one (Background).

    When ``workers`` > 1, or by default whenever there is a second core: a fork costs
    milliseconds, so it pays at any size, unlike a pool (PARALLEL_MIN).
    """
    return workers > 1 if workers is not None else cores() > 1


def _limit(threads: int) -> None:
    """Worker initializer: BLAS gets the worker's share of the cores, not all of them."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(threads)


@contextmanager
def one_blas_thread(when: bool) -> Iterator[None]:
    """BLAS on one thread in this process for the block, ``when`` another process holds a core.

    OpenBLAS's threads spin as they wait for work, so beside a Background child the second
    one only takes time from it: the story grouping of the 100k level took 2.4-2.5 s on
    two threads beside the values' process, 1.4-2.2 s on one.
    """
    if not when:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


def _run(k: int) -> object:
    assert _task is not None, "set by fork_map before the pool forks"
    return _task(k)


def fork_map(
    task: Callable[[int], T],
    count: int,
    workers: int,
    weights: Sequence[float] | None = None,
    done: Callable[[int], None] | None = None,
) -> list[T]:
    """[task(0), ..., task(count - 1)], over ``workers`` forked processes.

    ``task`` may close over anything (it is never pickled); its results must pickle.
    ``weights`` (a piece's expected cost) sends the heaviest pieces out first, so that
    none starts last; ``done(k)`` is called in this process as each piece finishes.
    """
    global _task
    workers = min(workers, count)
    if workers < 2 or not sys.platform.startswith("linux"):
        out = []
        for k in range(count):
            out.append(task(k))
            if done:
                done(k)
        return out
    order = sorted(range(count), key=lambda k: -weights[k]) if weights else range(count)
    _task = task
    try:
        context = multiprocessing.get_context("fork")
        threads = max(1, cores() // workers)
        with frozen(), ProcessPoolExecutor(workers, context, _limit, (threads,)) as pool:
            futures = {pool.submit(_run, k): k for k in order}
            results: dict[int, T] = {}
            for future in as_completed(futures):
                results[futures[future]] = future.result()  # type: ignore[assignment]
                if done:
                    done(futures[future])
        return [results[k] for k in range(count)]
    finally:
        _task = None


class Background(Generic[T]):
    """A task running in a process forked when it was made; ``result()`` waits for it.

    For work that needs one core while this process uses the other. The child sends its
    result (or its exception) back pickled through a pipe. Off Linux the task runs in
    this process when its result is first asked for.
    """

    def __init__(self, task: Callable[[], T]) -> None:
        self.task: Callable[[], T] | None = task
        self.pid = 0
        if not sys.platform.startswith("linux"):
            return
        read_end, write_end = os.pipe()
        with frozen():
            pid = os.fork()
            if pid == 0:  # the child: run, send, leave without the parent's exit handlers
                os.close(read_end)
                self._child(task, write_end)
        os.close(write_end)
        self.pid, self.pipe, self.task = pid, os.fdopen(read_end, "rb"), None

    @staticmethod
    def _child(task: Callable[[], T], write_end: int) -> NoReturn:
        """In the forked child: run the task, send its result or exception, and exit."""
        try:
            _limit(1)
            payload = pickle.dumps((True, task()))
        except BaseException as e:  # sent back, to be raised in the parent
            try:
                payload = pickle.dumps((False, e))
            except Exception:  # an exception that does not pickle: its words
                payload = pickle.dumps((False, RuntimeError(f"in a worker: {e!r}")))
        with os.fdopen(write_end, "wb") as out:
            out.write(payload)
        os._exit(0)  # never back into the caller's code (or out of the frozen block)

    def ready(self) -> bool:
        """Whether the task has finished: its result is waiting (or it runs when asked)."""
        if self.task is not None:
            return True
        readable, _, _ = select.select([self.pipe], [], [], 0)
        return bool(readable)

    def result(self) -> T:
        """The task's result (raising what it raised)."""
        if self.task is not None:
            return self.task()
        with self.pipe:
            data = self.pipe.read()
        os.waitpid(self.pid, 0)
        if not data:
            raise RuntimeError("a worker process died before sending its result")
        ok, value = pickle.loads(data)
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]

    def cancel(self) -> None:
        """Stop the child, if it still runs (the caller failed before asking)."""
        if self.pid and not self.pipe.closed:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pipe.close()


class Feed(Generic[T, R]):
    """A task in a process forked when made, reading items the caller sends as it finds them.

    ``task`` gets an iterator over every item offered, and its return value comes back
    from result(). The child asks for items whenever it has done those it had, and only
    then do the first ``batch`` items held go over: so it works while the caller has items
    to offer and its own work to do, and at most one batch is left for it when the caller
    stops offering. Items still held go over at close(), which is when the caller wants
    the child to finish (the run offers its lines while it splits them, and closes the
    feed once the embedding, which needs both cores, is done). Off Linux the task runs in
    this process when its result is first asked for.
    """

    def __init__(self, task: Callable[[Iterator[T]], R], batch: int = 64) -> None:
        self.task = task
        self.batch = batch
        self.held: list[T] = []
        self.open = True
        self.worker: Background[R] | None = None
        if not sys.platform.startswith("linux"):
            return
        feed_read, feed_write = os.pipe()
        ask_read, ask_write = os.pipe()

        def child() -> R:
            os.close(feed_write)  # so that the feed ends if this process is gone
            os.close(ask_read)
            return task(self._items(os.fdopen(feed_read, "rb"), ask_write))

        self.worker = Background(child)
        os.close(feed_read)
        os.close(ask_write)
        self.feed = os.fdopen(feed_write, "wb")
        self.asks = os.fdopen(ask_read, "rb", buffering=0)

    @property
    def pid(self) -> int:
        """The child's process id (0 off Linux)."""
        return self.worker.pid if self.worker else 0

    @staticmethod
    def _items(feed: BinaryIO, ask: int) -> Iterator[T]:
        """In the child: ask for a batch, read it, yield its items; until the end is sent."""
        while True:
            os.write(ask, b"?")
            head = feed.read(8)
            size = struct.unpack("<Q", head)[0] if len(head) == 8 else 0
            if not size:  # the end (or a caller gone)
                return
            yield from pickle.loads(feed.read(size))

    def offer(self, items: Iterable[T]) -> None:
        """Hold ``items`` for the child; the first batch held goes over if it has asked."""
        self.held.extend(items)
        if not self.worker or not self.open or not self.held:
            return
        readable, _, _ = select.select([self.asks], [], [], 0)
        if readable and self.asks.read(1):
            self._send(self.batch)

    def _send(self, most: int) -> None:
        """Send the first ``most`` items held as one batch."""
        data = pickle.dumps(self.held[:most])
        del self.held[:most]
        self._write(struct.pack("<Q", len(data)) + data)

    def _write(self, data: bytes) -> None:
        try:
            self.feed.write(data)
            self.feed.flush()
        except BrokenPipeError:  # the child failed; result() raises its error
            self.open = False

    def close(self) -> None:
        """Send everything held, then the end: the child finishes without waiting for more."""
        if not self.worker or not self.open:
            return
        if self.held:
            self._send(len(self.held))
        self._write(struct.pack("<Q", 0))
        self.open = False
        with suppress(BrokenPipeError):
            self.feed.close()

    def ready(self) -> bool:
        """Whether the task has finished (always, off Linux: it runs when asked)."""
        return not self.worker or self.worker.ready()

    def result(self) -> R:
        """The task's result over every item offered (raising what it raised)."""
        if not self.worker:
            items, self.held = self.held, []
            return self.task(iter(items))
        self.close()
        try:
            return self.worker.result()
        finally:
            self.asks.close()

    def cancel(self) -> None:
        """Stop the child, if it still runs (the caller failed before asking)."""
        if self.worker:
            self.worker.cancel()
            self.open = False
            self.asks.close()
            with suppress(BrokenPipeError):
                self.feed.close()
